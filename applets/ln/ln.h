/* ln.h - what the files of ln share; nothing outside applets/ln/. */
#include "../../core/linkbox.h"

enum backup { NO_BACKUP, SIMPLE, EXISTING, NUMBERED };

/* backup.c */
extern struct ln_backup {
	enum backup type;
	const char *suffix;
} ln_backup;
void ln_backup_choose(bool make, const char *control, const char *suffix);
char *ln_backup_take(int dfd, const char *name, const char *linkname,
    bool *renamed);
void ln_backup_undo(int dfd, const char *name, const char *bak, bool renamed,
    const char *linkname);
