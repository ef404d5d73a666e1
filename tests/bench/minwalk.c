/* minwalk - the minimal walk: the floor that tests/bench/cold.sh holds
 * linkbox's tree walk against (issue #17).
 *
 * usage: minwalk [-t THREADS] MODE ROOT
 *
 * Walks ROOT and does per entry only what MODE needs:
 *   dangling  for each symlink, stat(2) through it; print its path when
 *             that fails (missing, notdir, loop: any error)
 *   links     for each regular file, lstat(2) it; print "DEV:INO PATH"
 *             (decimal, as find -printf '%D:%i %p\n') when it has several
 *             names
 * Directories are opened relative to their parent's descriptor with
 * O_NOFOLLOW | O_DIRECTORY and read with getdents64; symlinks to
 * directories are never followed; d_type says what an entry is, and only
 * DT_UNKNOWN costs an lstat to learn it.  With -t 1 (the default) one
 * thread walks depth first; with -t N, N threads share a stack of
 * directories: each pops one, reads it, handles its entries and pushes
 * its subdirectories, until the stack is empty and no thread is busy.
 * Output is in walk order, unsorted; each thread writes whole lines.
 *
 * No checks beyond that, no options, no limits on depth: a floor, not a
 * tool.  Exit status 0, 2 on trouble (a directory that could not be read
 * is reported and skipped).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROG "minwalk"
#define THREADS_MAX 64
#define DENTS_BUF 32768		/* getdents64 buffer, one per thread */
#define OUT_BUF 65536		/* output buffer, one per thread */

struct dent {			/* what getdents64 returns */
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* A directory to read.  It is opened by the thread that pops it,
 * relative to its parent's descriptor, which stays open until the last
 * child is opened: refs counts the children not yet opened, plus one
 * while the directory itself is being read. */
struct dir {
	struct dir *next;	/* on the stack */
	struct dir *parent;	/* NULL for ROOT */
	char *path;		/* ROOT/.../name, for output */
	size_t len, name;	/* strlen(path); where the name starts */
	int fd;
	atomic_uint refs;
};

struct out {
	char buf[OUT_BUF];
	size_t len;
};

enum mode { DANGLING, LINKS };

static enum mode mode;
static atomic_int status;

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct dir *top;
	unsigned busy;		/* threads reading a directory */
} stack = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0 };

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* "minwalk: PATH[/NAME]: strerror(E)"; the exit status becomes 2. */
static void
warn_path(const char *path, const char *name, int e)
{
	fprintf(stderr, "%s: %s%s%s: %s\n", PROG, path, name ? "/" : "",
	    name ? name : "", strerror(e));
	status = 2;
}

static void *
xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p)
		die("out of memory");
	return p;
}

/* Write O's buffer out.  The lock keeps the threads' buffers whole: a
 * write to a pipe of more than PIPE_BUF bytes can be interleaved with
 * another thread's. */
static void
flush(struct out *o)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	size_t off = 0;
	ssize_t n;

	pthread_mutex_lock(&lock);
	while (off < o->len) {
		n = write(1, o->buf + off, o->len - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("write: %s", strerror(errno));
		}
		off += n;
	}
	pthread_mutex_unlock(&lock);
	o->len = 0;
}

/* Add the bytes S[0..N) to O's buffer, flushing as it fills. */
static void
put(struct out *o, const char *s, size_t n)
{
	size_t k;

	while (n) {
		if (o->len == OUT_BUF)
			flush(o);
		k = OUT_BUF - o->len < n ? OUT_BUF - o->len : n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

/* 1 if a name below D needs a slash after D's path, 0 if it ends in one
 * (ROOT "/" or "T/"): paths as find prints them. */
static size_t
slash(const struct dir *d)
{
	return !d->len || d->path[d->len - 1] != '/';
}

/* One line: [PREFIX]DIR/NAME.  A line longer than the buffer may be cut
 * by another thread's write; none is, in the benchmarks' trees. */
static void
print(struct out *o, const char *prefix, const struct dir *d,
    const char *name)
{
	size_t need = strlen(prefix) + d->len + strlen(name) + 2;

	if (OUT_BUF - o->len < need)
		flush(o);
	put(o, prefix, strlen(prefix));
	put(o, d->path, d->len);
	put(o, "/", slash(d));
	put(o, name, strlen(name));
	put(o, "\n", 1);
}

static struct dir *
new_dir(struct dir *parent, const char *name)
{
	struct dir *d = xmalloc(sizeof(*d));
	size_t n = strlen(name), sep = parent ? slash(parent) : 0;

	d->parent = parent;
	d->name = parent ? parent->len + sep : 0;
	d->len = d->name + n;
	d->path = xmalloc(d->len + 1);
	if (parent) {
		memcpy(d->path, parent->path, parent->len);
		if (sep)
			d->path[parent->len] = '/';
	}
	memcpy(d->path + d->name, name, n + 1);
	d->fd = -1;
	atomic_init(&d->refs, 1);
	return d;
}

/* Drop one reference to D; the last one closes and frees it. */
static void
drop(struct dir *d)
{
	if (atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	if (d->fd != -1)
		close(d->fd);
	free(d->path);
	free(d);
}

/* Push the list FIRST..LAST (linked by next) on the stack, at once. */
static void
push(struct dir *first, struct dir *last)
{
	pthread_mutex_lock(&stack.lock);
	last->next = stack.top;
	stack.top = first;
	pthread_cond_broadcast(&stack.more);
	pthread_mutex_unlock(&stack.lock);
}

/* Pop a directory, waiting while the stack is empty and a thread is busy
 * (it may push more); NULL when the walk is over.  The caller is busy
 * until it calls done(). */
static struct dir *
pop(void)
{
	struct dir *d;

	pthread_mutex_lock(&stack.lock);
	while (!stack.top && stack.busy)
		pthread_cond_wait(&stack.more, &stack.lock);
	d = stack.top;
	if (d) {
		stack.top = d->next;
		stack.busy++;
	}
	pthread_mutex_unlock(&stack.lock);
	return d;
}

static void
done(void)
{
	pthread_mutex_lock(&stack.lock);
	if (--stack.busy == 0 && !stack.top)
		pthread_cond_broadcast(&stack.more);
	pthread_mutex_unlock(&stack.lock);
}

/* The entry NAME of D, of d_type TYPE (not a directory): what MODE does
 * with it.  ST is its lstat when the type had to be learnt, else NULL. */
static void
handle(struct out *o, const struct dir *d, const char *name,
    unsigned char type, struct stat *st)
{
	struct stat buf;
	char id[48];

	if (mode == DANGLING) {
		if (type == DT_LNK && fstatat(d->fd, name, &buf, 0) == -1)
			print(o, "", d, name);
		return;
	}
	if (type != DT_REG)
		return;
	if (!st) {
		st = &buf;
		if (fstatat(d->fd, name, st, AT_SYMLINK_NOFOLLOW) == -1) {
			warn_path(d->path, name, errno);
			return;
		}
	}
	if (st->st_nlink > 1) {
		snprintf(id, sizeof(id), "%llu:%llu ",
		    (unsigned long long)st->st_dev,
		    (unsigned long long)st->st_ino);
		print(o, id, d, name);
	}
}

/* Open D, read it, handle its entries and push its subdirectories (after
 * each buffer, so that idle threads get work early). */
static void
read_dir(struct out *o, char *buf, struct dir *d)
{
	struct dir *first, *last, *sub;
	struct stat sb, *st;
	unsigned char type;
	struct dent *e;
	const char *name;
	long n, pos;

	d->fd = openat(d->parent ? d->parent->fd : AT_FDCWD,
	    d->path + d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (d->fd == -1)
		warn_path(d->path, NULL, errno);
	if (d->parent)
		drop(d->parent);
	if (d->fd == -1)
		return;
	while ((n = syscall(SYS_getdents64, d->fd, buf, DENTS_BUF)) > 0) {
		first = last = NULL;
		for (pos = 0; pos < n; pos += e->reclen) {
			e = (struct dent *)(buf + pos);
			name = e->name;
			if (name[0] == '.' && (!name[1] ||
			    (name[1] == '.' && !name[2])))
				continue;
			type = e->type;
			st = NULL;
			if (type == DT_UNKNOWN) {
				/* No d_type from this file system: lstat. */
				st = &sb;
				if (fstatat(d->fd, name, st,
				    AT_SYMLINK_NOFOLLOW) == -1) {
					warn_path(d->path, name, errno);
					continue;
				}
				type = S_ISDIR(st->st_mode) ? DT_DIR :
				    S_ISLNK(st->st_mode) ? DT_LNK :
				    S_ISREG(st->st_mode) ? DT_REG : DT_UNKNOWN;
			}
			if (type != DT_DIR) {
				handle(o, d, name, type, st);
				continue;
			}
			sub = new_dir(d, name);
			atomic_fetch_add(&d->refs, 1);
			sub->next = first;
			first = sub;
			if (!last)
				last = sub;
		}
		if (first)
			push(first, last);
	}
	if (n == -1)
		warn_path(d->path, NULL, errno);
}

static void *
worker(void *arg)
{
	struct out *o = xmalloc(sizeof(*o));
	char *buf = xmalloc(DENTS_BUF);
	struct dir *d;

	(void)arg;
	o->len = 0;
	while ((d = pop())) {
		read_dir(o, buf, d);
		drop(d);
		done();
	}
	flush(o);
	free(buf);
	free(o);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t tid[THREADS_MAX];
	unsigned long threads = 1, i;
	struct rlimit rl;
	char *end;
	int c;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c != 't')
			goto usage;
		errno = 0;
		threads = strtoul(optarg, &end, 10);
		if (errno || *end || threads < 1 || threads > THREADS_MAX)
			die("threads '%s' not in 1..%d", optarg, THREADS_MAX);
	}
	if (argc - optind != 2)
		goto usage;
	if (!strcmp(argv[optind], "dangling"))
		mode = DANGLING;
	else if (!strcmp(argv[optind], "links"))
		mode = LINKS;
	else
		goto usage;

	/* A directory keeps its descriptor until its last child is
	 * opened: about one per level of depth and thread, which deep
	 * trees and many threads could take past a low soft limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	stack.top = new_dir(NULL, argv[optind + 1]);
	stack.top->next = NULL;
	for (i = 1; i < threads; i++) {
		if ((c = pthread_create(&tid[i], NULL, worker, NULL)))
			die("pthread_create: %s", strerror(c));
	}
	worker(NULL);
	for (i = 1; i < threads; i++)
		pthread_join(tid[i], NULL);
	return status;

usage:
	fprintf(stderr, "usage: %s [-t THREADS] dangling|links ROOT\n", PROG);
	return 2;
}
