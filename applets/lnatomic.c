/* lnatomic - create or replace a link so that the name never disappears.
 *
 * usage: lnatomic [-s [-r]] [-v] [--sync]
 *                 [--expect=OLD | --expect-or-done=OLD | --no-replace]
 *                 [--replace-dir | --keep-dir=NAME] [--unchanged-status=N]
 *                 TARGET LINK_NAME
 *        lnatomic [-v] --cleanup DIRECTORY...
 *
 * LINK_NAME becomes a hard link to TARGET (a symbolic link with -s).  An
 * existing LINK_NAME, whatever it is, is treated as the name itself, never
 * as a directory to create the link in: the new link is made under the
 * temporary name ".LINK_NAME.lnatomic.XXXXXX" beside it and rename(2)d
 * over it, so every lookup of LINK_NAME sees the old link or the new one.
 * A real directory is replaced only on request, by exchanging it with the
 * new link (renameat2 RENAME_EXCHANGE), then removing it or renaming it.
 * A LINK_NAME that already is the requested link is left alone.
 * --no-replace is a lock: the call that created LINK_NAME succeeds, every
 * other exits 3, whatever LINK_NAME holds.
 *
 * Exit status: 0 LINK_NAME is the requested link (changed, or already so:
 * --unchanged-status picks another status for that case); 1 the operation
 * failed, nothing changed; 2 usage or trouble; 3 --expect or --no-replace
 * did not hold, nothing changed.
 */
#include "../core/linkbox.h"

const char lnatomic_usage[] =
"Usage: lnatomic [OPTION]... TARGET LINK_NAME\n"
"   or: lnatomic [-v] --cleanup DIRECTORY...\n"
"Make LINK_NAME a link to TARGET, replacing it atomically: the name never\n"
"disappears.  LINK_NAME is never taken as a directory to link into.\n"
"\n"
"  -s, --symbolic          make a symbolic link (default: hard link)\n"
"  -r, --relative          with -s, make the link text relative\n"
"  -v, --verbose           say what changed and what was there before\n"
"      --sync              fsync the directory before exiting\n"
"      --expect=OLD        replace only a LINK_NAME that is a symlink to\n"
"                          OLD (hard links: the same file as OLD); else 3\n"
"      --expect-or-done=OLD  the same, but a LINK_NAME that already is the\n"
"                          link asked for is done, not 3\n"
"      --no-replace        create LINK_NAME only if absent (a lock); else 3\n"
"      --replace-dir       replace a real directory, then remove its tree\n"
"      --keep-dir=NAME     replace a real directory, keep it as NAME\n"
"      --unchanged-status=N  exit N when LINK_NAME already was the link\n"
"      --cleanup           remove the temporary names that killed runs\n"
"                          of linkbox applets left in DIRECTORY\n"
"      --help, --version\n"
"Exit: 0 done, 1 failed, 2 trouble, 3 --expect/--no-replace not met.\n";

enum {
	OPT_SYNC = OPT_FIRST_LONG_ONLY, OPT_EXPECT, OPT_EXPECT_OR_DONE,
	OPT_NO_REPLACE, OPT_REPLACE_DIR, OPT_KEEP_DIR, OPT_UNCHANGED,
	OPT_CLEANUP
};
enum { UNMET = 3 };

static struct {
	bool symbolic, relative, verbose, sync, no_replace, replace_dir;
	bool cleanup, or_done;
	const char *expect, *keep_dir;
	int unchanged;
} opt;

/* What LINK_NAME is now, for -v: "'text'" for a symlink, else a kind. */
static const char *
describe(const struct stat *st, int dfd, const char *base, char *buf,
    size_t size)
{
	ssize_t n;

	if (!st)
		return "nothing";
	if (!S_ISLNK(st->st_mode))
		return S_ISDIR(st->st_mode) ? "a directory" :
		    S_ISREG(st->st_mode) ? "a file" : "a special file";
	n = readlinkat(dfd, base, buf, size - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return quote(buf);
}

static int
remove_entry(struct walk *e, void *arg)
{
	(void)arg;
	if (e->type == DT_DIR && !e->post)
		return WALK_NEXT;
	if (unlinkat(e->fd, e->name, e->type == DT_DIR ? AT_REMOVEDIR : 0)
	    == -1)
		msg_warnsys("cannot remove %s", quote(e->path));
	return WALK_NEXT;
}

/* Before anything changes: can the old directory be moved to KEEP (the
 * --keep-dir name, opened here)?  Its directory must exist on LINKNAME's
 * filesystem, and the name must be free. */
static bool
keep_ready(struct parent *keep, const struct parent *linkname)
{
	struct stat kd, ld, st;

	if (parent_open(keep, AT_FDCWD, opt.keep_dir) == -1 ||
	    fstatat(keep->fd, ".", &kd, 0) == -1 ||
	    fstatat(linkname->fd, ".", &ld, 0) == -1)
		goto fail;
	errno = EXDEV;
	if (kd.st_dev != ld.st_dev)
		goto fail;
	if (fstatat(keep->fd, keep->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		errno = EEXIST;
	if (errno != ENOENT)
		goto fail;
	return true;
fail:
	msg_warnsys("cannot keep the old directory as %s", quote(opt.keep_dir));
	return false;
}

/* The old directory is at TMP beside LINKNAME after the exchange: remove
 * it, or move it to KEEP.  Where that move fails, exchange back and drop
 * the new link, so that nothing has changed.  Returns the exit status. */
static int
dispose_old_dir(const struct parent *linkname, const char *tmp,
    const struct parent *keep)
{
	char *path = path_join(linkname->dir, tmp);
	int err;

	if (!opt.keep_dir) {
		walk_tree(path, WALK_POST, remove_entry, NULL);
	} else if (atomic_rename_new(linkname->fd, tmp, keep->fd, keep->name)
	    == -1) {
		err = errno;
		if (atomic_exchange(linkname->fd, tmp, linkname->fd,
		    linkname->name) == -1) {
			msg_warnsys("the old directory stays at %s: cannot "
			    "rename it to %s", quote(path), quote(opt.keep_dir));
			free(path);
			return 1;
		}
		unlinkat(linkname->fd, tmp, 0);
		errno = err;
		msg_warnsys("cannot keep the old directory as %s; %s is "
		    "unchanged", quote(opt.keep_dir), quote(linkname->path));
		free(path);
		return 1;
	} else if (opt.sync && parent_sync(keep) == -1)
		msg_warnsys("cannot sync the directory of %s",
		    quote(opt.keep_dir));
	free(path);
	return 0;
}

/* Replace the real directory LINKNAME by the link, atomically: make the
 * link under a temporary name and exchange the two. */
static int
replace_dir(const char *target, const struct parent *linkname)
{
	struct parent keep = { .fd = -1 };
	char tmp[NAME_MAX + 1];
	int r = 1, err;

	if (!opt.replace_dir && !opt.keep_dir) {
		msg_warn("%s is a directory (use --replace-dir or --keep-dir)",
		    quote(linkname->path));
		return 1;
	}
	if (opt.keep_dir && !keep_ready(&keep, linkname))
		goto out;
	if (atomic_temp(opt.symbolic ? -1 : AT_FDCWD, target, 0, linkname->fd,
	    linkname->name, "lnatomic", tmp) == -1)
		goto fail;
	if (atomic_exchange(linkname->fd, tmp, linkname->fd, linkname->name)
	    == -1) {
		err = errno;
		unlinkat(linkname->fd, tmp, 0);
		errno = err;
		if (!atomic_no_exchange(err))
			goto fail;
		msg_warnsys("%s: cannot replace a directory atomically here",
		    quote(linkname->path));
		goto out;
	}
	r = dispose_old_dir(linkname, tmp, &keep);
	goto out;
fail:
	msg_warnsys("cannot make %s a link to %s", quote(linkname->path),
	    quote(target));
out:
	parent_close(&keep);
	return r;
}

/* Put TARGET in place as LINKNAME (ST is what is there, or NULL).
 * Returns the exit status; messages said. */
static int
put_link(const char *target, const struct parent *linkname,
    const struct stat *st)
{
	int dfd = linkname->fd, r;
	const char *base = linkname->name;

	if (st && S_ISDIR(st->st_mode))
		return replace_dir(target, linkname);
	/* Absent: create it in one step, which fails rather than replace
	 * what a concurrent creator put there first. */
	if (!st || opt.no_replace) {
		r = opt.symbolic ? symlinkat(target, dfd, base) :
		    linkat(AT_FDCWD, target, dfd, base, 0);
		if (r == 0)
			return 0;
		if (errno != EEXIST)
			goto fail;
		if (opt.no_replace) {
			msg_warn("%s exists; not replaced",
			    quote(linkname->path));
			return UNMET;
		}
		/* It appeared meanwhile: replace it as if it had been. */
	}
	r = opt.symbolic ? atomic_symlink(target, dfd, base, "lnatomic") :
	    atomic_link(AT_FDCWD, target, 0, dfd, base, "lnatomic");
	if (r == 0)
		return 0;
fail:
	msg_warnsys("cannot make %s a link to %s", quote(linkname->path),
	    quote(target));
	return 1;
}

/* Whether LINKNAME (CUR: its lstat, or NULL) is what --expect names. */
static bool
as_expected(const struct parent *linkname, const struct stat *cur,
    const struct stat *old)
{
	if (!cur)
		return false;
	return opt.symbolic ? path_reads(linkname->fd, linkname->name, cur,
	    opt.expect) : same_inode(cur, old);
}

static int
link_atomically(const char *target, const char *path)
{
	struct parent linkname;
	struct stat st, tst, old, *cur = &st;
	char *rel = NULL, was[PATH_MAX];
	const char *before;
	bool done;
	int r = 1;

	if (parent_open(&linkname, AT_FDCWD, path) == -1) {
		msg_warnsys("%s", quote(linkname.dir ? linkname.dir : path));
		goto out;
	}
	if (opt.relative && (rel = path_relative_link(target, linkname.dir)))
		target = rel;
	if (!opt.symbolic && lstat(target, &tst) == -1) {
		msg_warnsys("%s", quote(target));
		goto out;
	}
	if (!opt.symbolic && S_ISDIR(tst.st_mode)) {
		msg_warn("%s: hard link not allowed for directory",
		    quote_if_needed(target));
		goto out;
	}
	/* A hard link's OLD is a file: one that is not there is a mistake
	 * in the call, not a LINK_NAME found otherwise. */
	if (opt.expect && !opt.symbolic && lstat(opt.expect, &old) == -1) {
		msg_warnsys("%s", quote(opt.expect));
		r = 2;
		goto out;
	}
	if (fstatat(linkname.fd, linkname.name, &st, AT_SYMLINK_NOFOLLOW)
	    == -1) {
		if (errno != ENOENT) {
			msg_warnsys("%s", quote(path));
			goto out;
		}
		cur = NULL;
	}
	if (cur && opt.no_replace) {
		msg_warn("%s exists; not replaced", quote(path));
		r = UNMET;
		goto out;
	}
	done = cur && (opt.symbolic ? path_reads(linkname.fd, linkname.name,
	    cur, target) : same_inode(cur, &tst));
	if (opt.expect && !(done && opt.or_done) &&
	    !as_expected(&linkname, cur, &old)) {
		if (!cur)
			msg_warn("%s is not %s %s (it does not exist); not "
			    "replaced", quote(path), opt.symbolic ?
			    "a symbolic link to" : "the same file as",
			    quote(opt.expect));
		else
			msg_warn("%s is not %s %s (it is %s%s); not replaced",
			    quote(path), opt.symbolic ? "a symbolic link to" :
			    "the same file as", quote(opt.expect),
			    S_ISLNK(cur->st_mode) ? "a symbolic link to " : "",
			    describe(cur, linkname.fd, linkname.name, was,
			    sizeof(was)));
		r = UNMET;
		goto out;
	}
	if (done) {
		if (opt.verbose)
			out("%s unchanged: %s %s\n", quote(path),
			    opt.symbolic ? "->" : "=>", quote(target));
		r = opt.unchanged;
		goto out;
	}
	before = describe(cur, linkname.fd, linkname.name, was, sizeof(was));
	r = put_link(target, &linkname, cur);
	if (r)
		goto out;
	if (opt.sync && parent_sync(&linkname) == -1)
		msg_warnsys("cannot sync the directory of %s", quote(path));
	if (opt.verbose)
		out("%s %s %s (was %s)\n", quote(path),
		    opt.symbolic ? "->" : "=>", quote(target), before);
out:
	parent_close(&linkname);
	free(rel);
	return r;
}

/* The directory --cleanup is cleaning. */
struct cleaning {
	int fd;
	const char *path;
};

/* Remove NAME in the directory being cleaned if it is a temporary name
 * that one of our applets left when it was killed, and removing it loses
 * nothing.  Those of ln, lnatomic, linkbox --install and symlinks -c are
 * a new symbolic link or a second name until their rename: any but a
 * directory (an old tree, after --replace-dir was interrupted) goes.  Those of
 * safeswap and dedup (the last two tags) can be the only name of a file
 * after their first rename: they go only while the file has another. */
static void
clean_entry(const char *name, unsigned char type, void *arg)
{
	static const char *const tags[] = {
		"lnatomic", "ln", "linkbox", "symlinks", "safeswap", "dedup"
	};
	const size_t ntags = sizeof(tags) / sizeof(*tags);
	const struct cleaning *dir = arg;
	struct stat st;
	size_t t;
	char *path;

	(void)type;
	for (t = 0; t < ntags && atomic_is_temp(name, tags[t]) == -1; t++)
		;
	if (t == ntags)
		return;
	path = path_join(dir->path, name);
	if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		msg_warnsys("%s", quote(path));
	else if (S_ISDIR(st.st_mode))
		msg_warn("%s is a directory: left alone", quote(path));
	else if (t >= ntags - 2 && st.st_nlink < 2)
		msg_warn("%s is the only name of its file: left alone",
		    quote(path));
	else if (unlinkat(dir->fd, name, 0) == -1)
		msg_warnsys("cannot remove %s", quote(path));
	else if (opt.verbose)
		out("removed %s\n", quote(path));
	free(path);
}

/* --cleanup DIRECTORY */
static void
clean(const char *path)
{
	struct cleaning dir = { -1, path };

	dir.fd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir.fd == -1 || walk_dir(dir.fd, ".", clean_entry, &dir) == -1)
		msg_warnsys("cannot read directory %s", quote(path));
	if (dir.fd != -1)
		close(dir.fd);
}

int
lnatomic_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "symbolic", no_argument, NULL, 's' },
		{ "relative", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "sync", no_argument, NULL, OPT_SYNC },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "expect-or-done", required_argument, NULL, OPT_EXPECT_OR_DONE },
		{ "no-replace", no_argument, NULL, OPT_NO_REPLACE },
		{ "replace-dir", no_argument, NULL, OPT_REPLACE_DIR },
		{ "keep-dir", required_argument, NULL, OPT_KEEP_DIR },
		{ "unchanged-status", required_argument, NULL, OPT_UNCHANGED },
		{ "cleanup", no_argument, NULL, OPT_CLEANUP },
		OPT_STANDARD
	};
	unsigned long n;
	int c;

	while ((c = opt_next(argc, argv, "srv", longs)) != -1) {
		switch (c) {
		case 's': opt.symbolic = true; break;
		case 'r': opt.relative = true; break;
		case 'v': opt.verbose = true; break;
		case OPT_SYNC: opt.sync = true; break;
		case OPT_EXPECT_OR_DONE:
			opt.or_done = true;
			/* fallthrough */
		case OPT_EXPECT:
			if (opt.expect)
				msg_usage("--expect and --expect-or-done exclude "
				    "each other");
			opt.expect = optarg;
			break;
		case OPT_NO_REPLACE: opt.no_replace = true; break;
		case OPT_REPLACE_DIR: opt.replace_dir = true; break;
		case OPT_KEEP_DIR: opt.keep_dir = optarg; break;
		case OPT_CLEANUP: opt.cleanup = true; break;
		case OPT_UNCHANGED:
			n = opt_number(optarg, "status");
			if (n > 125)
				msg_usage("--unchanged-status must be at most "
				    "125");
			opt.unchanged = n;
			break;
		}
	}
	if (opt.cleanup) {
		if (opt.symbolic || opt.relative || opt.sync || opt.expect ||
		    opt.no_replace || opt.replace_dir || opt.keep_dir ||
		    opt.unchanged)
			msg_usage("--cleanup takes only -v");
		opt_operands(argc, argv, 1, -1);
		for (; optind < argc; optind++)
			clean(argv[optind]);
		return exit_status ? 1 : 0;
	}
	if (opt.relative && !opt.symbolic)
		msg_usage("--relative needs --symbolic");
	if (opt.expect && opt.no_replace)
		msg_usage("--%s and --no-replace exclude each other",
		    opt.or_done ? "expect-or-done" : "expect");
	if (opt.replace_dir && opt.keep_dir)
		msg_usage("--replace-dir and --keep-dir exclude each other");
	opt_operands(argc, argv, 2, 2);
	/* A failure after the change (disposing of the old directory,
	 * --sync) still says 1, though the link is in place. */
	c = link_atomically(argv[optind], argv[optind + 1]);
	return c ? c : exit_status;
}
