/* findlinks - every name of an inode.
 *
 * usage: findlinks [-0] [--all-paths] FILE [PATH...]
 *        findlinks [-0] [--all-paths] -f FILE [-f FILE]... [PATH...]
 *        findlinks -a [-x] [-0 | -1 | -s] [PATH...]
 *
 * Prints every path under the PATHs that is FILE (same device and inode),
 * one a line.  The PATHs default to the mount point of FILE's filesystem,
 * so a bare "findlinks FILE" finds all its names.  Directory entries are
 * compared by d_ino and only candidates are stat'ed; other filesystems
 * are skipped, hard links never cross them; the walk stops once all
 * st_nlink names are found (--all-paths goes on, e.g. through bind
 * mounts).  With several -f FILEs, one walk finds them all and each line
 * is FILE<TAB>PATH.  Names FILE has outside the PATHs are reported on
 * stderr: "findlinks: 'f': 2 of 3 names found; 1 outside the searched
 * paths".
 *
 * -a lists every multiply-linked non-directory under the PATHs (default
 * "."), grouped by file: a header "DEV:INO: N links, M found", then its
 * paths, each after a tab; -1 prints one line per name, "DEV:INO<TAB>N
 * <TAB>PATH", -0 the same ending in NUL, -s a summary only.
 *
 * Exit status: 0 all names found (-a: done), 1 some names are outside the
 * PATHs, 2 trouble.
 */
#include "../core/linkbox.h"

const char findlinks_usage[] =
"Usage: findlinks [OPTION]... FILE [PATH]...\n"
"   or: findlinks [OPTION]... -f FILE [-f FILE]... [PATH]...\n"
"   or: findlinks -a [-x] [-0 | -1 | -s] [PATH]...\n"
"Print every name of FILE under the PATHs (default: FILE's filesystem).\n"
"\n"
"  -f, --file=FILE   a file to find (repeatable); lines are FILE TAB PATH\n"
"  -0, --null        end each record with NUL, not newline\n"
"  -J, --json        one JSON document; --json-lines: an object a line\n"
"  -j, --jobs=N      processes reading the tree (default: CPUs, max 8)\n"
"      --all-paths   go on after all names are found (bind mounts)\n"
"  -a, --all         group every multiply-linked file under the PATHs\n"
"  -1, --one-line    with -a: DEV:INO TAB LINKS TAB PATH per name\n"
"  -s, --summary     with -a: counts only\n"
"  -x, --one-file-system  with -a: stay on each PATH's filesystem\n"
"      --help, --version\n"
"Exit: 0 all names found, 1 some outside the PATHs, 2 trouble.\n";

enum { OPT_ALL_PATHS = OPT_FIRST_LONG_ONLY };

struct target {
	const char *arg;
	struct stat st;
	unsigned long found;
};

struct name {
	size_t next;		/* the next name of the same inode, or -1 */
	size_t path;		/* its offset in paths */
};

static struct {
	bool all, one_line, summary, all_paths, several;
	char end;
	int flags;
} opt = { .end = '\n' };

static struct target *targets;
static size_t ntargets, left;	/* left: names still to find */
static struct itab inodes;
static struct name *names;
static size_t nnames, capnames;
/* The paths of -a, one after the other: a block each would cost twice
 * their size in a big tree. */
static char *paths;
static size_t npaths, cappaths;

static int
find_visit(struct walk *e, void *arg)
{
	struct stat st;
	size_t i;

	(void)arg;
	if (e->type == DT_DIR)
		return WALK_NEXT;
	for (i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];

		if (t->st.st_ino != e->ino || fstatat(e->fd, e->name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || st.st_ino != t->st.st_ino ||
		    st.st_dev != t->st.st_dev)
			continue;
		if (json_form) {
			json_open();
			json_string("file", t->arg);
			json_string("path", e->path);
			json_close();
		} else if (opt.several) {
			out("%s\t%s%c", t->arg, e->path, opt.end);
		} else {
			out("%s%c", e->path, opt.end);
		}
		if (t->found++ < t->st.st_nlink && --left == 0 &&
		    !opt.all_paths)
			return WALK_STOP;
	}
	return WALK_NEXT;
}

static int
group_visit(struct walk *e, void *arg)
{
	struct inode *ino;
	struct stat st;
	bool added;
	size_t len;

	(void)arg;
	if (e->type == DT_DIR)
		return WALK_NEXT;
	if (!walk_stat(e, &st))
		return WALK_NEXT;
	if (st.st_nlink < 2)
		return WALK_NEXT;
	ino = itab_get(&inodes, &st, &added);
	names = xgrow(names, &capnames, nnames + 1, sizeof(*names));
	/* Push front, then reverse on output: names in walk order. */
	names[nnames].next = added ? (size_t)-1 : ino->names;
	names[nnames].path = npaths;
	len = strlen(e->path) + 1;
	paths = xgrow(paths, &cappaths, npaths + len, 1);
	memcpy(paths + npaths, e->path, len);
	npaths += len;
	ino->names = nnames++;
	ino->found++;
	return WALK_NEXT;
}

static void
print_groups(void)
{
	unsigned long long found = 0, outside = 0;
	size_t i, n, prev, next;

	for (i = 0; i < inodes.n; i++) {
		struct inode *g = &inodes.v[i];

		found += g->found;
		outside += g->found < g->nlink ? g->nlink - g->found : 0;
		if (opt.summary)
			continue;
		for (prev = (size_t)-1, n = g->names; n != (size_t)-1;
		    prev = n, n = next) {
			next = names[n].next;
			names[n].next = prev;
		}
		if (!opt.one_line && !json_form)
			out("%llu:%llu: %lu links, %lu found\n",
			    (unsigned long long)g->dev,
			    (unsigned long long)g->ino, g->nlink, g->found);
		for (n = prev; n != (size_t)-1; n = names[n].next) {
			if (json_form) {
				json_open();
				json_number("dev", g->dev);
				json_number("ino", g->ino);
				json_number("links", g->nlink);
				json_string("path", paths + names[n].path);
				json_close();
			} else if (opt.one_line)
				out("%llu:%llu\t%lu\t%s%c",
				    (unsigned long long)g->dev,
				    (unsigned long long)g->ino, g->nlink,
				    paths + names[n].path, opt.end);
			else
				out("\t%s\n", paths + names[n].path);
		}
	}
	if (json_form) {
		json_summary();
		json_number("files_with_several_names", inodes.n);
		json_number("names_found", found);
		json_number("names_outside", outside);
		json_end();
	} else if (opt.summary)
		out("files with several names: %zu\nnames found: %lu\n"
		    "names outside the searched paths: %lu\n", inodes.n,
		    (unsigned long)found, (unsigned long)outside);
}

/* The mount point of the filesystem holding the entry PATH (on device
 * DEV): its highest ancestor on the same device. */
static char *
mount_point(const char *path, dev_t dev)
{
	char *cur = path_canon_entry(path), *up;
	struct stat st;

	if (!cur)
		msg_diesys("%s", quote(path));
	while (strcmp(cur, "/")) {
		up = path_dir(cur);
		if (stat(up, &st) == -1 || st.st_dev != dev) {
			free(up);
			break;
		}
		free(cur);
		cur = up;
	}
	return cur;
}

/* Walk PATH for the targets: itself when it is on their filesystem,
 * else where theirs is mounted below it, if it is. */
static int
search(const char *path)
{
	char *cpath, *mount, *sub;
	struct stat st;
	size_t i, len;
	int r = 0;

	if (lstat(path, &st) == -1) {
		msg_warnsys("%s", quote(path));
		return 0;
	}
	for (i = 0; i < ntargets; i++)
		if (st.st_dev == targets[i].st.st_dev)
			return walk_tree(path, WALK_XDEV | WALK_AHEAD,
			    find_visit, NULL);
	cpath = path_canon_entry(path);
	len = cpath ? strlen(cpath) : 0;
	for (i = 0; cpath && i < ntargets && r == 0; i++) {
		if (i && targets[i].st.st_dev == targets[i - 1].st.st_dev)
			continue;
		mount = mount_point(targets[i].arg, targets[i].st.st_dev);
		if (path_inside(mount, cpath)) {
			sub = xformat("%s%s%s", path, len == 1 ? "/" : "",
			    mount + len);
			r = walk_tree(sub, WALK_XDEV | WALK_AHEAD,
			    find_visit, NULL);
			free(sub);
		}
		free(mount);
	}
	free(cpath);
	return r;
}

static void
add_target(const char *arg)
{
	struct target *t = &targets[ntargets];
	size_t i;

	t->arg = arg;
	t->found = 0;
	if (lstat(arg, &t->st) == -1)
		msg_diesys("%s", quote(arg));
	if (S_ISDIR(t->st.st_mode))
		msg_die("%s is a directory: its names are not hard links",
		    quote(arg));
	/* A file given twice, by any of its names, is searched once. */
	for (i = 0; i < ntargets; i++)
		if (same_inode(&targets[i].st, &t->st))
			return;
	left += t->st.st_nlink;
	ntargets++;
}

int
findlinks_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "null", no_argument, NULL, '0' },
		{ "all-paths", no_argument, NULL, OPT_ALL_PATHS },
		{ "all", no_argument, NULL, 'a' },
		{ "one-line", no_argument, NULL, '1' },
		{ "summary", no_argument, NULL, 's' },
		{ "one-file-system", no_argument, NULL, 'x' },
		OPT_JSON,
		OPT_JOBS,
		OPT_STANDARD
	};
	char **paths, *mount = NULL;
	unsigned long long found = 0, outside = 0;
	size_t i;
	int c;

	targets = xmalloc(argc * sizeof(*targets));
	while ((c = opt_next(argc, argv, "Jj:f:01asx", longs)) != -1) {
		switch (c) {
		case 'f': add_target(optarg); opt.several = true; break;
		case '0': opt.end = '\0'; break;
		case OPT_ALL_PATHS: opt.all_paths = true; break;
		case 'a': opt.all = true; break;
		case '1': opt.one_line = true; break;
		case 's': opt.summary = true; break;
		case 'x': opt.flags |= WALK_XDEV; break;
		}
	}
	if (json_form && (opt.one_line || !opt.end))
		msg_usage("-0 and -1 do not go with --json");
	if (opt.all) {
		if (ntargets || opt.all_paths)
			msg_usage("-a takes no -f or --all-paths");
		if (opt.summary && (opt.one_line || !opt.end))
			msg_usage("-s excludes -1 and -0");
		opt.one_line |= !opt.end;
		paths = path_operands(argc, argv, ".", opt.flags & WALK_XDEV);
		for (; *paths; paths++)
			walk_tree(*paths, opt.flags | WALK_AHEAD_STAT,
			    group_visit, NULL);
		print_groups();
		return exit_status;
	}
	if (opt.one_line || opt.summary || opt.flags)
		msg_usage("-1, -s and -x go with -a");
	if (!ntargets) {
		opt_operands(argc, argv, 1, -1);
		add_target(argv[optind++]);
	}
	if (optind == argc) {
		/* Every name of a file is on its own filesystem. */
		for (i = 1; i < ntargets; i++)
			if (targets[i].st.st_dev != targets[0].st.st_dev)
				msg_usage("the files are on different "
				    "filesystems: give the PATHs to search");
		mount = mount_point(targets[0].arg, targets[0].st.st_dev);
	}
	for (paths = path_operands(argc, argv, mount, false);
	    *paths && (left || opt.all_paths); paths++)
		if (search(*paths) == -1)
			break;
	free(mount);
	for (i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];

		found += t->found;
		outside += t->found < t->st.st_nlink ? t->st.st_nlink -
		    t->found : 0;
		/* Names elsewhere are a finding (1), not trouble (2). */
		if (t->found < t->st.st_nlink)
			msg_fail("%s: %lu of %lu names found; %lu outside the "
			    "searched paths", quote(t->arg), t->found,
			    (unsigned long)t->st.st_nlink,
			    (unsigned long)t->st.st_nlink - t->found);
	}
	if (json_form) {
		json_summary();
		json_number("names_found", found);
		json_number("names_outside", outside);
		json_end();
	}
	return exit_status;
}
