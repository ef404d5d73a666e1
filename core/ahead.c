/* ahead.c - threads that read a tree ahead of its walk.
 *
 * On a cold cache a walk waits for the disk at every directory and inode,
 * one request at a time.  While walk.c walks as always (one thread, depth
 * first, every check in place), helper threads read the same tree: they
 * open each directory, read its entries and stat what the applet will
 * stat, and throw it all away.  What the walk then asks for is in the
 * kernel's caches.  So the output is the walk's alone and cannot depend
 * on them; they change nothing and print nothing.
 *
 * The helpers take directories from a stack: the last subdirectory of a
 * directory first, and the entries of each buffer from the last, while
 * the walk goes from the first, so that helpers and walk read different
 * parts of the tree until they meet.  Each directory is opened by its
 * path below the root with openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS:
 * never outside the root, never through a symlink; without openat2 there
 * is no read-ahead.  Bounded: AHEAD_ITEMS directories (AHEAD_BYTES of
 * paths) wait, the rest are left to the walk; helpers pause when they are
 * AHEAD_WINDOW entries ahead of it; each holds one descriptor.  A helper
 * whose reads found everything cached (getrusage's ru_inblock did not
 * move) naps: on a warm cache it would only take CPU from the walk.
 */
#include "linkbox.h"
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define AHEAD_ITEMS 4096
#define AHEAD_BYTES (1 << 20)
#define AHEAD_WINDOW 65536UL
#define AHEAD_BUF 32768
#define AHEAD_THREADS 63
#define AHEAD_IDLE 16		/* directories, then a check for disk reads */
#define AHEAD_NAP 10		/* ms of nap when none was needed */

unsigned walk_jobs;

static struct {
	int lock;		/* spun on, around the stack */
	char **todo;		/* the stack of paths below the root */
	size_t n, cap, bytes;
	bool stop;		/* the walk is over (or openat2 missing) */
	int root, flags;
	unsigned long read, seen;	/* entries read ahead, and walked */
	pthread_t thread[AHEAD_THREADS];
	unsigned threads;
} ahead;

/* Put PATH on the stack for a helper, or drop it when the stack is full.
 * Called with the lock held
 * (or before the helpers start). */
static void
add(char *path)
{
	size_t len = strlen(path) + 1;

	if (ahead.n == AHEAD_ITEMS || ahead.bytes + len > AHEAD_BYTES) {
		free(path);
		return;
	}
	ahead.todo = xgrow(ahead.todo, &ahead.cap, ahead.n + 1,
	    sizeof(*ahead.todo));
	ahead.todo[ahead.n++] = path;
	ahead.bytes += len;
}

static bool
stopped(void)
{
	return __atomic_load_n(&ahead.stop, __ATOMIC_RELAXED);
}

static void
stop(void)
{
	__atomic_store_n(&ahead.stop, true, __ATOMIC_RELAXED);
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
		0x02 | 0x04 | 0x08 | (ahead.flags & WALK_XDEV ? 0x01 : 0)
	};
	int fd = syscall(SYS_openat2, ahead.root, path, &how, sizeof(how));

	if (fd == -1 && (errno == ENOSYS || errno == EPERM))
		stop();
	return fd;
}

/* Whether the walk asked for the read-ahead FLAGS. */
static bool
wants(int flags)
{
	return (ahead.flags & flags) == flags;
}

/* Wait while the helpers are a window ahead of the walk. */
static void
pace(unsigned long entries)
{
	unsigned long read = __atomic_add_fetch(&ahead.read, entries,
	    __ATOMIC_RELAXED);

	while (read > __atomic_load_n(&ahead.seen, __ATOMIC_RELAXED) +
	    AHEAD_WINDOW && !stopped())
		nap();
}

/* Read the directory PATH and stat its entries as the walk will (last
 * first); its subdirectories go on the stack, the last on top. */
static void
read_dir(const char *path, char *buf)
{
	struct dent *d, *at[AHEAD_BUF / 24];
	struct stat st;
	long len, off;
	size_t k;
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
			if (d->name[0] == '.' && (!d->name[1] ||
			    (d->name[1] == '.' && !d->name[2])))
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
		spin_lock(&ahead.lock);
		for (off = 0; off < len; off += d->reclen) {
			d = (struct dent *)(buf + off);
			if (d->type == DT_DIR && strcmp(d->name, ".") &&
			    strcmp(d->name, ".."))
				add(*path == '.' ? xformat("%s", d->name) :
				    xformat("%s/%s", path, d->name));
		}
		spin_unlock(&ahead.lock);
	}
	close(fd);
}

/* Whether this thread's reads since the last call went to the disk.  On
 * a warm cache a helper only takes CPU and locks from the walk. */
static bool
used_disk(long *blocks)
{
	struct rusage ru;
	long before = *blocks;

	if (getrusage(RUSAGE_THREAD, &ru) == -1)
		return true;
	*blocks = ru.ru_inblock;
	return *blocks != before;
}

static void *
helper(void *unused)
{
	char *buf = xmalloc(AHEAD_BUF), *path;
	unsigned dirs = 0, k;
	long blocks = 0;

	(void)unused;
	while (!stopped()) {
		/* Where AHEAD_IDLE directories were all cached, nap. */
		if (++dirs % AHEAD_IDLE == 0 && !used_disk(&blocks))
			for (k = 0; k < AHEAD_NAP && !stopped(); k++)
				nap();
		spin_lock(&ahead.lock);
		if ((path = ahead.n ? ahead.todo[--ahead.n] : NULL))
			ahead.bytes -= strlen(path) + 1;
		spin_unlock(&ahead.lock);
		if (!path) {
			nap();	/* till another helper finds more */
			continue;
		}
		read_dir(path, buf);
		free(path);
	}
	free(buf);
	return NULL;
}

/* The jobs asked for (-j, LINKBOX_JOBS), else one per CPU this process
 * may run on, at most 8. */
static unsigned
jobs(void)
{
	cpu_set_t cpus;
	int n;

	if (walk_jobs)
		return walk_jobs;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == -1)
		return 1;
	n = CPU_COUNT(&cpus);
	return n < 1 ? 1 : n > 8 ? 8 : n;
}

/* Start the helpers on the directory open as ROOT, walked with FLAGS. */
void
ahead_start(int root, int flags)
{
	unsigned want = jobs() - 1;
	struct rlimit lim;
	sigset_t all, old;

	/* Only where descriptors abound: the walk's and the applet's first
	 * (walk.c). */
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 128 + want)
		return;
	if (!(flags & WALK_AHEAD) || !want || ahead.threads ||
	    (ahead.root = fcntl(root, F_DUPFD_CLOEXEC, 0)) == -1)
		return;
	ahead.flags = flags;
	ahead.stop = false;
	ahead.read = ahead.seen = 0;
	add(xformat("."));
	/* Signals are for the walk's thread: its applet handles them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (ahead.threads < want && !pthread_create(
	    &ahead.thread[ahead.threads], NULL, helper, NULL))
		ahead.threads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The walk met another entry. */
void
ahead_seen(void)
{
	if (ahead.threads)
		__atomic_store_n(&ahead.seen, ahead.seen + 1,
		    __ATOMIC_RELAXED);
}

/* The walk is over: stop the helpers, wait for them, drop their work. */
void
ahead_stop(void)
{
	if (!ahead.threads)
		return;
	stop();
	while (ahead.threads)
		pthread_join(ahead.thread[--ahead.threads], NULL);
	while (ahead.n)
		free(ahead.todo[--ahead.n]);
	ahead.bytes = 0;
	close(ahead.root);
}
