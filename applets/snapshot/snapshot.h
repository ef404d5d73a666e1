/* snapshot.h - what the parts of snapshot share; private to
 * applets/snapshot/.
 *
 * main.c parses the options, opens and locks REPO and publishes a
 * snapshot; make.c copies SRC into the hidden partial directory, linking
 * the files a reference holds unchanged; repo.c lists the snapshots of a
 * REPO, and prunes and deletes them.
 *
 * Inside a REPO: NAME, a complete snapshot; "latest", a symbolic link to
 * the newest; ".NAME.partial", one being made (or left by a killed run);
 * ".NAME.deleting", one being deleted; ".lock", the lock of writers.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include "../../core/linkbox.h"

#define PARTIAL ".partial"
#define DELETING ".deleting"

enum keep_rule { KEEP_LAST, KEEP_HOURLY, KEEP_DAILY, KEEP_WEEKLY,
	KEEP_MONTHLY, KEEP_YEARLY, KEEP_RULES };

extern struct snapshot_opt {
	bool dry_run, verbose, quiet, human, checksum, sync, wait, discard;
	char end;
	int walk_flags;
	const char *name;
	const char **exclude;
	size_t nexclude;
	const char **link_dest;
	size_t nlink_dest;
	unsigned long max_links;	/* 0: no limit but the filesystem's */
	unsigned long keep[KEEP_RULES];
} snapshot_opt;

extern struct snapshot_sum {
	unsigned long long linked, copied_new, copied_changed, bytes,
	    at_limit, reported;
} snapshot_sum;

/* Whether NAME is in DFD (errno says why not).  Not faccessat: musl's
 * costs 600 bytes. */
static inline bool
exists(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* copy.c */
extern bool snapshot_failed;
void snapshot_broken(const char *what, const struct walk *e);
bool snapshot_set_meta(int fd, int dfd, const char *name,
    const struct stat *st);
bool snapshot_copy_file(const struct walk *e, int dest, struct stat *st);
bool snapshot_copy_special(const struct walk *e, const struct stat *st,
    int dest);

/* calendar.c */
void snapshot_time_name(time_t t, char *name);
time_t snapshot_name_time(const char *name);
long long snapshot_period(int rule, time_t t, size_t index);

/* make.c */
bool snapshot_make(const char *src, int repofd, const char *partial,
    const int *refs, size_t nrefs);

/* repo.c */
int snapshot_list(int repofd, const char *repo);
int snapshot_prune(int repofd, const char *repo);
int snapshot_delete(int repofd, const char *repo, char **names, size_t n);
bool snapshot_remove(int repofd, const char *repo, const char *name,
    unsigned long long *freed);
const char *in_repo(const char *repo, const char *name);
char *snapshot_hidden(const char *name, const char *state);
char *snapshot_latest(int repofd);
char **snapshot_partials(int repofd, const char *repo);
void snapshot_tidy(int repofd, const char *repo);

#endif
