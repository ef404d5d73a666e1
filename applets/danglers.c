/* danglers - find, classify and safely remove dangling symbolic links.
 *
 * usage: danglers [-0lqvx] [-d [--notdir] | -n] [--root DIR] [PATH...]
 *
 * Lists every symbolic link under the PATHs (default ".") whose target
 * does not resolve.  -l adds why (missing: ENOENT; notdir: a component is
 * not a directory; loop: ELOOP; denied: EACCES, so the target may well
 * exist; other) and the link's text.  --root DIR resolves every link as
 * if DIR were "/": absolute links and ".." stay inside DIR, as they would
 * in a chroot or on the device a root filesystem image is made for.
 *
 * -d removes the links found missing (and notdir with --notdir), and
 * nothing else: each is first renamed to a private name with
 * RENAME_NOREPLACE, checked there to be the very symlink examined (same
 * inode, same text, still dangling the same way), and only then unlinked;
 * anything else is put back.  A regular file swapped in under the name is
 * never removed.  -n shows what -d would remove.
 *
 * Exit status (like diff): 0 no dangling links (with -d: none left, all
 * those found were removed), 1 some found (left), 2 trouble (an
 * unreadable directory, a usage error).  With -0 every record on
 * standard output ends in NUL, the lines of -n and -v too.
 */
#include "../core/linkbox.h"

const char danglers_usage[] =
"Usage: danglers [OPTION]... [PATH]...\n"
"List the symbolic links under the PATHs (default .) that do not resolve.\n"
"\n"
"  -l, --long        add the cause and the link text: CAUSE TAB PATH TAB\n"
"                    TEXT; causes: missing notdir loop denied other\n"
"  -0, --null        end records (with -l: fields) with NUL\n"
"  -J, --json        one JSON document; --json-lines: an object a line\n"
"  -j, --jobs=N      processes reading the tree (default: CPUs, max 8)\n"
"  -q, --quiet       print nothing; the exit status tells\n"
"  -d, --delete      remove the links found missing, race-free\n"
"      --notdir      with -d, also remove those found notdir\n"
"  -n, --dry-run     say what -d would remove, change nothing\n"
"  -v, --verbose     with -d, say what was removed\n"
"  -x, --one-file-system  do not descend into other filesystems\n"
"      --root=DIR    resolve links as if DIR were /\n"
"      --help, --version\n"
"Exit: 0 none found (-d: none left), 1 some found (left), 2 trouble.\n";

enum { OPT_NOTDIR = OPT_FIRST_LONG_ONLY, OPT_ROOT };

static struct {
	bool lng, quiet, delete, notdir, dry_run, verbose;
	char end;
	int flags;
	const char *root;
} opt = { .end = '\n' };
static struct resolve root;	/* --root, or the host's */

static bool found;
static unsigned long long ndangling, nremoved;

/* The JSON record of a dangling link: ACTION is what -d did, or NULL. */
static void
json_record(const char *path, const char *text, enum resolve_cause why,
    const char *action)
{
	json_open();
	json_string("path", path);
	json_string("cause", resolve_causes[why]);
	json_string("target", text);
	if (action)
		json_string("action", action);
	json_close();
}

/* Whether the symlink NAME in FD, reading TEXT, fails to resolve, and
 * why.  PATH's first DIRLEN bytes are its directory, for --root. */
static bool
dangles(int fd, const char *name, const char *path, size_t dirlen,
    const char *text, enum resolve_cause *why)
{
	struct stat st;

	if (resolve_link(&root, fd, name, path, dirlen, text, &st) == 0)
		return false;
	*why = resolve_cause(errno);
	return true;
}

static void
report(const char *path, const char *text, enum resolve_cause why)
{
	if (opt.quiet)
		return;
	if (opt.lng)
		out("%s%c%s%c%s%c", resolve_causes[why], opt.end ? '\t' : '\0', path,
		    opt.end ? '\t' : '\0', text, opt.end);
	else
		out("%s%c", path, opt.end);
}

static int
visit(struct walk *e, void *arg)
{
	size_t dirlen = strlen(e->path) - strlen(e->name);
	char text[PATH_MAX];
	enum resolve_cause why = CAUSE_OTHER;
	const char *action = opt.delete ? "kept" : NULL;
	ssize_t n;

	(void)arg;
	if (e->type != DT_LNK)
		return WALK_NEXT;
	/* Read the link's text only where it is needed: --root resolves it
	 * itself; -l prints it; -d checks it again before removing. */
	text[0] = '\0';
	if (root.fd == -1 &&
	    !dangles(e->fd, e->name, e->path, dirlen, text, &why))
		return WALK_NEXT;
	if (root.fd != -1 || opt.lng || opt.delete || json_form) {
		n = readlinkat(e->fd, e->name, text, sizeof(text) - 1);
		if (n == -1) {
			msg_warnsys("%s", quote(e->path));
			return WALK_NEXT;
		}
		text[n] = '\0';
	}
	if (root.fd != -1 &&
	    !dangles(e->fd, e->name, e->path, dirlen, text, &why))
		return WALK_NEXT;
	ndangling++;
	if (!json_form)
		report(e->path, text, why);
	if (opt.quiet && !opt.delete) {
		found = true;
		return WALK_STOP;
	}
	/* With -d, a dangling link removed is no longer a finding. */
	if (!opt.delete || !(why == CAUSE_MISSING ||
	    (why == CAUSE_NOTDIR && opt.notdir)))
		found = true;
	else if (opt.dry_run) {
		if (!json_form)
			out("would remove %s%c", quote(e->path), opt.end);
		action = "would_remove";
		found = true;
	} else if (!resolve_remove(&root, e->fd, e->name, e->path, dirlen,
	    text, why, "danglers")) {
		found = true;
	} else {
		if (opt.verbose && !json_form)
			out("removed %s%c", quote(e->path), opt.end);
		action = "removed";
		nremoved++;
	}
	if (json_form)
		json_record(e->path, text, why, action);
	return WALK_NEXT;
}

int
danglers_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "long", no_argument, NULL, 'l' },
		{ "null", no_argument, NULL, '0' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "delete", no_argument, NULL, 'd' },
		{ "notdir", no_argument, NULL, OPT_NOTDIR },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "one-file-system", no_argument, NULL, 'x' },
		{ "root", required_argument, NULL, OPT_ROOT },
		OPT_JSON,
		OPT_JOBS,
		OPT_STANDARD
	};
	char **paths;
	int c;

	while ((c = opt_next(argc, argv, "Jj:l0qdnvx", longs)) != -1) {
		switch (c) {
		case 'l': opt.lng = true; break;
		case '0': opt.end = '\0'; break;
		case 'q': opt.quiet = true; break;
		case 'd': opt.delete = true; break;
		case OPT_NOTDIR: opt.notdir = true; break;
		case 'n': opt.dry_run = opt.delete = true; break;
		case 'v': opt.verbose = true; break;
		case 'x': opt.flags |= WALK_XDEV; break;
		case OPT_ROOT: opt.root = optarg; break;
		}
	}
	if (opt.notdir && !opt.delete)
		msg_usage("--notdir goes with -d or -n");
	if (json_form && (opt.quiet || !opt.end))
		msg_usage("-0 and -q do not go with --json");
	resolve_open(&root, opt.root);
	paths = path_operands(argc, argv, opt.root ? opt.root : ".",
	    opt.flags & WALK_XDEV);
	for (; *paths; paths++) {
		if (!resolve_enter(&root, *paths))
			continue;
		if (walk_tree(*paths, opt.flags | (opt.root ?
		    WALK_AHEAD_LINKS : WALK_AHEAD_TARGET), visit,
		    NULL) == -1)
			break;
		resolve_leave(&root);
	}
	if (json_form) {
		json_summary();
		json_number("dangling", ndangling);
		if (opt.delete)
			json_number("removed", nremoved);
		json_end();
	}
	if (exit_status)
		return exit_status;
	return found;
}
