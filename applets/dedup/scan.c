/* scan.c - dedup's first stage: walk the PATHs, one struct file per inode.
 *
 * Every regular file within the size limits, and under no name that an
 * --exclude pattern matches, gets a struct file in dedup_files[], in walk
 * order.  A file met under several names gets one, with all its names:
 * multiply-linked inodes are found again in an inode table.  A temporary
 * name that a killed run left (.NAME.dedup.XXXXXX) is no user file: it
 * is removed where that loses nothing, else reported.
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

/* Whether the file E (stat ST) holds the same bytes as BASE beside it. */
static bool
same_as(struct walk *e, const struct stat *st, const char *base)
{
	int a = openat(e->fd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int b = openat(e->fd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sa, sb;
	bool same = a != -1 && b != -1 && fstat(a, &sa) == 0 &&
	    fstat(b, &sb) == 0 && same_inode(&sa, st) &&
	    S_ISREG(sb.st_mode) && sb.st_size == st->st_size &&
	    bytes_same(a, b, st->st_size);

	if (a != -1)
		close(a);
	if (b != -1)
		close(b);
	return same;
}

/* E (stat ST) is a temporary of a killed dedup run, made for the name
 * BASE_LEN bytes long in it: before the exchange a second name of the
 * kept file, after it the only name of the displaced file, which may
 * hold a write made since the comparison.  So it goes only when that
 * loses nothing: the inode has another name, or BASE holds its bytes;
 * and only if it still is that inode, with as many names. */
static void
drop_temp(struct walk *e, const struct stat *st, int base_len)
{
	char base[NAME_MAX + 1];
	struct stat now;
	char *path;

	memcpy(base, e->name + 1, base_len);
	base[base_len] = '\0';
	if (st->st_nlink < 2 && !same_as(e, st, base)) {
		path = xformat("%.*s%s", (int)(strlen(e->path) -
		    strlen(e->name)), e->path, base);
		msg_fail("%s is left from an interrupted dedup and differs "
		    "from %s: left alone", quote(e->path), quote(path));
		free(path);
	} else if (dedup_opt.dry_run)
		json_said("would remove", "path", e->path, dedup_opt.end);
	else if (dedup_opt.list)
		;
	else if (fstatat(e->fd, e->name, &now, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !same_inode(&now, st) || now.st_nlink != st->st_nlink ||
	    now.st_size != st->st_size)
		msg_fail("%s changed while being checked: left alone",
		    quote(e->path));
	else if (unlinkat(e->fd, e->name, 0) == -1)
		msg_failsys("cannot remove %s", quote(e->path));
	else if (dedup_opt.verbose || json_form)
		json_said("removed", "path", e->path, dedup_opt.end);
}

static int
visit(struct walk *e, void *arg)
{
	struct inode *ino;
	struct file *f;
	struct stat st;
	bool added = true;
	int base_len;

	(void)arg;
	if (e->post)
		return WALK_NEXT;
	if (e->depth &&
	    glob_any(dedup_opt.exclude, dedup_opt.nexclude, e->name))
		return WALK_PRUNE;
	if (e->type != DT_REG)
		return WALK_NEXT;
	if (!walk_stat(e, &st))
		return WALK_NEXT;
	if (S_ISREG(st.st_mode) &&
	    (base_len = atomic_is_temp(e->name, "dedup")) != -1) {
		drop_temp(e, &st, base_len);
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
	walk_tree(path, WALK_AHEAD_STAT, visit, NULL);
}
