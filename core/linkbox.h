/* linkbox.h - the one header every linkbox source file includes. */
#ifndef LINKBOX_H
#define LINKBOX_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LINKBOX_VERSION
#define LINKBOX_VERSION "unknown"
#endif

#define APPLET(name) \
	int name##_main(int, char **); \
	extern const char name##_usage[];
#include "applets-selected.h"
#undef APPLET

/* applet.c: the applets built in, in name order */
struct applet {
	const char *name;
	int (*main)(int, char **);
	const char *usage;
};
extern const struct applet applets[];
extern const size_t napplets;

/* msg.c: diagnostics prefixed with the running applet's name */
extern const char *applet_name;
extern const char *applet_usage;
extern int exit_status;		/* what the applet returns so far */
extern int fail_status;		/* what a warning raises exit_status to */
extern int trouble_status;	/* exit status of usage errors and msg_die */
void msg_warn(const char *fmt, ...);
void msg_warnsys(const char *fmt, ...);
_Noreturn void msg_die(const char *fmt, ...);
_Noreturn void msg_diesys(const char *fmt, ...);
_Noreturn void msg_usage(const char *fmt, ...);
const char *quote(const char *name);
const char *quote_if_needed(const char *name);
int msg_flush(int status);
bool msg_ask(const char *format, ...);

/* out.c: a small printf for messages and standard output */
size_t fmt_va(char *buf, size_t cap, const char *format, va_list ap);
size_t fmt(char *buf, size_t cap, const char *format, ...);
char *xformat(const char *format, ...);
void out(const char *format, ...);
int out_flush(void);
void *xmalloc(size_t size);
void *xgrow(void *v, size_t *cap, size_t need, size_t size);

/* opt.c: getopt_long with one behaviour on glibc and musl */
enum { OPT_HELP = 0x100, OPT_VERSION, OPT_FIRST_LONG_ONLY };
#define OPT_STANDARD \
	{ "help", no_argument, NULL, OPT_HELP }, \
	{ "version", no_argument, NULL, OPT_VERSION }, \
	{ NULL, 0, NULL, 0 }
int opt_next(int argc, char **argv, const char *shorts,
    const struct option *longs);
void opt_operands(int argc, char **argv, int min, int max);
unsigned long opt_number(const char *arg, const char *what);
unsigned long long opt_size(const char *arg, const char *what);

/* atomic.c: temporary name + rename(2) */
void atomic_tmpname(char *buf, const char *base, const char *tag);
int atomic_symlink(const char *target, int dirfd, const char *base,
    const char *tag);
int atomic_link(int srcfd, const char *src, int flags, int dirfd,
    const char *base, const char *tag);
int atomic_temp(int srcfd, const char *src, int flags, int dirfd,
    const char *base, const char *tag, char *tmp);
int atomic_exchange(int fd1, const char *a, int fd2, const char *b);
int atomic_rename_new(int fd1, const char *old, int fd2, const char *new);
int atomic_sync_dir(const char *path);
int atomic_aside(int dfd, const char *name, const char *tag, char *tmp);

/* walk.c: the tree walker */
enum { WALK_XDEV = 1, WALK_POST = 2 };		/* walk_tree flags */
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
int walk_dir(int dfd, const char *path,
    void (*fn)(const char *name, unsigned char type, void *), void *arg);

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

/* Two stat results of one file: hard links never cross devices. */
static inline bool
same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

/* path.c */
char *path_join(const char *dir, const char *name);
const char *path_base(const char *path);
char *path_dir(const char *path);
char *path_canon(const char *path);
char *path_relative(const char *file, const char *dir);
int path_resolve_in(int rootfd, const char *path);
char *path_canon_entry(const char *path);
bool path_reads(int dfd, const char *name, const struct stat *st,
    const char *text);
size_t path_outermost(char **paths, size_t n, bool xdev);

/* glob.c: shell patterns (*, ?, [...], \) as fnmatch(3) in the C locale */
bool glob_match(const char *pat, const char *name);

/* sort.c: a stable sort of an array of pointers (cast to void **); CMP
 * gets two of the pointers, not their addresses as in qsort(3) */
void sort_ptrs(void **v, size_t n, int (*cmp)(const void *, const void *));

/* progress.c: "APPLET: TEXT" on a terminal's stderr, twice a second */
void progress_start(bool wanted, void (*text)(char *buf, size_t cap));
void progress_show(bool last);

#endif
