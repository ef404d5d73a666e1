/* dedup - replace identical files with hard links, verified, crash-safe.
 *
 * usage: dedup [-hlnqvzJ0] [--json-lines] [-j N] [--keep=RULE]
 *              [--max-links=N] [--mtime] [--any-owner] [--any-group]
 *              [--any-mode] [--min-size=N]
 *              [--max-size=N] [--exclude=PATTERN]... PATH...
 *
 * Walks the PATHs, groups regular files by device and size (and mtime with
 * --mtime), narrows each group by a hash of the first HEAD bytes (two
 * processes read them), then confirms every match byte for byte by reading
 * the candidates side by side, the last block first.  A hash only sorts;
 * it never decides.  Identical files are linked only where owner, group
 * and mode agree (unless --any-*); the others are counted, so that the
 * user learns what --any-* would free.  Names already hard-linked
 * together are one file throughout.  A temporary name left by a killed
 * run is recognised and removed where that loses nothing.
 *
 * Each duplicate name is replaced so that it never disappears: the kept
 * file is linked under a temporary name beside it (never overwriting
 * anything), exchanged with the name (renameat2 RENAME_EXCHANGE), and the
 * displaced file is checked to be the very inode compared, with the same
 * size and mtime; a file written to since it was compared is exchanged
 * back and reported.  Where the exchange is unsupported, the name is
 * checked just before a rename(2) over it.  SIGINT and SIGTERM finish the
 * replacement under way, print the summary so far and end the run.
 *
 * The kept file: one with names outside the PATHs (relinking those would
 * not free it), then the most links, then the oldest (--keep changes
 * that).  EMLINK or --max-links starts a new kept file.
 *
 * Exit status: 0 all went as planned; 1 some names could not be linked
 * or were skipped because they changed (each reported); 2 trouble.
 *
 * This file parses the options and runs the stages, each in its own file:
 * scan.c (the walk), match.c (what is alike), relink.c (the links);
 * dedup.h holds what they share.
 */
#include "dedup.h"

const char dedup_usage[] =
"Usage: dedup [OPTION]... PATH...\n"
"Replace identical files under the PATHs with hard links to one of them.\n"
"\n"
"  -n, --dry-run       say what would be linked and freed; change nothing\n"
"  -l, --list          print the groups of identical files, blank line\n"
"                      between groups; change nothing\n"
"  -0, --null          end each record with NUL, not newline (with -l:\n"
"                      after each name and each group)\n"
"  -v, --verbose       print each link made: 'NAME' => 'KEPT', and each\n"
"                      identical file kept apart by owner, group or mode\n"
"  -h, --human-readable  bytes in the summary as 1.5K, 12M, 3.0G\n"
"  -J, --json          one JSON document; --json-lines: an object a line\n"
"  -j, --jobs=N        processes reading the tree (default: CPUs, max 8)\n"
"  -q, --quiet         no progress display\n"
"  -z, --empty         also link empty files\n"
"      --mtime         only link files with the same mtime\n"
"      --any-owner     link files of different owners\n"
"      --any-group     link files of different groups\n"
"      --any-mode      link files with different permissions\n"
"      --min-size=N    skip files smaller than N bytes (K, M, G suffixes)\n"
"      --max-size=N    skip files larger than N bytes\n"
"      --exclude=PAT   skip names (and directories) matching PAT\n"
"      --keep=RULE     file to keep: links (default), oldest, newest,\n"
"                      first (first found)\n"
"      --max-links=N   never give a file more than N links\n"
"      --help, --version\n"
"Exit: 0 done, 1 some names not linked or a temporary of a killed run\n"
"left alone (reported), 2 trouble.\n";

enum {
	OPT_MTIME = OPT_FIRST_LONG_ONLY, OPT_ANY_OWNER, OPT_ANY_GROUP,
	OPT_ANY_MODE, OPT_MIN_SIZE, OPT_MAX_SIZE, OPT_EXCLUDE, OPT_KEEP,
	OPT_MAX_LINKS, OPT_COLLIDE
};

struct dedup_opt dedup_opt = {
	.end = '\n', .max_size = ~0ULL, .max_links = ~0UL
};
struct dedup_sum dedup_sum;
volatile sig_atomic_t dedup_stop;
sigset_t dedup_stop_signals;

/* The progress line: how far the run is. */
static void
progress_text(char *buf, size_t cap)
{
	fmt(buf, cap, "%lu files scanned, %lu MiB compared",
	    (unsigned long)dedup_sum.scanned,
	    (unsigned long)(dedup_sum.compared >> 20));
}

static void
parse_options(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "list", no_argument, NULL, 'l' },
		{ "null", no_argument, NULL, '0' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "human-readable", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "empty", no_argument, NULL, 'z' },
		{ "mtime", no_argument, NULL, OPT_MTIME },
		{ "any-owner", no_argument, NULL, OPT_ANY_OWNER },
		{ "any-group", no_argument, NULL, OPT_ANY_GROUP },
		{ "any-mode", no_argument, NULL, OPT_ANY_MODE },
		{ "min-size", required_argument, NULL, OPT_MIN_SIZE },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "max-links", required_argument, NULL, OPT_MAX_LINKS },
		{ "test-hash-collisions", no_argument, NULL, OPT_COLLIDE },
		OPT_JSON,
		OPT_JOBS,
		OPT_STANDARD
	};
	static const char *const rules[] = {
		"links", "oldest", "newest", "first"
	};
	struct dedup_opt *opt = &dedup_opt;
	size_t i;
	int c;

	opt->exclude = xmalloc(argc * sizeof(*opt->exclude));
	while ((c = opt_next(argc, argv, "nl0vhqzJj:", longs)) != -1) {
		switch (c) {
		case 'n': opt->dry_run = true; break;
		case 'l': opt->list = true; break;
		case '0': opt->end = '\0'; break;
		case 'v': opt->verbose = true; break;
		case 'h': opt->human = true; break;
		case 'q': opt->quiet = true; break;
		case 'z': opt->empty = true; break;
		case OPT_MTIME: opt->mtime = true; break;
		case OPT_ANY_OWNER: opt->any_owner = true; break;
		case OPT_ANY_GROUP: opt->any_group = true; break;
		case OPT_ANY_MODE: opt->any_mode = true; break;
		case OPT_EXCLUDE: opt->exclude[opt->nexclude++] = optarg; break;
		case OPT_COLLIDE: opt->collide = true; break;
		case OPT_MIN_SIZE:
			opt->min_size = opt_size(optarg, "size");
			break;
		case OPT_MAX_SIZE:
			opt->max_size = opt_size(optarg, "size");
			break;
		case OPT_MAX_LINKS:
			opt->max_links = opt_number(optarg, "link count");
			if (opt->max_links < 2)
				msg_usage("--max-links must be at least 2");
			break;
		case OPT_KEEP:
			for (i = 0; i < 4 && strcmp(optarg, rules[i]); i++)
				;
			if (i == 4)
				msg_usage("invalid --keep rule %s (links, "
				    "oldest, newest or first)", quote(optarg));
			opt->keep = i;
			break;
		}
	}
	if (opt->list && opt->dry_run)
		msg_usage("-l and -n exclude each other");
	if (json_form && (opt->human || !opt->end))
		msg_usage("-0 and -h do not go with --json");
	if (opt->min_size > opt->max_size)
		msg_usage("--min-size is above --max-size");
	opt_operands(argc, argv, 1, -1);
}

static void
on_signal(int sig)
{
	dedup_stop = sig;
}

/* SIGINT, SIGTERM and SIGHUP end the run once the replacement under way
 * is finished: they are blocked around each one (relink.c). */
static void
catch_signals(void)
{
	struct sigaction sa;

	sigemptyset(&dedup_stop_signals);
	sigaddset(&dedup_stop_signals, SIGINT);
	sigaddset(&dedup_stop_signals, SIGTERM);
	sigaddset(&dedup_stop_signals, SIGHUP);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void
print_summary(void)
{
	const struct dedup_sum *sum = &dedup_sum;
	bool dry = dedup_opt.dry_run;
	char freed[32];

	if (json_form) {
		json_summary();
		json_number("scanned", sum->scanned);
		json_number("groups", sum->groups);
		json_number("relinked", sum->relinked);
		json_number("bytes_freed", sum->freed);
		json_number("changed", sum->changed);
		json_number("failed", sum->failed);
		json_number("kept_apart", sum->apart);
		return;
	}
	if (dedup_opt.list)
		return;
	out("files scanned: %llu%c" "duplicate groups: %llu%c" "%s: %llu%c"
	    "%s: %s%c" "skipped because they changed: %llu%c"
	    "not linked because of errors: %llu%c"
	    "kept apart by owner, group or mode: %llu%c",
	    sum->scanned, dedup_opt.end, sum->groups, dedup_opt.end,
	    dry ? "names that would be relinked" : "names relinked",
	    sum->relinked, dedup_opt.end,
	    dry ? "bytes that would be freed" : "bytes freed",
	    fmt_bytes(freed, sum->freed, dedup_opt.human), dedup_opt.end,
	    sum->changed, dedup_opt.end, sum->failed, dedup_opt.end,
	    sum->apart, dedup_opt.end);
}

int
dedup_main(int argc, char **argv)
{
	char **paths;

	parse_options(argc, argv);
	progress_start(!dedup_opt.quiet, progress_text);
	catch_signals();
	/* Paths inside another are dropped: no name is met twice. */
	for (paths = path_operands(argc, argv, NULL, false);
	    *paths && !dedup_stop; paths++)
		dedup_scan(*paths);
	/* Trouble in the walk is 2 (a warning, by dedup's policy); from here
	 * on a failure is a file left as it was, 1 (msg_fail). */
	dedup_match();
	progress_show(true);
	/* A run whose operands all failed examined nothing: no summary. */
	if (dedup_sum.scanned || !exit_status)
		print_summary();
	if (json_form)
		json_end();
	if (dedup_stop) {
		/* Die of the signal, as an interrupted command does. */
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		out_flush();
		sigaction(dedup_stop, &dfl, NULL);
		kill(getpid(), dedup_stop);
	}
	return exit_status ? exit_status :
	    dedup_sum.changed || dedup_sum.failed;
}
