/* match.c - dedup's second stage: which files are alike, byte for byte.
 *
 * The files are sorted by what must be equal (device, size, mtime with
 * --mtime; owner, group and mode only decide later, in relink.c, so that
 * identical files kept apart by them are counted); each group of two or
 * more is a set of candidates, whose first HEAD bytes are read and
 * hashed, in walk order, by two processes.  relink.c then splits the
 * groups by that hash and asks here for contents compared side by side
 * (dedup_compare) or, for runs too long for one batch, hashed first
 * (dedup_split_by_hash).  A hash
 * only sorts; equality is always decided by comparing the bytes.
 */
#include "dedup.h"
#include <sys/mman.h>

#define READ_FLAGS (O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
#define HELPER_MIN 256	/* candidates worth a helper reading half */

static unsigned char *small;	/* the contents of the smallest files */
static size_t small_len;

/* The order that groups candidates: what must be equal. */
static int
by_key(const void *x, const void *y)
{
	const struct file *a = x, *b = y;

#define CMP(x, y) if ((x) != (y)) return (x) < (y) ? -1 : 1
	CMP(a->dev, b->dev);
	CMP(a->size, b->size);
	if (dedup_opt.mtime) {
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

	while (end < dedup_nfiles && !by_key(sorted[i], sorted[end]))
		end++;
	return end;
}

/* By the hash of the head (all equal when testing that a collision
 * changes nothing); the bytes are compared later. */
int
dedup_by_hash(const void *x, const void *y)
{
	const struct file *a = x, *b = y;

	CMP(a->hash, b->hash);
	return 0;
#undef CMP
}

/* The smallest files by their contents, kept in small[]. */
int
dedup_by_content(const void *x, const void *y)
{
	const struct file *a = x, *b = y;

	return bytes_order(small + a->data, small + b->data, a->size);
}

/* F cannot be opened or read (errno says why): it is left alone. */
static void
unreadable(struct file *f, const char *how)
{
	msg_failsys("%s%s", how, quote(dedup_path(f->name)));
	f->gone = true;
	dedup_sum.failed++;
}

/* Open F by its first name.  Whether it still is the inode walked, in
 * the state walked, is checked where it matters: at the replacement. */
static int
open_file(struct file *f)
{
	int fd = f->gone ? -1 :
	    openat(AT_FDCWD, dedup_path(f->name), READ_FLAGS);

	if (fd == -1 && !f->gone)
		unreadable(f, "");
	return fd;
}

/* A word at a time: enough to sort; equality is always checked.  SEED
 * chains the pieces of a file read in turn. */
static unsigned long long
hash(unsigned long long seed, const unsigned char *p, size_t len)
{
	unsigned long long h = seed ^ len, w;

	if (dedup_opt.collide)
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

/* What a file's head gave: its hash, or errno when it is gone; whether it
 * could be opened (slot 1: a read failed) or not (0). */
struct head {
	unsigned long long hash;
	unsigned slot;
	bool gone;
};

/* What the helper read, in memory it shares with dedup. */
struct heads {
	unsigned long long compared;	/* bytes read */
	bool done;
	struct head f[];		/* of dedup_files[lo..hi) */
};

/* A share of the candidates, dedup_files[lo..hi), whose heads one
 * process reads; the helper's findings go to OUT. */
struct reader {
	size_t lo, hi;
	struct heads *out;		/* NULL: into dedup_files */
};

/* Hash the first HEAD bytes of R's candidates, keeping whole the files
 * no larger, in walk order: the files of a directory are then opened
 * through one descriptor of it, not each by its whole path (the lookups
 * were a sixth of the run).  It may run in the helper, so it reports
 * nothing, allocates nothing and changes nothing but its findings and
 * small[]. */
static void
read_heads_in(const struct reader *r)
{
	unsigned char head[HEAD], *into;
	const char *path, *base, *dir = NULL;
	unsigned long long *compared = r->out ? &r->out->compared :
	    &dedup_sum.compared;
	size_t i, len, dirlen = 0;
	int dfd = -1, fd = -1;
	char d[PATH_MAX];

	for (i = r->lo; i < r->hi && !dedup_stop; i++) {
		struct file *f = &dedup_files[i];
		struct head h = { 0, 0, false }, *to = r->out ?
		    &r->out->f[i - r->lo] : &h;

		if (!f->candidate)
			continue;
		path = dedup_path(f->name);
		base = path_base(path);
		if (dfd == -1 || (size_t)(base - path) != dirlen ||
		    memcmp(path, dir, dirlen)) {
			if (dfd != -1)
				close(dfd);
			dir = path;
			dirlen = base - path;
			/* path_dir() without its malloc */
			dfd = -1;
			errno = ENAMETOOLONG;
			if (fmt(d, sizeof(d), "%.*s", (int)dirlen, path) <
			    sizeof(d))
				dfd = openat(AT_FDCWD, dirlen ? d : ".",
				    O_PATH | O_DIRECTORY | O_CLOEXEC);
		}
		len = f->size < HEAD ? (size_t)f->size : HEAD;
		into = f->data == NONE ? head : small + f->data;
		if (dfd != -1 && (fd = openat(dfd, base, READ_FLAGS)) != -1) {
			to->slot = 1;
			if (bytes_read_at(fd, into, len, 0, compared))
				to->hash = hash(0, into, len);
			else
				to->gone = true;
			close(fd);
		} else
			to->gone = true;
		if (to->gone)
			to->hash = errno;
		if (!r->out) {
			f->hash = h.hash;
			f->slot = h.slot;
			f->gone = h.gone;
			if ((i & 255) == 0)
				progress_show(false);
		}
	}
	if (dfd != -1)
		close(dfd);
}

/* Copy what the helper found for R's candidates into dedup_files. */
static void
take_heads(const struct reader *r)
{
	size_t i;

	for (i = r->lo; i < r->hi; i++) {
		struct file *f = &dedup_files[i];
		const struct head *h = &r->out->f[i - r->lo];

		if (f->candidate) {
			f->hash = h->hash;
			f->slot = h->slot;
			f->gone = h->gone;
		}
	}
	dedup_sum.compared += r->out->compared;
}

/* Read the heads of all candidates, the second half in a helper process
 * when -j allows two: opening and reading are most of the time.  If the
 * helper did not finish (killed), dedup reads its half too. */
static void
read_heads(void)
{
	struct reader r[2] = {
		{ 0, dedup_nfiles, NULL }, { dedup_nfiles, dedup_nfiles, NULL }
	};
	size_t i, n = 0, half = 0, share = 0;
	pid_t pid = -1;

	for (i = 0; i < dedup_nfiles; i++) {
		dedup_files[i].data = NONE;
		if (!dedup_files[i].candidate)
			continue;
		n++;
		if (dedup_files[i].size <= HEAD && small_len <= NONE - HEAD) {
			dedup_files[i].data = small_len;
			small_len += dedup_files[i].size;
		}
	}
	for (i = 0; i < dedup_nfiles && half < n / 2; i++)
		half += dedup_files[i].candidate;
	r[1].lo = i;
	/* The helper writes to small[] and its findings: both shared. */
	share = sizeof(*r[1].out) + (r[1].hi - r[1].lo) * sizeof(struct head);
	if (n >= HELPER_MIN && helper_jobs() > 1 &&
	    (r[1].out = helper_share(share)) &&
	    (!small_len || (small = helper_share(small_len))) &&
	    (pid = helper_start()) == 0) {
		read_heads_in(&r[1]);
		__atomic_store_n(&r[1].out->done, true, __ATOMIC_RELEASE);
		_exit(0);
	}
	if (!small)
		small = xmalloc(small_len);
	if (pid > 0)
		r[0].hi = r[1].lo;
	read_heads_in(&r[0]);
	if (pid > 0) {
		helper_end(pid, dedup_stop);
		if (__atomic_load_n(&r[1].out->done, __ATOMIC_ACQUIRE))
			take_heads(&r[1]);
		else if (!dedup_stop) {
			munmap(r[1].out, share);
			r[1].out = NULL;
			read_heads_in(&r[1]);
		}
	}
	if (r[1].out)
		munmap(r[1].out, share);
	for (i = 0; i < dedup_nfiles; i++)
		if (dedup_files[i].gone) {
			errno = dedup_files[i].hash;
			unreadable(&dedup_files[i], dedup_files[i].slot ?
			    "cannot read " : "");
		}
}

/* Files read side by side, one batch of dedup_compare(). */
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
		if (!bytes_read_at(b->fd[i], buf + i * CHUNK, len, at,
		    &dedup_sum.compared)) {
			unreadable(b->f[i], "cannot read ");
			now[i] = NONE;
			continue;
		}
		for (j = 0; j < i; j++)
			if (now[j] != NONE && b->cls[j] == b->cls[i] &&
			    !bytes_order(buf + i * CHUNK, buf + j * CHUNK, len))
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
void
dedup_compare(struct file **f, size_t n)
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

/* Hash bytes [AT, AT + LEN) of each of the files F[0..n), dropping those
 * that cannot be read; then call FN on each run of equal hashes. */
void
dedup_split_by_hash(struct file **f, size_t n, off_t at, off_t len,
    void (*fn)(struct file **, size_t))
{
	static unsigned char *buf;
	size_t i, j, piece;
	off_t from;
	int fd;

	if (!buf)
		buf = xmalloc(CHUNK);
	for (i = j = 0; i < n && !dedup_stop; i++) {
		if ((fd = open_file(f[i])) == -1)
			continue;
		f[i]->hash = 0;
		for (from = at; from < at + len; from += piece) {
			piece = at + len - from < CHUNK ? at + len - from :
			    CHUNK;
			if (!bytes_read_at(fd, buf, piece, from, &dedup_sum.compared))
				break;
			f[i]->hash = hash(f[i]->hash, buf, piece);
		}
		if (from < at + len)
			unreadable(f[i], "cannot read ");
		else
			f[j++] = f[i];
		close(fd);
	}
	dedup_runs(f, j, dedup_by_hash, fn);
}

/* Group the files by what must be equal, read the heads of the groups of
 * two or more, and settle each group (relink.c), until a signal comes. */
void
dedup_match(void)
{
	struct file **sorted;
	size_t i, j, end;

	sorted = xmalloc(dedup_nfiles * sizeof(*sorted));
	for (i = 0; i < dedup_nfiles; i++)
		sorted[i] = &dedup_files[i];
	sort_ptrs((void **)sorted, dedup_nfiles, by_key);
	for (i = 0; i < dedup_nfiles; i = end)
		if ((end = group_end(sorted, i)) - i >= 2)
			for (j = i; j < end; j++)
				sorted[j]->candidate = sorted[j]->size > 0;
	read_heads();
	for (i = 0; i < dedup_nfiles && !dedup_stop; i = end)
		if ((end = group_end(sorted, i)) - i >= 2)
			dedup_settle_group(sorted + i, end - i);
	free(sorted);
}
