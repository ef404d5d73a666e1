/* reader.c - for tests/ln_race.bats: lstat(2) NAME in a tight loop and
 * count the lookups that find no such name.
 *
 * usage: reader NAME SECONDS STOPFILE READYFILE
 *
 * Creates READYFILE once NAME has been looked up, runs until STOPFILE
 * exists or SECONDS have passed, then prints "LOOKUPS MISSES OTHER":
 * MISSES are lookups failing with ENOENT, OTHER those failing otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	unsigned long lookups = 0, misses = 0, other = 0;
	struct stat st;
	double end;
	int fd;

	if (argc != 5) {
		fputs("usage: reader NAME SECONDS STOPFILE READYFILE\n", stderr);
		return 2;
	}
	end = now() + atof(argv[2]);
	for (;;) {
		if (lstat(argv[1], &st) == -1) {
			if (errno == ENOENT)
				misses++;
			else
				other++;
		}
		if (lookups++ == 0) {
			fd = open(argv[4], O_WRONLY | O_CREAT, 0644);
			if (fd == -1) {
				perror(argv[4]);
				return 2;
			}
			close(fd);
		}
		if (lookups % 1024 == 0 &&
		    (access(argv[3], F_OK) == 0 || now() > end))
			break;
	}
	printf("%lu %lu %lu\n", lookups, misses, other);
	return 0;
}
