/* linkcount - print the link counts of files.
 *
 * usage: linkcount [-L] [-0] [-c N | -m N | -M N] FILE...
 *        linkcount -r [-L] [-0] [-c N | -m N | -M N] PATH...
 *        linkcount -r --summary [--each] [-h] [-0] PATH...
 *
 * Prints "COUNT<TAB>NAME" for each FILE: its st_nlink, the number of
 * directory entries (hard links) that name its inode.  A symbolic link's
 * own count is printed unless -L follows it.  -c, -m and -M keep only the
 * files whose count is exactly, at least or at most N (-m and -M together
 * give a range): "linkcount -c 1 pool/f*" lists the pool files nothing else
 * links to.  Names are printed as they are; -0 ends each record with NUL
 * instead of a newline, so any name is unambiguous.
 *
 * -r walks the PATHs (never following symlinks) and does the same for
 * every non-directory in them.  --summary tells instead what deleting the
 * trees would free: each inode counted once, names inside the trees
 * against names elsewhere, and the disk space (st_blocks) of the files
 * whose every name is inside, against that of files kept alive by a name
 * outside.  --each says it for each PATH alone, one line each: what
 * deleting that one snapshot of a backup series gives back, which du
 * cannot tell.
 *
 * Exit status: 0 all operands examined, 1 some could not be, 2 usage.
 */
#include "../core/linkbox.h"

const char linkcount_usage[] =
"Usage: linkcount [-L] [-0] [-c N | -m N | -M N] FILE...\n"
"   or: linkcount -r [-L] [-0] [-c N | -m N | -M N] PATH...\n"
"   or: linkcount -r --summary [--each] [-h] [-0] PATH...\n"
"Print COUNT<TAB>NAME: the number of hard links of each FILE.\n"
"\n"
"  -r, --recursive    every non-directory under the PATHs\n"
"      --summary      with -r: what deleting the PATHs would free\n"
"      --each         with --summary: one line for each PATH alone:\n"
"                     NAMES<TAB>FILES<TAB>BYTES<TAB>FREED<TAB>PATH\n"
"  -h, --human-readable  with --summary: sizes as 1.5K, 12M, 3.0G\n"
"  -L, --dereference  count the file a symbolic link points to\n"
"  -0, --null         end each record with NUL, not newline\n"
"  -J, --json         one JSON document; --json-lines: an object a line\n"
"  -j, --jobs=N       processes reading the tree (default: CPUs, max 8)\n"
"  -c, --count=N      print only files with exactly N links\n"
"  -m, --min=N        print only files with at least N links\n"
"  -M, --max=N        print only files with at most N links\n"
"      --help         print this help\n"
"      --version      print the version\n";

enum { OPT_SUMMARY = OPT_FIRST_LONG_ONLY, OPT_EACH };

static struct {
	bool dereference, recursive, summary, each, human;
	char end;
	unsigned long min, max;
} opt = { .end = '\n', .max = ULONG_MAX };

static struct tally sum;
static bool walked;		/* the PATH could be examined */

static void
count_one(int fd, const char *name, const char *path)
{
	struct stat st;

	if (fstatat(fd, name, &st, opt.dereference ? 0 : AT_SYMLINK_NOFOLLOW)
	    == -1) {
		msg_warnsys("%s", quote(path));
		return;
	}
	if (st.st_nlink < opt.min || st.st_nlink > opt.max)
		return;
	if (!json_form) {
		out("%lu\t%s%c", (unsigned long)st.st_nlink, path, opt.end);
		return;
	}
	json_open();
	json_number("links", st.st_nlink);
	json_string("path", path);
	json_close();
}

/* Account for one entry of a walk. */
static void
add_up(int fd, const char *name, const char *path)
{
	struct stat st;

	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		msg_warnsys("%s", quote(path));
	else
		tally_add(&sum, &st);
}

static int
visit(struct walk *e, void *arg)
{
	(void)arg;
	if (e->post)
		return WALK_NEXT;
	walked = true;
	if (opt.summary)
		add_up(e->fd, e->name, e->path);
	else if (e->type != DT_DIR)
		count_one(e->fd, e->name, e->path);
	return WALK_NEXT;
}

static void
print_summary(void)
{
	char freed[24], kept[24];

	tally_settle(&sum);
	if (json_form) {
		json_summary();
		json_number("files", sum.files);
		json_number("files_with_several_names", sum.multi);
		json_number("names_inside", sum.inside);
		json_number("names_outside", sum.outside);
		json_number("bytes_freed", sum.freed);
		json_number("bytes_kept", sum.kept);
		return;
	}
	out("files: %llu\nfiles with several names: %llu\n"
	    "names inside: %llu\nnames outside: %llu\n"
	    "bytes freed by deleting: %s\n"
	    "bytes kept by names outside: %s\n", sum.files, sum.multi,
	    sum.inside, sum.outside, fmt_bytes(freed, sum.freed, opt.human),
	    fmt_bytes(kept, sum.kept, opt.human));
}

/* --each: the line of PATH, then a fresh start for the next. */
static void
print_each(const char *path)
{
	char bytes[24], freed[24];

	tally_settle(&sum);
	if (walked && json_form) {
		json_open();
		json_number("names_inside", sum.inside);
		json_number("files", sum.files);
		json_number("bytes", sum.bytes);
		json_number("bytes_freed", sum.freed);
		json_string("path", path);
		json_close();
	} else if (walked)
		out("%llu\t%llu\t%s\t%s\t%s%c", sum.inside, sum.files,
		    fmt_bytes(bytes, sum.bytes, opt.human),
		    fmt_bytes(freed, sum.freed, opt.human), path, opt.end);
	walked = false;
	tally_clear(&sum);
}

int
linkcount_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "dereference", no_argument, NULL, 'L' },
		{ "null", no_argument, NULL, '0' },
		{ "count", required_argument, NULL, 'c' },
		{ "min", required_argument, NULL, 'm' },
		{ "max", required_argument, NULL, 'M' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "each", no_argument, NULL, OPT_EACH },
		{ "human-readable", no_argument, NULL, 'h' },
		OPT_JSON,
		OPT_JOBS,
		OPT_STANDARD
	};
	bool exact = false, range = false;
	char **paths;
	int c;

	while ((c = opt_next(argc, argv, "Jj:L0c:hm:M:r", longs)) != -1) {
		switch (c) {
		case 'L':
			opt.dereference = true;
			break;
		case '0':
			opt.end = '\0';
			break;
		case 'c':
			opt.min = opt.max = opt_number(optarg, "count");
			exact = true;
			break;
		case 'm':
			opt.min = opt_number(optarg, "count");
			range = true;
			break;
		case 'M':
			opt.max = opt_number(optarg, "count");
			range = true;
			break;
		case 'r':
			opt.recursive = true;
			break;
		case OPT_SUMMARY:
			opt.summary = true;
			break;
		case OPT_EACH:
			opt.each = true;
			break;
		case 'h':
			opt.human = true;
			break;
		}
	}
	if (exact && range)
		msg_usage("-c cannot be combined with -m or -M");
	if (opt.min > opt.max)
		msg_usage("-m %lu is above -M %lu: nothing can match",
		    opt.min, opt.max);
	if (opt.summary && (!opt.recursive || exact || range ||
	    opt.dereference || (!opt.end && !opt.each)))
		msg_usage("--summary goes with -r alone");
	if (opt.each && !opt.summary)
		msg_usage("--each goes with --summary");
	if (opt.human && !opt.summary)
		msg_usage("-h goes with --summary");
	if (json_form && (opt.human || !opt.end))
		msg_usage("-h and -0 do not go with --json");
	opt_operands(argc, argv, 1, -1);
	/* Each PATH alone may hold another: each is then walked whole. */
	paths = opt.recursive && !opt.each ?
	    path_operands(argc, argv, NULL, false) : argv + optind;
	for (; *paths; paths++) {
		if (opt.recursive)
			walk_tree(*paths, WALK_AHEAD_STAT, visit, NULL);
		else
			count_one(AT_FDCWD, *paths, *paths);
		if (opt.each)
			print_each(*paths);
	}
	if (opt.summary && !opt.each)
		print_summary();
	if (json_form)
		json_end();
	return exit_status;
}
