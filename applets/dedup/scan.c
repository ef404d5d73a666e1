/* scan.c - dedup's first stage: walk the PATHs, one struct file per inode.
 *
 * Every regular file within the size limits, and under no name that an
 * --exclude pattern matches, gets a struct file in dedup_files[], in walk
 * order.  A file met under several names gets one, with all its names:
 * multiply-linked inodes are found again in an inode table.
 */
#include "dedup.h"

struct file *dedup_files;
size_t dedup_nfiles;
struct name *dedup_names;

static size_t capfiles, nnames, capnames;
static char *arena;		/* the paths of all names, NUL after each */
static size_t arena_len, arena_cap;
static struct itab linked;	/* multiply-linked inodes -> dedup_files[] */

const char *
dedup_path(size_t name)
{
	return arena + dedup_names[name].path;
}

static void
add_name(struct file *f, const char *path)
{
	size_t len = strlen(path) + 1;

	dedup_names = xgrow(dedup_names, &capnames, nnames + 1,
	    sizeof(*dedup_names));
	arena = xgrow(arena, &arena_cap, arena_len + len, 1);
	memcpy(arena + arena_len, path, len);
	dedup_names[nnames].path = arena_len;
	dedup_names[nnames].next = f->names ? f->name : NONE;
	f->name = nnames++;
	f->names++;
	arena_len += len;
}

/* NAME matches an --exclude pattern?  (Its directory is then pruned.) */
static bool
excluded(const char *name)
{
	size_t i;

	for (i = 0; i < dedup_opt.nexclude; i++)
		if (glob_match(dedup_opt.exclude[i], name))
			return true;
	return false;
}

static int
visit(struct walk *e, void *arg)
{
	struct inode *ino;
	struct file *f;
	struct stat st;
	bool added = true;

	(void)arg;
	if (e->post)
		return WALK_NEXT;
	if (e->depth && excluded(e->name))
		return WALK_PRUNE;
	if (e->type != DT_REG)
		return WALK_NEXT;
	if (fstatat(e->fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		msg_warnsys("%s", quote(e->path));
		return WALK_NEXT;
	}
	dedup_sum.scanned++;
	progress_show(false);
	if (!S_ISREG(st.st_mode) || (st.st_size == 0 && !dedup_opt.empty) ||
	    (unsigned long long)st.st_size < dedup_opt.min_size ||
	    (unsigned long long)st.st_size > dedup_opt.max_size)
		return WALK_NEXT;
	if (st.st_nlink > 1) {
		ino = itab_get(&linked, &st, &added);
		if (!added) {
			add_name(&dedup_files[ino->names], e->path);
			return WALK_NEXT;
		}
		ino->names = dedup_nfiles;
	}
	dedup_files = xgrow(dedup_files, &capfiles, dedup_nfiles + 1,
	    sizeof(*dedup_files));
	f = &dedup_files[dedup_nfiles];
	memset(f, 0, sizeof(*f));
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = st.st_size;
	f->mtime = st.st_mtim;
	f->uid = st.st_uid;
	f->gid = st.st_gid;
	f->mode = st.st_mode;
	f->nlink = st.st_nlink;
	f->blocks = st.st_blocks;
	add_name(f, e->path);
	dedup_nfiles++;
	return WALK_NEXT;
}

/* Walk PATH: a struct file for each file of it. */
void
dedup_scan(const char *path)
{
	walk_tree(path, 0, visit, NULL);
}
