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

/* xorshift64, 64 bits wide on 32-bit targets too. */
static unsigned long long
random_next(void)
{
	static unsigned long long state;
	struct timespec ts;

	if (!state) {
		clock_read(CLOCK_REALTIME, &ts);
		state = ((unsigned long long)ts.tv_nsec << 16 ^ ts.tv_sec ^
		    (unsigned long long)getpid() << 32) | 1;
	}
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static const char tmp_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* Write a temporary name for BASE into BUF (NAME_MAX + 1 bytes), cutting
 * BASE short where the whole would not fit in one component. */
void
atomic_tmpname(char *buf, const char *base, const char *tag)
{
	int len, i, keep = strcspn(base, "/");

	if (keep > NAME_MAX - 9 - (int)strlen(tag))
		keep = NAME_MAX - 9 - (int)strlen(tag);
	len = fmt(buf, NAME_MAX + 1, ".%.*s.%s.", keep, base, tag);
	for (i = 0; i < 6; i++)
		buf[len + i] =
		    tmp_chars[random_next() % (sizeof(tmp_chars) - 1)];
	buf[len + i] = '\0';
}

/* NAME has the form of a temporary name made with TAG: the length of the
 * BASE in it (perhaps cut short), or -1. */
int
atomic_is_temp(const char *name, const char *tag)
{
	size_t len = strlen(name), tlen = strlen(tag);
	const char *end;

	if (name[0] != '.' || len < tlen + 10)
		return -1;
	end = name + len - tlen - 8;
	if (end[0] != '.' ||
	    memcmp(end + 1, tag, tlen) || end[tlen + 1] != '.' ||
	    strspn(end + tlen + 2, tmp_chars) != 6)
		return -1;
	return end - name - 1;
}

/* Make a symlink to SRC (SRCFD == -1) or a hard link to SRC (relative to
 * SRCFD, with linkat FLAGS) under a fresh temporary name for BASE in
 * DIRFD, written to TMP (NAME_MAX + 1 bytes).  Never overwrites anything:
 * symlinkat and linkat fail with EEXIST, and we try another name. */
int
atomic_temp(int srcfd, const char *src, int flags, int dirfd,
    const char *base, const char *tag, char *tmp)
{
	int tries = 0;

	for (;;) {
		atomic_tmpname(tmp, base, tag);
		if ((srcfd == -1 ? symlinkat(src, dirfd, tmp) :
		    linkat(srcfd, src, dirfd, tmp, flags)) == 0)
			return 0;
		if (errno != EEXIST || ++tries == 100)
			return -1;
	}
}

/* Make the link under a temporary name, and rename it over BASE. */
static int
replace(int srcfd, const char *src, int flags, int dirfd, const char *base,
    const char *tag)
{
	char tmp[NAME_MAX + 1];
	struct stat left, now;
	int err;

	if (atomic_temp(srcfd, src, flags, dirfd, base, tag, tmp) == -1)
		return -1;
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
	    same_inode(&left, &now) &&
	    unlinkat(dirfd, tmp, 0) == -1)
		msg_warnsys("cannot remove the temporary %s beside %s",
		    quote(tmp), quote(base));
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

/* Exchange two names atomically: renameat2(RENAME_EXCHANGE), called
 * through syscall() because musl (1.2.3) has no wrapper. */
int
atomic_exchange(int fd1, const char *a, int fd2, const char *b)
{
	return syscall(SYS_renameat2, fd1, a, fd2, b, 2 /* RENAME_EXCHANGE */);
}

/* Whether ERR, from atomic_exchange, says that the kernel or the
 * filesystem cannot exchange (old kernels, FUSE, NFS), rather than that
 * this exchange failed. */
bool
atomic_no_exchange(int err)
{
	return err == EINVAL || err == ENOSYS || err == ENOTTY ||
	    err == EOPNOTSUPP;
}

/* Rename unless NEW exists (RENAME_NOREPLACE); EINVAL where the
 * filesystem cannot promise that. */
int
atomic_rename_new(int fd1, const char *old, int fd2, const char *new)
{
	return syscall(SYS_renameat2, fd1, old, fd2, new, 1 /* NOREPLACE */);
}

/* Rename NAME in DFD to a fresh temporary name, written to TMP, never
 * replacing anything there.  Where RENAME_NOREPLACE is unsupported, look
 * first: the random name makes the remaining window harmless. */
int
atomic_aside(int dfd, const char *name, const char *tag, char *tmp)
{
	struct stat st;
	int tries = 0;

	for (;;) {
		atomic_tmpname(tmp, name, tag);
		if (atomic_rename_new(dfd, name, dfd, tmp) == 0)
			return 0;
		if (errno == EINVAL && fstatat(dfd, tmp, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 && errno == ENOENT)
			return renameat(dfd, name, dfd, tmp);
		if ((errno != EEXIST && errno != EINVAL) || ++tries == 100)
			return -1;
	}
}

/* Put NAME, moved aside as TMP in DFD by atomic_aside, back, never over
 * something that took the name meanwhile.  Where RENAME_NOREPLACE is
 * unsupported, link(2) gives the same promise. */
int
atomic_put_back(int dfd, const char *tmp, const char *name)
{
	if (atomic_rename_new(dfd, tmp, dfd, name) == 0)
		return 0;
	if (errno != EINVAL || linkat(dfd, tmp, dfd, name, 0) == -1)
		return -1;
	return unlinkat(dfd, tmp, 0);
}
