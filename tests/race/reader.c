/* reader.c - for tests/atomic_race.bats: watch names while another
 * process replaces or exchanges them, and count what a reader must never
 * see.
 *
 * usage: reader lstat NAME STOPFILE
 *        reader swap A B STOPFILE
 *
 * lstat: lstat(2) NAME in a tight loop; a miss is a lookup failing with
 * ENOENT.  swap: lstat A and B, then read A, B, A, B (open + read, each
 * file holding "A" or "B"); a miss is a name missing or unreadable, and
 * "same" counts rounds where all four reads agreed (both names showing
 * one object: allowed only in safeswap's hard-link fallback).  Reading
 * four times, not two, keeps a true exchange between two reads from
 * looking like a torn state.
 *
 * Creates STOPFILE.ready after the first round, runs until STOPFILE
 * exists (or 300 s pass), then prints "iterations N misses M same K".
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The first byte of NAME, or 0 when it cannot be opened or read. */
static char
content(const char *name)
{
	char c = 0;
	int fd = open(name, O_RDONLY);

	if (fd == -1)
		return 0;
	if (read(fd, &c, 1) != 1 || (c != 'A' && c != 'B'))
		c = 0;
	close(fd);
	return c;
}

int
main(int argc, char **argv)
{
	unsigned long n = 0, misses = 0, same = 0;
	const char *stop;
	char ready[4096];
	struct stat st;
	time_t end = time(NULL) + 300;
	int swap = argc == 5 && !strcmp(argv[1], "swap"), fd, gone;
	char c[4];

	if (!swap && !(argc == 4 && !strcmp(argv[1], "lstat"))) {
		fputs("usage: reader lstat NAME STOPFILE\n"
		    "       reader swap A B STOPFILE\n", stderr);
		return 2;
	}
	stop = argv[argc - 1];
	snprintf(ready, sizeof(ready), "%s.ready", stop);
	for (;;) {
		if (!swap) {
			if (lstat(argv[2], &st) == -1 && errno == ENOENT)
				misses++;
		} else {
			gone = lstat(argv[2], &st) == -1 ||
			    lstat(argv[3], &st) == -1;
			c[0] = content(argv[2]);
			c[1] = content(argv[3]);
			c[2] = content(argv[2]);
			c[3] = content(argv[3]);
			if (gone || !c[0] || !c[1] || !c[2] || !c[3])
				misses++;
			else if (c[0] == c[1] && c[1] == c[2] && c[2] == c[3])
				same++;
		}
		if (n++ == 0) {
			fd = open(ready, O_WRONLY | O_CREAT, 0644);
			if (fd == -1) {
				perror(ready);
				return 2;
			}
			close(fd);
		}
		if (n % 256 == 0 &&
		    (access(stop, F_OK) == 0 || time(NULL) > end))
			break;
	}
	printf("iterations %lu misses %lu same %lu\n", n, misses, same);
	return 0;
}
