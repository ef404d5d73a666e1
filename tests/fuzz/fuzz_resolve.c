/* fuzz_resolve - resolve_in() inside a small fixed tree.
 *
 * At start-up, in a temporary directory T:
 *   T/lbx_sentinel, T/outside/lbx_sentinel   files outside the root only
 *   T/root/                                  the root: directories, a
 *     deep chain of directories (deeper than the descriptors the resolver
 *     keeps), files, and symbolic links: absolute, relative, "..", loops,
 *     dangling, through a file, chains of 40 and 41 links, and links that
 *     try to leave the root towards T and T/outside.
 * The input is the path.  When its first byte is below 0x10, that byte
 * instead lowers the descriptor limit to (highest descriptor open + 1 +
 * byte) for the call, so that the resolver's EMFILE paths run too, and
 * the rest is the path.
 *
 * Checked: no crash; no descriptor left open; nothing outside the root
 * reached: a path whose last component is "lbx_sentinel" and PATH +
 * "/lbx_sentinel" never resolve (no directory of the root holds that
 * name); and, where openat2(2) is available, the result agrees with the
 * kernel's own RESOLVE_IN_ROOT lookup: success or failure, and errno.
 * Not compared: the empty path (the resolver takes it as the root; the
 * kernel says ENOENT, as stat("") does) and paths of PATH_MAX bytes or
 * more (the kernel refuses them whole); failures with EMFILE under a
 * lowered limit are accepted.
 */
#include "../../core/linkbox.h"
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#define FUZZ_NAME "fuzz_resolve"
#include "fuzz.h"

#define SENTINEL "lbx_sentinel"

static const char *top;
static int rootfd;
static bool have_openat2;

/* Open descriptors, and the highest one in *MAX. */
static int
count_fds(int *max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0, fd, self = dirfd(d);

	*max = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && (fd = atoi(e->d_name)) != self) {
			n++;
			if (fd > *max)
				*max = fd;
		}
	closedir(d);
	return n;
}

/* The kernel's answer: 0, or -1 with errno.  EAGAIN: a rename or mount
 * somewhere on the system during a lookup through ".."; try again. */
static int
oracle(const char *path, struct stat *st)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd, tries = 0;

	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd == -1 && errno == EAGAIN && ++tries < 1000);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1)
		FAIL("fstat of what openat2 opened: %s", strerror(errno));
	close(fd);
	return 0;
}

static bool
last_is_sentinel(const char *path)
{
	size_t len = strlen(path), n = strlen(SENTINEL);

	while (len > 0 && path[len - 1] == '/')
		len--;
	return len >= n && !strncmp(path + len - n, SENTINEL, n) &&
	    (len == n || path[len - n - 1] == '/');
}

static void
resolve(const char *path, unsigned limit)
{
	struct rlimit old, rl;
	struct stat st, wst;
	int before, after, max, r, err, want, werr;

	before = count_fds(&max);
	if (limit) {
		getrlimit(RLIMIT_NOFILE, &old);
		rl = old;
		rl.rlim_cur = max + limit;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	errno = 0;
	r = resolve_in(rootfd, path, &st);
	err = errno;
	if (limit)
		setrlimit(RLIMIT_NOFILE, &old);
	after = count_fds(&max);
	if (after != before)
		FAIL("\"%s\": %d descriptors open before, %d after", path,
		    before, after);
	if (r != 0 && r != -1)
		FAIL("\"%s\": returned %d", path, r);
	if (r == -1 && !err)
		FAIL("\"%s\": -1 with errno 0", path);
	if (r == 0 && last_is_sentinel(path))
		FAIL("\"%s\" resolved: outside the root", path);
	if (r == -1 && limit && (err == EMFILE || err == ENFILE))
		return;
	if (!have_openat2 || !*path || strlen(path) >= PATH_MAX)
		return;
	want = oracle(path, &wst);
	werr = errno;
	if (want == -1 && werr == EAGAIN)
		return;		/* the kernel could not say */
	if (r != want || (r == -1 && err != werr))
		FAIL("\"%s\": %d (%s), but the kernel says %d (%s)", path, r,
		    r ? strerror(err) : "ok", want, want ? strerror(werr) : "ok");
	if (r == 0 && (st.st_dev != wst.st_dev || st.st_ino != wst.st_ino))
		FAIL("\"%s\": inode %llu, but the kernel opens %llu", path,
		    (unsigned long long)st.st_ino,
		    (unsigned long long)wst.st_ino);
}

static void
make(const char *name, const char *link)
{
	int fd;

	if (link) {
		if (symlink(link, name) == -1)
			FAIL("cannot make %s/%s", top, name);
	} else if (name[strlen(name) - 1] == '/') {
		if (mkdir(name, 0755) == -1)
			FAIL("cannot make %s/%s", top, name);
	} else if ((fd = open(name, O_CREAT | O_WRONLY, 0644)) == -1)
		FAIL("cannot make %s/%s", top, name);
	else
		close(fd);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const tree[][2] = {
		{ SENTINEL, NULL }, { "outside/", NULL },
		{ "outside/" SENTINEL, NULL }, { "root/", NULL },
		{ "root/a/", NULL }, { "root/a/b/", NULL },
		{ "root/a/b/c/", NULL }, { "root/file", NULL },
		{ "root/a/file2", NULL }, { "root/abs", "/a" },
		{ "root/absfile", "/file" }, { "root/rootlink", "/" },
		{ "root/rel", "a/b" }, { "root/up", ".." },
		{ "root/upup", "../../.." }, { "root/dir2", "a/" },
		{ "root/a/b/esc", "../../../outside" },
		{ "root/a/b/escs", "../../../../" SENTINEL },
		{ "root/escabs", "/../outside" },
		{ "root/escabs2", "/../../" SENTINEL },
		{ "root/a/b/c/outer", "/../outside/" SENTINEL },
		{ "root/loop1", "loop2" }, { "root/loop2", "loop1" },
		{ "root/self", "self" }, { "root/dangling", "nowhere" },
		{ "root/fileslash", "file/" }, { "root/filedot", "file/." },
		{ "root/a/b/c/top", "/../../../../../../../../../../../.." },
		{ "root/deep", "d/d/d/d/d/d/d/d/d/d/d/d" },
		{ "root/deepback", "d/d/d/d/d/d/d/d/d/d/d/d/back" },
	};
	struct stat st;
	char name[64];
	size_t i;
	int cwd;

	(void)argc;
	(void)argv;
	top = fuzz_scratch(NULL);
	if ((cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    chdir(top) == -1)
		FAIL("cannot go to %s", top);
	for (i = 0; i < sizeof(tree) / sizeof(*tree); i++)
		make(tree[i][0], tree[i][1]);
	/* root/d/d/...: 12 levels, with links back up at the bottom. */
	strcpy(name, "root");
	for (i = 0; i < 12; i++) {
		strcat(name, "/d");
		mkdir(name, 0755);
	}
	strcat(name, "/back");
	make(name, "../../../../../../../../../../../..");
	strcpy(name + strlen(name) - 4, "abs");
	make(name, "/../../a");
	/* root/c0 -> c1 -> ... -> c40 -> file: c0 is one link too many. */
	for (i = 0; i <= 40; i++) {
		char link[16];

		fmt(name, sizeof(name), "root/c%zu", i);
		fmt(link, sizeof(link), i < 40 ? "c%zu" : "file", i + 1);
		make(name, link);
	}
	rootfd = open("root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd == -1 || fchdir(cwd) == -1 || close(cwd) == -1)
		FAIL("cannot open %s/root", top);
	have_openat2 = oracle("file", &st) == 0;
	if (!have_openat2)
		fprintf(stderr, "fuzz_resolve: no openat2(2): the kernel's "
		    "answers are not compared\n");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = malloc(size + sizeof(SENTINEL) + 1), *p = path;
	unsigned limit = 0;

	memcpy(path, data, size);
	path[size] = '\0';
	if (size && data[0] < 0x10) {
		limit = data[0] + 1;
		p++;
	}
	resolve(p, limit);
	strcat(p, "/" SENTINEL);
	resolve(p, limit);
	free(path);
	return 0;
}
