/* repo.c - the snapshots of a REPO: listed, pruned, deleted.
 *
 * A snapshot is deleted by renaming it first to ".NAME.deleting", so that
 * a run killed half way never leaves a tree that looks complete, then by
 * removing its tree with the walker (fd-relative, never following a
 * symbolic link), each directory after its contents.  The bytes freed are
 * those of the inodes whose last name is removed.
 */
#include "snapshot.h"

struct snap {
	char *entry;		/* its name in REPO */
	char *name;		/* NAME, without the dot and state */
	const char *state;	/* "complete", "partial", "deleting" */
	time_t when;		/* from NAME, or -1 */
	bool keep;
};

static unsigned long long freed_now;
static bool removal_failed;

/* REPO/NAME, quoted for a message. */
const char *
in_repo(const char *repo, const char *name)
{
	static char buf[2 * PATH_MAX];

	fmt(buf, sizeof(buf), "%s/%s", repo, name);
	return quote(buf);
}

char *
snapshot_hidden(const char *name, const char *state)
{
	return xformat(".%s%s", name, state);
}

/* The text of REPO/latest, or NULL. */
char *
snapshot_latest(int repofd)
{
	char text[NAME_MAX + 1];
	ssize_t n = readlinkat(repofd, "latest", text, sizeof(text) - 1);

	if (n <= 0)
		return NULL;
	text[n] = '\0';
	return xformat("%s", text);
}

static int
remove_visit(struct walk *e, void *arg)
{
	struct stat st;
	bool dir = e->type == DT_DIR;

	(void)arg;
	if (fstatat(e->fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		msg_warnsys("cannot remove %s", quote(e->path));
		removal_failed = true;
		return WALK_PRUNE;
	}
	if (dir && !e->post) {
		/* A copy of a read-only directory: made writable to be
		 * emptied (directories are never shared). */
		if ((st.st_mode & 0700) != 0700 && fchmodat(e->fd, e->name,
		    st.st_mode | 0700, 0) == -1) {
			msg_warnsys("cannot remove %s", quote(e->path));
			removal_failed = true;
		}
		return WALK_NEXT;
	}
	if (unlinkat(e->fd, e->name, dir ? AT_REMOVEDIR : 0) == -1) {
		msg_warnsys("cannot remove %s", quote(e->path));
		removal_failed = true;
	} else if (dir || st.st_nlink == 1)
		freed_now += st.st_blocks * 512ULL;
	return WALK_NEXT;
}

/* Delete the snapshot ENTRY of REPO (NAME, ".NAME.partial" or
 * ".NAME.deleting"), adding the bytes freed to *FREED.  False, said, if
 * anything of it is left. */
bool
snapshot_remove(int repofd, const char *repo, const char *entry,
    unsigned long long *freed)
{
	size_t len = strlen(entry), dlen = strlen(DELETING);
	char *gone, *base, *path;
	bool done;

	if (*entry == '.' && len > dlen + 1 && !strcmp(entry + len - dlen,
	    DELETING))
		gone = xformat("%s", entry);
	else {
		base = *entry != '.' ? xformat("%s", entry) :
		    xformat("%.*s", (int)(len - strlen(PARTIAL) - 1),
		    entry + 1);
		gone = snapshot_hidden(base, DELETING);
		free(base);
		if ((exists(repofd, gone) &&
		    !snapshot_remove(repofd, repo, gone, freed)) ||
		    renameat(repofd, entry, repofd, gone) == -1) {
			msg_warnsys("cannot delete %s", in_repo(repo, entry));
			free(gone);
			return false;
		}
	}
	path = path_join(repo, gone);
	freed_now = 0;
	removal_failed = false;
	walk_tree(path, WALK_POST | WALK_AHEAD_STAT, remove_visit, NULL);
	if (freed)
		*freed += freed_now;
	done = !removal_failed;
	free(path);
	free(gone);
	return done;
}

static int
by_name(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* The snapshots in REPOFD, sorted by name: N of them. */
static void
free_snaps(struct snap **v, size_t n)
{
	while (n--) {
		if (v[n]->name != v[n]->entry)
			free(v[n]->name);	/* entry NULL: taken */
		free(v[n]->entry);
		free(v[n]);
	}
	free(v);
}

struct listing {
	struct snap **v;
	size_t n, cap;
	int repofd;
	const char *repo;
	bool tidy;
};

/* One entry of REPO: a snapshot in some state, a temporary of latest
 * that a killed run left (removed when tidying), or nothing of ours. */
static void
add_entry(const char *name, unsigned char type, void *arg)
{
	static const char *const states[] = { PARTIAL, DELETING };
	static const char *const said[] = { "partial", "deleting" };
	struct listing *l = arg;
	size_t len = strlen(name), slen, i;
	struct snap *s;

	if (l->tidy && type != DT_DIR && atomic_is_temp(name, "snapshot") ==
	    6 && !strncmp(name + 1, "latest", 6) && unlinkat(l->repofd, name,
	    0) == -1)
		msg_warnsys("cannot remove %s", in_repo(l->repo, name));
	if (type != DT_DIR)
		return;
	s = xmalloc(sizeof(*s));
	s->entry = xformat("%s", name);
	s->state = "complete";
	s->name = s->entry;
	for (i = 0; *name == '.' && i < 2; i++) {
		slen = strlen(states[i]);
		if (len > slen + 1 && !strcmp(name + len - slen, states[i])) {
			s->name = xformat("%.*s", (int)(len - slen - 1),
			    name + 1);
			s->state = said[i];
		}
	}
	if (*s->name == '.') {	/* not a snapshot */
		free(s->entry);
		free(s);
		return;
	}
	s->when = snapshot_name_time(s->name);
	s->keep = false;
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = s;
}

/* The snapshots in REPOFD, sorted by name: N of them.  TIDY: removing
 * the temporaries of latest a killed run left. */
static struct snap **
snapshots(int repofd, const char *repo, size_t *n, bool tidy)
{
	struct listing l = { NULL, 0, 0, repofd, repo, tidy };

	if (walk_dir(repofd, ".", add_entry, &l) == -1)
		msg_diesys("cannot read %s", quote(repo));
	sort_ptrs((void **)l.v, l.n, by_name);
	*n = l.n;
	return l.v;
}

/* The partial snapshots in REPOFD, by their names there, NULL-ended. */
char **
snapshot_partials(int repofd, const char *repo)
{
	size_t n, i, k = 0;
	struct snap **v = snapshots(repofd, repo, &n, false);
	char **names = xmalloc((n + 1) * sizeof(*names));

	for (i = 0; i < n; i++)
		if (!strcmp(v[i]->state, "partial")) {
			names[k++] = v[i]->entry;
			v[i]->entry = NULL;
		}
	names[k] = NULL;
	free_snaps(v, n);
	return names;
}


static struct tally tally;

static int
tally_visit(struct walk *e, void *arg)
{
	struct stat st;

	(void)arg;
	if (walk_stat(e, &st))
		tally_add(&tally, &st);
	return WALK_NEXT;
}

int
snapshot_list(int repofd, const char *repo)
{
	struct snap **v;
	char bytes[24], freed[24], *path;
	size_t n, i;

	v = snapshots(repofd, repo, &n, false);
	for (i = 0; i < n; i++) {
		tally_clear(&tally);
		path = path_join(repo, v[i]->entry);
		walk_tree(path, WALK_AHEAD_STAT, tally_visit, NULL);
		free(path);
		tally_settle(&tally);
		if (json_form) {
			json_open();
			json_string("name", v[i]->name);
			json_string("state", v[i]->state);
			json_number("files", tally.files);
			json_number("bytes", tally.bytes);
			json_number("exclusive", tally.freed);
			json_close();
			continue;
		}
		out("%s\t%s\t%llu\t%s\t%s%c", v[i]->name, v[i]->state,
		    tally.files, fmt_bytes(bytes, tally.bytes,
		    snapshot_opt.human), fmt_bytes(freed, tally.freed,
		    snapshot_opt.human), snapshot_opt.end);
	}
	free_snaps(v, n);
	if (json_form)
		json_end();
	return exit_status;
}

/* Delete the snapshot S (not in a dry run), saying so with -n and -v. */
static void
delete_one(int repofd, const char *repo, const struct snap *s,
    unsigned long long *freed, unsigned long long *count)
{
	if (snapshot_opt.dry_run)
		json_said("would delete", "name", s->name, snapshot_opt.end);
	else if (!snapshot_remove(repofd, repo, s->entry, freed))
		return;
	else if (snapshot_opt.verbose || json_form)
		json_said("deleted", "name", s->name, snapshot_opt.end);
	++*count;
}

static void
delete_summary(unsigned long long count, unsigned long long freed)
{
	char bytes[24];

	if (json_form) {
		json_summary();
		json_number("deleted", count);
		json_number("bytes_freed", freed);
		json_end();
		return;
	}
	if (snapshot_opt.quiet)
		return;
	if (snapshot_opt.dry_run)
		msg_note("would delete %llu snapshot%s", count, count == 1 ?
		    "" : "s");
	else
		msg_note("deleted %llu snapshot%s, %s freed", count, count ==
		    1 ? "" : "s", fmt_bytes(bytes, freed, snapshot_opt.human));
}

/* The snapshots of REPO, N of them, once the deletions a killed run left
 * are finished and its temporaries removed. */
static struct snap **
tidy(int repofd, const char *repo, size_t *n, unsigned long long *freed,
    unsigned long long *count)
{
	struct snap **v = snapshots(repofd, repo, n, true);
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(v[i]->state, "deleting"))
			delete_one(repofd, repo, v[i], freed, count);
	return v;
}

/* The same, for a run that makes a snapshot. */
void
snapshot_tidy(int repofd, const char *repo)
{
	unsigned long long freed = 0, count = 0;
	struct snap **v;
	size_t n;

	v = tidy(repofd, repo, &n, &freed, &count);
	free_snaps(v, n);
}

int
snapshot_prune(int repofd, const char *repo)
{
	unsigned long long freed = 0, count = 0;
	char *latest = snapshot_latest(repofd);
	struct snap **v, **done;
	size_t n, i, m = 0, kept;
	long long last, p;
	int rule;

	v = tidy(repofd, repo, &n, &freed, &count);
	/* The complete snapshots with a time, newest first. */
	done = xmalloc((n + 1) * sizeof(*done));
	for (i = n; i-- > 0;) {
		if (strcmp(v[i]->state, "complete"))
			continue;
		if (v[i]->when == -1)
			msg_note("%s: not named by its time "
			    "(YYYYMMDDTHHMMSSZ): never pruned",
			    quote(v[i]->name));
		else
			done[m++] = v[i];
	}
	for (rule = 0; rule < KEEP_RULES; rule++) {
		kept = 0;
		last = -1;
		for (i = 0; i < m && kept < snapshot_opt.keep[rule]; i++) {
			p = snapshot_period(rule, done[i]->when, i);
			if (p == last)
				continue;
			last = p;
			done[i]->keep = true;
			kept++;
		}
	}
	for (i = m; i-- > 0;)
		if (!done[i]->keep && (!latest || strcmp(latest,
		    done[i]->name)))
			delete_one(repofd, repo, done[i], &freed, &count);
	delete_summary(count, freed);
	free(done);
	free_snaps(v, n);
	free(latest);
	return exit_status;
}

int
snapshot_delete(int repofd, const char *repo, char **names, size_t n)
{
	unsigned long long freed = 0, count = 0;
	char *latest = snapshot_latest(repofd);
	struct snap **v, **v2, **chosen;
	size_t nv, i, j;

	v = snapshots(repofd, repo, &nv, false);
	chosen = xmalloc(n * sizeof(*chosen));
	for (i = 0; i < n; i++) {
		/* One being deleted is finished, asked again or not. */
		for (j = 0; j < nv && (!strcmp(v[j]->state, "partial") ||
		    strcmp(v[j]->name, names[i])); j++)
			;
		if (j == nv)
			msg_die("%s: no such snapshot in %s", quote(names[i]),
			    quote(repo));
		if (latest && !strcmp(latest, names[i]))
			msg_die("%s: latest points to it: not deleted",
			    quote(names[i]));
		chosen[i] = v[j];
		for (j = 0; j < i; j++)		/* named twice: once */
			if (chosen[j] == chosen[i])
				chosen[i] = NULL;
	}
	v2 = tidy(repofd, repo, &j, &freed, &count);
	free_snaps(v2, j);
	for (i = 0; i < n; i++)
		if (chosen[i] && !strcmp(chosen[i]->state, "complete"))
			delete_one(repofd, repo, chosen[i], &freed, &count);
	delete_summary(count, freed);
	free(chosen);
	free_snaps(v, nv);
	free(latest);
	return exit_status;
}
