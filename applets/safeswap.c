/* safeswap - exchange two paths atomically.
 *
 * usage: safeswap [-nv] [--sync] [--atomic-only | --non-atomic-dirs] A B
 *
 * A and B trade places with renameat2(RENAME_EXCHANGE): at every instant
 * each name resolves to the old object or the new one.  Files,
 * directories and symbolic links (never followed) of any mix.  Where the
 * kernel or filesystem refuses the exchange (FUSE, NFS, old kernels), two
 * non-directories are swapped through hard links instead, never leaving
 * either name missing: both are linked to temporary names, then each
 * temporary is renamed over the other name.  Between those two renames
 * both names show A's old object.  Directories cannot be hard-linked:
 * they are swapped only with --non-atomic-dirs, by three renames, during
 * which one name is briefly missing; if interrupted, the temporary name
 * ".NAME.safeswap.XXXXXX" holds the original NAME.
 *
 * Exit status: 0 swapped; 1 not swapped (nothing changed, or the message
 * says where things are); 2 usage or trouble.
 */
#include "../core/linkbox.h"

const char safeswap_usage[] =
"Usage: safeswap [OPTION]... A B\n"
"Exchange the paths A and B atomically (renameat2 RENAME_EXCHANGE).\n"
"\n"
"  -n, --dry-run           say what would be done, change nothing\n"
"  -v, --verbose           say what was done, and how\n"
"      --sync              fsync both directories before exiting\n"
"      --atomic-only       fail rather than fall back where the\n"
"                          filesystem cannot exchange\n"
"      --non-atomic-dirs   there, swap directories by three renames\n"
"      --help, --version\n";

enum { OPT_SYNC = OPT_FIRST_LONG_ONLY, OPT_ATOMIC_ONLY, OPT_NONATOMIC_DIRS };

static struct {
	bool dry_run, verbose, sync, atomic_only, nonatomic_dirs;
} opt;

/* One side of the swap: its name in its opened directory. */
struct side {
	struct parent at;
	struct stat st;
	char tmp[NAME_MAX + 1];
};

static bool
open_side(struct side *s, const char *path)
{
	int opened = parent_open(&s->at, AT_FDCWD, path), err = errno;
	const char *name = s->at.dir ? s->at.name : "/";

	if (lstat(path, &s->st) == -1) {
		msg_warnsys("%s", quote(path));
		return false;
	}
	if (!strcmp(name, "/") || !strcmp(name, ".") || !strcmp(name, "..")) {
		msg_warn("%s: cannot swap this name", quote(path));
		return false;
	}
	if (opened == -1) {
		errno = err;
		msg_warnsys("%s", quote(s->at.dir));
		return false;
	}
	return true;
}

/* A swap stopped half way: NAME is in STATE (about OTHER), and the
 * original of ORIGINAL waits under HOLDER's temporary name. */
static void
stranded(const char *name, const char *state, const char *other,
    const char *original, struct side *holder)
{
	char *trail = path_join(holder->at.dir, holder->tmp);

	msg_warnsys("%s %s %s; the original %s is %s", quote(name), state,
	    quote(other), quote(original), quote(trail));
	free(trail);
}

/* Without an exchange: link A beside B and B beside A under temporary
 * names, then rename each temporary over the other name.  Neither name
 * is ever missing; a failure rolls back. */
static bool
swap_by_links(struct side *a, struct side *b)
{
	int err;

	/* Two names of one file: swapping them changes nothing. */
	if (same_inode(&a->st, &b->st))
		return true;

	if (atomic_temp(a->at.fd, a->at.name, 0, b->at.fd, b->at.name, "safeswap",
	    b->tmp) == -1)
		goto fail;
	if (atomic_temp(b->at.fd, b->at.name, 0, a->at.fd, a->at.name, "safeswap",
	    a->tmp) == -1) {
		err = errno;
		unlinkat(b->at.fd, b->tmp, 0);
		errno = err;
		goto fail;
	}
	if (renameat(b->at.fd, b->tmp, b->at.fd, b->at.name) == -1) {
		err = errno;
		unlinkat(b->at.fd, b->tmp, 0);
		unlinkat(a->at.fd, a->tmp, 0);
		errno = err;
		goto fail;
	}
	if (renameat(a->at.fd, a->tmp, a->at.fd, a->at.name) == -1) {
		err = errno;
		/* B already holds A's object: put B's own back. */
		if (renameat(a->at.fd, a->tmp, b->at.fd, b->at.name) == -1)
			stranded(b->at.path, "is now a second name of",
			    a->at.path, b->at.path, a);
		errno = err;
		goto fail;
	}
	return true;
fail:
	msg_warnsys("cannot swap %s and %s", quote(a->at.path), quote(b->at.path));
	return false;
}

/* Directories without an exchange: A to a temporary, B to A, the
 * temporary to B.  Between the renames one name is missing; the
 * temporary ".A.safeswap.XXXXXX" is the original A. */
static bool
swap_by_renames(struct side *a, struct side *b)
{
	if (atomic_aside(a->at.fd, a->at.name, "safeswap", a->tmp) == -1) {
		msg_warnsys("cannot swap %s and %s", quote(a->at.path),
		    quote(b->at.path));
		return false;
	}
	if (renameat(b->at.fd, b->at.name, a->at.fd, a->at.name) == -1) {
		msg_warnsys("cannot move %s to %s", quote(b->at.path),
		    quote(a->at.path));
		if (renameat(a->at.fd, a->tmp, a->at.fd, a->at.name) == -1)
			stranded(a->at.path, "is missing; it was swapping with",
			    b->at.path, a->at.path, a);
		return false;
	}
	if (renameat(a->at.fd, a->tmp, b->at.fd, b->at.name) == -1) {
		stranded(b->at.path, "is missing; its original is now",
		    a->at.path, a->at.path, a);
		return false;
	}
	return true;
}

/* Is OTHER's name inside the directory DIR? */
static bool
inside(struct side *dir, struct side *other)
{
	char *d, *o;
	bool r;

	if (!S_ISDIR(dir->st.st_mode))
		return false;
	d = path_canon(dir->at.path);
	o = path_canon(other->at.dir);
	r = d && o && path_inside(o, d);
	free(d);
	free(o);
	return r;
}

static void
swap(const char *pa, const char *pb)
{
	struct side a = { .at.fd = -1 }, b = { .at.fd = -1 };
	const char *how = "exchanged";
	struct stat da, db;
	bool ok = false;

	if (!open_side(&a, pa) || !open_side(&b, pb))
		goto out;
	if (a.st.st_dev != b.st.st_dev) {
		msg_warn("%s and %s are on different filesystems", quote(pa),
		    quote(pb));
		goto out;
	}
	if (a.st.st_ino == b.st.st_ino && !strcmp(a.at.name, b.at.name) &&
	    fstatat(a.at.fd, ".", &da, 0) == 0 &&
	    fstatat(b.at.fd, ".", &db, 0) == 0 &&
	    same_inode(&da, &db)) {
		msg_warn("%s and %s are the same name", quote(pa), quote(pb));
		goto out;
	}
	if (inside(&a, &b) || inside(&b, &a)) {
		msg_warn("cannot swap %s and %s: one is inside the other",
		    quote(pa), quote(pb));
		goto out;
	}
	if (opt.dry_run) {
		out("would exchange %s and %s\n", quote(pa), quote(pb));
		ok = true;
		goto out;
	}
	if (atomic_exchange(a.at.fd, a.at.name, b.at.fd, b.at.name) == 0) {
		ok = true;
	} else if (!atomic_no_exchange(errno)) {
		msg_warnsys("cannot swap %s and %s", quote(pa), quote(pb));
	} else if (opt.atomic_only) {
		msg_warnsys("cannot swap %s and %s atomically", quote(pa),
		    quote(pb));
	} else if (!S_ISDIR(a.st.st_mode) && !S_ISDIR(b.st.st_mode)) {
		how = "swapped through hard links (no atomic exchange here)";
		ok = swap_by_links(&a, &b);
	} else if (opt.nonatomic_dirs) {
		how = "swapped by renames (not atomic)";
		ok = swap_by_renames(&a, &b);
	} else {
		msg_warn("cannot swap %s and %s: this filesystem cannot "
		    "exchange atomically, and a directory cannot be swapped "
		    "through hard links (see --non-atomic-dirs)", quote(pa),
		    quote(pb));
	}
	if (ok && opt.sync && !opt.dry_run && (parent_sync(&a.at) == -1 ||
	    parent_sync(&b.at) == -1))
		msg_warnsys("cannot sync the directories of %s and %s",
		    quote(pa), quote(pb));
	if (ok && opt.verbose && !opt.dry_run)
		out("%s <-> %s: %s\n", quote(pa), quote(pb), how);
out:
	parent_close(&a.at);
	parent_close(&b.at);
}

int
safeswap_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "sync", no_argument, NULL, OPT_SYNC },
		{ "atomic-only", no_argument, NULL, OPT_ATOMIC_ONLY },
		{ "non-atomic-dirs", no_argument, NULL, OPT_NONATOMIC_DIRS },
		OPT_STANDARD
	};
	int c;

	while ((c = opt_next(argc, argv, "nv", longs)) != -1) {
		switch (c) {
		case 'n': opt.dry_run = true; break;
		case 'v': opt.verbose = true; break;
		case OPT_SYNC: opt.sync = true; break;
		case OPT_ATOMIC_ONLY: opt.atomic_only = true; break;
		case OPT_NONATOMIC_DIRS: opt.nonatomic_dirs = true; break;
		}
	}
	if (opt.atomic_only && opt.nonatomic_dirs)
		msg_usage("--atomic-only and --non-atomic-dirs exclude each "
		    "other");
	opt_operands(argc, argv, 2, 2);
	swap(argv[optind], argv[optind + 1]);
	return exit_status;
}
