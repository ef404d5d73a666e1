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
static bool at_limit;		/* the entry is copied for a link limit */

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
			snapshot_failed = true;
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

/* -v and -n's line for E, or its JSON record. */
static void
report(const char *what, const struct walk *e)
{
	json_said(what, "path", inner(e), snapshot_opt.end);
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
		/* A symbolic link's contents are its text: by its mtime. */
		if (!snapshot_opt.checksum || S_ISLNK(st->st_mode)) {
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

/* E, a later name of a source inode with several names: linked to the
 * first name its copy got (true: done, or failed and said).  *INO is set
 * to the inode to remember E as the first name of, or NULL. */
static bool
linked_again(const struct walk *e, const struct stat *st, int dest,
    struct inode **ino)
{
	const char *first;
	struct stat now;
	bool added;

	*ino = NULL;
	if (st->st_nlink < 2)
		return false;
	*ino = itab_get(&sources, st, &added);
	if (added)
		(*ino)->names = (size_t)-1;
	if ((*ino)->names == (size_t)-1)
		return false;
	first = first_names[(*ino)->names];
	if (snapshot_opt.max_links && !snapshot_opt.dry_run &&
	    fstatat(root_fd, first, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    now.st_nlink >= snapshot_opt.max_links)
		errno = EMLINK;
	else if (snapshot_opt.dry_run || linkat(root_fd, first, dest, e->name,
	    0) == 0)
		return true;
	if (errno != EMLINK) {
		snapshot_broken("cannot link", e);
		return true;
	}
	at_limit = true;
	*ino = NULL;	/* copied apart: a group of its own */
	return false;
}

/* E is the first name of INO (if any) in the snapshot. */
static void
remember(struct inode *ino, const struct walk *e)
{
	if (!ino)
		return;
	first_names = xgrow(first_names, &first_cap, nfirst + 1,
	    sizeof(*first_names));
	ino->names = nfirst;
	first_names[nfirst++] = xformat("%s", inner(e));
}

/* Link E (ST, a regular file or symbolic link) into DEST from the
 * reference that holds it unchanged: 1; 0 when none does or a link limit
 * stops it (*SEEN: a reference holds its path); -1 when linking failed
 * (said). */
static int
link_unchanged(const struct walk *e, const struct stat *st, int dest,
    bool *seen)
{
	struct stat ref;
	size_t k;

	if (!(k = unchanged(e, st, &ref, seen)))
		return 0;
	if (snapshot_opt.max_links && ref.st_nlink >= snapshot_opt.max_links)
		at_limit = true;
	else if (snapshot_opt.dry_run || linkat(level(sh.depth - 1)[k].fd,
	    e->name, dest, e->name, 0) == 0)
		return 1;
	else if (errno == EMLINK)
		at_limit = true;
	else {
		snapshot_broken("cannot link", e);
		return -1;
	}
	return 0;
}

/* The non-directory E, ST as walked: a link to a reference's copy when
 * unchanged, else a copy.  True when it is in the snapshot. */
static bool
copy_or_link(const struct walk *e, struct stat *st, int dest)
{
	bool seen = false;
	int linked = S_ISREG(st->st_mode) || S_ISLNK(st->st_mode) ?
	    link_unchanged(e, st, dest, &seen) : 0;

	if (linked == 1 && S_ISREG(st->st_mode)) {
		snapshot_sum.linked++;
		if (snapshot_opt.dry_run && snapshot_opt.verbose)
			report("would link", e);
	}
	if (linked)
		return linked == 1;
	if (!S_ISREG(st->st_mode))
		return snapshot_copy_special(e, st, dest);
	if (!snapshot_copy_file(e, dest, st))
		return false;
	if (seen)
		snapshot_sum.copied_changed++;
	else
		snapshot_sum.copied_new++;
	if (snapshot_opt.verbose || snapshot_opt.dry_run)
		report(snapshot_opt.dry_run ? "would copy" : "copied", e);
	return true;
}

/* The deepest directory is complete: its attributes, now that nothing
 * more is written in it.  PATH, where known, for messages. */
static void
finish_dir(const char *path)
{
	size_t d = sh.depth - 1;
	int fd = level(d)[0].fd;

	if (fd >= 0 && !snapshot_failed &&
	    !snapshot_set_meta(fd, -1, NULL, &sh.dir[d])) {
		msg_warnsys("cannot write %s", quote(path ? path :
		    "a directory"));
		snapshot_failed = true;
	}
	shadow_pop();
}

static dev_t repo_dev;
static ino_t repo_ino;

static int
visit(struct walk *e, void *arg)
{
	struct inode *ino;
	struct stat st;
	int dest, fd;

	(void)arg;
	/* A directory the walker could not enter has no second visit. */
	while (sh.depth > e->depth + e->post)
		finish_dir(NULL);
	if (snapshot_failed)
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
	if (!S_ISDIR(st.st_mode)) {
		/* Names of one source inode stay names of one inode. */
		at_limit = false;
		if (!linked_again(e, &st, dest, &ino) &&
		    copy_or_link(e, &st, dest))
			remember(ino, e);
		/* Counted as the copies are: regular files. */
		snapshot_sum.at_limit += at_limit && S_ISREG(st.st_mode);
	} else if (st.st_dev == repo_dev && st.st_ino == repo_ino)
		return WALK_PRUNE;
	else {
		fd = -1;
		if (!snapshot_opt.dry_run && (!e->depth ?
		    (fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 0)) == -1 :
		    mkdirat(dest, e->name, 0700) == -1 || (fd = openat(dest,
		    e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) == -1)) {
			snapshot_broken("cannot create", e);
			return WALK_STOP;
		}
		shadow_push(e->name, fd, &st);
	}
	return snapshot_failed ? WALK_STOP : WALK_NEXT;
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
	walk_tree(src, snapshot_opt.walk_flags | WALK_AHEAD_STAT, visit,
	    NULL);
	while (sh.depth)
		finish_dir(NULL);
	if (!snapshot_failed && !snapshot_opt.dry_run && snapshot_opt.sync &&
	    syncfs(root_fd) == -1) {
		msg_warnsys("cannot flush %s", quote(partial));
		snapshot_failed = true;
	}
	if (root_fd != -1)
		close(root_fd);
	return !snapshot_failed;
}
