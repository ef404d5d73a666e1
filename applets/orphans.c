/* orphans - find and safely remove pool files that nothing links to.
 *
 * usage: orphans [-0dhnvx] [--links=N] [--older-than=AGE] [--min-size=N]
 *                [--exclude=PATTERN]... [--prune-dirs] PATH...
 *
 * Lists every regular file under the PATHs whose link count is at most
 * --links (1): in a content pool, a file that no tree links to any more.
 * --older-than spares files whose ctime or mtime is recent: a file just
 * added to the pool is not yet linked from its tree.
 *
 * -d removes them without the race of "find -links 1 -delete", where a
 * backup that links the file between the check and the unlink loses it:
 * each is renamed within its directory to a quarantine name (from then on
 * nobody can link it by its name), checked there through the directory's
 * descriptor to be the inode examined with no more links than allowed,
 * and only then unlinked; a file linked meanwhile is renamed back, never
 * over a name taken meanwhile.  A killed run leaves at most quarantine
 * names (.NAME.orphans.XXXXXX), which the next -d finishes, or restores
 * when their file has gained links.
 *
 * Exit status (like danglers): 0 none found (-d: none left), 1 some found
 * (left), 2 trouble.
 */
#include "../core/linkbox.h"

const char orphans_usage[] =
"Usage: orphans [OPTION]... PATH...\n"
"List the regular files under the PATHs that nothing else links to (link\n"
"count 1): the orphans of a content pool.\n"
"\n"
"  -0, --null          end each record with NUL, not newline\n"
"  -J, --json          one JSON document; --json-lines: an object a line\n"
"  -j, --jobs=N        processes reading the tree (default: CPUs, max 8)\n"
"  -d, --delete        remove them, race-free, and print a summary\n"
"  -n, --dry-run       say what -d would remove and free; change nothing\n"
"  -v, --verbose       with -d, say what was removed\n"
"  -h, --human-readable  bytes in the summary as 1.5K, 12M, 3.0G\n"
"  -x, --one-file-system  do not descend into other filesystems\n"
"      --links=N       orphans have at most N links (default 1)\n"
"      --older-than=AGE  only files whose ctime and mtime are older\n"
"                      (AGE: seconds, or a number and s, m, h or d)\n"
"      --min-size=N    only files of at least N bytes (K, M, G suffixes)\n"
"      --exclude=PAT   skip names (and directories) matching PAT\n"
"      --prune-dirs    with -d, remove the directories it emptied\n"
"      --help, --version\n"
"Exit: 0 none found (-d: none left), 1 some found (left), 2 trouble.\n";

enum {
	OPT_LINKS = OPT_FIRST_LONG_ONLY, OPT_OLDER, OPT_MIN_SIZE, OPT_EXCLUDE,
	OPT_PRUNE
};

static struct {
	bool delete, dry_run, verbose, human, prune;
	char end;
	int flags;
	unsigned long links;
	time_t before;		/* --older-than: changed before this (0: any) */
	unsigned long long min_size;
	const char **exclude;
	size_t nexclude;
} opt = { .end = '\n', .links = 1 };

static bool found;			/* an orphan is left */
static unsigned long long removed, freed;
static struct itab seen;		/* -n --links=N: names met per inode */
static bool *emptied;			/* --prune-dirs: a removal at depth */
static size_t emptied_cap;

static bool
is_orphan(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_nlink <= opt.links &&
	    (unsigned long long)st->st_size >= opt.min_size &&
	    (!opt.before || (st->st_ctim.tv_sec < opt.before &&
	    st->st_mtim.tv_sec < opt.before));
}

/* --prune-dirs: a removal happened at DEPTH, in the directory above. */
static void
mark_emptied(size_t depth)
{
	size_t old = emptied_cap;

	emptied = xgrow(emptied, &emptied_cap, depth + 1, 1);
	memset(emptied + old, 0, emptied_cap - old);
	emptied[depth] = true;
}

/* What became of PATH (stat ST, or NULL): ACTION is its JSON name (NULL:
 * PATH is an orphan, listed), VERB says it in text (NULL: nothing), AS is
 * the name a quarantined file was restored as. */
static void
tell(const char *path, const struct stat *st, const char *action,
    const char *verb, const char *as)
{
	if (json_form) {
		json_open();
		json_string("path", path);
		if (st) {
			json_number("links", st->st_nlink);
			json_number("size", st->st_size);
		}
		if (action)
			json_string("action", action);
		if (as)
			json_string("restored_as", as);
		json_close();
	} else if (!action) {
		out("%s%c", path, opt.end);
	} else if (verb) {
		out("%s %s", verb, quote(path));
		if (as)
			out(" as %s", quote(as));
		out("%c", opt.end);
	}
}

/* Count what removing E (stat ST) frees: its blocks once its last name
 * goes.  -n counts the names met of each inode instead. */
static void
count_removed(struct walk *e, const struct stat *st)
{
	struct inode *ino;
	bool added;

	removed++;
	mark_emptied(e->depth);
	if (st->st_nlink == 1) {
		freed += st->st_blocks * 512ULL;
		return;
	}
	ino = itab_get(&seen, st, &added);
	if (++ino->names == st->st_nlink)
		freed += st->st_blocks * 512ULL;
}

static void
kept(struct walk *e, const struct stat *was)
{
	found = true;
	tell(e->path, was, "kept", NULL, NULL);
}

/* A link(2) that looked the name up before it went aside may finish after
 * the check there, which saw LINKS names: then the file, open as FD, has
 * as many after the unlink, and gets E's back (not over a name taken
 * meanwhile).  A link that finishes after the unlink of the last name
 * fails: a file without names cannot gain one. */
static bool
relinked(int fd, struct walk *e, nlink_t links)
{
	char proc[32];
	struct stat st;

	if (fstat(fd, &st) == -1 || st.st_nlink < links)
		return false;
	msg_note("%s was linked while being removed; kept", quote(e->path));
	kept(e, &st);
	fmt(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, e->fd, e->name, AT_SYMLINK_FOLLOW) == -1 &&
	    linkat(fd, "", e->fd, e->name, AT_EMPTY_PATH) == -1)
		msg_warnsys("%s could not be put back; its other names keep "
		    "it", quote(e->path));
	return true;
}

/* Remove E, the orphan WAS, only if it still is one: move it aside to a
 * quarantine name, check it there, unlink it, or put it back. */
static void
remove_orphan(struct walk *e, const struct stat *was)
{
	char tmp[NAME_MAX + 1];
	struct stat st;
	int fd;

	if (atomic_aside(e->fd, e->name, "orphans", tmp) == -1) {
		msg_warnsys("cannot move %s aside to remove it", quote(e->path));
		kept(e, was);
		return;
	}
	fd = openat(e->fd, tmp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd != -1 && fstat(fd, &st) == 0 && same_inode(&st, was) &&
	    st.st_nlink <= opt.links) {
		if (unlinkat(e->fd, tmp, 0) == 0) {
			if (!relinked(fd, e, st.st_nlink)) {
				count_removed(e, &st);
				tell(e->path, &st, "removed",
				    opt.verbose ? "removed" : NULL, NULL);
			}
			close(fd);
			return;
		}
		msg_warnsys("cannot remove %s", quote(e->path));
	} else
		msg_note("%s was linked while being removed; kept",
		    quote(e->path));
	if (fd != -1)
		close(fd);
	kept(e, was);
	if (atomic_put_back(e->fd, tmp, e->name) == -1)
		msg_warnsys("%s could not be put back; it is now %s",
		    quote(e->path), quote(tmp));
}

/* E (stat ST) is a quarantine name a killed run left, for the name
 * BASE_LEN bytes long in it: finish the removal if the file is still an
 * orphan (by its links: the rename changed its ctime), else restore it. */
/* A put-back by link(2) (no RENAME_NOREPLACE) killed before its unlink:
 * BASE already names the quarantined file, so only the extra name goes. */
static bool
restored_by_link(struct walk *e, const struct stat *st, const char *base)
{
	struct stat bst;

	if (fstatat(e->fd, base, &bst, AT_SYMLINK_NOFOLLOW) == -1 ||
	    bst.st_dev != st->st_dev || bst.st_ino != st->st_ino)
		return false;
	if (!opt.dry_run && unlinkat(e->fd, e->name, 0) == -1)
		msg_warnsys("cannot remove %s", quote(e->path));
	else if (opt.dry_run)
		tell(e->path, st, "would_restore", "would restore", base);
	else
		tell(e->path, st, "restored", opt.verbose ? "restored" : NULL,
		    base);
	return true;
}

static void
finish_quarantine(struct walk *e, const struct stat *st, int base_len)
{
	char base[NAME_MAX + 1];
	bool orphan = st->st_nlink <= opt.links;

	memcpy(base, e->name + 1, base_len);
	base[base_len] = '\0';
	if (restored_by_link(e, st, base))
		return;
	if (opt.dry_run && orphan) {
		tell(e->path, st, "would_remove", "would remove", NULL);
		found = true;
		count_removed(e, st);
	} else if (opt.dry_run) {
		tell(e->path, st, "would_restore", "would restore", base);
	} else if (orphan && unlinkat(e->fd, e->name, 0) == 0) {
		count_removed(e, st);
		tell(e->path, st, "removed", opt.verbose ? "removed" : NULL,
		    NULL);
	} else if (orphan) {
		msg_warnsys("cannot remove %s", quote(e->path));
		tell(e->path, st, "kept", NULL, NULL);
	} else if (atomic_put_back(e->fd, e->name, base) == -1) {
		msg_warnsys("cannot restore %s as %s", quote(e->path),
		    quote(base));
		tell(e->path, st, "kept", NULL, NULL);
	} else {
		tell(e->path, st, "restored", opt.verbose ? "restored" : NULL,
		    base);
	}
}

/* --prune-dirs: E, a directory seen again after its contents, is removed
 * if removals emptied it; a directory that cannot go (not empty) stays. */
static void
prune(struct walk *e)
{
	if (e->depth + 1 >= emptied_cap || !emptied[e->depth + 1])
		return;
	emptied[e->depth + 1] = false;
	if (e->depth == 0 || unlinkat(e->fd, e->name, AT_REMOVEDIR) == -1)
		return;
	mark_emptied(e->depth);
	tell(e->path, NULL, "removed_directory",
	    opt.verbose ? "removed" : NULL, NULL);
}

static int
visit(struct walk *e, void *arg)
{
	struct stat st;
	int base_len;

	(void)arg;
	if (e->post) {
		prune(e);
		return WALK_NEXT;
	}
	if (e->depth && glob_any(opt.exclude, opt.nexclude, e->name))
		return WALK_PRUNE;
	if (e->type != DT_REG)
		return WALK_NEXT;
	if (!walk_stat(e, &st))
		return WALK_NEXT;
	if ((base_len = atomic_is_temp(e->name, "orphans")) != -1) {
		if (opt.delete && S_ISREG(st.st_mode))
			finish_quarantine(e, &st, base_len);
		return WALK_NEXT;
	}
	if (!is_orphan(&st))
		return WALK_NEXT;
	if (!opt.delete) {
		tell(e->path, &st, NULL, NULL, NULL);
		found = true;
	} else if (opt.dry_run) {
		tell(e->path, &st, "would_remove", "would remove", NULL);
		count_removed(e, &st);
		found = true;
	} else
		remove_orphan(e, &st);
	return WALK_NEXT;
}

int
orphans_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "null", no_argument, NULL, '0' },
		{ "delete", no_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "human-readable", no_argument, NULL, 'h' },
		{ "one-file-system", no_argument, NULL, 'x' },
		{ "links", required_argument, NULL, OPT_LINKS },
		{ "older-than", required_argument, NULL, OPT_OLDER },
		{ "min-size", required_argument, NULL, OPT_MIN_SIZE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "prune-dirs", no_argument, NULL, OPT_PRUNE },
		OPT_JSON,
		OPT_JOBS,
		OPT_STANDARD
	};
	unsigned long long age = 0;
	struct timespec now;
	char bytes[32], **paths;
	int c;

	opt.exclude = xmalloc(argc * sizeof(*opt.exclude));
	while ((c = opt_next(argc, argv, "Jj:0dnvhx", longs)) != -1) {
		switch (c) {
		case '0': opt.end = '\0'; break;
		case 'd': opt.delete = true; break;
		case 'n': opt.dry_run = opt.delete = true; break;
		case 'v': opt.verbose = true; break;
		case 'h': opt.human = true; break;
		case 'x': opt.flags |= WALK_XDEV; break;
		case OPT_PRUNE: opt.prune = true; break;
		case OPT_EXCLUDE: opt.exclude[opt.nexclude++] = optarg; break;
		case OPT_LINKS:
			opt.links = opt_number(optarg, "link count");
			if (opt.links < 1)
				msg_usage("--links must be at least 1");
			break;
		case OPT_OLDER:
			age = opt_seconds(optarg, "age");
			break;
		case OPT_MIN_SIZE:
			opt.min_size = opt_size(optarg, "size");
			break;
		}
	}
	if (opt.prune && !opt.delete)
		msg_usage("--prune-dirs goes with -d");
	if (json_form && (opt.human || !opt.end))
		msg_usage("-0 and -h do not go with --json");
	opt_operands(argc, argv, 1, -1);
	if (age) {
		clock_read(CLOCK_REALTIME, &now);
		opt.before = now.tv_sec - (time_t)age;
	}
	if (opt.prune)
		opt.flags |= WALK_POST;
	for (paths = path_operands(argc, argv, NULL, opt.flags & WALK_XDEV);
	    *paths; paths++)
		walk_tree(*paths, opt.flags | WALK_AHEAD_STAT, visit, NULL);
	if (json_form && opt.delete) {
		json_summary();
		json_number("removed", removed);
		json_number("bytes_freed", freed);
	}
	if (json_form)
		json_end();
	else if (opt.delete)
		msg_note("%llu files %s, %s bytes %s", removed,
		    opt.dry_run ? "would be removed" : "removed",
		    fmt_bytes(bytes, freed, opt.human),
		    opt.dry_run ? "would be freed" : "freed");
	return exit_status ? exit_status : found;
}
