/* walk.c - the directory walker shared by the tree applets.
 *
 * Directories are opened relative to their parent's descriptor with
 * O_NOFOLLOW, so a directory swapped for a symlink mid-walk is never
 * followed and nothing outside the root is reached.  d_type and d_ino come
 * from the directory entries, read with getdents64 into a buffer per
 * open level (no DIR: fdopendir costs an fstat and two fcntl calls per
 * directory); lstat is called only where d_type is DT_UNKNOWN.  The walk
 * is iterative: its stack holds one level per directory of the current
 * path (memory O(depth), not O(entries)), and at most WALK_OPEN_MAX levels
 * keep a descriptor and a buffer.  A level closed to save descriptors
 * remembers where to resume (the d_off of its last entry) and its identity
 * (dev, ino); it is reopened through ".." from its child when the walk
 * climbs back, and checked to be the same directory.  So trees deeper
 * than PATH_MAX and wider than the open-file limit walk completely.  No
 * nftw/fts: musl's nftw silently stops descending at its descriptor limit.
 */
#include "linkbox.h"
#include <sys/resource.h>

#define WALK_OPEN_MAX 32
#define WALK_BUF 8192

struct level {
	int fd;			/* -1 while closed */
	char *buf;		/* entries read, buf[pos..end) unused yet */
	size_t pos, end;
	off_t resume;		/* d_off of the last entry handed out */
	dev_t dev;		/* identity, taken when closed */
	ino_t ino;
	size_t pathlen;		/* length of the path to this directory */
};

struct walker {
	char *spare[WALK_OPEN_MAX];	/* buffers to reuse: malloc and free
					 * per directory cost musl dearly */
	size_t nspare;
	struct level *levels;
	size_t depth, cap, open;
	char *path;
	size_t pathcap;
	int flags;
	dev_t root_dev;
	size_t open_max;	/* levels that may keep a descriptor */
};

static void
path_set(struct walker *w, size_t at, const char *name)
{
	size_t len = strlen(name);

	w->path = xgrow(w->path, &w->pathcap, at + len + 2, 1);
	if (at && w->path[at - 1] != '/')
		w->path[at++] = '/';
	memcpy(w->path + at, name, len + 1);
}

static char *
buf_get(struct walker *w)
{
	return w->nspare ? w->spare[--w->nspare] : xmalloc(WALK_BUF);
}

static void
buf_put(struct walker *w, char *buf)
{
	if (w->nspare < WALK_OPEN_MAX)
		w->spare[w->nspare++] = buf;
	else
		free(buf);
}

/* Close the shallowest open level but the current one, to free a
 * descriptor; false when there is none. */
static bool
close_one(struct walker *w)
{
	size_t i;

	for (i = 0; i + 1 < w->depth; i++) {
		struct level *l = &w->levels[i];
		struct stat st;

		if (l->fd == -1 || fstat(l->fd, &st) == -1)
			continue;
		l->dev = st.st_dev;
		l->ino = st.st_ino;
		close(l->fd);
		buf_put(w, l->buf);
		l->fd = -1;
		w->open--;
		return true;
	}
	return false;
}

/* The next entry of level L, or NULL at its end (errno set on error). */
static struct dent *
next_entry(struct level *l)
{
	struct dent *d;
	long n;

	if (l->pos >= l->end) {
		n = syscall(SYS_getdents64, l->fd, l->buf, WALK_BUF);
		if (n <= 0)
			return NULL;
		l->pos = 0;
		l->end = n;
	}
	d = (struct dent *)(l->buf + l->pos);
	l->pos += d->reclen;
	l->resume = d->off;
	return d;
}

/* Push the directory NAME of the current level (or the root). */
static bool
push(struct walker *w, int parent, const char *name)
{
	struct level *l;
	struct stat st;
	int fd;

	if (w->open >= w->open_max)
		close_one(w);
	while ((fd = openat(parent, name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1 &&
	    (errno == EMFILE || errno == ENFILE) && close_one(w))
		;
	if (fd == -1) {
		msg_warnsys("cannot read directory %s", quote(w->path));
		return false;
	}
	if (w->depth && (w->flags & WALK_XDEV) && (fstat(fd, &st) == -1 ||
	    st.st_dev != w->root_dev)) {
		close(fd);
		return false;
	}
	w->levels = xgrow(w->levels, &w->cap, w->depth + 1,
	    sizeof(*w->levels));
	l = &w->levels[w->depth++];
	l->fd = fd;
	l->buf = buf_get(w);
	l->pos = l->end = 0;
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
	if (up && up->fd == -1) {
		fd = openat(l->fd, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd != -1 && (fstat(fd, &st) == -1 || st.st_dev != up->dev ||
		    st.st_ino != up->ino ||
		    lseek(fd, up->resume, SEEK_SET) == -1)) {
			close(fd);
			fd = -1;
			errno = ESTALE;
		}
	}
	close(l->fd);
	buf_put(w, l->buf);
	w->open--;
	if (!up || up->fd != -1)
		return true;
	if (fd == -1) {
		msg_warnsys("cannot return to the directory above %s",
		    quote(w->path));
		return false;
	}
	up->fd = fd;
	up->buf = buf_get(w);
	up->pos = up->end = 0;
	w->open++;
	return true;
}

/* Call FN for each entry of the directory PATH (relative to DFD) but "."
 * and "..": one level, no walk.  -1 with errno when it cannot be read. */
int
walk_dir(int dfd, const char *path,
    void (*fn)(const char *name, unsigned char type, void *), void *arg)
{
	struct level l = { .pos = 0, .end = 0 };
	unsigned char type;
	struct dent *d;
	struct stat st;
	int err;

	l.fd = openat(dfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l.fd == -1)
		return -1;
	l.buf = xmalloc(WALK_BUF);
	while ((errno = 0, d = next_entry(&l))) {
		if (dot_name(d->name))
			continue;
		type = d->type;
		if (type == DT_UNKNOWN && fstatat(l.fd, d->name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0)
			type = IFTODT(st.st_mode);
		fn(d->name, type, arg);
	}
	err = errno;
	close(l.fd);
	free(l.buf);
	errno = err;
	return err ? -1 : 0;
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
	struct rlimit lim = { .rlim_cur = RLIM_INFINITY };
	struct dent *d;
	struct stat st;
	int r, status = 0;

	if (lstat(root, &st) == -1) {
		msg_warnsys("%s", quote(root));
		return 0;
	}
	w.root_dev = st.st_dev;
	/* Leave the applet half of what the descriptor limit allows. */
	w.open_max = WALK_OPEN_MAX;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 2 *
	    WALK_OPEN_MAX + 16)
		w.open_max = lim.rlim_cur > 18 ? (lim.rlim_cur - 16) / 2 : 1;
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
	/* Read-ahead only where descriptors abound, as they do by default. */
	if (lim.rlim_cur >= 128)
		ahead_start(w.levels[0].fd, flags);
	while (w.depth) {
		struct level *l = &w.levels[w.depth - 1];

		errno = 0;
		d = next_entry(l);
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
				    w.levels[w.depth - 1].fd);
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
		if (dot_name(d->name))
			continue;
		ahead_seen();
		path_set(&w, l->pathlen, d->name);
		e.fd = l->fd;
		e.name = d->name;
		e.path = w.path;
		e.type = d->type;
		e.ino = d->ino;
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
			push(&w, e.fd, d->name);
		w.path[w.levels[w.depth - 1].pathlen] = '\0';
	}
out:
	ahead_stop();
	while (w.depth) {
		struct level *l = &w.levels[--w.depth];

		if (l->fd != -1) {
			close(l->fd);
			buf_put(&w, l->buf);
		}
	}
	while (w.nspare)
		free(w.spare[--w.nspare]);
	free(w.levels);
	free(w.path);
	return status;
}

/* The lstat(2) of the entry E in ST; false, said, when it fails. */
bool
walk_stat(const struct walk *e, struct stat *st)
{
	if (fstatat(e->fd, e->name, st, AT_SYMLINK_NOFOLLOW) == 0)
		return true;
	msg_warnsys("%s", quote(e->path));
	return false;
}
