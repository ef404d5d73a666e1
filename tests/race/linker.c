/* linker.c - for tests/orphans_race.bats: a backup that keeps hard-linking
 * pool files while orphans -d (or a naive find -delete) removes the ones
 * nothing links to.  Built by `make tests/race/linker`.
 *
 * usage: linker [-t SECONDS] [-r RATE] POOL BACKUP STOPFILE NAME...
 *
 * Picks one of the NAMEs (plain names in the directory POOL) at random
 * and links POOL/NAME to BACKUP/NAME.N, N counting up from 1, so that each
 * backup name tells the pool name it was linked from.  A failed link
 * (the name is gone, or aside) is counted and ignored, as a backup would.
 * RATE links per second at most (default 0: as fast as it can), paced by
 * the monotonic clock from one link to the next, so that a linker stopped
 * (SIGSTOP) and continued does not make up for the pause in a burst.
 *
 * Creates STOPFILE.ready after the first link attempt, runs until
 * STOPFILE exists or SECONDS (default 300) pass, then prints
 *   links L refused R other O
 * (refused: ENOENT, the pool name was gone; other: any other error).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64: the pick of a name. */
static unsigned long long
next_random(void)
{
	static unsigned long long state;

	if (!state)
		state = ((unsigned long long)getpid() << 32 ^
		    (unsigned long long)(now() * 1e9)) | 1;
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static int
usage(void)
{
	fputs("usage: linker [-t SECONDS] [-r RATE] POOL BACKUP STOPFILE "
	    "NAME...\n", stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	unsigned long links = 0, refused = 0, other = 0, n = 0;
	double seconds = 300, rate = 0, end, due = 0;
	char ready[4096], backup[4096];
	const char *stop, *name;
	int c, pool, dir, fd, nnames;
	char **names;

	while ((c = getopt(argc, argv, "t:r:")) != -1) {
		switch (c) {
		case 't': seconds = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		default: return usage();
		}
	}
	if (argc - optind < 4)
		return usage();
	pool = open(argv[optind], O_RDONLY | O_DIRECTORY);
	dir = open(argv[optind + 1], O_RDONLY | O_DIRECTORY);
	if (pool == -1 || dir == -1) {
		perror(pool == -1 ? argv[optind] : argv[optind + 1]);
		return 2;
	}
	stop = argv[optind + 2];
	names = argv + optind + 3;
	nnames = argc - optind - 3;
	snprintf(ready, sizeof(ready), "%s.ready", stop);
	end = now() + seconds;
	for (;;) {
		name = names[next_random() % nnames];
		snprintf(backup, sizeof(backup), "%s.%lu", name, ++n);
		if (linkat(pool, name, dir, backup, 0) == 0)
			links++;
		else if (errno == ENOENT)
			refused++;
		else
			other++;
		if (n == 1) {
			fd = open(ready, O_WRONLY | O_CREAT, 0644);
			if (fd == -1) {
				perror(ready);
				return 2;
			}
			close(fd);
		}
		if (n % 64 == 0 && (access(stop, F_OK) == 0 || now() > end))
			break;
		/* Pace: spin until the next link is due (a sleep would
		 * round the gap up to the timer slack, ~50 us). */
		if (rate > 0) {
			while (now() < due)
				;
			due = now() + 1 / rate;
		}
	}
	printf("links %lu refused %lu other %lu\n", links, refused, other);
	return 0;
}
