/* main.c - the multi-call binary: choose an applet by argv[0], or act as
 * the linkbox multiplexer (linkbox APPLET ARGS, --list, --help, --version,
 * --install).
 */
#include "linkbox.h"

static const char linkbox_usage[] =
"Usage: linkbox APPLET [ARGUMENT]...\n"
"   or: linkbox --list | --help [APPLET] | --version\n"
"   or: linkbox --install [-s] [-f] DIRECTORY\n"
"   or: APPLET [ARGUMENT]...  (through a link named APPLET)\n"
"\n"
"  --list          print the applets built in, one a line\n"
"  --help [APPLET] print this help, or the applet's\n"
"  --install DIR   link each applet's name in DIR to this binary\n"
"    -s            make symbolic links instead of hard links\n"
"    -f            replace names that are not already linkbox\n"
"  --version       print the version\n";

static const struct applet *
find(const char *name)
{
	size_t i;

	for (i = 0; i < napplets; i++)
		if (!strcmp(applets[i].name, name))
			return &applets[i];
	applet_name = "linkbox";
	msg_warn("applet not found: %s", name);
	exit(127);
}

/* The path of this executable, to link to. */
static char *
self_path(const char *argv0)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = '\0';
		return buf;
	}
	if (*argv0 == '/')
		return (char *)argv0;
	if (strchr(argv0, '/') && getcwd(buf, sizeof(buf)))
		return path_join(buf, argv0);
	msg_die("cannot find this executable: /proc is not mounted");
}

/* Link DIR/NAME to SELF: new names directly, names that already are this
 * binary (or anything, with -f) replaced atomically. */
static void
install_one(const char *self, const struct stat *self_st, int dirfd,
    const char *dir, const char *name, bool symbolic, bool force)
{
	char *path = path_join(dir, name);
	struct stat st;
	bool ours;
	int r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT)
			msg_warnsys("cannot access %s", quote(path));
		else if ((symbolic ? symlinkat(self, dirfd, name) :
		    linkat(AT_FDCWD, self, dirfd, name, 0)) == -1)
			goto fail;
		free(path);
		return;
	}
	if (S_ISLNK(st.st_mode) && fstatat(dirfd, name, &st, 0) == -1)
		st.st_ino = 0;
	ours = same_inode(&st, self_st);
	if (!ours && !force) {
		msg_warn("%s exists and is not linkbox (use -f to replace it)",
		    quote(path));
		free(path);
		return;
	}
	r = symbolic ? atomic_symlink(self, dirfd, name, "linkbox") :
	    atomic_link(AT_FDCWD, self, 0, dirfd, name, "linkbox");
	if (r == 0) {
		free(path);
		return;
	}
fail:
	if (errno == EXDEV)
		msg_die("cannot hard link %s to %s: %s (use -s)", quote(path),
		    quote(self), strerror(EXDEV));
	msg_warnsys("cannot link %s to %s", quote(path), quote(self));
	free(path);
}

static int
install(int argc, char **argv)
{
	static const struct option longs[] = { OPT_STANDARD };
	bool symbolic = false, force = false;
	const char *self, *dir;
	struct stat self_st;
	size_t i;
	int c, dirfd;

	while ((c = opt_next(argc, argv, "sf", longs)) != -1) {
		if (c == 's')
			symbolic = true;
		else
			force = true;
	}
	opt_operands(argc, argv, 1, 1);
	dir = argv[optind];
	self = self_path(argv[0]);
	if (stat(self, &self_st) == -1)
		msg_diesys("cannot access %s", quote(self));
	dirfd = openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd == -1)
		msg_diesys("cannot open directory %s", quote(dir));
	for (i = 0; i < napplets; i++)
		install_one(self, &self_st, dirfd, dir, applets[i].name,
		    symbolic, force);
	close(dirfd);
	return exit_status;
}

/* --list, --help [APPLET] and --version, like --install DIR, reject
 * more than MAX operands after argv[1]. */
static void
no_extra(int argc, char **argv, int max)
{
	optind = 2;
	opt_operands(argc, argv, 0, max);
}

static int
multiplexer(int argc, char **argv)
{
	const char *arg = argc > 1 ? argv[1] : NULL;
	size_t i;

	applet_usage = linkbox_usage;
	if (!arg)
		msg_usage("missing applet name");
	if (!strcmp(arg, "--list")) {
		no_extra(argc, argv, 0);
		for (i = 0; i < napplets; i++)
			out("%s\n", applets[i].name);
		return msg_flush(0);
	}
	if (!strcmp(arg, "--help")) {
		no_extra(argc, argv, 1);
		out("%s", argc > 2 ? find(argv[2])->usage : linkbox_usage);
		return msg_flush(0);
	}
	if (!strcmp(arg, "--version")) {
		no_extra(argc, argv, 0);
		out("linkbox %s\n", LINKBOX_VERSION);
		return msg_flush(0);
	}
	if (!strcmp(arg, "--install"))
		return msg_flush(install(argc - 1, argv + 1));
	if (arg[0] == '-')
		msg_usage("unrecognized option %s", quote(arg));
	return applet_run(find(arg), argc - 1, argv + 1);
}

int
main(int argc, char **argv)
{
	const char *name = argc > 0 ? path_base(argv[0]) : "linkbox";

	if (!strncmp(name, "linkbox", 7))
		return multiplexer(argc, argv);
	return applet_run(find(name), argc, argv);
}
