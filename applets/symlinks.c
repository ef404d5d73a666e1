/* symlinks - list, convert and clean symbolic links, as symlinks(8) does,
 * correctly and inside root filesystem images too.
 *
 * usage: symlinks [-cdorstv0] [--root=DIR] [--absolute] [--rewrite=OLD=NEW]
 *                 DIR...
 *
 * Each symbolic link in the DIRs (-r: below them, on their filesystems)
 * is printed as "CLASS: PATH -> TEXT", the classes of symlinks(8):
 * dangling, other_fs (resolves to another filesystem; -o: no such class,
 * those links are classed as the others), absolute, messy (//, /./,
 * a/.., a trailing /), lengthy (-s: more ".." than needed) and relative
 * (only with -v).  -c makes absolute links relative and cleans messy and
 * lengthy ones; -d removes the dangling ones whose target is missing; -t
 * says what -c and -d would do.
 *
 * Unlike symlinks(8): a new text is computed lexically but kept only if
 * it leads to the very inode the old one leads to, judged by resolving
 * both (through symlinked directories such as a merged /usr); --root
 * resolves every text as if DIR were "/", so that the links of an image
 * stay inside it; every change is a new link renamed over the old one
 * (the name never disappears) after checking that the old one is still
 * what was read; -d removes only missing targets, race-free.
 *
 * Exit status: 0 nothing needs attention (or all of it was fixed), 1 some
 * links need attention (dangling, absolute, messy or lengthy ones left)
 * or a change failed, 2 trouble.
 */
#include "../core/linkbox.h"

const char symlinks_usage[] =
"Usage: symlinks [OPTION]... DIR...\n"
"List the symbolic links in each DIR by class: dangling, other_fs,\n"
"absolute, messy, lengthy (-s), relative (-v); convert and clean them.\n"
"\n"
"  -c              make absolute links relative, clean messy ones (and\n"
"                  lengthy ones with -s); each change is checked and atomic\n"
"  -d              remove the dangling links whose target is missing\n"
"  -o              treat links to other filesystems as any other (no\n"
"                  other_fs): list and change them\n"
"  -r              recurse into subdirectories (on the DIR's filesystem)\n"
"  -s              find lengthy links: more \"..\" than needed\n"
"  -t              say what -c and -d would do, change nothing\n"
"  -v              also list relative links\n"
"  -0, --null      end each record with NUL, not newline\n"
"  -J, --json      one JSON document; --json-lines: an object a line\n"
"  -j, --jobs=N    processes reading the tree (default: CPUs, max 8)\n"
"      --root=DIR  resolve every link as if DIR were / (an image, a\n"
"                  sysroot); links are kept inside it\n"
"      --absolute  with -c: make relative links absolute instead\n"
"      --rewrite=OLD=NEW  with -c: retarget links whose text starts with\n"
"                  the directory OLD to NEW\n"
"      --help, --version\n"
"Exit: 0 nothing needs attention, 1 links need attention or a change\n"
"failed, 2 trouble.\n";

enum { OPT_ROOT = OPT_FIRST_LONG_ONLY, OPT_ABSOLUTE, OPT_REWRITE };

static struct {
	bool change, delete, other_fs, recursive, lengthy, test, verbose;
	bool absolute;
	char end;
	const char *root, *old, *new;
	size_t oldlen;
} opt = { .end = '\n' };

static struct resolve root;	/* --root, or the host's */
static char *shown;		/* the walked DIR as printed */
static char *canon;		/* the walked DIR, canonical (inside --root) */
static size_t dirlen0;		/* the length of its spelling */
static dev_t dir_dev;		/* its filesystem */
static bool attention;		/* something is left to fix */

/* TEXT in canonical form: no empty or "." components, no ".." at the
 * root and, with FOLD, "x/.." taken away lexically (which a symbolic
 * link on the way can make wrong: a result is always checked by
 * resolving it). */
static char *
tidy(const char *text, bool fold)
{
	char *copy = xformat("%s", text), *rest = copy, *comp;
	char *res = xmalloc(strlen(text) + 2), *end = res;
	const char **stack = xmalloc((strlen(text) / 2 + 1) * sizeof(*stack));
	size_t n = 0, i;

	while ((comp = path_next_component(&rest))) {
		if (strcmp(comp, "..")) {
			stack[n++] = comp;
			continue;
		}
		if (fold && n && strcmp(stack[n - 1], ".."))
			n--;
		else if (*text != '/' || n)
			stack[n++] = comp;
	}
	if (*text == '/')
		*end++ = '/';
	for (i = 0; i < n; i++)
		end += fmt(end, strlen(text) + 2 - (end - res), "%s%s",
		    i ? "/" : "", stack[i]);
	if (end == res)
		*end++ = '.';
	*end = '\0';
	free(stack);
	free(copy);
	return res;
}

/* Whether the relative TEXT, in the directory DIR, climbs above "/" by
 * its ".." (harmless at the real root, where ".." stays, but out of an
 * image for whoever looks at it from the host). */
static bool
climbs(const char *dir, const char *text)
{
	long depth = 0;
	const char *p;

	for (p = dir; *p; p++)
		depth += *p == '/' && p[1] && p[1] != '/';
	for (p = text; *p; p += strcspn(p, "/"), p += strspn(p, "/")) {
		if (p[0] == '.' && p[1] == '.' && (!p[2] || p[2] == '/')) {
			if (--depth < 0)
				return true;
		} else if (!(p[0] == '.' && (!p[1] || p[1] == '/')))
			depth++;
	}
	return false;
}

/* The relative text that leads from DIR to TARGET, both canonical.  A
 * TARGET that is DIR or above it is reached as symlinks(8) reaches it,
 * from its parent: "../../../tmp", not "../../..". */
static char *
relative_to(const char *target, const char *dir)
{
	const char *name = path_base(target);
	char *parent, *up, *rel;

	if (!path_inside(dir, target) || !strcmp(target, "/"))
		return path_relative(target, dir);
	parent = path_dir(target);
	up = path_relative(parent, dir);
	rel = xformat("%s/%s", up, name);
	free(parent);
	free(up);
	return rel;
}

/* S without its trailing slashes ("/" stays). */
static void
unslash(char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

/* How many ".." the relative TEXT starts with. */
static size_t
ups(const char *text)
{
	size_t n = 0;

	while (text[0] == '.' && text[1] == '.' && (!text[2] || text[2] == '/'))
		text += 2 + !!text[2], n++;
	return n;
}

/* The kinds of link -c changes, and what the applet prints for them. */
enum kind { FINE, ABSOLUTE, MESSY, LENGTHY, RELATIVE, REWRITE };

/* What -c makes of TEXT, a link in the directory DIR (canonical, inside
 * --root if any), in *NEW (NULL when it needs no change), and why. */
static enum kind
new_text(const char *text, const char *dir, char **new)
{
	char *joined, *folded, *clean;
	enum kind kind = FINE;

	*new = NULL;
	if (opt.old) {
		if (strncmp(text, opt.old, opt.oldlen) ||
		    (text[opt.oldlen] != '/' && text[opt.oldlen]))
			return FINE;
		*new = xformat("%s%s", opt.new, text + opt.oldlen);
		return REWRITE;
	}
	joined = *text == '/' ? xformat("%s", text) :
	    xformat("%s/%s", dir, text);
	folded = tidy(joined, true);
	free(joined);
	if (opt.absolute) {
		if (*text != '/')
			*new = folded;
		else
			free(folded);
		return *new ? RELATIVE : FINE;
	}
	*new = relative_to(folded, dir);
	free(folded);
	clean = tidy(text, true);
	if (*text == '/')
		kind = ABSOLUTE;
	else if (strcmp(clean, text) || (root.fd != -1 && climbs(dir, text)))
		kind = MESSY;
	else if (opt.lengthy && strcmp(*new, ".") && ups(*new) < ups(text))
		kind = LENGTHY;
	free(clean);
	if (kind == FINE) {
		free(*new);
		*new = NULL;
	}
	return kind;
}

/* A line of output: the link PATH reading TEXT is of CLASS, or was
 * changed or deleted; with --json, a record. */
static void
line(const char *class, const char *path, const char *text)
{
	if (json_form) {
		json_open();
		json_string("class", class);
		json_string("path", path);
		json_string("target", text);
		json_close();
		return;
	}
	/* symlinks(8) pads the class and its colon to 10 columns. */
	out("%s:%.*s%s -> %s%c", class, (int)(9 - strlen(class)),
	    "          ", path, text, opt.end);
}

/* Replace the link NAME in FD, read as OLD with the inode of WAS, by one
 * reading NEW: a temporary link renamed over it once NAME is checked to
 * be still the link read.  False, said, when it was not replaced. */
static bool
replace(int fd, const char *name, const char *path, const struct stat *was,
    const char *old, const char *new)
{
	char tmp[NAME_MAX + 1];
	struct stat now;

	if (atomic_temp(-1, new, 0, fd, name, "symlinks", tmp) == -1) {
		msg_failsys("cannot make the new link for %s", quote(path));
		return false;
	}
	if (fstatat(fd, name, &now, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !same_inode(&now, was) || !path_reads(fd, name, &now, old)) {
		msg_fail("%s changed meanwhile; left alone", quote(path));
	} else if (renameat(fd, tmp, fd, name) == 0)
		return true;
	else
		msg_failsys("cannot replace %s", quote(path));
	if (unlinkat(fd, tmp, 0) == -1)
		msg_warnsys("cannot remove the temporary %s beside %s",
		    quote(tmp), quote(path));
	return false;
}

/* The link E, reading TEXT and leading to TO, is of KIND and should
 * read NEW: with -c, change it if NEW leads to TO too (a rewrite: to
 * something at all); without, it needs attention. */
static void
convert(struct walk *e, const char *full, const char *text,
    const struct stat *to, size_t dirlen, enum kind kind, const char *new)
{
	struct stat lnk, then;

	if (!opt.change) {
		attention |= kind != RELATIVE;
		return;
	}
	if (resolve_link(&root, e->fd, NULL, e->path, dirlen, new, &then) ==
	    -1 || (kind != REWRITE && !same_inode(&then, to))) {
		if (kind == REWRITE)
			msg_failsys("%s: %s", quote(full), quote(new));
		else
			msg_fail("%s: %s would not lead to what %s leads to; "
			    "left alone", quote(full), quote(new),
			    quote(text));
		attention = true;
		return;
	}
	/* -t changes nothing: the link still needs attention. */
	if (opt.test)
		attention = true;
	else if (fstatat(e->fd, e->name, &lnk, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !replace(e->fd, e->name, e->path, &lnk, text, new)) {
		attention = true;
		return;
	}
	line("changed", full, new);
}

/* The canonical directory (inside --root) of the link at SUB below the
 * walked DIR, whose first LEN bytes are the path of that directory. */
static char *
link_dir(const char *sub, size_t len)
{
	const char *top = root.fd == -1 ? canon : root.inside;

	if (!strcmp(top, "/"))
		top = "";
	if (!*top && !len)
		return xformat("/");
	return xformat("%s%s%.*s", top, len ? "/" : "", (int)(len ? len - 1 :
	    0), sub);
}

static int
visit(struct walk *e, void *arg)
{
	static const char *const classes[] = {
		"relative", "absolute", "messy", "lengthy", "relative",
		"relative"
	};
	size_t dirlen = strlen(e->path) - strlen(e->name);
	char text[PATH_MAX], *full, *dir, *new;
	const char *sub;
	enum resolve_cause why;
	enum kind kind;
	struct stat to;
	ssize_t n;

	(void)arg;
	if (e->type == DT_DIR)
		return e->depth && !opt.recursive ? WALK_PRUNE : WALK_NEXT;
	if (e->type != DT_LNK || !e->depth)
		return WALK_NEXT;
	n = readlinkat(e->fd, e->name, text, sizeof(text) - 1);
	if (n == -1) {
		msg_warnsys("%s", quote(e->path));
		return WALK_NEXT;
	}
	text[n] = '\0';
	sub = e->path + dirlen0;
	sub += strspn(sub, "/");
	full = xformat("%s/%s", shown, sub);
	dir = link_dir(sub, strlen(sub) - strlen(e->name));
	if (resolve_link(&root, e->fd, e->name, e->path, dirlen, text, &to) ==
	    -1) {
		why = resolve_cause(errno);
		line("dangling", full, text);
		/* Links into a moved tree dangle: what --rewrite is for. */
		if (opt.old && new_text(text, dir, &new) == REWRITE) {
			convert(e, full, text, NULL, dirlen, REWRITE, new);
			free(new);
		} else if (!opt.delete || (why != CAUSE_MISSING &&
		    why != CAUSE_NOTDIR))
			attention = true;
		else if (opt.test || resolve_remove(&root, e->fd, e->name,
		    e->path, dirlen, text, why, "symlinks")) {
			line("deleted", full, text);
			attention |= opt.test;
		} else
			attention = true;
	} else {
		/* Without -o, a link to another filesystem is left as it is,
		 * unless messy or lengthy, as symlinks(8) does. */
		kind = new_text(text, dir, &new);
		if (to.st_dev != dir_dev && !opt.other_fs && kind != MESSY &&
		    kind != LENGTHY)
			line("other_fs", full, text);
		else {
			if (kind != FINE || *text == '/' || opt.verbose)
				line(*text == '/' ? "absolute" : classes[kind],
				    full, text);
			if (new)
				convert(e, full, text, &to, dirlen, kind, new);
		}
		free(new);
	}
	free(full);
	free(dir);
	return WALK_NEXT;
}

/* The directory the process is in, as symlinks(8) names it: $PWD when
 * that is where it is, else the real path. */
static char *
cwd_name(void)
{
	const char *pwd = getenv("PWD");
	struct stat a, b;

	if (pwd && *pwd == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
	    same_inode(&a, &b))
		return xformat("%s", pwd);
	return path_canon(".");
}

/* Walk the operand PATH, a directory (a symbolic link to one is
 * followed, as symlinks(8) does). */
static void
scan(const char *path)
{
	char *walked, *here = NULL, *joined;
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
		errno = ENOTDIR;
	else if (errno = 0, stat(path, &st) == 0)
		goto dir;
	msg_warnsys("%s", quote(path));
	return;
dir:
	walked = xformat("%s/", path);
	canon = path_canon(walked);
	if (!canon || !resolve_enter(&root, walked)) {
		if (!canon)
			msg_warnsys("%s", quote(path));
		free(canon);
		free(walked);
		return;
	}
	/* Printed as symlinks(8) prints it: joined to the cwd, tidied. */
	if (*path != '/' && !(here = cwd_name()))
		msg_diesys("cannot tell the current directory");
	joined = here ? xformat("%s/%s", here, path) : xformat("%s", path);
	shown = tidy(joined, true);
	if (!strcmp(shown, "/"))
		*shown = '\0';
	dirlen0 = strlen(walked);
	dir_dev = st.st_dev;
	walk_tree(walked, WALK_XDEV | (root.fd == -1 ? WALK_AHEAD_TARGET :
	    WALK_AHEAD_LINKS), visit, NULL);
	resolve_leave(&root);
	free(joined);
	free(here);
	free(shown);
	free(canon);
	free(walked);
}

int
symlinks_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "null", no_argument, NULL, '0' },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "absolute", no_argument, NULL, OPT_ABSOLUTE },
		{ "rewrite", required_argument, NULL, OPT_REWRITE },
		OPT_JSON,
		OPT_JOBS,
		OPT_STANDARD
	};
	char **paths, *eq;
	int c;

	while ((c = opt_next(argc, argv, "Jj:cdorstv0", longs)) != -1) {
		switch (c) {
		case 'c': opt.change = true; break;
		case 'd': opt.delete = true; break;
		case 'o': opt.other_fs = true; break;
		case 'r': opt.recursive = true; break;
		case 's': opt.lengthy = true; break;
		case 't': opt.test = true; break;
		case 'v': opt.verbose = true; break;
		case '0': opt.end = '\0'; break;
		case OPT_ROOT: opt.root = optarg; break;
		case OPT_ABSOLUTE: opt.absolute = true; break;
		case OPT_REWRITE:
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1])
				msg_usage("--rewrite takes OLD=NEW: %s",
				    quote(optarg));
			*eq = '\0';
			opt.old = optarg;
			opt.new = eq + 1;
			/* OLD is a directory: "/opt/a/" is "/opt/a". */
			unslash(optarg);
			unslash(eq + 1);
			opt.oldlen = strlen(opt.old);
			break;
		}
	}
	if ((opt.absolute || opt.old) && !opt.change && !opt.test)
		msg_usage("--%s goes with -c or -t",
		    opt.absolute ? "absolute" : "rewrite");
	if (opt.absolute && opt.old)
		msg_usage("--absolute and --rewrite exclude each other");
	if (json_form && !opt.end)
		msg_usage("-0 does not go with --json");
	if (opt.test)
		opt.change = true;
	opt_operands(argc, argv, 1, -1);
	resolve_open(&root, opt.root);
	/* Without -r a DIR inside another is not met by the other's walk:
	 * only -r drops it. */
	paths = opt.recursive ? path_operands(argc, argv, NULL, true) :
	    argv + optind;
	for (; *paths; paths++)
		scan(*paths);
	if (json_form)
		json_end();
	if (exit_status)
		return exit_status;
	return attention;
}
