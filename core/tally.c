/* tally.c - what deleting a tree would free: each inode counted once,
 * names inside against names outside (linkcount --summary, snapshot
 * --list). */
#include "linkbox.h"

/* Account for one entry ST: inodes with one name are freed at once; the
 * others wait for tally_settle, when all their names inside are met. */
void
tally_add(struct tally *t, const struct stat *st)
{
	struct inode *ino;
	bool added;

	if (S_ISDIR(st->st_mode) || st->st_nlink == 1) {
		t->bytes += st->st_blocks * 512ULL;
		t->freed += st->st_blocks * 512ULL;
		t->inside += !S_ISDIR(st->st_mode);
		t->files += !S_ISDIR(st->st_mode);
		return;
	}
	t->inside++;
	ino = itab_get(&t->inodes, st, &added);
	ino->bytes = st->st_blocks * 512ULL;
	ino->found++;
	t->files += added;
	t->multi += added;
	t->bytes += added ? ino->bytes : 0;
}

/* The inodes with several names: freed if all were met inside. */
void
tally_settle(struct tally *t)
{
	size_t i;

	for (i = 0; i < t->inodes.n; i++) {
		struct inode *g = &t->inodes.v[i];

		if (g->found >= g->nlink)
			t->freed += g->bytes;
		else {
			t->kept += g->bytes;
			t->outside += g->nlink - g->found;
		}
	}
}

/* A fresh start, keeping the table's memory. */
void
tally_clear(struct tally *t)
{
	struct itab keep = t->inodes;

	itab_clear(&keep);
	memset(t, 0, sizeof(*t));
	t->inodes = keep;
}
