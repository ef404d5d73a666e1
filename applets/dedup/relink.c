/* relink.c - dedup's last stage: settle each group, link each class.
 *
 * A group (files alike in what must be equal, their heads hashed) is cut
 * by the hash of the heads, then into classes of identical files (match.c
 * compares the bytes), then by owner, group and mode where they must
 * agree; each such class gets one kept file, and every name of the others
 * becomes a link to it, replaced so that it never disappears and no write
 * made since the comparison is lost (relink()).
 */
#include "dedup.h"

enum { OWNER = 1, GROUP = 2, MODE = 4 };

/* What of owner, group and mode (among WHAT) differs between A and B. */
static unsigned
differs(const struct file *a, const struct file *b, unsigned what)
{
	return what & ((a->uid != b->uid) * OWNER |
	    (a->gid != b->gid) * GROUP | (a->mode != b->mode) * MODE);
}

/* What must agree for two identical files to be linked. */
static unsigned
must_agree(void)
{
	return !dedup_opt.any_owner * OWNER | !dedup_opt.any_group * GROUP |
	    !dedup_opt.any_mode * MODE;
}

/* KEEP better than F as the file to keep? */
static bool
better(const struct file *keep, const struct file *f)
{
	bool ko = keep->nlink > keep->names, fo = f->nlink > f->names;

	if (ko != fo)
		return ko;
	switch (dedup_opt.keep) {
	case KEEP_LINKS:
		if (keep->nlink != f->nlink)
			return keep->nlink > f->nlink;
		/* fallthrough */
	case KEEP_OLDEST:
		if (keep->mtime.tv_sec != f->mtime.tv_sec)
			return keep->mtime.tv_sec < f->mtime.tv_sec;
		return keep->mtime.tv_nsec <= f->mtime.tv_nsec;
	case KEEP_NEWEST:
		if (keep->mtime.tv_sec != f->mtime.tv_sec)
			return keep->mtime.tv_sec > f->mtime.tv_sec;
		return keep->mtime.tv_nsec >= f->mtime.tv_nsec;
	default:
		return keep < f;	/* dedup_files[] is in walk order */
	}
}

static bool
same_state(const struct stat *st, const struct file *f)
{
	return st->st_ino == f->ino && st->st_dev == f->dev &&
	    st->st_size == f->size && st->st_mtim.tv_sec == f->mtime.tv_sec &&
	    st->st_mtim.tv_nsec == f->mtime.tv_nsec;
}

/* DONE_LEFT: relinked, but the old file stays under a temporary name. */
enum result { DONE, DONE_LEFT, FULL, SKIPPED };

/* Remove our temporary TMP in DFD (DIR); say so, naming it, if we cannot:
 * nothing of ours is left unreported. */
static bool
drop_temp(int dfd, const char *dir, const char *tmp)
{
	char *path;

	if (unlinkat(dfd, tmp, 0) == 0)
		return true;
	path = path_join(dir, tmp);
	msg_failsys("cannot remove %s", quote(path));
	free(path);
	return false;
}

/* Replace the name PATH of DUP by a hard link to KEEP, never leaving the
 * name missing and never losing a write made to DUP since it was
 * compared: link KEEP beside it, exchange, check the displaced inode,
 * then remove it (or exchange back). */
static enum result
relink(const char *path, const struct file *dup, const struct file *keep)
{
	struct parent at;
	const char *why = NULL, *base, *dir;
	char tmp[NAME_MAX + 1];
	enum result r = SKIPPED;
	struct stat st;
	int dfd;

	dfd = parent_open(&at, AT_FDCWD, path);
	base = at.name;
	dir = at.dir;
	if (dfd == -1 || (dfd = at.fd, atomic_temp(AT_FDCWD,
	    dedup_path(keep->name), 0, dfd, base, "dedup", tmp) == -1)) {
		if (errno == EMLINK)
			r = FULL;
		else
			msg_failsys("cannot link %s to %s", quote(path),
			    quote(dedup_path(keep->name)));
		goto out;
	}
	if (fstatat(dfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !same_state(&st, keep)) {
		why = dedup_path(keep->name);
		drop_temp(dfd, dir, tmp);
		goto out;
	}
	if (atomic_exchange(dfd, tmp, dfd, base) == 0) {
		if (fstatat(dfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    same_state(&st, dup))
			r = drop_temp(dfd, dir, tmp) ? DONE : DONE_LEFT;
		else if (atomic_exchange(dfd, tmp, dfd, base) == 0) {
			why = path;
			drop_temp(dfd, dir, tmp);
		} else {
			char *trail = path_join(dir, tmp);

			msg_failsys("%s changed while being linked; it is now "
			    "%s", quote(path), quote(trail));
			free(trail);
		}
		goto out;
	}
	if (!atomic_no_exchange(errno)) {
		msg_failsys("cannot replace %s", quote(path));
		drop_temp(dfd, dir, tmp);
		goto out;
	}
	/* No exchange on this filesystem: check just before the rename. */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !same_state(&st, dup))
		why = path;
	else if (renameat(dfd, tmp, dfd, base) == 0)
		r = DONE;
	else
		msg_failsys("cannot replace %s", quote(path));
	if (r != DONE)
		drop_temp(dfd, dir, tmp);
out:
	if (why) {
		msg_fail("%s changed since it was compared; left alone",
		    quote(why));
		dedup_sum.changed++;
	} else if (r == SKIPPED)
		dedup_sum.failed++;
	parent_close(&at);
	return r;
}

/* -n: say what of F's owner, group and mode linking its name PATH to
 * KEEP would change (--any-*). */
static void
note_changes(const char *path, const struct file *f, const struct file *keep)
{
	unsigned d = differs(f, keep, OWNER | GROUP | MODE);

	if (d & OWNER)
		msg_note("%s would change owner from %u to %u", quote(path),
		    (unsigned)f->uid, (unsigned)keep->uid);
	if (d & GROUP)
		msg_note("%s would change group from %u to %u", quote(path),
		    (unsigned)f->gid, (unsigned)keep->gid);
	if (d & MODE)
		msg_note("%s would change mode from %u%u%u%u to %u%u%u%u",
		    quote(path), f->mode >> 9 & 7, f->mode >> 6 & 7,
		    f->mode >> 3 & 7, f->mode & 7, keep->mode >> 9 & 7,
		    keep->mode >> 6 & 7, keep->mode >> 3 & 7, keep->mode & 7);
}

/* The line of -l (KEEP null), -n or -v ('NAME' => 'KEPT', or with WHY,
 * not linked) for NAME, a name of F; or with --json its record, ACTION
 * in it. */
static void
tell(const char *action, size_t name, const struct file *f,
    const struct file *keep, const char *why)
{
	const char *path = dedup_path(name);

	if (json_form) {
		json_open();
		if (!why)
			json_number("group", dedup_sum.groups);
		json_string("path", path);
		if (keep)
			json_string("kept", dedup_path(keep->name));
		else
			json_number("size", f->size);
		if (action)
			json_string("action", action);
		if (why)
			json_string("reason", why);
		json_close();
	} else if (!keep)
		out("%s%c", path, dedup_opt.end);
	else if (why)
		out("%s not linked to %s: %s%c", quote(path),
		    quote(dedup_path(keep->name)), why, dedup_opt.end);
	else
		out("%s => %s%c", quote(path), quote(dedup_path(keep->name)),
		    dedup_opt.end);
}

/* Make every name of the identical files C[0..n), whose owner, group
 * and mode agree where they must, a link to one kept file, starting a
 * new kept file when it cannot take more links. */
static void
link_run(struct file **c, size_t n)
{
	size_t i, k = 0, name, left;
	struct file *keep;
	bool lingers;
	sigset_t old;

	for (i = 1; i < n; i++)
		if (better(c[i], c[k]))
			k = i;
	keep = c[k];
	c[k] = c[0];
	c[0] = keep;
	dedup_sum.groups++;
	if (dedup_opt.list) {
		for (i = 0; i < n; i++)
			for (name = c[i]->name; name != NONE;
			    name = dedup_names[name].next)
				tell(NULL, name, c[i], NULL, NULL);
		if (!json_form)
			out("%c", dedup_opt.end);
		return;
	}
	for (i = 1; i < n && !dedup_stop; i++) {
		left = c[i]->names;
		lingers = false;
		/* Names already linked together move together or not at
		 * all: when KEEP cannot take them all, keep this file. */
		if (keep->nlink + c[i]->names > dedup_opt.max_links) {
			keep = c[i];
			continue;
		}
		for (name = c[i]->name; name != NONE && !dedup_stop;
		    name = dedup_names[name].next) {
			if (dedup_opt.dry_run) {
				tell("would_link", name, c[i], keep, NULL);
				note_changes(dedup_path(name), c[i], keep);
				keep->nlink++;
				c[i]->nlink--;
				left--;
				continue;
			}
			sigprocmask(SIG_BLOCK, &dedup_stop_signals, &old);
			switch (relink(dedup_path(name), c[i], keep)) {
			case DONE_LEFT:
				lingers = true;
				/* fallthrough */
			case DONE:
				keep->nlink++;
				c[i]->nlink--;
				left--;
				dedup_sum.relinked++;
				if (dedup_opt.verbose || json_form)
					tell("linked", name, c[i], keep, NULL);
				break;
			case FULL:
				/* EMLINK: keep this file from here on, by a
				 * name of its own not yet relinked. */
				c[i]->name = name;
				keep = c[i];
				break;
			case SKIPPED:
				if (json_form)
					tell("skipped", name, c[i], keep,
					    NULL);
				break;
			}
			sigprocmask(SIG_SETMASK, &old, NULL);
			if (keep == c[i])
				break;
		}
		if (dedup_opt.dry_run)
			dedup_sum.relinked += c[i]->names - left;
		/* Its data is freed when no name is left, here or outside. */
		if (left == 0 && c[i]->nlink == 0 && !lingers)
			dedup_sum.freed += c[i]->blocks * 512ULL;
	}
}

/* By owner, group and mode, where they must agree. */
static int
by_owner(const void *x, const void *y)
{
	const struct file *a = x, *b = y;
	unsigned d = differs(a, b, must_agree());

	if (d & OWNER)
		return a->uid < b->uid ? -1 : 1;
	if (d & GROUP)
		return a->gid < b->gid ? -1 : 1;
	if (d & MODE)
		return a->mode < b->mode ? -1 : 1;
	return 0;
}

/* The identical files C[0..n): link those whose owner, group and mode
 * agree where they must; count (and with -v list) the names of the files
 * kept apart from the best of them, which --any-* would link too. */
static void
link_class(struct file **c, size_t n)
{
	static const char *const why[] = {
		"", "owner differs", "group differs", "owner and group differ",
		"mode differs", "owner and mode differ", "group and mode differ",
		"owner, group and mode differ"
	};
	const struct file *best = c[0];
	size_t i, name;
	unsigned d;

	for (i = 1; i < n; i++)
		if (better(c[i], best))
			best = c[i];
	for (i = 0; i < n; i++) {
		if (!(d = differs(c[i], best, must_agree())))
			continue;
		for (name = c[i]->name; name != NONE;
		    name = dedup_names[name].next) {
			dedup_sum.apart++;
			if (dedup_opt.verbose || json_form)
				tell("kept_apart", name, c[i], best, why[d]);
		}
	}
	dedup_runs(c, n, by_owner, link_run);
}

/* By the class dedup_compare put each file in. */
static int
by_slot(const void *x, const void *y)
{
	const struct file *a = x, *b = y;

	return a->slot == b->slot ? 0 : a->slot < b->slot ? -1 : 1;
}

/* Files F[0..n) have the same size and head hash: find the classes of
 * identical content and link each.  Read side by side in batches, only
 * F[0]'s class is known complete; the others are compared again. */
static void
settle(struct file **f, size_t n)
{
	size_t i, end, rest;
	bool complete;

	while (n >= 2 && !dedup_stop) {
		complete = n <= BATCH;
		dedup_compare(f, n);
		sort_ptrs((void **)f, n, by_slot);
		for (i = 0; i < n; i = end) {
			for (end = i + 1; end < n && f[end]->slot == f[i]->slot;
			    end++)
				;
			if (end - i >= 2 && f[i]->slot != NONE &&
			    (complete || f[i]->slot == 0))
				link_class(f + i, end - i);
		}
		if (complete)
			break;
		for (i = rest = 0; i < n; i++)
			if (f[i]->slot != 0 && !f[i]->gone)
				f[rest++] = f[i];
		n = rest;
	}
}

/* Sort F[0..n) by CMP and call FN on each run of two or more alike. */
void
dedup_runs(struct file **f, size_t n,
    int (*cmp)(const void *, const void *),
    void (*fn)(struct file **, size_t))
{
	size_t i, end;

	sort_ptrs((void **)f, n, cmp);
	for (i = 0; i < n && !dedup_stop; i = end) {
		for (end = i + 1; end < n && !cmp(f[i], f[end]); end++)
			;
		if (end - i >= 2)
			fn(f + i, end - i);
	}
}

/* Files F[0..n) alike in head and last block, too many for one batch. */
static void
split_by_content(struct file **f, size_t n)
{
	if (n <= BATCH)
		settle(f, n);
	else
		dedup_split_by_hash(f, n, 0, f[0]->size, settle);
}

/* Read in batches, a run of many files with one head, each unlike the
 * others, would be read once per file: split it first by a hash of the
 * last block, and what is left by a hash of the whole file.  The hash
 * only sorts: the files are still compared byte for byte. */
static void
settle_big(struct file **f, size_t n)
{
	off_t tail = f[0]->size - HEAD < BLOCK ? f[0]->size - HEAD : BLOCK;

	dedup_split_by_hash(f, n, f[0]->size - tail, tail, split_by_content);
}

/* Files F[0..n) with the same hash of their heads. */
static void
settle_head(struct file **f, size_t n)
{
	size_t i;

	for (i = 0; i < n && f[i]->data != NONE; i++)
		;
	if (f[0]->size <= HEAD && i == n)
		dedup_runs(f, n, dedup_by_content, link_class);
	else if (n > BATCH && f[0]->size > HEAD)
		settle_big(f, n);
	else
		settle(f, n);
}

/* The files F[0..n) agree in size and in what must be equal, and their
 * heads are hashed: settle each run of equal hashes. */
void
dedup_settle_group(struct file **f, size_t n)
{
	size_t i, j;

	if (f[0]->size == 0) {
		link_class(f, n);
		return;
	}
	for (i = j = 0; i < n; i++)
		if (!f[i]->gone)
			f[j++] = f[i];
	dedup_runs(f, j, dedup_by_hash, settle_head);
	progress_show(false);
}
