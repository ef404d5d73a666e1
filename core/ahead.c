/* ahead.c - helper processes that read a tree ahead of its walk.
 *
 * On a cold cache a walk waits for the disk at every directory and inode,
 * one request at a time.  While walk.c walks as always (one thread, depth
 * first, every check in place), helpers read the same tree: they open
 * each directory, read its entries and stat what the applet will stat,
 * and throw it all away.  What the walk then asks for is in the kernel's
 * caches, which every process shares.  So the output is the walk's alone
 * and cannot depend on them; they change nothing and print nothing.
 *
 * They are helper.c's processes; the walk's end kills them.
 *
 * The helpers take directories from a stack in a mapping they share: the
 * last subdirectory of a directory first, and the entries of each buffer
 * from the last, while the walk goes from the first, so that helpers and
 * walk read different parts of the tree until they meet.  Each directory
 * is opened by its path below the root with openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS: never outside the root, never through a symlink;
 * without openat2 there is no read-ahead.  Bounded: the stack holds what
 * fits in AHEAD_SHARED bytes, the rest is left to the walk; helpers pause
 * when they are AHEAD_WINDOW entries ahead of it; each holds one
 * descriptor.  A helper whose reads found everything cached (ru_inblock
 * did not move) naps: on a warm cache it would only take CPU from the
 * walk.
 */
#include "linkbox.h"
#include <sys/resource.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define AHEAD_SHARED (1 << 20)
#define AHEAD_WINDOW 65536UL
#define AHEAD_BUF 32768
#define AHEAD_HELPERS 63
#define AHEAD_IDLE 16		/* directories, then a check for disk reads */
#define AHEAD_NAP 10		/* ms of nap when none was needed */

/* The mapping the walk and its helpers share. */
static struct shared {
	int lock;		/* spun on, around the stack */
	bool stop;		/* openat2 is missing: all stop */
	unsigned long read, seen;	/* entries read ahead, and walked */
	size_t top;		/* bytes of stack[] in use */
	char stack[];		/* paths below the root, each with its NUL
				 * and then its length (a size_t) */
} *sh;

static pid_t helper[AHEAD_HELPERS];
static unsigned helpers;
static int root, flags;

#define STACK_CAP (AHEAD_SHARED - sizeof(struct shared))

/* A lock spun on, for a few instructions between the helpers: musl's
 * mutexes cost 2 KiB. */
static void
spin_lock(int *lock)
{
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void
spin_unlock(int *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/* Put the LEN bytes of PATH on the stack, or drop them when it is full.
 * Called with the lock held (or before the helpers start). */
static void
push(const char *path, size_t len)
{
	char *at = sh->stack + sh->top;

	if (len + 1 + sizeof(len) > STACK_CAP - sh->top)
		return;
	memcpy(at, path, len);
	at[len] = '\0';
	memcpy(at + len + 1, &len, sizeof(len));
	sh->top += len + 1 + sizeof(len);
}

/* The path on top of the stack, into PATH; false when there is none. */
static bool
pop(char *path)
{
	size_t len;
	bool got;

	spin_lock(&sh->lock);
	if ((got = sh->top)) {
		memcpy(&len, sh->stack + sh->top - sizeof(len), sizeof(len));
		sh->top -= len + 1 + sizeof(len);
		memcpy(path, sh->stack + sh->top, len + 1);
	}
	spin_unlock(&sh->lock);
	return got;
}

static bool
stopped(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
}

static void
nap(void)
{
	struct timespec ms = { 0, 1000000 };

	nanosleep(&ms, NULL);
}

static int
open_below(const char *path)
{
	struct { uint64_t flags, mode, resolve; } how = {
		O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0,
		/* no magic links, no symlinks, beneath; (-x) same mount */
		0x02 | 0x04 | 0x08 | (flags & WALK_XDEV ? 0x01 : 0)
	};
	int fd = syscall(SYS_openat2, root, path, &how, sizeof(how));

	if (fd == -1 && (errno == ENOSYS || errno == EPERM))
		__atomic_store_n(&sh->stop, true, __ATOMIC_RELAXED);
	return fd;
}

/* Whether the walk asked for the read-ahead WANT. */
static bool
wants(int want)
{
	return (flags & want) == want;
}

/* Wait while the helpers are a window ahead of the walk. */
static void
pace(unsigned long entries)
{
	unsigned long read = __atomic_add_fetch(&sh->read, entries,
	    __ATOMIC_RELAXED);

	while (read > __atomic_load_n(&sh->seen, __ATOMIC_RELAXED) +
	    AHEAD_WINDOW && !stopped())
		nap();
}

/* Read the directory PATH and stat its entries as the walk will (last
 * first); its subdirectories go on the stack, the last on top. */
static void
read_dir(const char *path, char *buf)
{
	struct dent *d, *at[AHEAD_BUF / 24];
	char sub[PATH_MAX];
	struct stat st;
	long len, off;
	size_t k, n;
	int fd = open_below(path);

	if (fd == -1)
		return;
	while ((len = syscall(SYS_getdents64, fd, buf, AHEAD_BUF)) > 0 &&
	    !stopped()) {
		for (k = 0, off = 0; off < len; off += d->reclen)
			at[k++] = d = (struct dent *)(buf + off);
		pace(k);
		while (k--) {
			d = at[k];
			if (dot_name(d->name))
				continue;
			if (d->type == DT_UNKNOWN && fstatat(fd, d->name, &st,
			    AT_SYMLINK_NOFOLLOW) == 0)
				d->type = IFTODT(st.st_mode);
			if (d->type == DT_DIR || !wants(d->type == DT_LNK ?
			    WALK_AHEAD_LINKS : WALK_AHEAD_STAT))
				continue;
			fstatat(fd, d->name, &st, d->type == DT_LNK &&
			    wants(WALK_AHEAD_TARGET) ? 0 : AT_SYMLINK_NOFOLLOW);
		}
		spin_lock(&sh->lock);
		for (off = 0; off < len; off += d->reclen) {
			d = (struct dent *)(buf + off);
			if (d->type != DT_DIR || dot_name(d->name))
				continue;
			n = fmt(sub, sizeof(sub), "%s/%s", path, d->name);
			if (n < sizeof(sub))
				push(sub, n);
		}
		spin_unlock(&sh->lock);
	}
	close(fd);
}

/* Whether this process's reads since the last call went to the disk. */
static bool
used_disk(long *blocks)
{
	struct rusage ru;
	long before = *blocks;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return true;
	*blocks = ru.ru_inblock;
	return *blocks != before;
}

/* A helper of the walk WALK: read directories until killed.  It never
 * returns: exit would flush what the walk has buffered. */
static void
help(pid_t walk)
{
	static char buf[AHEAD_BUF];
	char path[PATH_MAX];
	unsigned dirs = 0, k;
	long blocks = 0;

	while (getppid() == walk && !stopped()) {
		/* Where AHEAD_IDLE directories were all cached, nap. */
		if (++dirs % AHEAD_IDLE == 0 && !used_disk(&blocks))
			for (k = 0; k < AHEAD_NAP; k++)
				nap();
		if (pop(path))
			read_dir(path, buf);
		else
			nap();	/* till another helper finds more */
	}
	_exit(0);
}

/* Start the helpers on the directory open as DIR, walked with HOW. */
void
ahead_start(int dir, int how)
{
	unsigned want = helper_jobs() - 1;
	pid_t pid, walk = getpid();

	if (!(how & WALK_AHEAD) || !want || helpers)
		return;
	if (!sh && !(sh = helper_share(AHEAD_SHARED)))
		return;
	memset(sh, 0, sizeof(*sh));
	push(".", 1);
	root = dir;
	flags = how;
	while (helpers < want && (pid = helper_start()) != -1) {
		if (pid == 0)
			help(walk);
		helper[helpers++] = pid;
	}
}

/* The walk met another entry. */
void
ahead_seen(void)
{
	if (helpers)
		__atomic_store_n(&sh->seen, sh->seen + 1, __ATOMIC_RELAXED);
}

/* The walk is over: end the helpers. */
void
ahead_stop(void)
{
	while (helpers)
		helper_end(helper[--helpers], true);
}
