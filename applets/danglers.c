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
enum cause { MISSING, NOTDIR, LOOP, DENIED, OTHER };
static const char *const causes[] = {
	"missing", "notdir", "loop", "denied", "other"
};

static struct {
	bool lng, quiet, delete, notdir, dry_run, verbose;
	char end;
	int flags;
	const char *root;
	int rootfd;
	const char *inside;	/* the walked PATH's place below --root */
	size_t pathlen;		/* length of the walked PATH's spelling */
} opt = { .end = '\n', .rootfd = -1 };

static bool found;

static enum cause
cause_of(int err)
{
	return err == ENOENT ? MISSING : err == ENOTDIR ? NOTDIR :
	    err == ELOOP ? LOOP : err == EACCES ? DENIED : OTHER;
}

/* Whether the symlink NAME in FD, reading TEXT, fails to resolve, and
 * why.  PATH's first DIRLEN bytes are its directory, for --root. */
static bool
dangles(int fd, const char *name, const char *path, size_t dirlen,
    const char *text, enum cause *why)
{
	struct stat st;
	char *full;
	int r;

	if (opt.rootfd == -1)
		r = fstatat(fd, name, &st, 0);
	else if (*text == '/')
		r = path_resolve_in(opt.rootfd, text);
	else {
		/* Relative to the link's directory, itself below the root. */
		full = xformat("%s/%.*s/%s", opt.inside, (int)(dirlen >
		    opt.pathlen ? dirlen - opt.pathlen : 0), path + opt.pathlen,
		    text);
		r = path_resolve_in(opt.rootfd, full);
		free(full);
	}
	if (r == 0)
		return false;
	*why = cause_of(errno);
	return true;
}

/* Remove NAME (in FD), the dangling symlink reading TEXT, only if it
 * still is exactly that: move it aside first, check it there (the same
 * inode, text and cause), then unlink it, or put it back. */
static bool
remove_link(int fd, const char *name, const char *path, size_t dirlen,
    const char *text, enum cause why)
{
	char tmp[NAME_MAX + 1], now[PATH_MAX];
	struct parent at;
	struct stat st, was;
	enum cause again;
	bool same, removed = false;
	ssize_t n;

	/* A PATH operand that is itself the link: work from its directory,
	 * where the link's text means what it meant. */
	if (parent_open(&at, fd, name) == -1) {
		msg_warnsys("%s", quote(at.dir ? at.dir : name));
		goto out;
	}
	fd = at.fd;
	name = at.name;
	if (fstatat(fd, name, &was, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISLNK(was.st_mode)) {
		msg_warn("%s changed before it could be removed; left alone",
		    quote(path));
		goto out;
	}
	if (atomic_aside(fd, name, "danglers", tmp) == -1) {
		msg_warnsys("cannot move %s aside to remove it", quote(path));
		goto out;
	}
	n = readlinkat(fd, tmp, now, sizeof(now) - 1);
	if (n >= 0)
		now[n] = '\0';
	same = fstatat(fd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode) && st.st_ino == was.st_ino && n >= 0 &&
	    !strcmp(now, text) && dangles(fd, tmp, path, dirlen, now, &again) &&
	    again == why;
	if (same && unlinkat(fd, tmp, 0) == 0) {
		if (opt.verbose)
			out("removed %s%c", quote(path), opt.end);
		removed = true;
		goto out;
	}
	if (same)
		msg_warnsys("cannot remove %s", quote(path));
	if (atomic_put_back(fd, tmp, name) == -1)
		msg_warnsys("%s could not be put back; it is now %s",
		    quote(path), quote(tmp));
	else if (!same)
		msg_warn("%s changed while being removed; left alone",
		    quote(path));
out:
	parent_close(&at);
	return removed;
}

static void
report(const char *path, const char *text, enum cause why)
{
	if (opt.quiet)
		return;
	if (opt.lng)
		out("%s%c%s%c%s%c", causes[why], opt.end ? '\t' : '\0', path,
		    opt.end ? '\t' : '\0', text, opt.end);
	else
		out("%s%c", path, opt.end);
}

static int
visit(struct walk *e, void *arg)
{
	size_t dirlen = strlen(e->path) - strlen(e->name);
	char text[PATH_MAX];
	enum cause why;
	ssize_t n;

	(void)arg;
	if (e->type != DT_LNK)
		return WALK_NEXT;
	/* Read the link's text only where it is needed: --root resolves it
	 * itself; -l prints it; -d checks it again before removing. */
	text[0] = '\0';
	if (opt.rootfd == -1 &&
	    !dangles(e->fd, e->name, e->path, dirlen, text, &why))
		return WALK_NEXT;
	if (opt.rootfd != -1 || opt.lng || opt.delete) {
		n = readlinkat(e->fd, e->name, text, sizeof(text) - 1);
		if (n == -1) {
			msg_warnsys("%s", quote(e->path));
			return WALK_NEXT;
		}
		text[n] = '\0';
	}
	if (opt.rootfd != -1 &&
	    !dangles(e->fd, e->name, e->path, dirlen, text, &why))
		return WALK_NEXT;
	report(e->path, text, why);
	if (opt.quiet && !opt.delete) {
		found = true;
		return WALK_STOP;
	}
	/* With -d, a dangling link removed is no longer a finding. */
	if (!opt.delete || !(why == MISSING || (why == NOTDIR && opt.notdir)))
		found = true;
	else if (opt.dry_run) {
		out("would remove %s%c", quote(e->path), opt.end);
		found = true;
	} else if (!remove_link(e->fd, e->name, e->path, dirlen, text, why))
		found = true;
	return WALK_NEXT;
}

/* With --root, where PATH lies below it: "" for the root itself. */
static bool
place_below_root(const char *path)
{
	static char *croot;
	char *cpath = path_canon_entry(path);
	struct stat st;
	size_t len;

	if (!croot)
		croot = path_canon(opt.root);
	if (!croot || !cpath || !path_inside(cpath, croot)) {
		msg_warn("%s is not inside the root %s", quote(path),
		    quote(opt.root));
		free(cpath);
		return false;
	}
	len = strlen(croot);
	opt.inside = xformat("%s", cpath + (len > 1 ? len : 0));
	opt.pathlen = strlen(path);
	/* A link given as PATH: its text is read from its directory. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		*strrchr(opt.inside, '/') = '\0';
		opt.pathlen = 0;
	}
	free(cpath);
	return true;
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
		OPT_STANDARD
	};
	char **paths;
	int c;

	while ((c = opt_next(argc, argv, "l0qdnvx", longs)) != -1) {
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
	if (opt.root) {
		opt.rootfd = openat(AT_FDCWD, opt.root, O_PATH | O_DIRECTORY |
		    O_CLOEXEC);
		if (opt.rootfd == -1)
			msg_diesys("%s", quote(opt.root));
	}
	paths = path_operands(argc, argv, opt.root ? opt.root : ".",
	    opt.flags & WALK_XDEV);
	for (; *paths; paths++) {
		if (opt.root && !place_below_root(*paths))
			continue;
		if (walk_tree(*paths, opt.flags, visit, NULL) == -1)
			break;
		if (opt.root)
			free((char *)opt.inside);
	}
	if (exit_status)
		return exit_status;
	return found;
}
