/* fuzz.h - what the fuzz targets share.  Include after linkbox.h, with
 * FUZZ_NAME defined: FAIL(), and a scratch directory of the process's own
 * (TMPDIR/FUZZ_NAME.PID), removed at exit, and by the next run of the
 * target when a crash kept this one from removing it. */
#include <ftw.h>
#include <signal.h>

#define FAIL(...) do { \
	fprintf(stderr, FUZZ_NAME ": " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

static char fuzz_dir[PATH_MAX];

static int
fuzz_remove_one(const char *path, const struct stat *st, int type,
    struct FTW *f)
{
	(void)st;
	(void)f;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) == -1)
		fprintf(stderr, FUZZ_NAME ": cannot remove %s: %s\n", path,
		    strerror(errno));
	return 0;
}

static void
fuzz_remove(const char *path)
{
	nftw(path, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
fuzz_remove_dir(void)
{
	fuzz_remove(fuzz_dir);
}

/* Make the scratch directory in PARENT (NULL: $TMPDIR or /tmp). */
static const char *
fuzz_scratch(const char *parent)
{
	size_t len = strlen(FUZZ_NAME);
	struct dirent *e;
	char stale[PATH_MAX];
	DIR *d;

	if (!parent && (!(parent = getenv("TMPDIR")) || !*parent))
		parent = "/tmp";
	if ((d = opendir(parent))) {
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, FUZZ_NAME ".", len + 1) &&
			    kill(atoi(e->d_name + len + 1), 0) == -1 &&
			    errno == ESRCH) {
				fmt(stale, sizeof(stale), "%s/%s", parent,
				    e->d_name);
				fuzz_remove(stale);
			}
		closedir(d);
	}
	fmt(fuzz_dir, sizeof(fuzz_dir), "%s/" FUZZ_NAME ".%d", parent,
	    (int)getpid());
	fuzz_remove(fuzz_dir);
	if (mkdir(fuzz_dir, 0700) == -1)
		FAIL("cannot make %s: %s", fuzz_dir, strerror(errno));
	atexit(fuzz_remove_dir);
	return fuzz_dir;
}
