/* ln - make links between files: GNU coreutils ln, with atomic replacement.
 *
 * usage: ln [OPTION]... [-T] TARGET LINK_NAME
 *        ln [OPTION]... TARGET
 *        ln [OPTION]... TARGET... DIRECTORY
 *        ln [OPTION]... -t DIRECTORY TARGET...
 *
 * Options, messages and exit status (1 for any failure) are GNU ln's,
 * options may follow operands unless POSIXLY_CORRECT is set.  Where GNU
 * removes or renames the old name first, we never do: -f makes the new
 * link under a temporary name in the link's directory and rename(2)s it
 * over, and -b takes the backup as a hard link before that rename, so the
 * name always exists.  Extensions: --sync fsyncs the directory after each
 * change; --skip-same leaves a LINK_NAME that already is the requested
 * link alone.
 *
 * Standards: POSIX.1-2024 ln; GNU coreutils 9.x ln.
 */
#include "ln.h"

const char ln_usage[] =
"Usage: ln [OPTION]... [-T] TARGET LINK_NAME\n"
"  or:  ln [OPTION]... TARGET\n"
"  or:  ln [OPTION]... TARGET... DIRECTORY\n"
"  or:  ln [OPTION]... -t DIRECTORY TARGET...\n"
"  -s, --symbolic          symbolic links, not hard links\n"
"  -f, --force             replace existing names, atomically\n"
"  -i, --interactive       ask before replacing\n"
"  -b, --backup[=CONTROL]  back up what is replaced (-b: no CONTROL)\n"
"  -S, --suffix=SUFFIX     backup suffix, not ~\n"
"  -n, --no-dereference    a LINK_NAME symlink to a dir is a file\n"
"  -T, --no-target-directory   LINK_NAME is never a directory\n"
"  -t, --target-directory=DIR  make the links in DIR\n"
"  -r, --relative          relative symbolic links\n"
"  -L, --logical  -P, --physical  hard link what TARGET points at, or not\n"
"  -d, -F, --directory     allow hard links to directories\n"
"  -v, --verbose           print each link made\n"
"  --sync, --skip-same, --help, --version: see ln(1)\n";

enum { OPT_BACKUP = OPT_FIRST_LONG_ONLY, OPT_SYNC, OPT_SKIP_SAME };

static struct {
	bool symbolic, force, interactive, logical, relative, verbose;
	bool hard_dir, follow_dir, no_dir, sync, skip_same, record;
	const char *dir;	/* where the links go, or NULL: LINK_NAME */
	int dirfd;		/* dir, opened */
} opt = { .follow_dir = true, .dirfd = AT_FDCWD };

/* Hard links made so far, so that "ln -f a/f b/f c" does not replace
 * c/f, just made from a/f, with b/f: a later rm -r a would lose data. */
static struct made {
	dev_t dev;
	ino_t ino;
	struct made *next;
	char name[];
} *made;

static bool
was_made(const char *linkname, const struct stat *st)
{
	struct made *m;

	for (m = made; m; m = m->next)
		if (m->ino == st->st_ino && m->dev == st->st_dev &&
		    !strcmp(m->name, linkname))
			return true;
	return false;
}

static void
record(const char *linkname, const struct stat *st)
{
	struct made *m = xmalloc(sizeof(*m) + strlen(linkname) + 1);

	m->dev = st->st_dev;
	m->ino = st->st_ino;
	strcpy(m->name, linkname);
	m->next = made;
	made = m;
}

static int
make_link(const char *target, int dfd, const char *name)
{
	if (opt.symbolic)
		return symlinkat(target, dfd, name) ? errno : 0;
	return linkat(AT_FDCWD, target, dfd, name,
	    opt.logical ? AT_SYMLINK_FOLLOW : 0) ? errno : 0;
}

static int
replace_link(const char *target, int dfd, const char *name)
{
	int r = opt.symbolic ? atomic_symlink(target, dfd, name, "ln") :
	    atomic_link(AT_FDCWD, target, opt.logical ? AT_SYMLINK_FOLLOW : 0,
	    dfd, name, "ln");

	return r ? errno : 0;
}

/* NAME (in DFD, whose lstat is ST) already is exactly the link asked
 * for; TST is TARGET's stat. */
static bool
is_same_link(const char *target, const struct stat *tst,
    const struct stat *st, int dfd, const char *name)
{
	return opt.symbolic ? path_reads(dfd, name, st, target) :
	    same_inode(tst, st);
}

/* TARGET and NAME (in DFD) are one directory entry: the same name in the
 * same directory. */
static bool
same_entry(const char *target, int dfd, const char *name)
{
	const char *tb = path_base(target), *nb = path_base(name);
	size_t tlen = strcspn(tb, "/");
	struct stat td, nd;
	char *dir;
	int r1, r2;

	if (tlen != strcspn(nb, "/") || strncmp(tb, nb, tlen))
		return false;
	dir = path_dir(target);
	r1 = stat(dir, &td);
	free(dir);
	dir = path_dir(name);
	r2 = fstatat(dfd, dir, &nd, 0);
	free(dir);
	return r1 == 0 && r2 == 0 && same_inode(&td, &nd);
}

/* GNU's message for a link that could not be made. */
static void
report(const char *target, const char *linkname, int err)
{
	const char *fmt;

	if (opt.symbolic)
		fmt = err != ENAMETOOLONG && *target ?
		    "failed to create symbolic link %s" :
		    "failed to create symbolic link %s -> %s";
	else if (err == EMLINK) {
		errno = err;
		msg_warnsys("failed to create hard link to %s", quote(target));
		return;
	} else if (err == EDQUOT || err == EEXIST || err == ENOSPC ||
	    err == EROFS)
		fmt = "failed to create hard link %s";
	else
		fmt = "failed to create hard link %s => %s";
	errno = err;
	msg_warnsys(fmt, quote(linkname), quote(target));
}

/* Whether NAME in DFD (ST: its lstat), LINKNAME to the user, may be
 * replaced by a link to TARGET (TST: its stat): GNU's checks, then -i's
 * question. */
static bool
may_replace(const char *target, struct stat *tst, const struct stat *st,
    int dfd, const char *name, const char *linkname)
{
	if (S_ISDIR(st->st_mode)) {
		msg_warn("%s: cannot overwrite directory",
		    quote_if_needed(linkname));
		return false;
	}
	if (opt.record && was_made(linkname, st)) {
		msg_warn("will not overwrite just-created %s with %s",
		    quote(linkname), quote(target));
		return false;
	}
	/* Replacing LINK_NAME, when it is TARGET's own directory entry,
	 * would lose the file (a hard link) or turn it into a loop of
	 * itself (a symlink over a file).  Backups cover the symlink case.
	 * GNU leaves -i to the user's answer; we refuse -si, which would
	 * lose the file. */
	if ((opt.force || ln_backup.type != NO_BACKUP || opt.symbolic) &&
	    (ln_backup.type != NO_BACKUP ? !opt.symbolic :
	    !opt.symbolic || !S_ISLNK(st->st_mode)) &&
	    (!opt.symbolic || stat(target, tst) == 0) &&
	    same_inode(tst, st) &&
	    (tst->st_nlink == 1 || same_entry(target, dfd, name))) {
		msg_warn("%s and %s are the same file", quote(target),
		    quote(linkname));
		return false;
	}
	if (opt.interactive && !msg_ask("replace %s? ", quote(linkname))) {
		exit_status = 1;
		return false;
	}
	return true;
}

/* The link LINKNAME to TARGET (TST: its stat) is made; BAK, if not NULL,
 * is the backup of what it replaced, beside NAME. */
static void
made_link(const char *target, const struct stat *tst, const char *linkname,
    const char *name, const char *bak)
{
	struct parent at;
	char *was;

	if (opt.record)
		record(linkname, tst);
	if (opt.sync) {
		if (parent_open(&at, AT_FDCWD, linkname) == -1 ||
		    parent_sync(&at) == -1)
			msg_warnsys("cannot sync the directory of %s",
			    quote(linkname));
		parent_close(&at);
	}
	if (!opt.verbose)
		return;
	if (bak) {
		was = xformat("%.*s%s", (int)(strlen(linkname) - strlen(name)),
		    linkname, bak);
		out("%s ~ ", quote(was));
		free(was);
	}
	out("%s %c> %s\n", quote(linkname), opt.symbolic ? '-' : '=',
	    quote(target));
}

/* Link TARGET as NAME in directory DFD; LINKNAME names it in messages.
 * ERR is what a first plain attempt gave (-1: not tried). */
static void
link_one(const char *target, int dfd, const char *name, const char *linkname,
    int err)
{
	struct parent at = { .fd = -1 };
	struct stat tst, st;
	char *rel = NULL, *bak = NULL;
	bool replace, renamed = false;

	if (err < 0 && !opt.relative)
		err = make_link(target, dfd, name);
	if ((err || opt.record) && !opt.symbolic && (opt.logical ?
	    stat(target, &tst) : lstat(target, &tst)) == -1) {
		msg_warnsys("failed to access %s", quote(target));
		return;
	}
	if (err == 0) {
		made_link(target, &tst, linkname, name, NULL);
		return;
	}
	if (!opt.symbolic && !opt.hard_dir && S_ISDIR(tst.st_mode)) {
		msg_warn("%s: hard link not allowed for directory",
		    quote_if_needed(target));
		return;
	}
	if (opt.relative) {
		char *dir = path_dir(linkname);

		if ((rel = path_relative_link(target, dir)))
			target = rel;
		free(dir);
	}
	if (opt.skip_same && (err == EEXIST || err < 0) &&
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    is_same_link(target, &tst, &st, dfd, name))
		goto out;
	replace = opt.force || opt.interactive || ln_backup.type != NO_BACKUP;
	if (replace && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT) {
			msg_warnsys("failed to access %s", quote(linkname));
			goto out;
		}
		replace = false;
	} else if (replace) {
		if (!may_replace(target, &tst, &st, dfd, name, linkname))
			goto out;
		/* The temporary names of the replacement live beside
		 * LINK_NAME, as rename(2) works within one directory. */
		if (parent_open(&at, dfd, name) == -1) {
			msg_warnsys("failed to access %s", quote(linkname));
			goto out;
		}
		dfd = at.fd;
		name = at.name;
		if (ln_backup.type != NO_BACKUP &&
		    !(bak = ln_backup_take(dfd, name, linkname, &renamed))) {
			if (errno != ENOENT)
				goto out;
			replace = false;
		}
	}
	if (err < 0 || renamed)
		err = make_link(target, dfd, name);
	if (err == EEXIST && replace && !renamed)
		err = replace_link(target, dfd, name);
	if (err) {
		report(target, linkname, err);
		ln_backup_undo(dfd, name, bak, renamed, linkname);
	} else
		made_link(target, &tst, linkname, name, bak);
out:
	parent_close(&at);
	free(bak);
	free(rel);
}

/* Link TARGET: as the LINK_NAME operand when opt.dir is NULL (ERR: what
 * a first attempt gave, or -1), else under its own last component in
 * opt.dir. */
static void
link_operand(const char *target, const char *linkname, int err)
{
	const char *b = path_base(target);
	char *name, *path;

	if (!opt.dir) {
		link_one(target, AT_FDCWD, linkname, linkname, err);
		return;
	}
	name = strndup(b, strcspn(b, "/"));
	path = path_join(opt.dir, name);
	link_one(target, opt.dirfd, name, path, -1);
	free(path);
	free(name);
}

/* Open DIR as the place for the links: -t's argument, the last of several
 * operands (either must be a directory: MUST), or the second of two (which
 * may be one): false when it is not. */
static bool
open_dir(const char *dir, bool must)
{
	const char *b = path_base(dir);
	int flags = O_PATH | O_DIRECTORY | O_CLOEXEC;

	if (!opt.follow_dir && *b && b[strlen(b) - 1] != '/')
		flags |= O_NOFOLLOW;
	opt.dirfd = openat(AT_FDCWD, dir, flags);
	if (opt.dirfd == -1 && must)
		msg_diesys("target %s", quote(dir));
	if (opt.dirfd == -1)
		return false;
	opt.dir = dir;
	return true;
}

/* Choose, as GNU does, between "TARGET LINK_NAME" and "TARGET...
 * DIRECTORY" from the N operands in FILES (-t may have chosen already).
 * Returns the number of targets; *err says what a first attempt at the
 * link TARGET LINK_NAME gave, or -1. */
static int
choose_form(char **files, int n, int *err)
{
	const char *tdir = opt.dir;

	*err = -1;
	opt.dir = NULL;
	if (opt.no_dir) {
		if (tdir)
			msg_die("cannot combine --target-directory and "
			    "--no-target-directory");
		if (n < 2)
			msg_usage("missing destination file operand after %s",
			    quote(files[0]));
		if (n > 2)
			msg_usage("extra operand %s", quote(files[2]));
		return 1;
	}
	if (tdir || n == 1) {
		open_dir(tdir ? tdir : ".", true);
		return n;
	}
	if (n > 2) {
		open_dir(files[n - 1], true);
		return n - 1;
	}
	/* Try the link first: only when that fails can LINK_NAME be a
	 * directory to put the link in. */
	*err = opt.relative ? -1 : make_link(files[0], AT_FDCWD, files[1]);
	if (*err == EEXIST || *err == ENOTDIR || *err < 0)
		open_dir(files[1], false);
	return 1;
}

static void
parse_options(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "backup", optional_argument, NULL, OPT_BACKUP },
		{ "directory", no_argument, NULL, 'F' },
		{ "no-dereference", no_argument, NULL, 'n' },
		{ "no-target-directory", no_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'f' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "suffix", required_argument, NULL, 'S' },
		{ "target-directory", required_argument, NULL, 't' },
		{ "logical", no_argument, NULL, 'L' },
		{ "physical", no_argument, NULL, 'P' },
		{ "relative", no_argument, NULL, 'r' },
		{ "symbolic", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "sync", no_argument, NULL, OPT_SYNC },
		{ "skip-same", no_argument, NULL, OPT_SKIP_SAME },
		OPT_STANDARD
	};
	const char *control = NULL, *suffix = NULL;
	bool make_backups = false;
	struct stat st;
	int c;

	while ((c = opt_next(argc, argv, "bdfinrsvFLPS:t:T", longs)) != -1) {
		switch (c) {
		case OPT_BACKUP:
			control = optarg;
			/* fallthrough */
		case 'b': make_backups = true; break;
		case 'd': case 'F': opt.hard_dir = true; break;
		case 'f': opt.force = true; opt.interactive = false; break;
		case 'i': opt.interactive = true; opt.force = false; break;
		case 'L': opt.logical = true; break;
		case 'P': opt.logical = false; break;
		case 'n': opt.follow_dir = false; break;
		case 'r': opt.relative = true; break;
		case 's': opt.symbolic = true; break;
		case 'S': make_backups = true; suffix = optarg; break;
		case 't':
			/* Checked as soon as read, as GNU does. */
			if (opt.dir)
				msg_die("multiple target directories specified");
			if (stat(optarg, &st) == -1)
				msg_diesys("failed to access %s", quote(optarg));
			if (!S_ISDIR(st.st_mode))
				msg_die("target %s is not a directory",
				    quote(optarg));
			opt.dir = optarg;
			break;
		case 'T': opt.no_dir = true; break;
		case 'v': opt.verbose = true; break;
		case OPT_SYNC: opt.sync = true; break;
		case OPT_SKIP_SAME: opt.skip_same = true; break;
		}
	}
	if (optind >= argc)
		msg_usage("missing file operand");
	if (opt.relative && !opt.symbolic)
		msg_die("cannot do --relative without --symbolic");
	ln_backup_choose(make_backups, control, suffix);
}

int
ln_main(int argc, char **argv)
{
	char **files;
	int i, n, err;

	parse_options(argc, argv);
	files = argv + optind;
	n = choose_form(files, argc - optind, &err);
	opt.record = n > 1 && opt.force && !opt.symbolic &&
	    ln_backup.type != NUMBERED;
	for (i = 0; i < n; i++)
		link_operand(files[i], files[1], i ? -1 : err);
	return exit_status;
}
