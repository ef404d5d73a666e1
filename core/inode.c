/* inode.c - a table of inodes met during a walk, keyed by (dev, ino).
 *
 * Hard links make several names one file; the tree applets count and
 * group names per inode with this table.  Open addressing over a
 * power-of-two slot array, entries in insertion order so that output
 * follows the walk; memory grows with the inodes added, which callers
 * keep to the multiply-linked ones.
 */
#include "linkbox.h"

static size_t
slot_of(const struct itab *t, dev_t dev, ino_t ino)
{
	unsigned long long h = ((unsigned long long)ino * 0x9e3779b97f4a7c15ULL)
	    ^ ((unsigned long long)dev * 0xc2b2ae3d27d4eb4fULL);

	return (size_t)(h ^ h >> 29) & (t->nslots - 1);
}

static void
grow(struct itab *t)
{
	struct inode *v = t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*v));
	size_t i, s;

	free(t->slots);
	for (t->nslots = 128; t->nslots < t->cap * 2; t->nslots *= 2)
		;
	t->slots = xmalloc(t->nslots * sizeof(*t->slots));
	memset(t->slots, 0xff, t->nslots * sizeof(*t->slots));
	for (i = 0; i < t->n; i++) {
		s = slot_of(t, v[i].dev, v[i].ino);
		while (t->slots[s] != (size_t)-1)
			s = (s + 1) & (t->nslots - 1);
		t->slots[s] = i;
	}
}

/* The entry for ST's inode, added (zeroed but for dev, ino and nlink)
 * when new; *ADDED says which. */
struct inode *
itab_get(struct itab *t, const struct stat *st, bool *added)
{
	size_t s;

	if (t->n == t->cap)
		grow(t);
	s = slot_of(t, st->st_dev, st->st_ino);
	for (; t->slots[s] != (size_t)-1; s = (s + 1) & (t->nslots - 1)) {
		struct inode *e = &t->v[t->slots[s]];

		if (e->ino == st->st_ino && e->dev == st->st_dev) {
			*added = false;
			return e;
		}
	}
	t->slots[s] = t->n;
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	t->v[t->n].dev = st->st_dev;
	t->v[t->n].ino = st->st_ino;
	t->v[t->n].nlink = st->st_nlink;
	*added = true;
	return &t->v[t->n++];
}

/* Empty T, keeping its memory for the next walk. */
void
itab_clear(struct itab *t)
{
	if (t->slots)
		memset(t->slots, 0xff, t->nslots * sizeof(*t->slots));
	t->n = 0;
}
