/* reader.c - for the race tests (tests/atomic_race.bats through
 * tests/race/driver, tests/ln_race.bats, tests/dedup_safety.bats): look
 * names up in a tight loop while another process replaces or exchanges
 * them, and count what a reader must never see.  Built by
 * `make tests/race/reader`.
 *
 * usage: reader [-t SECONDS] lstat NAME STOPFILE
 *        reader [-t SECONDS] swap A B STOPFILE
 *        reader [-t SECONDS] read EXPECTED NAME... STOPFILE
 *
 * lstat: lstat(2) NAME in a tight loop; a miss is a lookup failing with
 * ENOENT, "other" a lookup failing otherwise.
 *
 * swap: lstat A and B, then read A, B, A, B... eight times (open + read,
 * each file holding "A" or "B"); a miss is a name missing or unreadable,
 * and "same" counts rounds where every read agreed (both names showing
 * one object: allowed only in safeswap's hard-link fallback).  Exchanges
 * falling between reads can pass for that: between every two of four
 * reads, they did once in 541,440 rounds on xfs; between every two of
 * eight, they would have to seven times.
 *
 * read: each round lstat()s every NAME, then opens and reads it whole.
 * A miss is a name that cannot be looked up or opened (the name was
 * missing for an instant); "wrong" counts reads whose bytes differ from
 * the file EXPECTED (read once at the start), or that fail after the
 * open.
 *
 * Creates STOPFILE.ready after the first round, runs until STOPFILE
 * exists or SECONDS (default 300) pass, then prints
 *   iterations N misses M same S other O wrong W
 * (the counts a mode does not keep are 0).
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

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

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

/* The first byte of NAME, or 0 when it cannot be opened or read or is
 * neither A nor B. */
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

static int
usage(void)
{
	fputs("usage: reader [-t SECONDS] lstat NAME STOPFILE\n"
	    "       reader [-t SECONDS] swap A B STOPFILE\n"
	    "       reader [-t SECONDS] read EXPECTED NAME... STOPFILE\n",
	    stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	enum { LSTAT, SWAP, READ } mode;
	unsigned long n = 0, misses = 0, other = 0, same = 0, wrong = 0;
	unsigned long every;
	double seconds = 300, end;
	const char *stop;
	char ready[4096], c[8];
	struct stat st;
	long len;
	int fd, i, gone, agree, nnames;
	char **names;

	if (argc > 2 && !strcmp(argv[1], "-t")) {
		seconds = atof(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc == 4 && !strcmp(argv[1], "lstat"))
		mode = LSTAT, every = 1024;
	else if (argc == 5 && !strcmp(argv[1], "swap"))
		mode = SWAP, every = 256;
	else if (argc >= 5 && !strcmp(argv[1], "read"))
		mode = READ, every = 64;
	else
		return usage();
	stop = argv[argc - 1];
	names = argv + 2;
	nnames = argc - 3;
	if (mode == READ) {
		fd = open(argv[2], O_RDONLY);
		if (fd == -1 || (len = slurp(fd, want, MAX)) == -1) {
			perror(argv[2]);
			return 2;
		}
		want_len = (size_t)len;
		close(fd);
		names++;
		nnames--;
	}
	snprintf(ready, sizeof(ready), "%s.ready", stop);
	end = now() + seconds;
	for (;;) {
		switch (mode) {
		case LSTAT:
			if (lstat(names[0], &st) == -1) {
				if (errno == ENOENT)
					misses++;
				else
					other++;
			}
			break;
		case SWAP:
			gone = lstat(names[0], &st) == -1 ||
			    lstat(names[1], &st) == -1;
			for (i = 0, agree = 1; i < 8; i++) {
				c[i] = content(names[i & 1]);
				gone |= !c[i];
				agree &= c[i] == c[0];
			}
			if (gone)
				misses++;
			else if (agree)
				same++;
			break;
		case READ:
			for (i = 0; i < nnames; i++) {
				if (lstat(names[i], &st) == -1) {
					misses++;
					continue;
				}
				fd = open(names[i], O_RDONLY);
				if (fd == -1) {
					misses++;
					continue;
				}
				len = slurp(fd, got, sizeof(got));
				if (len != (long)want_len ||
				    memcmp(got, want, want_len))
					wrong++;
				close(fd);
			}
			break;
		}
		if (n++ == 0) {
			fd = open(ready, O_WRONLY | O_CREAT, 0644);
			if (fd == -1) {
				perror(ready);
				return 2;
			}
			close(fd);
		}
		if (n % every == 0 && (access(stop, F_OK) == 0 || now() > end))
			break;
	}
	printf("iterations %lu misses %lu same %lu other %lu wrong %lu\n", n,
	    misses, same, other, wrong);
	return 0;
}
