/* dedup - replace identical files with hard links, verified, crash-safe.
 *
 * usage: dedup [-lnqvz0] [--keep=RULE] [--max-links=N] [--mtime]
 *              [--any-owner] [--any-group] [--any-mode] [--min-size=N]
 *              [--max-size=N] [--exclude=PATTERN]... PATH...
 *
 * Walks the PATHs, groups regular files by device, size, owner, group and
 * mode (and mtime with --mtime), narrows each group by the contents of
 * its first and last blocks, then confirms every match byte for byte by
 * reading the candidates side by side.  A hash only sorts; it never
 * decides.  Names already hard-linked together are one file throughout.
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
#include <signal.h>
#include <time.h>

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
#define BLOCK 4096
#define CHUNK 65536
#define BATCH 64
#define POOL (8 << 20)	/* bytes of small files kept per group */

struct file {			/* one inode; kept small: there are many */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	unsigned long long hash;	/* of the first and last blocks */
	uid_t uid;
	gid_t gid;
	mode_t mode;
	unsigned nlink;		/* st_nlink when walked, then as relinked */
	unsigned names;		/* names found inside the PATHs */
	unsigned name;		/* its first name in names[] */
	unsigned blocks;	/* st_blocks, in 512-byte units */
	unsigned order;		/* when the walk met it */
	unsigned slot;		/* its place in the group being settled */
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
static struct itab linked;	/* multiply-linked inodes -> files[] */

static struct {
	unsigned long long scanned, groups, relinked, freed, changed, failed,
	    compared;
} sum;

static volatile sig_atomic_t stop_signal;
static sigset_t stop_signals;
static bool progress;
static struct timespec last_progress;

static void *
grown(void *v, size_t *cap, size_t n, size_t size)
{
	void *bigger;

	if (n < *cap)
		return v;
	*cap = *cap * 2 + 256;
	bigger = xmalloc(*cap * size);
	if (n)
		memcpy(bigger, v, n * size);
	free(v);
	return bigger;
}

static const char *
path_of(size_t name)
{
	return arena + names[name].path;
}

static void
show_progress(bool last)
{
	struct timespec now;
	char buf[160];
	size_t n;

	if (!progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!last && (now.tv_sec - last_progress.tv_sec) * 1000 +
	    (now.tv_nsec - last_progress.tv_nsec) / 1000000 < 500)
		return;
	last_progress = now;
	n = fmt(buf, sizeof(buf), "\rdedup: %lu files scanned, %lu MiB "
	    "compared%s", (unsigned long)sum.scanned,
	    (unsigned long)(sum.compared >> 20), last ? "\r\033[K" : "");
	if (write(STDERR_FILENO, buf, n < sizeof(buf) ? n : sizeof(buf) - 1)
	    == -1)
		progress = false;
}

/* The bracket expression at P ("[...]") matches C?  *END is set past it;
 * NULL when it is not closed, and '[' is then literal. */
static bool
bracket(const char *p, unsigned char c, const char **end)
{
	bool neg = *++p == '!' || *p == '^', hit = false;
	unsigned char lo, hi;

	p += neg;
	do {
		lo = *p == '\\' && p[1] ? *++p : *p;
		if (!lo) {
			*end = NULL;
			return false;
		}
		hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = p[2] == '\\' && p[3] ? p[3] : p[2];
			p += 2 + (p[2] == '\\');
		}
		hit |= lo <= c && c <= hi;
	} while (*++p != ']');
	*end = p + 1;
	return hit != neg;
}

/* NAME matches the shell pattern PAT (*, ?, [...], \), byte by byte, as
 * fnmatch(3) does in the C locale; libc's fnmatch would bring ~14 KiB of
 * wide-character tables into the static binary. */
static bool
glob_match(const char *pat, const char *name)
{
	const char *star = NULL, *resume = NULL, *end;
	bool hit;

	while (*name) {
		if (*pat == '*') {
			star = ++pat;
			resume = name;
			continue;
		}
		if (*pat == '[') {
			hit = bracket(pat, *name, &end);
			if (!end)
				hit = *name == '[';	/* unclosed: literal */
			if (hit) {
				pat = end ? end : pat + 1;
				name++;
				continue;
			}
		} else if (*pat == '?' || (*pat == '\\' && pat[1] ?
		    pat[1] == *name : *pat == *name)) {
			pat += *pat == '\\' && pat[1] ? 2 : 1;
			name++;
			continue;
		}
		if (!star)
			return false;
		pat = star;
		name = ++resume;
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

static bool
excluded(const char *name)
{
	size_t i;

	for (i = 0; i < opt.nexclude; i++)
		if (glob_match(opt.exclude[i], name))
			return true;
	return false;
}

static void
add_name(struct file *f, size_t fi, const char *path)
{
	size_t len = strlen(path) + 1;

	names = grown(names, &capnames, nnames, sizeof(*names));
	if (arena_len + len > arena_cap) {
		char *bigger;

		arena_cap = (arena_len + len) * 2;
		bigger = xmalloc(arena_cap);
		if (arena_len)
			memcpy(bigger, arena, arena_len);
		free(arena);
		arena = bigger;
	}
	memcpy(arena + arena_len, path, len);
	names[nnames].path = arena_len;
	names[nnames].next = f->names ? f->name : NONE;
	f->name = nnames++;
	f->names++;
	arena_len += len;
	(void)fi;
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
	if (e->depth && opt.nexclude && excluded(e->name))
		return WALK_PRUNE;
	if (e->type != DT_REG)
		return WALK_NEXT;
	if (fstatat(e->fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		msg_warnsys("%s", quote(e->path));
		return WALK_NEXT;
	}
	sum.scanned++;
	show_progress(false);
	if (!S_ISREG(st.st_mode) || (st.st_size == 0 && !opt.empty) ||
	    (unsigned long long)st.st_size < opt.min_size ||
	    (unsigned long long)st.st_size > opt.max_size)
		return WALK_NEXT;
	if (st.st_nlink > 1) {
		ino = itab_get(&linked, &st, &added);
		if (!added) {
			add_name(&files[ino->names], ino->names, e->path);
			return WALK_NEXT;
		}
		ino->names = nfiles;
	}
	files = grown(files, &capfiles, nfiles, sizeof(*files));
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
	f->order = nfiles;
	add_name(f, nfiles, e->path);
	nfiles++;
	return WALK_NEXT;
}

/* The order that groups candidates: what must be equal.  Pointers are
 * sorted, not the files: moving 88-byte entries dominated the sort. */
static int
by_key(const void *pa, const void *pb)
{
	const struct file *a = *(struct file *const *)pa;
	const struct file *b = *(struct file *const *)pb;

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
#undef CMP
	return 0;
}

/* By the hash of the first and last blocks (all equal when testing that
 * a collision changes nothing); the bytes are compared later. */
static int
by_hash(const void *pa, const void *pb)
{
	const struct file *a = *(struct file *const *)pa;
	const struct file *b = *(struct file *const *)pb;

	return a->hash < b->hash ? -1 : a->hash > b->hash;
}

/* Open F by its first name.  Whether it still is the inode walked, in
 * the state walked, is checked where it matters: at the replacement. */
static int
open_file(struct file *f)
{
	int fd = openat(AT_FDCWD, path_of(f->name), O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd == -1) {
		msg_warnsys("%s", quote(path_of(f->name)));
		f->gone = true;
		sum.failed++;
	}
	return fd;
}

static bool
read_at(int fd, unsigned char *buf, size_t len, off_t at)
{
	ssize_t n;

	while (len) {
		n = pread(fd, buf, len, at);
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
		at += n;
		sum.compared += n;
	}
	return true;
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

/* A word at a time: enough to sort; equality is always checked. */
static unsigned long long
hash(const unsigned char *p, size_t len)
{
	unsigned long long h = len, w;

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

/* Hash F's first and last blocks (the whole file when small), read into
 * EDGE (2 * BLOCK bytes). */
static void
hash_edges(struct file *f, unsigned char *edge)
{
	size_t len = f->size <= 2 * BLOCK ? (size_t)f->size : 2 * BLOCK;
	size_t head = f->size <= 2 * BLOCK ? len : BLOCK;
	int fd = open_file(f);

	if (fd == -1)
		return;
	if (!read_at(fd, edge, head, 0) || !read_at(fd, edge + head,
	    len - head, f->size - (off_t)(len - head))) {
		msg_warnsys("cannot read %s", quote(path_of(f->name)));
		f->gone = true;
		sum.failed++;
	} else
		f->hash = hash(edge, len);
	close(fd);
}

/* Split the N files F (same size, same hash of their edges) into
 * classes of identical content by reading them side by side, whole,
 * BATCH at a time with F[0] in every batch.  CLASS[i] gets 0 for F[0]'s
 * class, or another number shared only by files identical to each
 * other. */
static void
compare(struct file **f, size_t n, size_t *class)
{
	static unsigned char *buf;
	size_t cls[BATCH], now[BATCH], count[BATCH], idx[BATCH];
	size_t i, j, b, m, len;
	off_t at, end = f[0]->size;
	int fds[BATCH];

	if (!buf)
		buf = xmalloc((size_t)BATCH * CHUNK);
	class[0] = 0;
	for (b = 1; b < n; b += m - 1) {
		m = 1 + (n - b < BATCH - 1 ? n - b : BATCH - 1);
		for (i = 0; i < m; i++) {
			idx[i] = i ? b + i - 1 : 0;
			fds[i] = open_file(f[idx[i]]);
			cls[i] = fds[i] == -1 ? NONE : 0;
		}
		for (at = 0; at < end; at += len) {
			len = end - at < CHUNK ? (size_t)(end - at) : CHUNK;
			memset(count, 0, sizeof(count));
			for (i = 0; i < m; i++) {
				now[i] = cls[i];
				if (cls[i] == NONE)
					continue;
				if (!read_at(fds[i], buf + i * CHUNK, len, at)) {
					msg_warnsys("cannot read %s",
					    quote(path_of(f[idx[i]]->name)));
					f[idx[i]]->gone = true;
					sum.failed++;
					now[i] = NONE;
					continue;
				}
				for (j = 0; j < i; j++)
					if (now[j] != NONE && cls[j] == cls[i] &&
					    !order_bytes(buf + i * CHUNK,
					    buf + j * CHUNK, len))
						break;
				now[i] = j < i ? now[j] : i;
				count[now[i]]++;
			}
			/* A file alike to no other need not be read on. */
			for (i = 0; i < m; i++) {
				cls[i] = now[i];
				if (i && now[i] != NONE && count[now[i]] == 1)
					cls[i] = NONE;
			}
		}
		for (i = 1; i < m; i++)
			class[idx[i]] = cls[i] == NONE ? (size_t)-1 - idx[i] :
			    cls[0] != NONE && cls[i] == cls[0] ? 0 :
			    1 + b * BATCH + cls[i];
		if (cls[0] == NONE)
			class[0] = (size_t)-1;
		for (i = 0; i < m; i++)
			if (fds[i] != -1)
				close(fds[i]);
	}
}

static size_t *by_class_of;

static int
by_class(const void *pa, const void *pb)
{
	size_t a = by_class_of[*(const size_t *)pa];
	size_t b = by_class_of[*(const size_t *)pb];

	return a < b ? -1 : a > b;
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
		return keep->order < f->order;
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

/* Small files of a group kept whole in memory while it is settled: the
 * content of the file in slot i at data + i * size. */
static struct {
	const unsigned char *data;
	size_t size;
} pool;

static const unsigned char *
content(const struct file *f)
{
	return pool.data + f->slot * pool.size;
}

static int
by_content(const void *pa, const void *pb)
{
	return order_bytes(content(*(struct file *const *)pa),
	    content(*(struct file *const *)pb), pool.size);
}

/* Files F[0..n) have the same size and hash: find the classes of
 * identical content and link each.  Read side by side in batches, only
 * F[0]'s class is known complete; the others are settled again. */
static void
settle(struct file **f, size_t n)
{
	size_t *class = xmalloc(n * sizeof(*class)), *order;
	struct file **members = xmalloc(n * sizeof(*members));
	size_t i, j, end, rest;
	bool complete;

	order = xmalloc(n * sizeof(*order));
	while (n >= 2 && !stop_signal) {
		complete = pool.data || f[0]->size == 0 || n <= BATCH;
		if (f[0]->size == 0) {
			memset(class, 0, n * sizeof(*class));
		} else if (pool.data) {
			/* Read whole already: compare what is in memory. */
			qsort(f, n, sizeof(*f), by_content);
			for (i = 0; i < n; i++)
				class[i] = i && !by_content(&f[i - 1], &f[i]) ?
				    class[i - 1] : i;
		} else
			compare(f, n, class);
		for (i = 0; i < n; i++)
			order[i] = i;
		by_class_of = class;
		qsort(order, n, sizeof(*order), by_class);
		for (i = 0; i < n; i = end) {
			for (end = i + 1; end < n &&
			    class[order[end]] == class[order[i]]; end++)
				;
			if (end - i < 2 || f[order[i]]->gone ||
			    (!complete && class[order[i]] != class[0]))
				continue;
			for (j = i; j < end; j++)
				members[j - i] = f[order[j]];
			link_class(members, end - i);
		}
		if (complete)
			break;
		for (i = rest = 0; i < n; i++)
			if (class[i] != class[0] && !f[i]->gone)
				f[rest++] = f[i];
		n = rest;
	}
	free(class);
	free(order);
	free(members);
}

/* Files F[0..n) agree in size and in what must be equal: hash their
 * edge blocks, sort by the hash, and settle each run of equal hashes. */
static void
settle_group(struct file **group, size_t n)
{
	static unsigned char edge[2 * BLOCK];
	struct file **f = xmalloc(n * sizeof(*f));
	unsigned char *data = NULL;
	size_t i, j, end, size = group[0]->size;

	/* Small files are read whole to hash them: keep them, within a
	 * bound, and they need not be read again to be compared. */
	if (size > 0 && size <= 2 * BLOCK && n * size <= POOL) {
		data = xmalloc(n * size);
		pool.size = size;
	}
	for (i = j = 0; i < n; i++) {
		group[i]->slot = i;
		if (size > 0)
			hash_edges(group[i], data ? data + i * size : edge);
		if (!group[i]->gone)
			f[j++] = group[i];
	}
	pool.data = data;
	qsort(f, j, sizeof(*f), by_hash);
	for (i = 0; i < j && !stop_signal; i = end) {
		for (end = i + 1; end < j && f[end]->hash == f[i]->hash; end++)
			;
		if (end - i >= 2)
			settle(f + i, end - i);
	}
	pool.data = NULL;
	free(data);
	free(f);
	show_progress(false);
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

/* A size: digits and an optional K, M or G (powers of 1024). */
static unsigned long long
size_arg(const char *arg)
{
	unsigned long long n = 0;
	const char *p = arg, *units = "KMG", *u;
	int shift = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (~0ULL - (*p - '0')) / 10)
			break;
		n = n * 10 + (*p - '0');
	}
	if (*p && p[1] == '\0' && (u = strchr(units, *p)) && *u) {
		shift = 10 * (u - units + 1);
		p++;
	}
	if (p == arg || *p || (shift && p - 1 == arg) || n > ~0ULL >> shift)
		msg_usage("invalid size: %s", quote(arg));
	return n << shift;
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
	size_t i, end;
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
		case OPT_MIN_SIZE: opt.min_size = size_arg(optarg); break;
		case OPT_MAX_SIZE: opt.max_size = size_arg(optarg); break;
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
	progress = !opt.quiet && isatty(STDERR_FILENO);
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
	if (nfiles)
		qsort(sorted, nfiles, sizeof(*sorted), by_key);
	for (i = 0; i < nfiles && !stop_signal; i = end) {
		for (end = i + 1; end < nfiles &&
		    by_key(&sorted[i], &sorted[end]) == 0; end++)
			;
		if (end - i >= 2)
			settle_group(sorted + i, end - i);
	}
	free(sorted);
	show_progress(true);
	fail_status = 2;
	print_summary();
	if (stop_signal) {
		out_flush();
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	return exit_status ? exit_status : sum.changed || sum.failed;
}
