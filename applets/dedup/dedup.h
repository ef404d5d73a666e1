/* dedup.h - what the stages of dedup share; private to applets/dedup/.
 *
 * main.c parses the options and runs the stages in turn: scan.c walks the
 * PATHs into one struct file per inode and its names; match.c groups the
 * files that may be alike, reads their heads (on two threads) and
 * compares contents in batches; relink.c settles each group into classes
 * of identical files and links each class to one kept file.
 *
 * The whole program is linked as one, so every name shared here carries
 * the dedup_ prefix; only dedup_main and dedup_usage are for the rest of
 * linkbox (core/applets.h).
 */
#ifndef DEDUP_H
#define DEDUP_H

#include "../../core/linkbox.h"
#include <signal.h>

#define NONE ((unsigned)-1)
#define HEAD 64		/* bytes read of every candidate at first */
#define BLOCK 4096
#define CHUNK 65536
#define BATCH 64

enum keep { KEEP_LINKS, KEEP_OLDEST, KEEP_NEWEST, KEEP_FIRST };

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
	unsigned name;		/* its first name in dedup_names[] */
	unsigned blocks;	/* st_blocks, in 512-byte units */
	unsigned slot;		/* its class in the group being compared */
	unsigned data;		/* offset of its bytes in small[] (<= HEAD) */
	bool candidate;		/* other files have its size, owner... */
	bool gone;		/* unreadable: left alone */
};

struct name {
	unsigned next;		/* the next name of the same file, or -1 */
	size_t path;		/* offset of its path in scan.c's arena */
};

/* main.c: the options, the counters of the summary, the signal that ends
 * the run (0 until one comes) and the signals blocked around each
 * replacement so that it is finished. */
extern struct dedup_opt {
	bool dry_run, list, verbose, human, quiet, empty, mtime, collide;
	bool any_owner, any_group, any_mode;
	char end;
	unsigned long long min_size, max_size;
	unsigned long max_links;
	enum keep keep;
	const char **exclude;
	size_t nexclude;
} dedup_opt;
extern struct dedup_sum {
	unsigned long long scanned, groups, relinked, freed, changed, failed,
	    apart, compared;
} dedup_sum;
extern volatile sig_atomic_t dedup_stop;
extern sigset_t dedup_stop_signals;

/* scan.c: the files in walk order, their names, the path of a name */
extern struct file *dedup_files;
extern size_t dedup_nfiles;
extern struct name *dedup_names;
void dedup_scan(const char *path);
const char *dedup_path(size_t name);

/* match.c */
void dedup_match(void);
int dedup_by_hash(const void *a, const void *b);
int dedup_by_content(const void *a, const void *b);
void dedup_split_by_hash(struct file **f, size_t n, off_t at, off_t len,
    void (*fn)(struct file **, size_t));
void dedup_compare(struct file **f, size_t n);

/* relink.c */
void dedup_settle_group(struct file **f, size_t n);
void dedup_runs(struct file **f, size_t n,
    int (*cmp)(const void *, const void *),
    void (*fn)(struct file **, size_t));

#endif
