/* backup.c - ln's backups, by GNU's rules: --backup=CONTROL (or
 * $VERSION_CONTROL) chooses simple NAME~ (or the -S suffix) or numbered
 * NAME.~N~ names.  Unlike GNU, the backup is a hard link made before the
 * replacement, so the name never disappears.
 */
#include "ln.h"

struct ln_backup ln_backup = { NO_BACKUP, "~" };

static enum backup
backup_type(const char *arg, const char *context)
{
	static const char *const names[] = { "none", "off", "simple",
	    "never", "existing", "nil", "numbered", "t" };
	static const enum backup types[] = { NO_BACKUP, NO_BACKUP, SIMPLE,
	    SIMPLE, EXISTING, EXISTING, NUMBERED, NUMBERED };
	const char *lq = "'", *rq = "'";
	size_t i, len = strlen(arg);
	int hit = -1;

	for (i = 0; i < 8; i++) {
		if (strncmp(names[i], arg, len))
			continue;
		if (!names[i][len])
			return types[i];
		if (hit >= 0 && types[hit] != types[i])
			hit = -2;
		if (hit == -1)
			hit = i;
	}
	if (hit >= 0)
		return types[hit];
	if (quote_utf8_locale()) {
		lq = "\u2018";
		rq = "\u2019";
	}
	msg_usage("%s argument %s%s%s for %s%s%s\nValid arguments are:\n"
	    "  - %snone%s, %soff%s\n  - %ssimple%s, %snever%s\n"
	    "  - %sexisting%s, %snil%s\n  - %snumbered%s, %st%s",
	    hit == -2 ? "ambiguous" : "invalid", lq, arg, rq, lq, context,
	    rq, lq, rq, lq, rq, lq, rq, lq, rq, lq, rq, lq, rq, lq, rq, lq, rq);
}

/* Settle the backup rules from -b/--backup (MAKE, CONTROL: its argument
 * or NULL) and -S SUFFIX, with GNU's environment variables. */
void
ln_backup_choose(bool make, const char *control, const char *suffix)
{
	if (make) {
		if (control && *control)
			ln_backup.type = backup_type(control, "backup type");
		else if ((control = getenv("VERSION_CONTROL")) && *control)
			ln_backup.type = backup_type(control,
			    "$VERSION_CONTROL");
		else
			ln_backup.type = EXISTING;
	}
	if (!suffix || !*suffix)
		suffix = getenv("SIMPLE_BACKUP_SUFFIX");
	if (suffix && *suffix && !strchr(suffix, '/'))
		ln_backup.suffix = suffix;
}

struct numbered {
	const char *name;
	size_t len;
	unsigned long highest;
};

/* Note N of a backup NAME.~N~ of the name looked for. */
static void
note_numbered(const char *entry, unsigned char type, void *arg)
{
	struct numbered *b = arg;
	unsigned long n = 0;
	const char *p = entry + b->len + 2;

	(void)type;
	if (strncmp(entry, b->name, b->len) || strncmp(entry + b->len, ".~", 2)
	    || *p < '1' || *p > '9')
		return;
	for (; *p >= '0' && *p <= '9' && n < ULONG_MAX / 10 - 1; p++)
		n = n * 10 + (*p - '0');
	if (!strcmp(p, "~") && n > b->highest)
		b->highest = n;
}

/* The name to back NAME (in directory DFD) up as: NAME~, or NAME.~N~ one
 * past the highest N there, as GNU's backup rules say. */
static char *
backup_name(int dfd, const char *name)
{
	struct numbered b = { name, strlen(name), 0 };

	if (ln_backup.type != SIMPLE) {
		walk_dir(dfd, ".", note_numbered, &b);
		if (b.highest || ln_backup.type == NUMBERED)
			return xformat("%s.~%lu~", name, b.highest + 1);
	}
	return xformat("%s%s", name, ln_backup.suffix);
}

/* Back NAME up before it is replaced.  The backup is a hard link made
 * under a temporary name and renamed into place, so NAME never vanishes;
 * where hard links are refused we fall back to GNU's rename.  Returns the
 * backup name, NULL on failure; *renamed says NAME is gone. */
char *
ln_backup_take(int dfd, const char *name, const char *linkname, bool *renamed)
{
	char *bak = backup_name(dfd, name);

	*renamed = false;
	if (atomic_link(dfd, name, 0, dfd, bak, "ln") == 0)
		return bak;
	/* Only a filesystem that refuses hard links gets GNU's rename. */
	if ((errno == EPERM || errno == EMLINK || errno == EOPNOTSUPP) &&
	    renameat(dfd, name, dfd, bak) == 0) {
		*renamed = true;
		return bak;
	}
	if (errno != ENOENT)
		msg_warnsys("cannot backup %s", quote(linkname));
	free(bak);
	return NULL;
}

/* The link failed: put NAME back from its backup BAK where GNU's rename
 * took it there, or drop the hard link just made as the backup, as GNU's
 * un-backup leaves none. */
void
ln_backup_undo(int dfd, const char *name, const char *bak, bool renamed,
    const char *linkname)
{
	struct stat b, now;

	if (renamed) {
		if (renameat(dfd, bak, dfd, name) == -1)
			msg_warnsys("cannot un-backup %s", quote(linkname));
	} else if (bak && fstatat(dfd, bak, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    same_inode(&b, &now))
		unlinkat(dfd, bak, 0);
}
