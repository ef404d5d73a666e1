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
#include "../core/linkbox.h"

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

enum backup { NO_BACKUP, SIMPLE, EXISTING, NUMBERED };
enum { OPT_BACKUP = OPT_FIRST_LONG_ONLY, OPT_SYNC, OPT_SKIP_SAME };

static struct {
	bool symbolic, force, interactive, logical, relative, verbose;
	bool hard_dir, follow_dest_dir, sync, skip_same, record;
	enum backup backup;
	const char *suffix;
} opt = { .follow_dest_dir = true };

/* Hard links made so far, so that "ln -f a/f b/f c" does not replace
 * c/f, just made from a/f, with b/f: a later rm -r a would lose data. */
static struct made {
	dev_t dev;
	ino_t ino;
	struct made *next;
	char name[];
} *made;

static bool
was_made(const char *dest, const struct stat *st)
{
	struct made *m;

	for (m = made; m; m = m->next)
		if (m->ino == st->st_ino && m->dev == st->st_dev &&
		    !strcmp(m->name, dest))
			return true;
	return false;
}

static void
record(const char *dest, const struct stat *st)
{
	struct made *m = xmalloc(sizeof(*m) + strlen(dest) + 1);

	m->dev = st->st_dev;
	m->ino = st->st_ino;
	strcpy(m->name, dest);
	m->next = made;
	made = m;
}

static enum backup
backup_type(const char *arg, const char *context)
{
	static const char *const names[] = { "none", "off", "simple",
	    "never", "existing", "nil", "numbered", "t" };
	static const enum backup types[] = { NO_BACKUP, NO_BACKUP, SIMPLE,
	    SIMPLE, EXISTING, EXISTING, NUMBERED, NUMBERED };
	const char *lq = "'", *rq = "'";
	size_t i, len = strlen(arg);
	int hit = -1;

	for (i = 0; i < 8; i++) {
		if (strncmp(names[i], arg, len))
			continue;
		if (!names[i][len])
			return types[i];
		if (hit >= 0 && types[hit] != types[i])
			hit = -2;
		if (hit == -1)
			hit = i;
	}
	if (hit >= 0)
		return types[hit];
	if (quote_utf8_locale()) {
		lq = "\u2018";
		rq = "\u2019";
	}
	msg_usage("%s argument %s%s%s for %s%s%s\nValid arguments are:\n"
	    "  - %snone%s, %soff%s\n  - %ssimple%s, %snever%s\n"
	    "  - %sexisting%s, %snil%s\n  - %snumbered%s, %st%s",
	    hit == -2 ? "ambiguous" : "invalid", lq, arg, rq, lq, context,
	    rq, lq, rq, lq, rq, lq, rq, lq, rq, lq, rq, lq, rq, lq, rq, lq, rq);
}

struct numbered {
	const char *name;
	size_t len;
	unsigned long highest;
};

/* Note N of a backup NAME.~N~ of the name looked for. */
static void
note_numbered(const char *entry, unsigned char type, void *arg)
{
	struct numbered *b = arg;
	unsigned long n = 0;
	const char *p = entry + b->len + 2;

	(void)type;
	if (strncmp(entry, b->name, b->len) || strncmp(entry + b->len, ".~", 2)
	    || *p < '1' || *p > '9')
		return;
	for (; *p >= '0' && *p <= '9' && n < ULONG_MAX / 10 - 1; p++)
		n = n * 10 + (*p - '0');
	if (!strcmp(p, "~") && n > b->highest)
		b->highest = n;
}

/* The name to back BASE (in directory DFD) up as: BASE~, or BASE.~N~ one
 * past the highest N there, as GNU's backup rules say. */
static char *
backup_name(int dfd, const char *base)
{
	struct numbered b = { path_base(base), 0, 0 };
	char *dir;

	b.len = strlen(b.name);
	if (opt.backup != SIMPLE) {
		dir = path_dir(base);
		walk_dir(dfd, dir, note_numbered, &b);
		free(dir);
		if (b.highest || opt.backup == NUMBERED)
			return xformat("%s.~%lu~", base, b.highest + 1);
	}
	return xformat("%s%s", base, opt.suffix);
}

/* Back BASE up before it is replaced.  The backup is a hard link made
 * under a temporary name and renamed into place, so BASE never vanishes;
 * where hard links are refused we fall back to GNU's rename.  Returns the
 * backup name, NULL on failure; *renamed says BASE is gone. */
static char *
take_backup(int dfd, const char *base, const char *dest, bool *renamed)
{
	char *bak = backup_name(dfd, base);

	*renamed = false;
	if (atomic_link(dfd, base, 0, dfd, bak, "ln") == 0)
		return bak;
	/* Only a filesystem that refuses hard links gets GNU's rename. */
	if ((errno == EPERM || errno == EMLINK || errno == EOPNOTSUPP) &&
	    renameat(dfd, base, dfd, bak) == 0) {
		*renamed = true;
		return bak;
	}
	if (errno != ENOENT)
		msg_warnsys("cannot backup %s", quote(dest));
	free(bak);
	return NULL;
}

static int
make_link(const char *source, int dfd, const char *base)
{
	if (opt.symbolic)
		return symlinkat(source, dfd, base) ? errno : 0;
	return linkat(AT_FDCWD, source, dfd, base,
	    opt.logical ? AT_SYMLINK_FOLLOW : 0) ? errno : 0;
}

static int
replace_link(const char *source, int dfd, const char *base)
{
	int r = opt.symbolic ? atomic_symlink(source, dfd, base, "ln") :
	    atomic_link(AT_FDCWD, source, opt.logical ? AT_SYMLINK_FOLLOW : 0,
	    dfd, base, "ln");

	return r ? errno : 0;
}

/* LINK_NAME already is exactly the link asked for. */
static bool
is_same_link(const char *source, const struct stat *src,
    const struct stat *dst, int dfd, const char *base)
{
	return opt.symbolic ? path_reads(dfd, base, dst, source) :
	    same_inode(src, dst);
}

/* SOURCE and DEST are one directory entry: the same name in the same
 * directory. */
static bool
same_entry(const char *source, int dfd, const char *base)
{
	const char *sb = path_base(source), *db = path_base(base);
	size_t slen = strcspn(sb, "/");
	struct stat sd, dd;
	char *dir;
	int r1, r2;

	if (slen != strcspn(db, "/") || strncmp(sb, db, slen))
		return false;
	dir = path_dir(source);
	r1 = stat(dir, &sd);
	free(dir);
	dir = path_dir(base);
	r2 = fstatat(dfd, dir, &dd, 0);
	free(dir);
	return r1 == 0 && r2 == 0 && same_inode(&sd, &dd);
}

static void
report(const char *source, const char *dest, int err)
{
	const char *fmt;

	if (opt.symbolic)
		fmt = err != ENAMETOOLONG && *source ?
		    "failed to create symbolic link %s" :
		    "failed to create symbolic link %s -> %s";
	else if (err == EMLINK) {
		errno = err;
		msg_warnsys("failed to create hard link to %s", quote(source));
		return;
	} else if (err == EDQUOT || err == EEXIST || err == ENOSPC ||
	    err == EROFS)
		fmt = "failed to create hard link %s";
	else
		fmt = "failed to create hard link %s => %s";
	errno = err;
	msg_warnsys(fmt, quote(dest), quote(source));
}

/* Link SOURCE as BASE in directory DFD; DEST names it in messages.  ERR
 * is what a first plain attempt gave (-1: not tried). */
static void
link_one(const char *source, int dfd, const char *base, const char *dest,
    int err)
{
	struct stat src, dst;
	char *rel = NULL, *bak = NULL, *dir, *cdir, *csrc, *pbase = NULL;
	bool replace, renamed = false;
	int pfd = -1;

	if (err < 0 && !opt.relative)
		err = make_link(source, dfd, base);
	if ((err || opt.record) && !opt.symbolic && (opt.logical ?
	    stat(source, &src) : lstat(source, &src)) == -1) {
		msg_warnsys("failed to access %s", quote(source));
		return;
	}
	if (err == 0)
		goto done;
	if (!opt.symbolic && !opt.hard_dir && S_ISDIR(src.st_mode)) {
		msg_warn("%s: hard link not allowed for directory",
		    quote_if_needed(source));
		return;
	}
	if (opt.relative) {
		dir = path_dir(dest);
		cdir = path_canon(dir);
		csrc = path_canon(source);
		if (cdir && csrc)
			source = rel = path_relative(csrc, cdir);
		free(dir);
		free(cdir);
		free(csrc);
	}
	if (opt.skip_same && (err == EEXIST || err < 0) &&
	    fstatat(dfd, base, &dst, AT_SYMLINK_NOFOLLOW) == 0 &&
	    is_same_link(source, &src, &dst, dfd, base))
		goto out;
	replace = opt.force || opt.interactive || opt.backup != NO_BACKUP;
	if (replace && fstatat(dfd, base, &dst, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT) {
			msg_warnsys("failed to access %s", quote(dest));
			goto out;
		}
		replace = false;
	} else if (replace) {
		if (S_ISDIR(dst.st_mode)) {
			msg_warn("%s: cannot overwrite directory",
			    quote_if_needed(dest));
			goto out;
		}
		if (opt.record && was_made(dest, &dst)) {
			msg_warn("will not overwrite just-created %s with %s",
			    quote(dest), quote(source));
			goto out;
		}
		/* Replacing DEST, when it is SOURCE's own directory entry,
		 * would lose the file (a hard link) or turn it into a loop
		 * of itself (a symlink over a file).  Backups cover the
		 * symlink case.  GNU leaves -i to the user's answer; we
		 * refuse -si, which would lose the file. */
		if ((opt.force || opt.backup != NO_BACKUP || opt.symbolic) &&
		    (opt.backup != NO_BACKUP ? !opt.symbolic :
		    !opt.symbolic || !S_ISLNK(dst.st_mode)) &&
		    (!opt.symbolic || stat(source, &src) == 0) &&
		    same_inode(&src, &dst) &&
		    (src.st_nlink == 1 || same_entry(source, dfd, base))) {
			msg_warn("%s and %s are the same file", quote(source),
			    quote(dest));
			goto out;
		}
		if (opt.interactive) {
			if (!msg_ask("replace %s? ", quote(dest))) {
				exit_status = 1;
				goto out;
			}
		}
		/* The temporary names of the replacement live beside
		 * LINK_NAME, as rename(2) works within one directory. */
		if (path_base(base) != base) {
			dir = path_dir(base);
			pfd = openat(dfd, dir, O_PATH | O_DIRECTORY |
			    O_CLOEXEC);
			free(dir);
			if (pfd == -1) {
				msg_warnsys("failed to access %s", quote(dest));
				goto out;
			}
			dfd = pfd;
			base = pbase = strdup(path_base(base));
		}
		if (opt.backup != NO_BACKUP &&
		    !(bak = take_backup(dfd, base, dest, &renamed))) {
			if (errno != ENOENT)
				goto out;
			replace = false;
		}
	}
	if (err < 0 || renamed)
		err = make_link(source, dfd, base);
	if (err == EEXIST && replace && !renamed)
		err = replace_link(source, dfd, base);
	if (err) {
		report(source, dest, err);
		if (renamed && renameat(dfd, bak, dfd, base) == -1)
			msg_warnsys("cannot un-backup %s", quote(dest));
		/* Nothing changed: the backup just made goes, as GNU's
		 * un-backup leaves none. */
		if (bak && !renamed && fstatat(dfd, bak, &src,
		    AT_SYMLINK_NOFOLLOW) == 0 && fstatat(dfd, base, &dst,
		    AT_SYMLINK_NOFOLLOW) == 0 && same_inode(&src, &dst))
			unlinkat(dfd, bak, 0);
		goto out;
	}
done:
	if (opt.record)
		record(dest, &src);
	if (opt.sync && atomic_sync_dir(dest) == -1)
		msg_warnsys("cannot sync the directory of %s", quote(dest));
	if (opt.verbose) {
		if (bak) {
			size_t keep = strlen(dest) - strlen(base);

			dir = xmalloc(keep + strlen(bak) + 1);
			memcpy(dir, dest, keep);
			strcpy(dir + keep, bak);
			out("%s ~ ", quote(dir));
			free(dir);
		}
		out("%s %c> %s\n", quote(dest), opt.symbolic ? '-' : '=',
		    quote(source));
	}
out:
	if (pfd != -1)
		close(pfd);
	free(pbase);
	free(bak);
	free(rel);
}

enum target_dir { MAYBE_DIR, LAST_OPERAND, OPTION_T };

/* Open DIR as the place for the links: -t's argument, the last of several
 * operands (either must be a directory), or the second of two (which may
 * be: -1 when not). */
static int
open_target_dir(const char *dir, enum target_dir how)
{
	const char *b = path_base(dir);
	int flags = O_PATH | O_DIRECTORY | O_CLOEXEC, fd;

	if (!opt.follow_dest_dir && *b && b[strlen(b) - 1] != '/')
		flags |= O_NOFOLLOW;
	fd = openat(AT_FDCWD, dir, flags);
	if (fd == -1 && how != MAYBE_DIR)
		msg_diesys("target %s", quote(dir));
	return fd;
}

int
ln_main(int argc, char **argv)
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
	const char *tdir = NULL, *control = NULL, *suffix = NULL;
	bool make_backups = false, no_tdir = false;
	enum target_dir how = OPTION_T;
	char **files, *dest;
	struct stat st;
	int c, n, i, dfd = AT_FDCWD, err;

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
		case 'n': opt.follow_dest_dir = false; break;
		case 'r': opt.relative = true; break;
		case 's': opt.symbolic = true; break;
		case 'S': make_backups = true; suffix = optarg; break;
		case 't':
			/* Checked as soon as read, as GNU does. */
			if (tdir)
				msg_die("multiple target directories specified");
			if (stat(optarg, &st) == -1)
				msg_diesys("failed to access %s", quote(optarg));
			if (!S_ISDIR(st.st_mode))
				msg_die("target %s is not a directory",
				    quote(optarg));
			tdir = optarg;
			break;
		case 'T': no_tdir = true; break;
		case 'v': opt.verbose = true; break;
		case OPT_SYNC: opt.sync = true; break;
		case OPT_SKIP_SAME: opt.skip_same = true; break;
		}
	}
	files = argv + optind;
	n = argc - optind;
	if (n <= 0)
		msg_usage("missing file operand");
	if (opt.relative && !opt.symbolic)
		msg_die("cannot do --relative without --symbolic");
	if (make_backups) {
		if (control && *control)
			opt.backup = backup_type(control, "backup type");
		else if ((control = getenv("VERSION_CONTROL")) && *control)
			opt.backup = backup_type(control, "$VERSION_CONTROL");
		else
			opt.backup = EXISTING;
	}
	if (!suffix || !*suffix)
		suffix = getenv("SIMPLE_BACKUP_SUFFIX");
	opt.suffix = suffix && *suffix && !strchr(suffix, '/') ? suffix : "~";
	if (no_tdir) {
		if (tdir)
			msg_die("cannot combine --target-directory and "
			    "--no-target-directory");
		if (n < 2)
			msg_usage("missing destination file operand after %s",
			    quote(files[0]));
		if (n > 2)
			msg_usage("extra operand %s", quote(files[2]));
	} else if (!tdir && n == 1) {
		tdir = ".";
	} else if (!tdir && n == 2) {
		/* Try the link first: only when that fails can LINK_NAME be a
		 * directory to put the link in. */
		err = opt.relative ? -1 : make_link(files[0], AT_FDCWD,
		    files[1]);
		if (err == EEXIST || err == ENOTDIR || err < 0)
			dfd = open_target_dir(files[1], MAYBE_DIR);
		if (dfd < 0) {
			link_one(files[0], AT_FDCWD, files[1], files[1], err);
			return exit_status;
		}
		tdir = files[1];
		n = 1;
	} else if (!tdir) {
		tdir = files[--n];
		how = LAST_OPERAND;
	}
	if (no_tdir) {
		link_one(files[0], AT_FDCWD, files[1], files[1], -1);
		return exit_status;
	}
	if (dfd == AT_FDCWD)
		dfd = open_target_dir(tdir, how);
	opt.record = n > 1 && opt.force && !opt.symbolic &&
	    opt.backup != NUMBERED;
	for (i = 0; i < n; i++) {
		const char *b = path_base(files[i]);
		size_t blen = strcspn(b, "/");
		char *base = strndup(b, blen);

		dest = path_join(tdir, base);
		link_one(files[i], dfd, base, dest, -1);
		free(dest);
		free(base);
	}
	return exit_status;
}
