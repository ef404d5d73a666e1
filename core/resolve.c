/* resolve.c - what a symbolic link leads to, on the host or as if a
 * directory were "/" (--root: a root filesystem image or a sysroot), why
 * one dangles, and its race-free removal.  danglers and symlinks share
 * these.
 *
 * Under a root, absolute texts and ".." never leave it: the path is
 * resolved component by component from the root's descriptor, with
 * O_NOFOLLOW at each step, the links met expanded by hand.
 */
#include "linkbox.h"

/* The directories reached while resolving inside a root: a stack of
 * names, of which only the deepest few keep a descriptor, so that deep
 * paths need no more than RESOLVE_FDS of them. */
#define RESOLVE_FDS 8

struct rstack {
	int *fd;		/* fd[0] is the root; -1 where closed */
	char **name;
	size_t depth, cap, open;
};

/* Give up the descriptors of all levels but the root and the deepest. */
static void
rshed(struct rstack *r)
{
	size_t i;

	for (i = 1; i < r->depth; i++)
		if (r->fd[i] != -1) {
			close(r->fd[i]);
			r->fd[i] = -1;
			r->open--;
		}
}

static int
rpush(struct rstack *r, const char *comp)
{
	size_t i;
	int fd = openat(r->fd[r->depth], comp, O_PATH | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);

	if (fd == -1 && (errno == EMFILE || errno == ENFILE)) {
		rshed(r);
		fd = openat(r->fd[r->depth], comp, O_PATH | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd == -1)
		return -1;
	if (r->depth + 1 == r->cap) {
		size_t cap = r->cap;

		r->fd = xgrow(r->fd, &cap, r->depth + 2, sizeof(*r->fd));
		r->name = xgrow(r->name, &r->cap, r->depth + 2,
		    sizeof(*r->name));
	}
	r->depth++;
	r->fd[r->depth] = fd;
	r->name[r->depth] = strdup(comp);
	if (++r->open > RESOLVE_FDS)
		for (i = 1; i < r->depth; i++)
			if (r->fd[i] != -1) {
				close(r->fd[i]);
				r->fd[i] = -1;
				r->open--;
				break;
			}
	return 0;
}

/* Back to the parent; reopen it by name from the nearest open ancestor
 * when its descriptor was given up. */
static int
rpop(struct rstack *r)
{
	size_t a, i;
	int fd, next;

	if (r->depth == 0)
		return 0;
	close(r->fd[r->depth]);
	free(r->name[r->depth--]);
	r->open--;
	if (r->fd[r->depth] != -1)
		return 0;
	for (a = r->depth; r->fd[a] == -1; a--)
		;
	for (fd = r->fd[a], i = a + 1; i <= r->depth; i++, fd = next) {
		next = openat(fd, r->name[i], O_PATH | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (fd != r->fd[a])
			close(fd);
		if (next == -1)
			return -1;
	}
	r->fd[r->depth] = fd;
	r->open++;
	return 0;
}

/* Resolve PATH as if ROOTFD were "/": absolute symbolic links and ".."
 * never leave it, as for a chroot or a root filesystem image.  0 when
 * PATH names something, with its stat(2) in ST, else -1 with errno as
 * stat(2) would set it (ENOENT, ENOTDIR, ELOOP, EACCES...). */
int
resolve_in(int rootfd, const char *path, struct stat *st)
{
	struct rstack r = { .depth = 0, .cap = 16, .open = 0 };
	char *todo = strdup(path), *comp, *next, text[PATH_MAX];
	int links = 0, ret = 0, err = 0;
	bool named = false;
	ssize_t n;

	r.fd = xmalloc(r.cap * sizeof(*r.fd));
	r.name = xmalloc(r.cap * sizeof(*r.name));
	r.fd[0] = rootfd;
	next = todo;
	while ((comp = path_next_component(&next))) {
		named = false;
		if (!strcmp(comp, "..")) {
			if (rpop(&r) == -1)
				goto fail;
			continue;
		}
		if (fstatat(r.fd[r.depth], comp, st, AT_SYMLINK_NOFOLLOW) == -1)
			goto fail;
		named = true;
		if (S_ISLNK(st->st_mode)) {
			n = readlinkat(r.fd[r.depth], comp, text,
			    sizeof(text) - 1);
			if (n == -1)
				goto fail;
			if (++links > 40) {
				errno = ELOOP;
				goto fail;
			}
			text[n] = '\0';
			comp = next ? xformat("%s/%s", text, next) :
			    strdup(text);
			free(todo);
			todo = next = comp;
			while (*text == '/' && r.depth)
				if (rpop(&r) == -1)
					goto fail;
			named = false;
			continue;
		}
		if (!next || !next[strspn(next, "/")]) {
			if (next && !S_ISDIR(st->st_mode)) {
				errno = ENOTDIR;
				goto fail;
			}
			break;
		}
		if (!S_ISDIR(st->st_mode)) {
			errno = ENOTDIR;
			goto fail;
		}
		if (rpush(&r, comp) == -1)
			goto fail;
		named = false;
	}
	/* Ended on a directory reached by ".." or by a link: itself. */
	if (!named && fstat(r.fd[r.depth], st) == -1)
		goto fail;
	goto out;
fail:
	err = errno;
	ret = -1;
out:
	for (; r.depth; r.depth--) {
		if (r.fd[r.depth] != -1)
			close(r.fd[r.depth]);
		free(r.name[r.depth]);
	}
	free(r.fd);
	free(r.name);
	free(todo);
	errno = err;
	return ret;
}

/* Take DIR as "/" for what follows (NULL: the host's root). */
void
resolve_open(struct resolve *r, const char *dir)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->dir = dir;
	if (!dir)
		return;
	r->fd = openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd == -1)
		msg_diesys("%s", quote(dir));
	r->canon = path_canon(dir);
}

/* Under a root, where the walk of PATH lies below it ("" for the root
 * itself); false, said, when PATH is outside the root. */
bool
resolve_enter(struct resolve *r, const char *path)
{
	char *cpath;
	struct stat st;
	size_t len;

	if (r->fd == -1)
		return true;
	cpath = path_canon_entry(path);
	if (!r->canon || !cpath || !path_inside(cpath, r->canon)) {
		msg_warn("%s is not inside the root %s", quote(path),
		    quote(r->dir));
		free(cpath);
		return false;
	}
	len = strlen(r->canon);
	r->inside = xformat("%s", cpath + (len > 1 ? len : 0));
	r->pathlen = strlen(path);
	/* A link given as PATH: its text is read from its directory. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		*strrchr(r->inside, '/') = '\0';
		r->pathlen = 0;
	}
	free(cpath);
	return true;
}

void
resolve_leave(struct resolve *r)
{
	free(r->inside);
	r->inside = NULL;
}

/* What the symbolic link NAME in FD, reading TEXT, leads to, in ST: 0,
 * or -1 with errno.  PATH, its path in the walk, has its directory in
 * the first DIRLEN bytes (for a root).  NAME NULL: what a link in FD
 * reading TEXT would lead to. */
int
resolve_link(const struct resolve *r, int fd, const char *name,
    const char *path, size_t dirlen, const char *text, struct stat *st)
{
	char *full;
	int ret;

	if (r->fd == -1)
		return fstatat(fd, name ? name : text, st, 0);
	if (*text == '/')
		return resolve_in(r->fd, text, st);
	/* Relative to the link's directory, itself below the root. */
	full = xformat("%s/%.*s/%s", r->inside, (int)(dirlen > r->pathlen ?
	    dirlen - r->pathlen : 0), path + r->pathlen, text);
	ret = resolve_in(r->fd, full, st);
	free(full);
	return ret;
}

const char *const resolve_causes[] = {
	"missing", "notdir", "loop", "denied", "other"
};

/* Why a link dangles, from the errno of resolving it. */
enum resolve_cause
resolve_cause(int err)
{
	return err == ENOENT ? CAUSE_MISSING : err == ENOTDIR ? CAUSE_NOTDIR :
	    err == ELOOP ? CAUSE_LOOP : err == EACCES ? CAUSE_DENIED :
	    CAUSE_OTHER;
}

/* Remove NAME (in FD; PATH in the walk), the link reading TEXT that
 * dangles for WHY, only if it still is exactly that: move it aside
 * first (a temporary with TAG), check it there (the same inode, text
 * and cause), then unlink it, or put it back.  Each failure is said. */
bool
resolve_remove(const struct resolve *r, int fd, const char *name,
    const char *path, size_t dirlen, const char *text,
    enum resolve_cause why, const char *tag)
{
	char tmp[NAME_MAX + 1], now[PATH_MAX];
	struct parent at;
	struct stat st, was;
	bool same, removed = false;
	ssize_t n;

	/* A PATH operand that is itself the link: work from its directory,
	 * where the link's text means what it meant. */
	if (parent_open(&at, fd, name) == -1) {
		msg_warnsys("%s", quote(at.dir ? at.dir : name));
		goto out;
	}
	if (fstatat(at.fd, at.name, &was, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISLNK(was.st_mode)) {
		msg_warn("%s changed before it could be removed; left alone",
		    quote(path));
		goto out;
	}
	if (atomic_aside(at.fd, at.name, tag, tmp) == -1) {
		msg_warnsys("cannot move %s aside to remove it", quote(path));
		goto out;
	}
	n = readlinkat(at.fd, tmp, now, sizeof(now) - 1);
	if (n >= 0)
		now[n] = '\0';
	same = fstatat(at.fd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode) && st.st_ino == was.st_ino && n >= 0 &&
	    !strcmp(now, text) &&
	    resolve_link(r, at.fd, tmp, path, dirlen, now, &st) == -1 &&
	    resolve_cause(errno) == why;
	if (same && unlinkat(at.fd, tmp, 0) == 0) {
		removed = true;
		goto out;
	}
	if (same)
		msg_warnsys("cannot remove %s", quote(path));
	if (atomic_put_back(at.fd, tmp, at.name) == -1)
		msg_warnsys("%s could not be put back; it is now %s",
		    quote(path), quote(tmp));
	else if (!same)
		msg_warn("%s changed while being removed; left alone",
		    quote(path));
out:
	parent_close(&at);
	return removed;
}
