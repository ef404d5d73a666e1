/* reader.c - for tests/dedup_safety.bats: look up and read a set of names
 * in a tight loop while dedup replaces them with hard links, and count
 * what a reader must never see.
 *
 * usage: reader STOPFILE EXPECTED NAME...
 *
 * Each round lstat()s every NAME, then opens and reads it whole.  A miss
 * is a name that cannot be looked up or opened (the name was missing for
 * an instant); "wrong" counts reads whose bytes differ from the file
 * EXPECTED (read once at the start), or that fail after the open.
 * Creates STOPFILE.ready after the first round, runs until STOPFILE exists
 * (or 300 s pass), then prints "rounds N misses M wrong W".
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

#define MAX 65536

static char want[MAX], got[MAX + 1];
static size_t want_len;

/* Read the open file FD whole into BUF (CAP bytes); its length, or -1. */
static long
slurp(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len < cap && (n = read(fd, buf + len, cap - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		len += n;
	}
	return (long)len;
}

int
main(int argc, char **argv)
{
	unsigned long rounds = 0, misses = 0, wrong = 0;
	char ready[4096];
	struct stat st;
	time_t end = time(NULL) + 300;
	long len;
	int fd, i;

	if (argc < 4) {
		fputs("usage: reader STOPFILE EXPECTED NAME...\n", stderr);
		return 2;
	}
	fd = open(argv[2], O_RDONLY);
	if (fd == -1 || (len = slurp(fd, want, MAX)) == -1) {
		perror(argv[2]);
		return 2;
	}
	want_len = (size_t)len;
	close(fd);
	snprintf(ready, sizeof(ready), "%s.ready", argv[1]);
	for (;;) {
		for (i = 3; i < argc; i++) {
			if (lstat(argv[i], &st) == -1) {
				misses++;
				continue;
			}
			fd = open(argv[i], O_RDONLY);
			if (fd == -1) {
				misses++;
				continue;
			}
			len = slurp(fd, got, sizeof(got));
			if (len != (long)want_len || memcmp(got, want, want_len))
				wrong++;
			close(fd);
		}
		if (rounds++ == 0) {
			fd = open(ready, O_WRONLY | O_CREAT, 0644);
			if (fd == -1) {
				perror(ready);
				return 2;
			}
			close(fd);
		}
		if (rounds % 64 == 0 &&
		    (access(argv[1], F_OK) == 0 || time(NULL) > end))
			break;
	}
	printf("rounds %lu misses %lu wrong %lu\n", rounds, misses, wrong);
	return 0;
}
