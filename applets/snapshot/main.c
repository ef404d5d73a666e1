/* snapshot - hard-link backup snapshots, published atomically.
 *
 * usage: snapshot [-0hnqvxJ] [--name=NAME] [--link-dest=DIR]... [--checksum]
 *                 [--exclude=PATTERN]... [--max-links=N] [--no-sync]
 *                 [--discard-partial] [--wait] SRC REPO
 *        snapshot --list [-0hJ] REPO
 *        snapshot --prune [-hnqv] --keep-RULE=N... [--wait] REPO
 *        snapshot --delete [-hnqv] [--wait] NAME... REPO
 *
 * Makes REPO/NAME, a copy of SRC in which every file a reference (the
 * --link-dest DIRs, REPO/latest, a partial snapshot left by a killed run)
 * holds unchanged is a hard link to it: a year of daily snapshots costs
 * little more than one copy, and each is a whole tree.  The snapshot is
 * written under a hidden name, flushed, renamed into place, and only then
 * does REPO/latest point to it: a run killed at any moment leaves every
 * complete snapshot and latest as they were.  One writer at a time holds
 * REPO/.lock.
 *
 * Exit status: 0 published; 1 published, something reported; 2 nothing
 * published (or, for --list, --prune and --delete, trouble).
 */
#include "snapshot.h"
#include <sys/file.h>

const char snapshot_usage[] =
"Usage: snapshot [OPTION]... SRC REPO\n"
"   or: snapshot --list [-0hJ] REPO\n"
"   or: snapshot --prune [OPTION]... REPO\n"
"   or: snapshot --delete [OPTION]... NAME... REPO\n"
"Make REPO/NAME, a copy of SRC whose unchanged files are hard links to the\n"
"last snapshot; point REPO/latest to it once it is complete.\n"
"\n"
"      --name=NAME       the snapshot's name (default: UTC time,\n"
"                        20261204T231500Z)\n"
"      --link-dest=DIR   also link unchanged files from DIR (repeatable;\n"
"                        searched in order, before REPO/latest)\n"
"      --checksum        unchanged: same contents, not same mtime\n"
"      --exclude=PAT     skip names (and directories) matching PAT\n"
"      --max-links=N     copy files whose reference has N links already\n"
"  -x, --one-file-system  do not descend into other filesystems\n"
"      --no-sync         do not flush the snapshot before publishing it\n"
"      --discard-partial  remove a snapshot a killed run left, unused\n"
"      --wait            wait for the lock instead of failing\n"
"  -n, --dry-run         say what would be copied; write nothing\n"
"  -v, --verbose         name each file copied (with -n, linked too)\n"
"  -q, --quiet           no progress display and no summary\n"
"  -h, --human-readable  bytes as 1.5K, 12M, 3.0G\n"
"  -0, --null            end each record with NUL, not newline\n"
"  -J, --json            JSON: records of -n and -v, the summary on\n"
"                        stdout; --json-lines: an object a line\n"
"  -j, --jobs=N          processes reading the tree (default: CPUs, max 8)\n"
"      --list            list the snapshots: NAME STATE FILES BYTES\n"
"                        EXCLUSIVE (what deleting it alone frees)\n"
"      --prune           delete the snapshots that no keep rule keeps:\n"
"      --keep-last=N     the N newest\n"
"      --keep-hourly=N, --keep-daily=N, --keep-weekly=N, --keep-monthly=N,\n"
"      --keep-yearly=N   the newest of each of the N newest periods (UTC)\n"
"      --delete          delete the snapshots NAME...\n"
"      --help, --version\n"
"Exit: 0 done; 1 done, something reported; 2 nothing published, trouble.\n";

enum {
	OPT_NAME = OPT_FIRST_LONG_ONLY, OPT_LINK_DEST, OPT_CHECKSUM,
	OPT_EXCLUDE, OPT_MAX_LINKS, OPT_NO_SYNC, OPT_DISCARD, OPT_WAIT,
	OPT_LIST, OPT_PRUNE, OPT_DELETE, OPT_KEEP
};

struct snapshot_opt snapshot_opt = { .end = '\n', .sync = true };
struct snapshot_sum snapshot_sum;

static void
progress_text(char *buf, size_t cap)
{
	char bytes[24];

	fmt(buf, cap, "%llu linked, %llu copied, %s", snapshot_sum.linked,
	    snapshot_sum.copied_new + snapshot_sum.copied_changed,
	    fmt_bytes(bytes, snapshot_sum.bytes, true));
}

/* The one writer of REPOFD's REPO: false if another holds the lock and
 * there is no --wait (said). */
static void
lock(int repofd, const char *repo)
{
	int fd = openat(repofd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1)
		msg_diesys("cannot create the lock %s/.lock", quote(repo));
	if (flock(fd, LOCK_EX | (snapshot_opt.wait ? 0 : LOCK_NB)) == -1) {
		if (errno == EWOULDBLOCK)
			msg_die("%s: in use by another snapshot run (--wait "
			    "to queue)", quote(repo));
		msg_diesys("cannot lock %s", quote(repo));
	}
	/* Held until exit: the descriptor is never closed. */
}

static void
check_name(const char *name)
{
	if (!*name || *name == '.' || strchr(name, '/') ||
	    !strcmp(name, "latest") || strlen(name) > NAME_MAX - 16)
		msg_usage("%s cannot name a snapshot", quote(name));
}

/* SRC's directory holds REPO only where the walk leaves it out. */
static void
check_inside(const char *src, const char *repo)
{
	char *s = path_canon(src), *r = path_canon(repo), *rest, *part;
	struct stat a, b;
	bool left_out = false, inside = s && r && path_inside(r, s);

	if (inside) {
		rest = r + strlen(s);
		while (!left_out && (part = path_next_component(&rest)))
			left_out = glob_any(snapshot_opt.exclude,
			    snapshot_opt.nexclude, part);
		if (!left_out && (snapshot_opt.walk_flags & WALK_XDEV) &&
		    stat(src, &a) == 0 && stat(repo, &b) == 0)
			left_out = a.st_dev != b.st_dev;
	}
	free(s);
	free(r);
	if (!left_out && inside)
		msg_die("%s is inside %s: exclude it (--exclude) or choose "
		    "another REPO", quote(repo), quote(src));
}

static void
summary(const char *name)
{
	char bytes[24];

	if (json_form) {
		json_summary();
		json_string("name", name);
		json_number("linked", snapshot_sum.linked);
		json_number("copied_new", snapshot_sum.copied_new);
		json_number("copied_changed", snapshot_sum.copied_changed);
		json_number("bytes_copied", snapshot_sum.bytes);
		json_number("at_limit", snapshot_sum.at_limit);
		json_number("reported", snapshot_sum.reported);
		json_end();
		return;
	}
	if (snapshot_opt.quiet)
		return;
	msg_note("%s%s: %llu linked, %llu copied (%llu new, %llu changed), "
	    "%s bytes copied, %llu copied at the link limit, %llu reported",
	    snapshot_opt.dry_run ? "would make " : "", name,
	    snapshot_sum.linked, snapshot_sum.copied_new +
	    snapshot_sum.copied_changed, snapshot_sum.copied_new,
	    snapshot_sum.copied_changed, fmt_bytes(bytes, snapshot_sum.bytes,
	    snapshot_opt.human), snapshot_sum.at_limit, snapshot_sum.reported);
}

/* The partial snapshots a killed run left in REPOFD, to be references:
 * their names in REPO, NULL-terminated.  One named MINE goes aside first
 * (as being deleted: it will be, once used); --discard-partial removes
 * them all now. */
static char **
leftovers(int repofd, const char *repo, const char *mine)
{
	char **names = snapshot_partials(repofd, repo), *base, *aside;
	size_t i, n = 0, plen = strlen(PARTIAL);

	for (i = 0; names[i]; i++) {
		aside = names[i];
		base = xformat("%.*s", (int)(strlen(aside) - plen - 1),
		    aside + 1);
		if (snapshot_opt.dry_run)
			;	/* a reference as it is, and nothing removed */
		else if (snapshot_opt.discard) {
			if (!snapshot_remove(repofd, repo, aside, NULL))
				exit(2);
			free(aside);
			aside = NULL;
		} else if (!strcmp(base, mine)) {
			aside = snapshot_hidden(base, DELETING);
			if ((exists(repofd, aside) && !snapshot_remove(repofd,
			    repo, aside, NULL)) || renameat(repofd, names[i],
			    repofd, aside) == -1)
				msg_diesys("cannot move %s aside",
				    quote(names[i]));
			free(names[i]);
		}
		if (aside)
			names[n++] = aside;
		free(base);
	}
	names[n] = NULL;
	return names;
}

/* Rename PARTIAL to NAME in REPOFD and point latest to it, each step
 * flushed: done, or undone as far as it went and exit 2 (a failure must
 * not leave a published snapshot behind a status that says none was). */
static void
publish(int repofd, const char *repo, const char *partial, const char *nm)
{
	char *was = snapshot_latest(repofd);
	int err;

	if (atomic_rename_new(repofd, partial, repofd, nm) == -1 &&
	    (errno != EINVAL || (exists(repofd, nm) ? (errno = EEXIST) :
	    errno != ENOENT) || renameat(repofd, partial, repofd, nm) == -1))
		goto fail;
	if ((snapshot_opt.sync && fsync(repofd) == -1) ||
	    atomic_symlink(nm, repofd, "latest", "snapshot") == -1)
		goto unname;
	if (!snapshot_opt.sync || fsync(repofd) == 0) {
		free(was);
		return;
	}
	err = errno;
	if (was ? atomic_symlink(was, repofd, "latest", "snapshot") :
	    unlinkat(repofd, "latest", 0))
		msg_warnsys("cannot point latest back to %s", quote(was ? was :
		    "nothing"));
	errno = err;
unname:
	err = errno;
	if (renameat(repofd, nm, repofd, partial) == -1)
		msg_warnsys("cannot take back %s", in_repo(repo, nm));
	errno = err;
fail:
	msg_diesys("cannot publish %s", in_repo(repo, nm));
}

/* Open the reference DIR (in DFD), or -1, said unless it is missing. */
static int
reference(int dfd, const char *dir)
{
	int fd = openat(dfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1 && errno != ENOENT)
		msg_warnsys("cannot use the reference %s", quote(dir));
	return fd;
}

/* Make the snapshot NAME of SRC in REPO. */
static int
make(const char *src, const char *repo)
{
	static char name[32], *partial, **old, *walked;
	static int *refs;
	const char *nm = snapshot_opt.name;
	struct stat st;
	int repofd = -1, fd;
	size_t i, n = 0, nold = 0;
	struct timespec now;

	if (!nm) {
		clock_read(CLOCK_REALTIME, &now);
		snapshot_time_name(now.tv_sec, name);
		nm = name;
	}
	/* SRC may be a symbolic link to a directory (nothing below it is
	 * followed); a SRC that cannot be read is no snapshot at all. */
	if ((fd = openat(AT_FDCWD, src, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		msg_diesys("%s", quote(src));
	close(fd);
	if (lstat(src, &st) == 0 && S_ISLNK(st.st_mode))
		src = walked = xformat("%s/", src);
	check_inside(src, repo);
	if (!snapshot_opt.dry_run && mkdir(repo, 0777) == -1 &&
	    errno != EEXIST)
		msg_diesys("cannot create %s", quote(repo));
	repofd = openat(AT_FDCWD, repo, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (repofd == -1 && (!snapshot_opt.dry_run || errno != ENOENT))
		msg_diesys("%s", quote(repo));
	partial = snapshot_hidden(nm, PARTIAL);
	if (repofd != -1) {
		if (!snapshot_opt.dry_run)
			lock(repofd, repo);
		if (exists(repofd, nm))
			msg_die("%s: a snapshot of that name exists",
			    in_repo(repo, nm));
		old = leftovers(repofd, repo, nm);
	}
	while (old && old[nold])
		nold++;
	refs = xmalloc((snapshot_opt.nlink_dest + 1 + nold) * sizeof(*refs));
	for (i = 0; i < snapshot_opt.nlink_dest; i++)
		refs[n++] = reference(AT_FDCWD, snapshot_opt.link_dest[i]);
	if (repofd != -1)
		refs[n++] = reference(repofd, "latest");
	for (i = 0; i < nold; i++)
		refs[n++] = reference(repofd, old[i]);
	if (!snapshot_opt.dry_run && mkdirat(repofd, partial, 0700) == -1)
		msg_diesys("cannot create %s", in_repo(repo, partial));
	progress_start(!snapshot_opt.quiet, progress_text);
	if (!snapshot_make(src, repofd, partial, refs, n)) {
		progress_show(true);
		msg_die("%s: left unpublished, for the next run to reuse",
		    in_repo(repo, partial));
	}
	progress_show(true);
	if (!snapshot_opt.dry_run) {
		publish(repofd, repo, partial, nm);
		for (i = 0; old && old[i]; i++)
			snapshot_remove(repofd, repo, old[i], NULL);
		snapshot_tidy(repofd, repo);
	}
	summary(nm);
	for (i = 0; i < n; i++)
		if (refs[i] != -1)
			close(refs[i]);
	for (i = 0; i < nold; i++)
		free(old[i]);
	free(old);
	free(refs);
	free(partial);
	free(walked);
	return exit_status;
}

static void
add(const char ***v, size_t *n, const char *arg)
{
	size_t cap = *n;

	*v = xgrow(*v, &cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = arg;
}

int
snapshot_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "human-readable", no_argument, NULL, 'h' },
		{ "null", no_argument, NULL, '0' },
		{ "one-file-system", no_argument, NULL, 'x' },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "link-dest", required_argument, NULL, OPT_LINK_DEST },
		{ "checksum", no_argument, NULL, OPT_CHECKSUM },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "max-links", required_argument, NULL, OPT_MAX_LINKS },
		{ "no-sync", no_argument, NULL, OPT_NO_SYNC },
		{ "discard-partial", no_argument, NULL, OPT_DISCARD },
		{ "wait", no_argument, NULL, OPT_WAIT },
		OPT_JSON,
		OPT_JOBS,
		{ "list", no_argument, NULL, OPT_LIST },
		{ "prune", no_argument, NULL, OPT_PRUNE },
		{ "delete", no_argument, NULL, OPT_DELETE },
		{ "keep-last", required_argument, NULL,
		    OPT_KEEP + KEEP_LAST },
		{ "keep-hourly", required_argument, NULL,
		    OPT_KEEP + KEEP_HOURLY },
		{ "keep-daily", required_argument, NULL,
		    OPT_KEEP + KEEP_DAILY },
		{ "keep-weekly", required_argument, NULL,
		    OPT_KEEP + KEEP_WEEKLY },
		{ "keep-monthly", required_argument, NULL,
		    OPT_KEEP + KEEP_MONTHLY },
		{ "keep-yearly", required_argument, NULL,
		    OPT_KEEP + KEEP_YEARLY },
		OPT_STANDARD
	};
	int c, mode = 0, repofd;
	bool keep = false, making = false;
	const char *repo;

	while ((c = opt_next(argc, argv, "0hnqvxJj:", longs)) != -1) {
		switch (c) {
		case '0':
			snapshot_opt.end = '\0';
			break;
		case 'h':
			snapshot_opt.human = true;
			break;
		case 'n':
			snapshot_opt.dry_run = true;
			break;
		case 'q':
			snapshot_opt.quiet = true;
			break;
		case 'v':
			snapshot_opt.verbose = true;
			break;
		case 'x':
			snapshot_opt.walk_flags |= WALK_XDEV;
			making = true;
			break;
		case OPT_NAME:
			check_name(optarg);
			snapshot_opt.name = optarg;
			making = true;
			break;
		case OPT_LINK_DEST:
			add(&snapshot_opt.link_dest, &snapshot_opt.nlink_dest,
			    optarg);
			making = true;
			break;
		case OPT_CHECKSUM:
			snapshot_opt.checksum = making = true;
			break;
		case OPT_EXCLUDE:
			add(&snapshot_opt.exclude, &snapshot_opt.nexclude,
			    optarg);
			making = true;
			break;
		case OPT_MAX_LINKS:
			snapshot_opt.max_links = opt_number(optarg, "count");
			if (!snapshot_opt.max_links)
				msg_usage("--max-links must be at least 1");
			making = true;
			break;
		case OPT_NO_SYNC:
			snapshot_opt.sync = false;
			making = true;
			break;
		case OPT_DISCARD:
			snapshot_opt.discard = making = true;
			break;
		case OPT_WAIT:
			snapshot_opt.wait = true;
			break;
		case OPT_LIST:
		case OPT_PRUNE:
		case OPT_DELETE:
			if (mode && mode != c)
				msg_usage("--list, --prune and --delete "
				    "exclude each other");
			mode = c;
			break;
		default:	/* OPT_KEEP + a rule */
			snapshot_opt.keep[c - OPT_KEEP] = opt_number(optarg,
			    "count");
			break;
		}
	}
	if (json_form && (snapshot_opt.human || !snapshot_opt.end))
		msg_usage("-0 and -h do not go with --json");
	if (mode && making)
		msg_usage("%s makes no snapshot", mode == OPT_LIST ? "--list" :
		    mode == OPT_PRUNE ? "--prune" : "--delete");
	for (c = 0; c < KEEP_RULES; c++)
		keep |= snapshot_opt.keep[c] != 0;
	if (keep != (mode == OPT_PRUNE))
		msg_usage(keep ? "--keep-RULE goes with --prune" :
		    "--prune needs a --keep-RULE=N above 0");
	if (mode == OPT_LIST && (snapshot_opt.dry_run || snapshot_opt.verbose
	    || snapshot_opt.quiet || snapshot_opt.wait))
		msg_usage("--list takes -0, -h and --json only");
	if (!mode) {
		opt_operands(argc, argv, 2, 2);
		return make(argv[optind], argv[optind + 1]);
	}
	opt_operands(argc, argv, mode == OPT_DELETE ? 2 : 1,
	    mode == OPT_DELETE ? -1 : 1);
	repo = argv[argc - 1];
	if ((repofd = openat(AT_FDCWD, repo, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		msg_diesys("%s", quote(repo));
	if (mode == OPT_LIST)
		return snapshot_list(repofd, repo);
	if (!snapshot_opt.dry_run)
		lock(repofd, repo);
	if (mode == OPT_PRUNE)
		return snapshot_prune(repofd, repo);
	return snapshot_delete(repofd, repo, argv + optind,
	    argc - optind - 1);
}
