/* churn - change a tree as fast as it can while tests/jobs.bats walks it
 * with read-ahead threads.
 *
 * usage: churn DIR OUTSIDE STOP [SECONDS]
 *
 * Below DIR, in the slot directories DIR/j0 .. DIR/j7 (made when
 * missing), creates, hard-links, renames and removes files, makes
 * dangling symlinks, makes directories, moves them from slot to slot
 * and one into another, removes them, and moves whole slots into other
 * slots and back.  It also exchanges DIR/jsw (a directory it fills),
 * DIR/jsl (a symlink to /) and DIR/jso (a symlink to OUTSIDE) with
 * each other (renameat2 RENAME_EXCHANGE; three renames where the file
 * system lacks it), so that a name walked as a directory a moment ago
 * is a symlink out of the tree the next.
 *
 * Every name it makes begins with "j": a walk that stays in DIR prints
 * no path with a component that does not (OUTSIDE's names begin with
 * "OUT", /'s are /'s).  Failures (a name gone, a slot moved away) are
 * expected and ignored.  Runs until the file STOP exists or SECONDS
 * (default 60) pass, then prints "operations N" (those that succeeded).
 * Exit status 0, 1 when DIR cannot be opened, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#define SLOTS 8
#define NAMES 48		/* names of each kind in each slot */

static int root, sw;		/* DIR, and jsw wherever it is */
static unsigned long done;

static void
count(int rc)
{
	if (rc != -1)
		done++;
}

static int
exchange(const char *a, const char *b)
{
	if (syscall(SYS_renameat2, root, a, root, b, RENAME_EXCHANGE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* No exchange here: three renames, the middle state "jst" (a name
	 * that begins with "j" too). */
	if (renameat(root, a, root, "jst") == -1)
		return -1;
	if (renameat(root, b, root, a) == -1) {
		renameat(root, "jst", root, a);
		return -1;
	}
	return renameat(root, "jst", root, b);
}

static int
touch(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd == -1)
		return -1;
	if (write(fd, name, strlen(name)) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* One random change. */
static void
step(void)
{
	char a[64], b[64], c[96];
	int sa = rand() % SLOTS, sb = rand() % SLOTS;
	int k = rand() % NAMES, m = rand() % NAMES;
	static const char *const swaps[] = { "jsw", "jsl", "jso" };

	switch (rand() % 14) {
	case 0:
	case 1:
		snprintf(a, sizeof(a), "j%d/jf%d", sa, k);
		count(touch(root, a));
		break;
	case 2:
		snprintf(a, sizeof(a), "j%d/jf%d", sa, k);
		snprintf(b, sizeof(b), "j%d/jh%d", sb, m);
		count(linkat(root, a, root, b, 0));
		break;
	case 3:
		snprintf(a, sizeof(a), "j%d/jl%d", sa, k);
		count(symlinkat(k & 1 ? "jnope" : "../j1/jf1", root, a));
		break;
	case 4:
		snprintf(a, sizeof(a), "j%d/jf%d", sa, k);
		snprintf(b, sizeof(b), "j%d/jf%d", sb, m);
		count(renameat(root, a, root, b));
		break;
	case 5:
		snprintf(a, sizeof(a), "j%d/j%c%d", sa, "fhl"[m % 3], k);
		count(unlinkat(root, a, 0));
		break;
	case 6:
		snprintf(a, sizeof(a), "j%d/jd%d", sa, k);
		count(mkdirat(root, a, 0755));
		snprintf(c, sizeof(c), "%s/jf0", a);
		count(touch(root, c));
		snprintf(c, sizeof(c), "%s/jl0", a);
		count(symlinkat("jnope", root, c));
		break;
	case 7:
		snprintf(a, sizeof(a), "j%d/jd%d", sa, k);
		if (rand() & 1)
			snprintf(b, sizeof(b), "j%d/jd%d", sb, m);
		else
			snprintf(b, sizeof(b), "j%d/jd%d/jd%d", sb, m, k);
		count(renameat(root, a, root, b));
		break;
	case 8:
		snprintf(a, sizeof(a), "j%d/jd%d", sa, k);
		snprintf(c, sizeof(c), "%s/jf0", a);
		unlinkat(root, c, 0);
		snprintf(c, sizeof(c), "%s/jl0", a);
		unlinkat(root, c, 0);
		count(unlinkat(root, a, AT_REMOVEDIR));
		break;
	case 9:
		/* A whole slot into another and, some steps later, back. */
		snprintf(a, sizeof(a), "j%d", sa);
		snprintf(b, sizeof(b), "j%d/j%d", sb, sa);
		if (rand() & 1)
			count(renameat(root, a, root, b));
		else
			count(renameat(root, b, root, a));
		break;
	case 10:
		/* Through its descriptor: the name jsw may be a symlink out
		 * of the tree by now. */
		snprintf(a, sizeof(a), "jf%d", k % 4);
		count(touch(sw, a));
		snprintf(a, sizeof(a), "j%d/jf%d", sa, k);
		snprintf(b, sizeof(b), "jh%d", k % 4);
		count(linkat(root, a, sw, b, 0));
		snprintf(a, sizeof(a), "jl%d", k % 4);
		count(symlinkat("jnope", sw, a));
		break;
	default:
		/* Two of the three, swapped. */
		count(exchange(swaps[sa % 3],
		    swaps[(sa % 3 + 1 + sb % 2) % 3]));
		break;
	}
}

int
main(int argc, char **argv)
{
	char name[16];
	time_t end;
	int i;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: churn DIR OUTSIDE STOP [SECONDS]\n");
		return 2;
	}
	end = time(NULL) + (argc == 5 ? atol(argv[4]) : 60);
	if ((root = open(argv[1], O_RDONLY | O_DIRECTORY)) == -1) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < SLOTS; i++) {
		snprintf(name, sizeof(name), "j%d", i);
		mkdirat(root, name, 0755);
	}
	mkdirat(root, "jsw", 0755);
	if ((sw = openat(root, "jsw", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW)) == -1) {
		perror("jsw");
		return 1;
	}
	symlinkat("/", root, "jsl");
	symlinkat(argv[2], root, "jso");
	srand(getpid());
	while (access(argv[3], F_OK) == -1 && time(NULL) < end)
		for (i = 0; i < 64; i++)
			step();
	printf("operations %lu\n", done);
	return 0;
}
