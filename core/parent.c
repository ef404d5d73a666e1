/* parent.c - a name in an open directory.
 *
 * A path acted on by its full name is looked up again at every call, so
 * a directory renamed or swapped for a symlink in between changes what
 * is acted on.  The applets open the directory that holds the name once
 * and act on the name relative to that descriptor (fstatat, renameat,
 * linkat, unlinkat); temporaries made beside the name are then in the
 * same directory, as rename(2) needs.
 */
#include "linkbox.h"

/* The dir of a PATH without one: not allocated, so that the common case
 * (ln -sf in a loop) makes no call to malloc, which costs musl syscalls. */
static char here[] = ".";

/* Open the directory holding PATH (relative to DFD) and split off its
 * last component, trailing slashes cut.  A PATH without a directory part
 * uses DFD itself.  -1 with errno on failure: ENAMETOOLONG or EINVAL
 * (no last component: "" or "/") leave P->dir NULL, so that the caller
 * can tell a bad name from a directory it could not open. */
int
parent_open(struct parent *p, int dfd, const char *path)
{
	const char *base = path_base(path);
	size_t len = strcspn(base, "/");

	p->fd = -1;
	p->owned = false;
	p->path = path;
	p->dir = NULL;
	if (len > NAME_MAX || len == 0) {
		errno = len ? ENAMETOOLONG : EINVAL;
		return -1;
	}
	memcpy(p->name, base, len);
	p->name[len] = '\0';
	if (base == path) {
		p->dir = here;
		p->fd = dfd;
		return 0;
	}
	p->dir = path_dir(path);
	p->fd = openat(dfd, p->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	p->owned = p->fd != -1;
	return p->fd == -1 ? -1 : 0;
}

void
parent_close(struct parent *p)
{
	if (p->owned)
		close(p->fd);
	p->owned = false;
	p->fd = -1;
	if (p->dir != here)
		free(p->dir);
	p->dir = NULL;
}

/* Flush the directory to stable storage, so that a rename or link in it
 * survives a power cut.  An O_PATH descriptor cannot be fsync'ed: open
 * the directory itself through it. */
int
parent_sync(const struct parent *p)
{
	int fd = openat(p->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r, err;

	if (fd == -1)
		return -1;
	r = fsync(fd);
	err = errno;
	close(fd);
	errno = err;
	return r;
}
