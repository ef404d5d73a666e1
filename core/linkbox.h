/* linkbox.h - the one header every linkbox source file includes. */
#ifndef LINKBOX_H
#define LINKBOX_H

#define _GNU_SOURCE
/* 64-bit sizes, inode numbers and times on 32-bit glibc targets too
 * (musl has them always): a truncated inode number would make two files
 * one. */
#define _FILE_OFFSET_BITS 64
#define _TIME_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The formatter of out.c takes a subset of printf's conversions, with
 * printf's types: let the compiler check them, at every width. */
#define PRINTF(f, a) __attribute__((format(printf, f, a)))

#ifndef LINKBOX_VERSION
#define LINKBOX_VERSION "unknown"
#endif

/* What an applet's warnings mean for its exit status (docs/linkbox.1):
 * each applet names its policy once, beside it in core/applets.h. */
enum exit_policy {
	EXIT_GNU,	/* GNU's: 1 for every failure, usage errors too */
	EXIT_FAILED,	/* a warning is a failed operation: 1; usage 2 */
	EXIT_TROUBLE,	/* a warning is trouble: 2, as usage; 1 is the
			 * applet's verdict (found, or not done: msg_fail) */
};

#define APPLET(name, policy) \
	int name##_main(int, char **); \
	extern const char name##_usage[];
#include "applets-selected.h"
#undef APPLET

/* applet.c: the applets built in, in name order */
struct applet {
	const char *name;
	int (*main)(int, char **);
	const char *usage;
	enum exit_policy policy;
};
extern const struct applet applets[];
extern const size_t napplets;
int applet_run(const struct applet *a, int argc, char **argv);

/* msg.c: diagnostics prefixed with the running applet's name */
extern const char *applet_name;
extern const char *applet_usage;
extern int exit_status;		/* what the applet returns so far */
void msg_policy(enum exit_policy policy);
/* msg_say: add strerror; status 1; no status (a note) */
enum { MSG_SYS = 1, MSG_FAIL = 2, MSG_NOTE = 4 };
void msg_say(int how, const char *fmt, ...) PRINTF(2, 3);
_Noreturn void msg_exit(int how, const char *fmt, ...) PRINTF(2, 3);
#define msg_warn(...) msg_say(0, __VA_ARGS__)
#define msg_warnsys(...) msg_say(MSG_SYS, __VA_ARGS__)
#define msg_note(...) msg_say(MSG_NOTE, __VA_ARGS__)
#define msg_fail(...) msg_say(MSG_FAIL, __VA_ARGS__)
#define msg_failsys(...) msg_say(MSG_FAIL | MSG_SYS, __VA_ARGS__)
#define msg_die(...) msg_exit(0, __VA_ARGS__)
#define msg_diesys(...) msg_exit(MSG_SYS, __VA_ARGS__)
_Noreturn void msg_usage(const char *fmt, ...) PRINTF(1, 2);
int msg_flush(int status);
bool msg_ask(const char *format, ...) PRINTF(1, 2);

/* quote.c: names quoted for messages, as GNU coreutils quotes them */
const char *quote(const char *name);
const char *quote_if_needed(const char *name);
bool quote_utf8_locale(void);
size_t utf8_decode(const unsigned char *s, unsigned long *c);

/* alloc.c: allocation that ends the applet when memory runs out */
void *xmalloc(size_t size);
void *xgrow(void *v, size_t *cap, size_t need, size_t size);

/* out.c: a small printf for messages and standard output */
size_t fmt_va(char *buf, size_t cap, const char *format, va_list ap)
    PRINTF(3, 0);
size_t fmt(char *buf, size_t cap, const char *format, ...) PRINTF(3, 4);
char *xformat(const char *format, ...) PRINTF(1, 2);
const char *fmt_bytes(char *buf, unsigned long long bytes, bool human);
void out(const char *format, ...) PRINTF(1, 2);
void out_bytes(const char *p, size_t n);
int out_flush(void);

/* opt.c: getopt_long with one behaviour on glibc and musl */
enum { OPT_HELP = 0x100, OPT_VERSION, OPT_JSON_LINES, OPT_FIRST_LONG_ONLY };
#define OPT_STANDARD \
	{ "help", no_argument, NULL, OPT_HELP }, \
	{ "version", no_argument, NULL, OPT_VERSION }, \
	{ NULL, 0, NULL, 0 }
/* -J/--json and --json-lines, set json_form: an applet that has them puts
 * OPT_JSON in its table and J among its letters. */
#define OPT_JSON \
	{ "json", no_argument, NULL, 'J' }, \
	{ "json-lines", no_argument, NULL, OPT_JSON_LINES }
/* -j N/--jobs=N sets walk_jobs (LINKBOX_JOBS too): an applet that has it
 * puts OPT_JOBS in its table and j: among its letters. */
#define OPT_JOBS { "jobs", required_argument, NULL, 'j' }
int opt_next(int argc, char **argv, const char *shorts,
    const struct option *longs);
void opt_operands(int argc, char **argv, int min, int max);
unsigned long opt_number(const char *arg, const char *what);
unsigned long long opt_size(const char *arg, const char *what);
unsigned long long opt_seconds(const char *arg, const char *what);

/* json.c: -J/--json and --json-lines output */
enum json_form { JSON_OFF, JSON_DOCUMENT, JSON_LINES };
extern enum json_form json_form;
void json_open(void);
void json_close(void);
void json_summary(void);
void json_end(void);
void json_number(const char *name, unsigned long long n);
void json_string(const char *name, const char *s);
void json_said(const char *what, const char *key, const char *name,
    char end);

/* atomic.c: temporary name + rename(2) */
void atomic_tmpname(char *buf, const char *base, const char *tag);
int atomic_is_temp(const char *name, const char *tag);
int atomic_symlink(const char *target, int dirfd, const char *base,
    const char *tag);
int atomic_link(int srcfd, const char *src, int flags, int dirfd,
    const char *base, const char *tag);
int atomic_temp(int srcfd, const char *src, int flags, int dirfd,
    const char *base, const char *tag, char *tmp);
int atomic_exchange(int fd1, const char *a, int fd2, const char *b);
bool atomic_no_exchange(int err);
int atomic_rename_new(int fd1, const char *old, int fd2, const char *new);
int atomic_aside(int dfd, const char *name, const char *tag, char *tmp);
int atomic_put_back(int dfd, const char *tmp, const char *name);

/* parent.c: a name in an open directory */
struct parent {
	int fd;			/* the directory holding the name */
	bool owned;		/* fd was opened by parent_open */
	char name[NAME_MAX + 1];	/* the last component of path */
	char *dir;		/* path's directory part, "." if none */
	const char *path;	/* the path as written, for messages */
};
int parent_open(struct parent *p, int dfd, const char *path);
void parent_close(struct parent *p);
int parent_sync(const struct parent *p);

/* resolve.c: what a symbolic link leads to, here or under a root */
struct resolve {
	int fd;			/* the directory taken as "/", or -1 */
	const char *dir;	/* as given */
	char *canon;		/* its canonical path */
	char *inside;		/* the walked PATH's place below it */
	size_t pathlen;		/* length of the walked PATH's spelling */
};
enum resolve_cause {
	CAUSE_MISSING, CAUSE_NOTDIR, CAUSE_LOOP, CAUSE_DENIED, CAUSE_OTHER
};
extern const char *const resolve_causes[];
int resolve_in(int rootfd, const char *path, struct stat *st);
void resolve_open(struct resolve *r, const char *dir);
bool resolve_enter(struct resolve *r, const char *path);
void resolve_leave(struct resolve *r);
int resolve_link(const struct resolve *r, int fd, const char *name,
    const char *path, size_t dirlen, const char *text, struct stat *st);
enum resolve_cause resolve_cause(int err);
bool resolve_remove(const struct resolve *r, int fd, const char *name,
    const char *path, size_t dirlen, const char *text,
    enum resolve_cause why, const char *tag);

/* walk.c: the tree walker; ahead.c reads the same entries */
struct dent {			/* what getdents64 returns */
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};
/* walk_tree flags.  WALK_AHEAD*: read the directories ahead on other
 * processes (ahead.c) and lstat(2) the symlinks in them (_LINKS), or every
 * entry but directories (_STAT); or stat(2) the symlinks, following them
 * (_TARGET: never with a --root, where the host's files are not its). */
enum { WALK_XDEV = 1, WALK_POST = 2, WALK_AHEAD = 4,
	WALK_AHEAD_LINKS = 8 | WALK_AHEAD,
	WALK_AHEAD_STAT = 16 | WALK_AHEAD_LINKS,
	WALK_AHEAD_TARGET = 32 | WALK_AHEAD_LINKS };
enum { WALK_NEXT, WALK_PRUNE, WALK_STOP };	/* what a visit returns */
struct walk {
	int fd;			/* directory holding the entry */
	const char *name;	/* its name there */
	const char *path;	/* its path from the root, for messages */
	unsigned char type;	/* DT_*, never DT_UNKNOWN */
	ino_t ino;		/* from the directory entry */
	size_t depth;		/* 0 for the root */
	bool post;		/* a directory again, after its contents */
};
int walk_tree(const char *root, int flags,
    int (*visit)(struct walk *, void *), void *arg);
bool walk_stat(const struct walk *e, struct stat *st);
int walk_dir(int dfd, const char *path,
    void (*fn)(const char *name, unsigned char type, void *), void *arg);

/* Whether a directory entry's NAME is "." or "..". */
static inline bool
dot_name(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

/* CLOCK's time by the system call itself: libc's clock_gettime looks up
 * the vDSO first, 1 KiB of static code for clocks read a few times.  Where
 * time_t is wider than long (a 32-bit target with 64-bit time) the kernel
 * fills a 64-bit timespec only through clock_gettime64. */
static inline void
clock_read(clockid_t clock, struct timespec *ts)
{
#ifdef SYS_clock_gettime64
	if (sizeof(ts->tv_sec) > sizeof(long)) {
		syscall(SYS_clock_gettime64, clock, ts);
		return;
	}
#endif
	syscall(SYS_clock_gettime, clock, ts);
}

/* helper.c: processes beside the applet; walk_jobs: -j, 0 unset */
extern unsigned walk_jobs;
unsigned helper_jobs(void);
void *helper_share(size_t size);
pid_t helper_start(void);
void helper_end(pid_t pid, bool kill_it);

/* ahead.c: helpers reading ahead of walk_tree */
void ahead_start(int root, int flags);
void ahead_seen(void);
void ahead_stop(void);

/* inode.c: inodes met in a walk, by (dev, ino) */
struct inode {
	dev_t dev;
	ino_t ino;
	unsigned long nlink;		/* st_nlink */
	unsigned long found;		/* names met so far */
	unsigned long long bytes;	/* st_blocks * 512 */
	size_t names;			/* the caller's list of its names */
};
struct itab {
	struct inode *v;
	size_t n, cap, *slots, nslots;
};
struct inode *itab_get(struct itab *t, const struct stat *st, bool *added);
void itab_clear(struct itab *t);

/* Two stat results of one file: hard links never cross devices. */
static inline bool
same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

/* tally.c: what deleting a tree would free */
struct tally {
	unsigned long long files;	/* inodes but directories' */
	unsigned long long multi;	/* of them, with several names */
	unsigned long long inside;	/* names met, directories' aside */
	unsigned long long outside;	/* names elsewhere, once settled */
	unsigned long long bytes;	/* st_blocks of the inodes met */
	unsigned long long freed;	/* of those with every name inside */
	unsigned long long kept;	/* of those with a name outside */
	struct itab inodes;		/* those with several names */
};
void tally_add(struct tally *t, const struct stat *st);
void tally_settle(struct tally *t);
void tally_clear(struct tally *t);
/* bytes.c: file contents */
int bytes_order(const unsigned char *a, const unsigned char *b, size_t n);
bool bytes_read_at(int fd, unsigned char *buf, size_t len, off_t at,
    unsigned long long *count);
bool bytes_same(int a, int b, off_t size);
/* path.c */
char *path_join(const char *dir, const char *name);
const char *path_base(const char *path);
char *path_dir(const char *path);
char *path_canon(const char *path);
char *path_next_component(char **rest);
char *path_relative(const char *file, const char *dir);
char *path_relative_link(const char *target, const char *dir);
bool path_inside(const char *path, const char *dir);
char *path_canon_entry(const char *path);
bool path_reads(int dfd, const char *name, const struct stat *st,
    const char *text);
size_t path_outermost(char **paths, size_t n, bool xdev);
char **path_operands(int argc, char **argv, const char *dflt, bool xdev);

/* glob.c: shell patterns (*, ?, [...], \) as fnmatch(3) in the C locale */
bool glob_match(const char *pat, const char *name);
bool glob_any(const char *const *pats, size_t n, const char *name);

/* sort.c: a stable sort of an array of pointers (cast to void **); CMP
 * gets two of the pointers, not their addresses as in qsort(3) */
void sort_ptrs(void **v, size_t n, int (*cmp)(const void *, const void *));

/* progress.c: "APPLET: TEXT" on a terminal's stderr, twice a second */
void progress_start(bool wanted, void (*text)(char *buf, size_t cap));
void progress_show(bool last);

#endif
