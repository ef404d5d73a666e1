/* make.c - copy SRC into a new snapshot, linking what is unchanged.
 *
 * One walk of SRC (core/walk.c, fd-relative, never following symbolic
 * links).  Beside it a "shadow" stack follows the walk: for each
 * directory of the current path, the descriptor of its copy in the
 * snapshot and of the same directory in each reference (-1 where a
 * reference lacks it), so that every file is created, compared and linked
 * relative to an open directory.  Only the deepest SHADOW_OPEN levels keep
 * their descriptors; a level closed to save them is reopened through ".."
 * from its child and checked to be the same directory, as the walker does
 * with its own.  The deepest level of a reference that lacks the next
 * directory is never closed: its child has no ".." to come back by.
 *
 * Names of one source inode become names of one snapshot inode: the path
 * of the first is kept (for inodes with several names only) and the
 * others are linked to it.
 */
#include "snapshot.h"
#include <sys/resource.h>

#define SHADOW_OPEN 16
#define CLOSED (-2)		/* a level's descriptor closed, to reopen */
#define COPY_BUF 131072

struct slot {
	int fd;			/* -1: no such directory; CLOSED */
	dev_t dev;		/* identity, while CLOSED */
	ino_t ino;
};

static struct {
	struct slot *slot;	/* [depth * width + k]: k 0 the copy, 1.. refs */
	struct stat *dir;	/* the source directory of each level */
	size_t width, depth, cap, dircap, open_max;
} sh;

static const int *ref_roots;
static size_t src_len;		/* bytes of a walked path before SRC's own */
static int root_fd = -1;	/* the partial snapshot */
static struct itab sources;	/* source inodes with several names */
static char **first_names;	/* their first path in the snapshot */
static size_t nfirst, first_cap;
static bool failed;		/* writing the snapshot failed: stop */
static bool no_copy_range;

static struct slot *
level(size_t depth)
{
	return sh.slot + depth * sh.width;
}

/* Close what level J need not keep, remembering identities. */
static void
shadow_close(size_t j)
{
	struct slot *s = level(j), *below = level(j + 1);
	struct stat st;
	size_t k;

	for (k = 0; k < sh.width; k++) {
		if (s[k].fd < 0 || below[k].fd < 0 || fstat(s[k].fd, &st) == -1)
			continue;
		s[k].dev = st.st_dev;
		s[k].ino = st.st_ino;
		close(s[k].fd);
		s[k].fd = CLOSED;
	}
}

/* Push the level of the directory NAME whose source is ST; its copy is
 * DEST (-1 in a dry run). */
static void
shadow_push(const char *name, int dest, const struct stat *st)
{
	struct slot *s, *up = sh.depth ? level(sh.depth - 1) : NULL;
	size_t k;

	sh.slot = xgrow(sh.slot, &sh.cap, (sh.depth + 1) * sh.width,
	    sizeof(*sh.slot));
	sh.dir = xgrow(sh.dir, &sh.dircap, sh.depth + 1, sizeof(*sh.dir));
	up = sh.depth ? level(sh.depth - 1) : NULL;
	s = level(sh.depth);
	s[0].fd = dest;
	for (k = 1; k < sh.width; k++)
		if (!up)
			s[k].fd = ref_roots[k - 1] == -1 ? -1 :
			    fcntl(ref_roots[k - 1], F_DUPFD_CLOEXEC, 0);
		else
			s[k].fd = up[k].fd < 0 ? -1 : openat(up[k].fd, name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	sh.dir[sh.depth] = *st;
	if (sh.depth >= sh.open_max)
		shadow_close(sh.depth - sh.open_max);
	sh.depth++;
}

/* Pop the deepest level, reopening the one above where it was closed. */
static void
shadow_pop(void)
{
	struct slot *s = level(--sh.depth), *up;
	struct stat st;
	size_t k;

	for (k = 0; k < sh.width && sh.depth; k++) {
		up = level(sh.depth - 1) + k;
		if (up->fd != CLOSED)
			continue;
		up->fd = openat(s[k].fd, "..", O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (up->fd != -1 && (fstat(up->fd, &st) == -1 ||
		    st.st_dev != up->dev || st.st_ino != up->ino)) {
			close(up->fd);
			up->fd = -1;
			errno = ESTALE;
		}
		if (up->fd == -1 && k == 0) {
			msg_warnsys("cannot return to a directory of the "
			    "snapshot");
			failed = true;
		}
	}
	for (k = 0; k < sh.width; k++)
		if (s[k].fd >= 0)
			close(s[k].fd);
}

/* The path of a walked entry inside SRC (and the snapshot). */
static const char *
inner(const struct walk *e)
{
	return e->path + (strlen(e->path) > src_len ? src_len : strlen(
	    e->path));
}

static void
report(const char *what, const struct walk *e)
{
	out("%s %s%c", what, quote(inner(e)), snapshot_opt.end);
}

/* Writing the snapshot failed: nothing will be published. */
static void
broken(const char *what, const struct walk *e)
{
	msg_warnsys("%s %s", what, quote(e->path));
	failed = true;
}

/* Give the copy NAME in DFD (or the open FD) the owner, mode and times
 * of ST.  The owner only where permitted: a run that is not root keeps
 * its own. */
static bool
set_meta(int fd, int dfd, const char *name, const struct stat *st)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	int flags = AT_SYMLINK_NOFOLLOW;

	if ((fd != -1 ? fchown(fd, st->st_uid, st->st_gid) :
	    fchownat(dfd, name, st->st_uid, st->st_gid, flags)) == -1 &&
	    errno != EPERM)
		return false;
	if (S_ISLNK(st->st_mode))
		return utimensat(dfd, name, times, flags) == 0 ||
		    errno == EOPNOTSUPP;
	if (fd != -1 ? fchmod(fd, st->st_mode & 07777) == -1 :
	    fchmodat(dfd, name, st->st_mode & 07777, 0) == -1)
		return false;
	return (fd != -1 ? futimens(fd, times) :
	    utimensat(dfd, name, times, flags)) == 0;
}

/* Copy [FROM, TO) of IN to OUT at the same offsets; -1 with errno, and
 * *READING set when reading IN failed. */
static int
copy_range(int in, int out, off_t from, off_t to, bool *reading)
{
	static char *buf;
	ssize_t n, w;
	off_t a, b;

	while (!no_copy_range && from < to) {
		a = b = from;
		n = copy_file_range(in, &a, out, &b, to - from, 0);
		if (n > 0) {
			from += n;
			snapshot_sum.bytes += n;
			continue;
		}
		if (n == 0)
			return 0;	/* shrunk: told by the check after */
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL &&
		    errno != EOPNOTSUPP && errno != EPERM && errno != ETXTBSY)
			return -1;
		no_copy_range = true;
	}
	if (!buf)
		buf = xmalloc(COPY_BUF);
	while (from < to) {
		n = pread(in, buf, to - from < COPY_BUF ? to - from : COPY_BUF,
		    from);
		if (n <= 0) {
			*reading = n == -1;
			return n;
		}
		for (w = 0; w < n; w += b) {
			b = pwrite(out, buf + w, n - w, from + w);
			if (b == -1)
				return -1;
		}
		from += n;
		snapshot_sum.bytes += n;
	}
	return 0;
}

/* The data of IN, SIZE bytes, into OUT, holes kept. */
static int
copy_data(int in, int out, off_t size, bool *reading)
{
	off_t data, hole;

	for (data = 0; data < size; data = hole) {
		data = lseek(in, data, SEEK_DATA);
		if (data == -1 && errno == ENXIO)
			break;
		hole = data == -1 ? size : lseek(in, data, SEEK_HOLE);
		if (data == -1)
			data = 0;
		if (hole == -1 || hole > size)
			hole = size;
		if (copy_range(in, out, data, hole, reading) == -1)
			return -1;
	}
	return ftruncate(out, size);
}

static bool
same_state(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Copy the regular file E into DEST; ST becomes its state as copied.
 * False when it was not copied (said). */
static bool
copy_file(const struct walk *e, int dest, struct stat *st)
{
	struct stat after;
	bool reading = false, ok = true;
	int in, out, tries;

	in = openat(e->fd, e->name, O_RDONLY | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK | O_CLOEXEC);
	if (in == -1 || fstat(in, st) == -1 || !S_ISREG(st->st_mode)) {
		if (in != -1 && !S_ISREG(st->st_mode))
			errno = EAGAIN;	/* replaced meanwhile */
		msg_warnsys("cannot read %s", quote(e->path));
		snapshot_sum.reported++;
		if (in != -1)
			close(in);
		return false;
	}
	if (snapshot_opt.dry_run) {
		snapshot_sum.bytes += st->st_size;
		close(in);
		return true;
	}
	out = openat(dest, e->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600);
	if (out == -1) {
		broken("cannot create", e);
		close(in);
		return false;
	}
	/* A file written meanwhile is copied again, once. */
	for (tries = 0;; tries++) {
		if (copy_data(in, out, st->st_size, &reading) == -1) {
			ok = false;
			break;
		}
		if (fstat(in, &after) == -1) {
			ok = false;
			reading = true;
			break;
		}
		if (same_state(st, &after))
			break;
		*st = after;
		if (tries) {
			msg_warn("%s: changed while being copied",
			    quote(e->path));
			snapshot_sum.reported++;
			break;
		}
		if (ftruncate(out, 0) == -1) {
			ok = false;
			break;
		}
	}
	if (reading) {
		msg_warnsys("cannot read %s", quote(e->path));
		snapshot_sum.reported++;
	} else if (!ok || !set_meta(out, dest, e->name, st)) {
		broken("cannot write", e);
		ok = false;
	}
	close(in);
	if (close(out) == -1 && ok) {
		broken("cannot write", e);
		ok = false;
	}
	/* Not half a file: the snapshot lacks it, and said so. */
	if (reading)
		unlinkat(dest, e->name, 0);
	return ok;
}

/* The reference (1..) holding E unchanged, as a regular file alike in
 * size, mode, owner, group and mtime (--checksum: contents), in *REF;
 * *SEEN whether a reference holds the path at all. */
static size_t
unchanged(const struct walk *e, const struct stat *st, struct stat *ref,
    bool *seen)
{
	struct slot *s = level(sh.depth - 1);
	size_t k;
	bool same;
	int a, b;

	*seen = false;
	for (k = 1; k < sh.width; k++) {
		if (s[k].fd < 0 || fstatat(s[k].fd, e->name, ref,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		*seen = true;
		if (ref->st_mode != st->st_mode || ref->st_size !=
		    st->st_size || ref->st_uid != st->st_uid ||
		    ref->st_gid != st->st_gid)
			continue;
		if (!snapshot_opt.checksum) {
			if (ref->st_mtim.tv_sec == st->st_mtim.tv_sec &&
			    ref->st_mtim.tv_nsec == st->st_mtim.tv_nsec)
				return k;
			continue;
		}
		a = openat(e->fd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		b = openat(s[k].fd, e->name, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC);
		same = a != -1 && b != -1 && bytes_same(a, b, st->st_size);
		if (a != -1)
			close(a);
		if (b != -1)
			close(b);
		if (same)
			return k;
	}
	return 0;
}

/* The regular file E, ST as walked: a link to a reference's copy when
 * unchanged, to its own first name when it has several, else a copy. */
static void
regular(const struct walk *e, struct stat *st)
{
	int dest = level(sh.depth - 1)[0].fd;
	struct inode *ino = NULL;
	struct stat ref;
	bool added, seen;
	size_t k;

	if (st->st_nlink > 1) {
		ino = itab_get(&sources, st, &added);
		if (added)
			ino->names = (size_t)-1;
		else if (ino->names != (size_t)-1) {
			if (snapshot_opt.dry_run || linkat(root_fd,
			    first_names[ino->names], dest, e->name, 0) == 0)
				return;
			if (errno != EMLINK) {
				broken("cannot link", e);
				return;
			}
			snapshot_sum.at_limit++;
			ino = NULL;	/* copied apart: a group of its own */
		}
	}
	if ((k = unchanged(e, st, &ref, &seen))) {
		if (snapshot_opt.max_links && ref.st_nlink >=
		    snapshot_opt.max_links)
			snapshot_sum.at_limit++;
		else if (snapshot_opt.dry_run || linkat(level(sh.depth -
		    1)[k].fd, e->name, dest, e->name, 0) == 0) {
			snapshot_sum.linked++;
			if (snapshot_opt.dry_run && snapshot_opt.verbose)
				report("would link", e);
			goto first;
		} else if (errno == EMLINK)
			snapshot_sum.at_limit++;
		else {
			broken("cannot link", e);
			return;
		}
	}
	if (!copy_file(e, dest, st))
		return;
	if (seen)
		snapshot_sum.copied_changed++;
	else
		snapshot_sum.copied_new++;
	if (snapshot_opt.verbose || snapshot_opt.dry_run)
		report(snapshot_opt.dry_run ? "would copy" : "copied", e);
first:
	if (ino) {
		first_names = xgrow(first_names, &first_cap, nfirst + 1,
		    sizeof(*first_names));
		ino->names = nfirst;
		first_names[nfirst++] = xformat("%s", inner(e));
	}
}

/* A symbolic link, FIFO, device or socket E (ST) into DEST. */
static void
special(const struct walk *e, const struct stat *st, int dest)
{
	char text[PATH_MAX];
	ssize_t n = 0;

	if (S_ISLNK(st->st_mode)) {
		n = readlinkat(e->fd, e->name, text, sizeof(text) - 1);
		if (n == -1) {
			msg_warnsys("cannot read %s", quote(e->path));
			snapshot_sum.reported++;
			return;
		}
		text[n] = '\0';
	}
	if (snapshot_opt.dry_run)
		return;
	if (S_ISLNK(st->st_mode) ? symlinkat(text, dest, e->name) == -1 :
	    mknodat(dest, e->name, st->st_mode & (S_IFMT | 07777),
	    st->st_rdev) == -1) {
		if (errno != EPERM) {
			broken("cannot create", e);
			return;
		}
		msg_warnsys("cannot copy %s", quote(e->path));
		snapshot_sum.reported++;
	} else if (!set_meta(-1, dest, e->name, st))
		broken("cannot write", e);
}

/* The deepest directory is complete: its attributes, now that nothing
 * more is written in it.  PATH, where known, for messages. */
static void
finish_dir(const char *path)
{
	size_t d = sh.depth - 1;
	int fd = level(d)[0].fd;

	if (fd >= 0 && !failed && !set_meta(fd, -1, NULL, &sh.dir[d])) {
		msg_warnsys("cannot write %s", quote(path ? path :
		    "a directory"));
		failed = true;
	}
	shadow_pop();
}

static dev_t repo_dev;
static ino_t repo_ino;

static int
visit(struct walk *e, void *arg)
{
	struct stat st;
	int dest, fd;

	(void)arg;
	/* A directory the walker could not enter has no second visit. */
	while (sh.depth > e->depth + e->post)
		finish_dir(NULL);
	if (failed)
		return WALK_STOP;
	if (e->post) {
		finish_dir(e->path);
		return WALK_NEXT;
	}
	if (e->depth && glob_any(snapshot_opt.exclude, snapshot_opt.nexclude,
	    e->name))
		return WALK_PRUNE;
	if (!walk_stat(e, &st)) {
		snapshot_sum.reported++;
		return e->type == DT_DIR ? WALK_PRUNE : WALK_NEXT;
	}
	progress_show(false);
	dest = sh.depth ? level(sh.depth - 1)[0].fd : -1;
	if (S_ISREG(st.st_mode))
		regular(e, &st);
	else if (!S_ISDIR(st.st_mode))
		special(e, &st, dest);
	else if (st.st_dev == repo_dev && st.st_ino == repo_ino)
		return WALK_PRUNE;
	else {
		fd = -1;
		if (!snapshot_opt.dry_run && (!e->depth ?
		    (fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 0)) == -1 :
		    mkdirat(dest, e->name, 0700) == -1 || (fd = openat(dest,
		    e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) == -1)) {
			broken("cannot create", e);
			return WALK_STOP;
		}
		shadow_push(e->name, fd, &st);
	}
	return failed ? WALK_STOP : WALK_NEXT;
}

/* Copy SRC into REPOFD's directory PARTIAL (made empty by the caller;
 * not in a dry run), the references REFS (-1 for none) searched in
 * order.  False when the snapshot could not be written whole. */
bool
snapshot_make(const char *src, int repofd, const char *partial,
    const int *refs, size_t nrefs)
{
	struct rlimit lim;
	struct stat st;
	size_t len = strlen(src);

	sh.width = nrefs + 1;
	ref_roots = refs;
	/* The walker keeps half the descriptors the limit allows. */
	sh.open_max = SHADOW_OPEN;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 2 * 32 +
	    2 * SHADOW_OPEN * sh.width + 16)
		sh.open_max = 1;
	src_len = len + (len && src[len - 1] != '/');
	if (fstat(repofd, &st) == 0) {
		repo_dev = st.st_dev;
		repo_ino = st.st_ino;
	}
	if (!snapshot_opt.dry_run && (root_fd = openat(repofd, partial,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		msg_warnsys("cannot open %s", quote(partial));
		return false;
	}
	walk_tree(src, snapshot_opt.walk_flags, visit, NULL);
	while (sh.depth)
		finish_dir(NULL);
	if (!failed && !snapshot_opt.dry_run && snapshot_opt.sync &&
	    syncfs(root_fd) == -1) {
		msg_warnsys("cannot flush %s", quote(partial));
		failed = true;
	}
	if (root_fd != -1)
		close(root_fd);
	return !failed;
}
