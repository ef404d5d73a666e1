/* dedup - replace identical files with hard links, verified, crash-safe.
 *
 * usage: dedup [-lnqvz0] [--keep=RULE] [--max-links=N] [--mtime]
 *              [--any-owner] [--any-group] [--any-mode] [--min-size=N]
 *              [--max-size=N] [--exclude=PATTERN]... PATH...
 *
 * Walks the PATHs, groups regular files by device, size, owner, group and
 * mode (and mtime with --mtime), narrows each group by a hash of the
 * first HEAD bytes (two threads read them), then confirms every match
 * byte for byte by reading the candidates side by side, the last block
 * first.  A hash only sorts; it never decides.  Names already hard-linked
 * together are one file throughout.
 *
 * Each duplicate name is replaced so that it never disappears: the kept
 * file is linked under a temporary name beside it (never overwriting
 * anything), exchanged with the name (renameat2 RENAME_EXCHANGE), and the
 * displaced file is checked to be the very inode compared, with the same
 * size and mtime; a file written to since it was compared is exchanged
 * back and reported.  Where the exchange is unsupported, the name is
 * checked just before a rename(2) over it.  SIGINT and SIGTERM finish the
 * replacement under way, print the summary so far and end the run.
 *
 * The kept file: one with names outside the PATHs (relinking those would
 * not free it), then the most links, then the oldest (--keep changes
 * that).  EMLINK or --max-links starts a new kept file.
 *
 * Exit status: 0 all went as planned; 1 some names could not be linked
 * or were skipped because they changed (each reported); 2 trouble.
 */
#include "../core/linkbox.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>

const char dedup_usage[] =
"Usage: dedup [OPTION]... PATH...\n"
"Replace identical files under the PATHs with hard links to one of them.\n"
"\n"
"  -n, --dry-run       say what would be linked and freed; change nothing\n"
"  -l, --list          print the groups of identical files, blank line\n"
"                      between groups; change nothing\n"
"  -0, --null          with -l: NUL after each name and each group\n"
"  -v, --verbose       print each link made: 'NAME' => 'KEPT'\n"
"  -q, --quiet         no progress display\n"
"  -z, --empty         also link empty files\n"
"      --mtime         only link files with the same mtime\n"
"      --any-owner     link files of different owners\n"
"      --any-group     link files of different groups\n"
"      --any-mode      link files with different permissions\n"
"      --min-size=N    skip files smaller than N bytes (K, M, G suffixes)\n"
"      --max-size=N    skip files larger than N bytes\n"
"      --exclude=PAT   skip names (and directories) matching PAT\n"
"      --keep=RULE     file to keep: links (default), oldest, newest,\n"
"                      first (first found)\n"
"      --max-links=N   never give a file more than N links\n"
"      --help, --version\n"
"Exit: 0 done, 1 some names not linked (reported), 2 trouble.\n";

enum {
	OPT_MTIME = OPT_FIRST_LONG_ONLY, OPT_ANY_OWNER, OPT_ANY_GROUP,
	OPT_ANY_MODE, OPT_MIN_SIZE, OPT_MAX_SIZE, OPT_EXCLUDE, OPT_KEEP,
	OPT_MAX_LINKS, OPT_COLLIDE
};
enum keep { KEEP_LINKS, KEEP_OLDEST, KEEP_NEWEST, KEEP_FIRST };

#define NONE ((unsigned)-1)
#define HEAD 64		/* bytes read of every candidate at first */
#define BLOCK 4096
#define CHUNK 65536
#define BATCH 64
#define THREAD_MIN 256	/* candidates worth a second reading thread */

struct file {			/* one inode; kept small: there are many */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	unsigned long long hash;	/* of the first HEAD bytes */
	uid_t uid;
	gid_t gid;
	mode_t mode;
	unsigned nlink;		/* st_nlink when walked, then as relinked */
	unsigned names;		/* names found inside the PATHs */
	unsigned name;		/* its first name in names[] */
	unsigned blocks;	/* st_blocks, in 512-byte units */
	unsigned slot;		/* its class in the group being compared */
	unsigned data;		/* offset of its bytes in small[] (<= HEAD) */
	bool candidate;		/* other files have its size, owner... */
	bool gone;		/* unreadable: left alone */
};

struct name {
	unsigned next;		/* the next name of the same file, or -1 */
	size_t path;		/* offset in the path arena */
};

static struct {
	bool dry_run, list, verbose, quiet, empty, mtime, collide;
	bool any_owner, any_group, any_mode;
	char end;
	unsigned long long min_size, max_size;
	unsigned long max_links;
	enum keep keep;
	const char **exclude;
	size_t nexclude;
} opt = { .end = '\n', .max_size = ~0ULL, .max_links = ~0UL };

static struct file *files;
static size_t nfiles, capfiles;
static struct name *names;
static size_t nnames, capnames;
static char *arena;
static size_t arena_len, arena_cap;
static unsigned char *small;	/* the contents of the smallest files */
static size_t small_len;
static struct itab linked;	/* multiply-linked inodes -> files[] */

static struct {
	unsigned long long scanned, groups, relinked, freed, changed, failed,
	    compared;
} sum;

static volatile sig_atomic_t stop_signal;
static sigset_t stop_signals;

static const char *
path_of(size_t name)
{
	return arena + names[name].path;
}

/* The progress line: how far the run is. */
static void
progress_text(char *buf, size_t cap)
{
	fmt(buf, cap, "%lu files scanned, %lu MiB compared",
	    (unsigned long)sum.scanned, (unsigned long)(sum.compared >> 20));
}

static void
add_name(struct file *f, const char *path)
{
	size_t len = strlen(path) + 1;

	names = xgrow(names, &capnames, nnames + 1, sizeof(*names));
	arena = xgrow(arena, &arena_cap, arena_len + len, 1);
	memcpy(arena + arena_len, path, len);
	names[nnames].path = arena_len;
	names[nnames].next = f->names ? f->name : NONE;
	f->name = nnames++;
	f->names++;
	arena_len += len;
}

static int
visit(struct walk *e, void *arg)
{
	struct inode *ino;
	struct file *f;
	struct stat st;
	bool added = true;

	(void)arg;
	if (e->post)
		return WALK_NEXT;
	if (e->depth && opt.nexclude &&
	    glob_any(opt.exclude, opt.nexclude, e->name))
		return WALK_PRUNE;
	if (e->type != DT_REG)
		return WALK_NEXT;
	if (fstatat(e->fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		msg_warnsys("%s", quote(e->path));
		return WALK_NEXT;
	}
	sum.scanned++;
	progress_show(false);
	if (!S_ISREG(st.st_mode) || (st.st_size == 0 && !opt.empty) ||
	    (unsigned long long)st.st_size < opt.min_size ||
	    (unsigned long long)st.st_size > opt.max_size)
		return WALK_NEXT;
	if (st.st_nlink > 1) {
		ino = itab_get(&linked, &st, &added);
		if (!added) {
			add_name(&files[ino->names], e->path);
			return WALK_NEXT;
		}
		ino->names = nfiles;
	}
	files = xgrow(files, &capfiles, nfiles + 1, sizeof(*files));
	f = &files[nfiles];
	memset(f, 0, sizeof(*f));
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = st.st_size;
	f->mtime = st.st_mtim;
	f->uid = st.st_uid;
	f->gid = st.st_gid;
	f->mode = st.st_mode;
	f->nlink = st.st_nlink;
	f->blocks = st.st_blocks;
	add_name(f, e->path);
	nfiles++;
	return WALK_NEXT;
}

/* The order that groups candidates: what must be equal. */
static int
by_key(const void *x, const void *y)
{
	const struct file *a = x, *b = y;

#define CMP(x, y) if ((x) != (y)) return (x) < (y) ? -1 : 1
	CMP(a->dev, b->dev);
	CMP(a->size, b->size);
	if (!opt.any_owner)
		CMP(a->uid, b->uid);
	if (!opt.any_group)
		CMP(a->gid, b->gid);
	if (!opt.any_mode)
		CMP(a->mode, b->mode);
	if (opt.mtime) {
		CMP(a->mtime.tv_sec, b->mtime.tv_sec);
		CMP(a->mtime.tv_nsec, b->mtime.tv_nsec);
	}
	return 0;
}

/* The end of the group of SORTED[i]: the files alike in by_key. */
static size_t
group_end(struct file **sorted, size_t i)
{
	size_t end = i + 1;

	while (end < nfiles && !by_key(sorted[i], sorted[end]))
		end++;
	return end;
}

/* By the hash of the head (all equal when testing that a collision
 * changes nothing); the bytes are compared later. */
static int
by_hash(const void *x, const void *y)
{
	const struct file *a = x, *b = y;

	CMP(a->hash, b->hash);
	return 0;
}

static int
by_slot(const void *x, const void *y)
{
	const struct file *a = x, *b = y;

	CMP(a->slot, b->slot);
	return 0;
#undef CMP
}

/* Order two byte strings of length N: a total order, not a lexical one,
 * a word at a time (musl's memcmp goes byte by byte, and comparing is
 * most of what dedup does). */
static int
order_bytes(const unsigned char *a, const unsigned char *b, size_t n)
{
	unsigned long long wa, wb;

	for (; n >= 8; a += 8, b += 8, n -= 8) {
		memcpy(&wa, a, 8);
		memcpy(&wb, b, 8);
		if (wa != wb)
			return wa < wb ? -1 : 1;
	}
	for (; n; a++, b++, n--)
		if (*a != *b)
			return *a < *b ? -1 : 1;
	return 0;
}

/* The smallest files by their contents, kept in small[]. */
static int
by_content(const void *x, const void *y)
{
	const struct file *a = x, *b = y;

	return order_bytes(small + a->data, small + b->data, a->size);
}

#define READ_FLAGS (O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* F cannot be opened or read (errno says why): it is left alone. */
static void
unreadable(struct file *f, const char *how)
{
	msg_warnsys("%s%s", how, quote(path_of(f->name)));
	f->gone = true;
	sum.failed++;
}

/* Open F by its first name.  Whether it still is the inode walked, in
 * the state walked, is checked where it matters: at the replacement. */
static int
open_file(struct file *f)
{
	int fd = f->gone ? -1 : openat(AT_FDCWD, path_of(f->name), READ_FLAGS);

	if (fd == -1 && !f->gone)
		unreadable(f, "");
	return fd;
}

static bool
read_at(int fd, unsigned char *buf, size_t len, off_t at,
    unsigned long long *count)
{
	ssize_t n;

	while (len) {
		n = pread(fd, buf, len, at);
		if (n == 0)
			errno = ENODATA;	/* shorter than when walked */
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
		at += n;
		*count += n;
	}
	return true;
}

/* A word at a time: enough to sort; equality is always checked.  SEED
 * chains the pieces of a file read in turn. */
static unsigned long long
hash(unsigned long long seed, const unsigned char *p, size_t len)
{
	unsigned long long h = seed ^ len, w;

	if (opt.collide)
		return 0;
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* A share of the candidates, files[lo..hi), whose heads one thread
 * reads. */
struct reader {
	size_t lo, hi;
	unsigned long long *compared;	/* sum.compared: the main thread's */
};

/* Hash the first HEAD bytes of R's candidates, keeping whole the files
 * no larger, in walk order: the files of a directory are then opened
 * through one descriptor of it, not each by its whole path (the lookups
 * were a sixth of the run).  It may run beside the main thread, so it
 * reports nothing: a file it cannot read is marked gone, with errno in
 * its hash and in its slot whether opening (0) or reading (1) failed. */
static void *
read_heads_in(void *arg)
{
	struct reader *r = arg;
	unsigned char head[HEAD], *into;
	const char *path, *base, *dir = NULL;
	size_t i, len, dirlen = 0;
	int dfd = -1, fd = -1;
	char *d;

	for (i = r->lo; i < r->hi && !stop_signal; i++) {
		struct file *f = &files[i];

		if (!f->candidate)
			continue;
		path = path_of(f->name);
		base = path_base(path);
		if (dfd == -1 || (size_t)(base - path) != dirlen ||
		    memcmp(path, dir, dirlen)) {
			if (dfd != -1)
				close(dfd);
			d = path_dir(path);
			dfd = openat(AT_FDCWD, d, O_PATH | O_DIRECTORY |
			    O_CLOEXEC);
			free(d);
			dir = path;
			dirlen = base - path;
		}
		len = f->size < HEAD ? (size_t)f->size : HEAD;
		into = f->data == NONE ? head : small + f->data;
		f->slot = 0;
		if (dfd != -1 && (fd = openat(dfd, base, READ_FLAGS)) != -1) {
			f->slot = 1;
			if (read_at(fd, into, len, 0, r->compared))
				f->hash = hash(0, into, len);
			else
				f->gone = true;
			close(fd);
		} else
			f->gone = true;
		if (f->gone)
			f->hash = errno;
		if (r->compared == &sum.compared && (i & 255) == 0)
			progress_show(false);
	}
	if (dfd != -1)
		close(dfd);
	return NULL;
}

/* Read the heads of all candidates, on two threads when there are two
 * processors: opening and reading are most of the time. */
static void
read_heads(void)
{
	unsigned long long theirs = 0;
	struct reader r[2] = {
		{ 0, nfiles, &sum.compared }, { nfiles, nfiles, &theirs }
	};
	size_t i, n = 0, half = 0;
	cpu_set_t cpus;
	sigset_t old;
	pthread_t t;

	for (i = 0; i < nfiles; i++) {
		files[i].data = NONE;
		if (!files[i].candidate)
			continue;
		n++;
		if (files[i].size <= HEAD && small_len <= NONE - HEAD) {
			files[i].data = small_len;
			small_len += files[i].size;
		}
	}
	small = xmalloc(small_len);
	for (i = 0; i < nfiles && half < n / 2; i++)
		half += files[i].candidate;
	if (n >= THREAD_MIN && sched_getaffinity(0, sizeof(cpus), &cpus) == 0 &&
	    CPU_COUNT(&cpus) > 1) {
		r[0].hi = r[1].lo = i;
		pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
		if (pthread_create(&t, NULL, read_heads_in, &r[1]) != 0)
			r[0].hi = nfiles;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	read_heads_in(&r[0]);
	if (r[0].hi != nfiles)
		pthread_join(t, NULL);
	sum.compared += theirs;
	for (i = 0; i < nfiles; i++)
		if (files[i].gone) {
			errno = files[i].hash;
			unreadable(&files[i], files[i].slot ? "cannot read " :
			    "");
		}
}

/* Files read side by side, one batch of compare(). */
struct batch {
	size_t n;
	struct file *f[BATCH];
	int fd[BATCH];
	unsigned cls[BATCH];	/* index of the first alike, or NONE */
};

/* Compare LEN bytes at AT of the files of B still in a class.  False
 * when none but the first is: the rest need not be read. */
static bool
compare_bytes(struct batch *b, off_t at, size_t len)
{
	static unsigned char *buf;
	unsigned now[BATCH], count[BATCH];
	size_t i, j;
	bool more = false;

	if (!buf)
		buf = xmalloc((size_t)BATCH * CHUNK);
	memset(count, 0, sizeof(count));
	for (i = 0; i < b->n; i++) {
		now[i] = b->cls[i];
		if (now[i] == NONE)
			continue;
		if (!read_at(b->fd[i], buf + i * CHUNK, len, at,
		    &sum.compared)) {
			unreadable(b->f[i], "cannot read ");
			now[i] = NONE;
			continue;
		}
		for (j = 0; j < i; j++)
			if (now[j] != NONE && b->cls[j] == b->cls[i] &&
			    !order_bytes(buf + i * CHUNK, buf + j * CHUNK, len))
				break;
		now[i] = j < i ? now[j] : i;
		count[now[i]]++;
	}
	/* A file alike to no other need not be read on. */
	for (i = 0; i < b->n; i++) {
		b->cls[i] = now[i];
		if (i && now[i] != NONE && count[now[i]] == 1)
			b->cls[i] = NONE;
		more |= i && b->cls[i] != NONE;
	}
	return more;
}

/* Split the N files F (same size, same head hash) into classes of
 * identical content by reading them side by side, whole, BATCH at a
 * time with F[0] in every batch.  Each file's slot gets the index in F
 * of the first file of its batch alike to it (0: alike to F[0]), or
 * NONE.  Larger files are read from their last block first: files
 * that differ only at the end are common (logs, growing archives). */
static void
compare(struct file **f, size_t n)
{
	off_t at, end = f[0]->size, first = end > 2 * BLOCK ? BLOCK : 0;
	off_t stop = end - first;
	size_t i, k, len;
	struct batch b;
	bool more;

	for (k = 1; k < n; k += b.n - 1) {
		b.n = 1 + (n - k < BATCH - 1 ? n - k : BATCH - 1);
		for (i = 0; i < b.n; i++) {
			b.f[i] = f[i ? k + i - 1 : 0];
			b.fd[i] = open_file(b.f[i]);
			b.cls[i] = b.fd[i] == -1 ? NONE : 0;
		}
		more = !first || compare_bytes(&b, end - first, first);
		for (at = 0; more && at < stop; at += len) {
			len = stop - at < CHUNK ? (size_t)(stop - at) : CHUNK;
			more = compare_bytes(&b, at, len);
		}
		for (i = 0; i < b.n; i++) {
			b.f[i]->slot = b.cls[i] == NONE ? NONE :
			    b.cls[i] == 0 ? 0 : (unsigned)(k + b.cls[i] - 1);
			if (b.fd[i] != -1)
				close(b.fd[i]);
		}
	}
}

/* KEEP better than F as the file to keep? */
static bool
better(const struct file *keep, const struct file *f)
{
	bool ko = keep->nlink > keep->names, fo = f->nlink > f->names;

	if (ko != fo)
		return ko;
	switch (opt.keep) {
	case KEEP_LINKS:
		if (keep->nlink != f->nlink)
			return keep->nlink > f->nlink;
		/* fallthrough */
	case KEEP_OLDEST:
		if (keep->mtime.tv_sec != f->mtime.tv_sec)
			return keep->mtime.tv_sec < f->mtime.tv_sec;
		return keep->mtime.tv_nsec <= f->mtime.tv_nsec;
	case KEEP_NEWEST:
		if (keep->mtime.tv_sec != f->mtime.tv_sec)
			return keep->mtime.tv_sec > f->mtime.tv_sec;
		return keep->mtime.tv_nsec >= f->mtime.tv_nsec;
	default:
		return keep < f;	/* files[] is in walk order */
	}
}

static bool
same_state(const struct stat *st, const struct file *f)
{
	return st->st_ino == f->ino && st->st_dev == f->dev &&
	    st->st_size == f->size && st->st_mtim.tv_sec == f->mtime.tv_sec &&
	    st->st_mtim.tv_nsec == f->mtime.tv_nsec;
}

/* DONE_LEFT: relinked, but the old file stays under a temporary name. */
enum result { DONE, DONE_LEFT, FULL, SKIPPED };

/* Remove our temporary TMP in DFD (DIR); say so, naming it, if we cannot:
 * nothing of ours is left unreported. */
static bool
drop_temp(int dfd, const char *dir, const char *tmp)
{
	char *path;

	if (unlinkat(dfd, tmp, 0) == 0)
		return true;
	path = path_join(dir, tmp);
	msg_warnsys("cannot remove %s", quote(path));
	free(path);
	return false;
}

/* Replace the name PATH of DUP by a hard link to KEEP, never leaving the
 * name missing and never losing a write made to DUP since it was
 * compared: link KEEP beside it, exchange, check the displaced inode,
 * then remove it (or exchange back). */
static enum result
relink(const char *path, const struct file *dup, const struct file *keep)
{
	char *dir = path_dir(path), base[NAME_MAX + 1], tmp[NAME_MAX + 1];
	const char *why = NULL;
	enum result r = SKIPPED;
	struct stat st;
	int dfd;

	fmt(base, sizeof(base), "%s", path_base(path));
	dfd = openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 || atomic_temp(AT_FDCWD, path_of(keep->name), 0, dfd,
	    base, "dedup", tmp) == -1) {
		if (errno == EMLINK)
			r = FULL;
		else
			msg_warnsys("cannot link %s to %s", quote(path),
			    quote(path_of(keep->name)));
		goto out;
	}
	if (fstatat(dfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !same_state(&st, keep)) {
		why = path_of(keep->name);
		drop_temp(dfd, dir, tmp);
		goto out;
	}
	if (atomic_exchange(dfd, tmp, dfd, base) == 0) {
		if (fstatat(dfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    same_state(&st, dup))
			r = drop_temp(dfd, dir, tmp) ? DONE : DONE_LEFT;
		else if (atomic_exchange(dfd, tmp, dfd, base) == 0) {
			why = path;
			drop_temp(dfd, dir, tmp);
		} else {
			char *trail = path_join(dir, tmp);

			msg_warnsys("%s changed while being linked; it is now "
			    "%s", quote(path), quote(trail));
			free(trail);
		}
		goto out;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
		msg_warnsys("cannot replace %s", quote(path));
		drop_temp(dfd, dir, tmp);
		goto out;
	}
	/* No exchange on this filesystem: check just before the rename. */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !same_state(&st, dup))
		why = path;
	else if (renameat(dfd, tmp, dfd, base) == 0)
		r = DONE;
	else
		msg_warnsys("cannot replace %s", quote(path));
	if (r != DONE)
		drop_temp(dfd, dir, tmp);
out:
	if (why) {
		msg_warn("%s changed since it was compared; left alone",
		    quote(why));
		sum.changed++;
	} else if (r == SKIPPED)
		sum.failed++;
	if (dfd != -1)
		close(dfd);
	free(dir);
	return r;
}

/* Make every name of the identical files C[0..n) a link to one kept
 * file, starting a new kept file when it cannot take more links. */
static void
link_class(struct file **c, size_t n)
{
	size_t i, k = 0, name, left;
	struct file *keep;
	bool lingers;
	sigset_t old;

	for (i = 1; i < n; i++)
		if (better(c[i], c[k]))
			k = i;
	keep = c[k];
	c[k] = c[0];
	c[0] = keep;
	sum.groups++;
	if (opt.list) {
		for (i = 0; i < n; i++)
			for (name = c[i]->name; name != NONE;
			    name = names[name].next)
				out("%s%c", path_of(name), opt.end);
		out("%c", opt.end);
		return;
	}
	for (i = 1; i < n && !stop_signal; i++) {
		left = c[i]->names;
		lingers = false;
		/* Names already linked together move together or not at
		 * all: when KEEP cannot take them all, keep this file. */
		if (keep->nlink + c[i]->names > opt.max_links) {
			keep = c[i];
			continue;
		}
		for (name = c[i]->name; name != NONE && !stop_signal;
		    name = names[name].next) {
			if (opt.dry_run) {
				out("%s => %s\n", quote(path_of(name)),
				    quote(path_of(keep->name)));
				keep->nlink++;
				c[i]->nlink--;
				left--;
				continue;
			}
			sigprocmask(SIG_BLOCK, &stop_signals, &old);
			switch (relink(path_of(name), c[i], keep)) {
			case DONE_LEFT:
				lingers = true;
				/* fallthrough */
			case DONE:
				keep->nlink++;
				c[i]->nlink--;
				left--;
				sum.relinked++;
				if (opt.verbose)
					out("%s => %s\n", quote(path_of(name)),
					    quote(path_of(keep->name)));
				break;
			case FULL:
				/* EMLINK: keep this file from here on, by a
				 * name of its own not yet relinked. */
				c[i]->name = name;
				keep = c[i];
				break;
			case SKIPPED:
				break;
			}
			sigprocmask(SIG_SETMASK, &old, NULL);
			if (keep == c[i])
				break;
		}
		if (opt.dry_run)
			sum.relinked += c[i]->names - left;
		/* Its data is freed when no name is left, here or outside. */
		if (left == 0 && c[i]->nlink == 0 && !lingers)
			sum.freed += c[i]->blocks * 512ULL;
	}
}

/* Files F[0..n) have the same size and head hash: find the classes of
 * identical content and link each.  Read side by side in batches, only
 * F[0]'s class is known complete; the others are compared again. */
static void
settle(struct file **f, size_t n)
{
	size_t i, end, rest;
	bool complete;

	while (n >= 2 && !stop_signal) {
		complete = n <= BATCH;
		compare(f, n);
		sort_ptrs((void **)f, n, by_slot);
		for (i = 0; i < n; i = end) {
			for (end = i + 1; end < n && f[end]->slot == f[i]->slot;
			    end++)
				;
			if (end - i >= 2 && f[i]->slot != NONE &&
			    (complete || f[i]->slot == 0))
				link_class(f + i, end - i);
		}
		if (complete)
			break;
		for (i = rest = 0; i < n; i++)
			if (f[i]->slot != 0 && !f[i]->gone)
				f[rest++] = f[i];
		n = rest;
	}
}

/* Sort F[0..n) by CMP and call FN on each run of two or more alike. */
static void
runs(struct file **f, size_t n,
    int (*cmp)(const void *, const void *),
    void (*fn)(struct file **, size_t))
{
	size_t i, end;

	sort_ptrs((void **)f, n, cmp);
	for (i = 0; i < n && !stop_signal; i = end) {
		for (end = i + 1; end < n && !cmp(f[i], f[end]); end++)
			;
		if (end - i >= 2)
			fn(f + i, end - i);
	}
}

/* Hash bytes [AT, AT + LEN) of each of the files F[0..n), dropping those
 * that cannot be read; then call FN on each run of equal hashes. */
static void
split_by_hash(struct file **f, size_t n, off_t at, off_t len,
    void (*fn)(struct file **, size_t))
{
	static unsigned char *buf;
	size_t i, j, piece;
	off_t from;
	int fd;

	if (!buf)
		buf = xmalloc(CHUNK);
	for (i = j = 0; i < n && !stop_signal; i++) {
		if ((fd = open_file(f[i])) == -1)
			continue;
		f[i]->hash = 0;
		for (from = at; from < at + len; from += piece) {
			piece = at + len - from < CHUNK ? at + len - from : CHUNK;
			if (!read_at(fd, buf, piece, from, &sum.compared))
				break;
			f[i]->hash = hash(f[i]->hash, buf, piece);
		}
		if (from < at + len)
			unreadable(f[i], "cannot read ");
		else
			f[j++] = f[i];
		close(fd);
	}
	runs(f, j, by_hash, fn);
}

/* Files F[0..n) alike in head and last block, too many for one batch. */
static void
split_by_content(struct file **f, size_t n)
{
	if (n <= BATCH)
		settle(f, n);
	else
		split_by_hash(f, n, 0, f[0]->size, settle);
}

/* Read in batches, a run of many files with one head, each unlike the
 * others, would be read once per file: split it first by a hash of the
 * last block, and what is left by a hash of the whole file.  The hash
 * only sorts: the files are still compared byte for byte. */
static void
settle_big(struct file **f, size_t n)
{
	off_t tail = f[0]->size - HEAD < BLOCK ? f[0]->size - HEAD : BLOCK;

	split_by_hash(f, n, f[0]->size - tail, tail, split_by_content);
}

/* Files F[0..n) with the same hash of their heads. */
static void
settle_head(struct file **f, size_t n)
{
	size_t i;

	for (i = 0; i < n && f[i]->data != NONE; i++)
		;
	if (f[0]->size <= HEAD && i == n)
		runs(f, n, by_content, link_class);
	else if (n > BATCH && f[0]->size > HEAD)
		settle_big(f, n);
	else
		settle(f, n);
}

/* The files F[0..n) agree in size and in what must be equal, and their
 * heads are hashed: settle each run of equal hashes. */
static void
settle_group(struct file **f, size_t n)
{
	size_t i, j;

	if (f[0]->size == 0) {
		link_class(f, n);
		return;
	}
	for (i = j = 0; i < n; i++)
		if (!f[i]->gone)
			f[j++] = f[i];
	runs(f, j, by_hash, settle_head);
	progress_show(false);
}

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
print_summary(void)
{
	if (opt.list)
		return;
	out("files scanned: %lu\nduplicate groups: %lu\n%s: %lu\n"
	    "%s: %lu\nskipped because they changed: %lu\n"
	    "not linked because of errors: %lu\n",
	    (unsigned long)sum.scanned, (unsigned long)sum.groups,
	    opt.dry_run ? "names that would be relinked" : "names relinked",
	    (unsigned long)sum.relinked,
	    opt.dry_run ? "bytes that would be freed" : "bytes freed",
	    (unsigned long)sum.freed, (unsigned long)sum.changed,
	    (unsigned long)sum.failed);
}

int
dedup_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "list", no_argument, NULL, 'l' },
		{ "null", no_argument, NULL, '0' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "empty", no_argument, NULL, 'z' },
		{ "mtime", no_argument, NULL, OPT_MTIME },
		{ "any-owner", no_argument, NULL, OPT_ANY_OWNER },
		{ "any-group", no_argument, NULL, OPT_ANY_GROUP },
		{ "any-mode", no_argument, NULL, OPT_ANY_MODE },
		{ "min-size", required_argument, NULL, OPT_MIN_SIZE },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "max-links", required_argument, NULL, OPT_MAX_LINKS },
		{ "test-hash-collisions", no_argument, NULL, OPT_COLLIDE },
		OPT_STANDARD
	};
	static const char *const rules[] = {
		"links", "oldest", "newest", "first"
	};
	struct file **sorted;
	struct sigaction sa;
	size_t i, j, end;
	int c;

	fail_status = 2;
	opt.exclude = xmalloc(argc * sizeof(*opt.exclude));
	while ((c = opt_next(argc, argv, "nl0vqz", longs)) != -1) {
		switch (c) {
		case 'n': opt.dry_run = true; break;
		case 'l': opt.list = true; break;
		case '0': opt.end = '\0'; break;
		case 'v': opt.verbose = true; break;
		case 'q': opt.quiet = true; break;
		case 'z': opt.empty = true; break;
		case OPT_MTIME: opt.mtime = true; break;
		case OPT_ANY_OWNER: opt.any_owner = true; break;
		case OPT_ANY_GROUP: opt.any_group = true; break;
		case OPT_ANY_MODE: opt.any_mode = true; break;
		case OPT_MIN_SIZE: opt.min_size = opt_size(optarg, "size"); break;
		case OPT_MAX_SIZE: opt.max_size = opt_size(optarg, "size"); break;
		case OPT_EXCLUDE: opt.exclude[opt.nexclude++] = optarg; break;
		case OPT_COLLIDE: opt.collide = true; break;
		case OPT_MAX_LINKS:
			opt.max_links = opt_number(optarg, "link count");
			if (opt.max_links < 2)
				msg_usage("--max-links must be at least 2");
			break;
		case OPT_KEEP:
			for (i = 0; i < 4 && strcmp(optarg, rules[i]); i++)
				;
			if (i == 4)
				msg_usage("invalid --keep rule %s (links, "
				    "oldest, newest or first)", quote(optarg));
			opt.keep = i;
			break;
		}
	}
	if (!opt.end && !opt.list)
		msg_usage("-0 goes with -l");
	if (opt.list && opt.dry_run)
		msg_usage("-l and -n exclude each other");
	if (opt.min_size > opt.max_size)
		msg_usage("--min-size is above --max-size");
	opt_operands(argc, argv, 1, -1);
	progress_start(!opt.quiet, progress_text);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	argc = optind + path_outermost(argv + optind, argc - optind, false);
	for (; optind < argc && !stop_signal; optind++)
		walk_tree(argv[optind], 0, visit, NULL);
	/* From here on a failure is a file left as it was: 1.  Trouble in
	 * the walk above, and a write error after, are 2. */
	fail_status = 1;
	sorted = xmalloc(nfiles * sizeof(*sorted));
	for (i = 0; i < nfiles; i++)
		sorted[i] = &files[i];
	sort_ptrs((void **)sorted, nfiles, by_key);
	for (i = 0; i < nfiles; i = end)
		if ((end = group_end(sorted, i)) - i >= 2)
			for (j = i; j < end; j++)
				sorted[j]->candidate = sorted[j]->size > 0;
	read_heads();
	for (i = 0; i < nfiles && !stop_signal; i = end)
		if ((end = group_end(sorted, i)) - i >= 2)
			settle_group(sorted + i, end - i);
	free(sorted);
	progress_show(true);
	fail_status = 2;
	print_summary();
	if (stop_signal) {
		out_flush();
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	return exit_status ? exit_status : sum.changed || sum.failed;
}
