/* atomic.c - replace a name so that it never disappears.
 *
 * The new link is made under a fresh temporary name in the same directory
 * (".BASE.TAG.XXXXXX": recognisable, and never clobbering anything, since
 * symlinkat and linkat fail with EEXIST rather than overwrite), then
 * rename(2)d over BASE.  rename is atomic: every lookup of BASE sees the
 * old object or the new one.  On any failure the temporary is removed and
 * BASE is left as it was.
 */
#include "linkbox.h"
#include <time.h>

static unsigned long
random_next(void)
{
	static unsigned long state;
	struct timespec ts;

	if (!state) {
		clock_gettime(CLOCK_REALTIME, &ts);
		state = ((unsigned long)ts.tv_nsec << 16 ^ ts.tv_sec ^
		    (unsigned long)getpid() << 32) | 1;
	}
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

/* Write a temporary name for BASE into BUF (NAME_MAX + 1 bytes), cutting
 * BASE short where the whole would not fit in one component. */
void
atomic_tmpname(char *buf, const char *base, const char *tag)
{
	static const char chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	int len, i, keep = strcspn(base, "/");

	if (keep > NAME_MAX - 9 - (int)strlen(tag))
		keep = NAME_MAX - 9 - (int)strlen(tag);
	len = fmt(buf, NAME_MAX + 1, ".%.*s.%s.", keep, base, tag);
	for (i = 0; i < 6; i++)
		buf[len + i] = chars[random_next() % (sizeof(chars) - 1)];
	buf[len + i] = '\0';
}

/* Make a symlink (SRCFD == -1, SRC is its text) or a hard link to SRC
 * under a fresh temporary name, and rename it over BASE. */
static int
replace(int srcfd, const char *src, int flags, int dirfd, const char *base,
    const char *tag)
{
	char tmp[NAME_MAX + 1];
	struct stat left, now;
	int tries = 0, err;

	for (;;) {
		atomic_tmpname(tmp, base, tag);
		if ((srcfd == -1 ? symlinkat(src, dirfd, tmp) :
		    linkat(srcfd, src, dirfd, tmp, flags)) == 0)
			break;
		if (errno != EEXIST || ++tries == 100)
			return -1;
	}
	if (renameat(dirfd, tmp, dirfd, base) == -1) {
		err = errno;
		unlinkat(dirfd, tmp, 0);
		errno = err;
		return -1;
	}
	/* rename() of two names of one inode succeeds and does nothing,
	 * leaving the temporary behind: remove it while it still is that
	 * inode.  A symlink is always a new inode, so it cannot happen. */
	if (srcfd != -1 &&
	    fstatat(dirfd, tmp, &left, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(dirfd, base, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    left.st_ino == now.st_ino && left.st_dev == now.st_dev)
		unlinkat(dirfd, tmp, 0);
	return 0;
}

int
atomic_symlink(const char *target, int dirfd, const char *base,
    const char *tag)
{
	return replace(-1, target, 0, dirfd, base, tag);
}

int
atomic_link(int srcfd, const char *src, int flags, int dirfd,
    const char *base, const char *tag)
{
	return replace(srcfd, src, flags, dirfd, base, tag);
}
