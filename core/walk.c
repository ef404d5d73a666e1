/* walk.c - the directory walker shared by the tree applets.
 *
 * Directories are opened relative to their parent's descriptor with
 * O_NOFOLLOW, so a directory swapped for a symlink mid-walk is never
 * followed and nothing outside the root is reached.  d_type and d_ino come
 * from the directory entries; lstat is called only where d_type is
 * DT_UNKNOWN.  The walk is iterative: its stack holds one level per
 * directory of the current path (memory O(depth), not O(entries)), and at
 * most WALK_OPEN_MAX levels keep a descriptor.  A level closed to save
 * descriptors remembers its position (telldir) and identity (dev, ino); it
 * is reopened through ".." from its child when the walk climbs back, and
 * checked to be the same directory.  So trees deeper than PATH_MAX and
 * wider than the open-file limit walk completely.  No nftw/fts: musl's
 * nftw silently stops descending at its descriptor limit.
 */
#include "linkbox.h"

#define WALK_OPEN_MAX 32

struct level {
	DIR *dir;		/* NULL while closed */
	long pos;		/* where to resume once reopened */
	dev_t dev;
	ino_t ino;
	size_t pathlen;		/* length of the path to this directory */
};

struct walker {
	struct level *levels;
	size_t depth, cap, open;
	char *path;
	size_t pathcap;
	int flags;
	dev_t root_dev;
};

static void
path_set(struct walker *w, size_t at, const char *name)
{
	size_t len = strlen(name);

	if (at + len + 2 > w->pathcap) {
		char *bigger = xmalloc(w->pathcap = (at + len + 2) * 2);

		memcpy(bigger, w->path, at);
		free(w->path);
		w->path = bigger;
	}
	if (at && w->path[at - 1] != '/')
		w->path[at++] = '/';
	memcpy(w->path + at, name, len + 1);
}

/* Close the shallowest open level but the current one, to free a
 * descriptor; false when there is none. */
static bool
close_one(struct walker *w)
{
	size_t i;

	for (i = 0; i + 1 < w->depth; i++) {
		struct level *l = &w->levels[i];

		if (l->dir) {
			l->pos = telldir(l->dir);
			closedir(l->dir);
			l->dir = NULL;
			w->open--;
			return true;
		}
	}
	return false;
}

/* Push the directory NAME of the current level (or the root). */
static bool
push(struct walker *w, int parent, const char *name)
{
	struct level *l;
	struct stat st;
	int fd;

	if (w->open >= WALK_OPEN_MAX)
		close_one(w);
	while ((fd = openat(parent, name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1 &&
	    (errno == EMFILE || errno == ENFILE) && close_one(w))
		;
	if (fd == -1 || fstat(fd, &st) == -1) {
		msg_warnsys("cannot read directory %s", quote(w->path));
		if (fd != -1)
			close(fd);
		return false;
	}
	if (w->depth && (w->flags & WALK_XDEV) && st.st_dev != w->root_dev) {
		close(fd);
		return false;
	}
	if (w->depth == w->cap) {
		struct level *bigger = xmalloc((w->cap = w->cap * 2 + 16) *
		    sizeof(*bigger));

		memcpy(bigger, w->levels, w->depth * sizeof(*bigger));
		free(w->levels);
		w->levels = bigger;
	}
	l = &w->levels[w->depth++];
	l->dir = fdopendir(fd);
	if (!l->dir) {
		msg_warnsys("cannot read directory %s", quote(w->path));
		close(fd);
		w->depth--;
		return false;
	}
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->pathlen = strlen(w->path);
	w->open++;
	return true;
}

/* Leave the current level; reopen its parent through ".." if the parent
 * was closed, and check that it still is the directory it was. */
static bool
pop(struct walker *w)
{
	struct level *l = &w->levels[--w->depth], *up;
	struct stat st;
	int fd = -1;

	up = w->depth ? &w->levels[w->depth - 1] : NULL;
	if (up && !up->dir) {
		fd = openat(dirfd(l->dir), "..", O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (fd != -1 && (fstat(fd, &st) == -1 || st.st_dev != up->dev ||
		    st.st_ino != up->ino)) {
			close(fd);
			fd = -1;
			errno = ESTALE;
		}
	}
	closedir(l->dir);
	w->open--;
	if (!up || up->dir)
		return true;
	if (fd == -1 || !(up->dir = fdopendir(fd))) {
		msg_warnsys("cannot return to the directory above %s",
		    quote(w->path));
		if (fd != -1)
			close(fd);
		return false;
	}
	seekdir(up->dir, up->pos);
	w->open++;
	return true;
}

static int
visit_dir_again(struct walker *w, int (*visit)(struct walk *, void *),
    void *arg, const char *name, int fd)
{
	struct walk e = { fd, name, w->path, DT_DIR, 0, w->depth, true };

	return visit(&e, arg);
}

/* Walk ROOT, calling VISIT for ROOT and everything below it, directories
 * before their contents (and again after, with WALK_POST).  Returns -1 if
 * VISIT stopped the walk, 0 otherwise; unreadable directories are
 * reported and skipped. */
int
walk_tree(const char *root, int flags, int (*visit)(struct walk *, void *),
    void *arg)
{
	struct walker w = { .flags = flags };
	struct walk e = { AT_FDCWD, root, root, DT_UNKNOWN, 0, 0, false };
	struct dirent *d;
	struct stat st;
	int r, status = 0;

	if (lstat(root, &st) == -1) {
		msg_warnsys("%s", quote(root));
		return 0;
	}
	w.root_dev = st.st_dev;
	e.type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK :
	    S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
	e.ino = st.st_ino;
	r = visit(&e, arg);
	if (r == WALK_STOP)
		return -1;
	if (e.type != DT_DIR || r == WALK_PRUNE)
		return 0;
	path_set(&w, 0, root);
	if (!push(&w, AT_FDCWD, root))
		goto out;
	while (w.depth) {
		struct level *l = &w.levels[w.depth - 1];

		errno = 0;
		d = readdir(l->dir);
		if (!d) {
			if (errno)
				msg_warnsys("cannot read directory %s",
				    quote(w.path));
			w.path[l->pathlen] = '\0';
			if (!pop(&w)) {
				status = 0;
				break;
			}
			r = WALK_NEXT;
			if ((flags & WALK_POST) && w.depth)
				r = visit_dir_again(&w, visit, arg,
				    strrchr(w.path, '/') + 1,
				    dirfd(w.levels[w.depth - 1].dir));
			else if (flags & WALK_POST)
				r = visit_dir_again(&w, visit, arg, root,
				    AT_FDCWD);
			if (r == WALK_STOP) {
				status = -1;
				break;
			}
			if (w.depth)
				w.path[w.levels[w.depth - 1].pathlen] = '\0';
			continue;
		}
		if (d->d_name[0] == '.' && (!d->d_name[1] ||
		    (d->d_name[1] == '.' && !d->d_name[2])))
			continue;
		path_set(&w, l->pathlen, d->d_name);
		e.fd = dirfd(l->dir);
		e.name = d->d_name;
		e.path = w.path;
		e.type = d->d_type;
		e.ino = d->d_ino;
		e.depth = w.depth;
		e.post = false;
		if (e.type == DT_UNKNOWN) {
			if (fstatat(e.fd, e.name, &st, AT_SYMLINK_NOFOLLOW) ==
			    -1) {
				msg_warnsys("%s", quote(w.path));
				continue;
			}
			e.type = IFTODT(st.st_mode);
		}
		r = visit(&e, arg);
		if (r == WALK_STOP) {
			status = -1;
			break;
		}
		if (e.type == DT_DIR && r != WALK_PRUNE)
			push(&w, e.fd, d->d_name);
		w.path[w.levels[w.depth - 1].pathlen] = '\0';
	}
out:
	while (w.depth) {
		struct level *l = &w.levels[--w.depth];

		if (l->dir)
			closedir(l->dir);
	}
	free(w.levels);
	free(w.path);
	return status;
}
