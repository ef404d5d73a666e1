/* copy.c - the copies snapshot makes: regular files (holes kept, copied
 * again when written meanwhile), symbolic links, special files, and the
 * owner, mode and times of each. */
#include "snapshot.h"

#define COPY_BUF 131072

bool snapshot_failed;		/* writing the snapshot failed: stop */
static bool no_copy_range;

/* Writing the snapshot failed: nothing will be published. */
void
snapshot_broken(const char *what, const struct walk *e)
{
	msg_warnsys("%s %s", what, quote(e->path));
	snapshot_failed = true;
}

/* Give the copy NAME in DFD (or the open FD) the owner, mode and times
 * of ST.  The owner only where permitted: a run that is not root keeps
 * its own. */
bool
snapshot_set_meta(int fd, int dfd, const char *name, const struct stat *st)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	int flags = AT_SYMLINK_NOFOLLOW;

	if ((fd != -1 ? fchown(fd, st->st_uid, st->st_gid) :
	    fchownat(dfd, name, st->st_uid, st->st_gid, flags)) == -1 &&
	    errno != EPERM)
		return false;
	if (S_ISLNK(st->st_mode))
		return utimensat(dfd, name, times, flags) == 0 ||
		    errno == EOPNOTSUPP;
	if (fd != -1 ? fchmod(fd, st->st_mode & 07777) == -1 :
	    fchmodat(dfd, name, st->st_mode & 07777, 0) == -1)
		return false;
	return (fd != -1 ? futimens(fd, times) :
	    utimensat(dfd, name, times, flags)) == 0;
}

/* Copy [FROM, TO) of IN to OUT at the same offsets; -1 with errno, and
 * *READING set when reading IN snapshot_failed. */
static int
copy_range(int in, int out, off_t from, off_t to, bool *reading)
{
	static char *buf;
	ssize_t n, w;
	off_t a, b;

	while (!no_copy_range && from < to) {
		a = b = from;
		n = copy_file_range(in, &a, out, &b, to - from, 0);
		if (n > 0) {
			from += n;
			snapshot_sum.bytes += n;
			continue;
		}
		if (n == 0)
			return 0;	/* shrunk: told by the check after */
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL &&
		    errno != EOPNOTSUPP && errno != EPERM && errno != ETXTBSY)
			return -1;
		no_copy_range = true;
	}
	if (!buf)
		buf = xmalloc(COPY_BUF);
	while (from < to) {
		n = pread(in, buf, to - from < COPY_BUF ? to - from : COPY_BUF,
		    from);
		if (n <= 0) {
			*reading = n == -1;
			return n;
		}
		for (w = 0; w < n; w += b) {
			b = pwrite(out, buf + w, n - w, from + w);
			if (b == -1)
				return -1;
		}
		from += n;
		snapshot_sum.bytes += n;
	}
	return 0;
}

/* The data of IN, SIZE bytes, into OUT, holes kept. */
static int
copy_data(int in, int out, off_t size, bool *reading)
{
	off_t data, hole;

	for (data = 0; data < size; data = hole) {
		data = lseek(in, data, SEEK_DATA);
		if (data == -1 && errno == ENXIO)
			break;
		hole = data == -1 ? size : lseek(in, data, SEEK_HOLE);
		if (data == -1)
			data = 0;
		if (hole == -1 || hole > size)
			hole = size;
		if (copy_range(in, out, data, hole, reading) == -1)
			return -1;
	}
	return ftruncate(out, size);
}

static bool
same_state(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Copy the regular file E into DEST; ST becomes its state as copied.
 * False when it was not copied (said). */
bool
snapshot_copy_file(const struct walk *e, int dest, struct stat *st)
{
	struct stat after;
	bool reading = false, ok = true;
	int in, out, tries;

	in = openat(e->fd, e->name, O_RDONLY | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK | O_CLOEXEC);
	if (in == -1 || fstat(in, st) == -1 || !S_ISREG(st->st_mode)) {
		if (in != -1 && !S_ISREG(st->st_mode))
			errno = EAGAIN;	/* replaced meanwhile */
		msg_warnsys("cannot read %s", quote(e->path));
		snapshot_sum.reported++;
		if (in != -1)
			close(in);
		return false;
	}
	if (snapshot_opt.dry_run) {
		snapshot_sum.bytes += st->st_size;
		close(in);
		return true;
	}
	out = openat(dest, e->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600);
	if (out == -1) {
		snapshot_broken("cannot create", e);
		close(in);
		return false;
	}
	/* A file written meanwhile is copied again, once. */
	for (tries = 0;; tries++) {
		if (copy_data(in, out, st->st_size, &reading) == -1) {
			ok = false;
			break;
		}
		if (fstat(in, &after) == -1) {
			ok = false;
			reading = true;
			break;
		}
		if (same_state(st, &after))
			break;
		*st = after;
		if (tries) {
			msg_warn("%s: changed while being copied",
			    quote(e->path));
			snapshot_sum.reported++;
			break;
		}
		if (ftruncate(out, 0) == -1) {
			ok = false;
			break;
		}
	}
	if (reading) {
		msg_warnsys("cannot read %s", quote(e->path));
		snapshot_sum.reported++;
	} else if (!ok || !snapshot_set_meta(out, dest, e->name, st)) {
		snapshot_broken("cannot write", e);
		ok = false;
	}
	close(in);
	if (close(out) == -1 && ok) {
		snapshot_broken("cannot write", e);
		ok = false;
	}
	/* Not half a file: the snapshot lacks it, and said so. */
	if (reading)
		unlinkat(dest, e->name, 0);
	return ok;
}

/* A symbolic link, FIFO, device or socket E (ST) into DEST: false when
 * it was not made (said). */
bool
snapshot_copy_special(const struct walk *e, const struct stat *st, int dest)
{
	char text[PATH_MAX];
	ssize_t n = 0;

	if (S_ISLNK(st->st_mode)) {
		n = readlinkat(e->fd, e->name, text, sizeof(text) - 1);
		if (n == -1) {
			msg_warnsys("cannot read %s", quote(e->path));
			snapshot_sum.reported++;
			return false;
		}
		text[n] = '\0';
	}
	if (snapshot_opt.dry_run)
		return true;
	if (S_ISLNK(st->st_mode) ? symlinkat(text, dest, e->name) == -1 :
	    mknodat(dest, e->name, st->st_mode & (S_IFMT | 07777),
	    st->st_rdev) == -1) {
		if (errno != EPERM) {
			snapshot_broken("cannot create", e);
			return false;
		}
		msg_warnsys("cannot copy %s", quote(e->path));
		snapshot_sum.reported++;
		return false;
	}
	if (!snapshot_set_meta(-1, dest, e->name, st)) {
		snapshot_broken("cannot write", e);
		return false;
	}
	return true;
}

