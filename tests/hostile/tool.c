/* tool - fixtures for tests/hostile.bats where a shell loop is too slow.
 *
 * usage: tool files DIR N [TEXT]   make DIR/1 .. DIR/N, each holding TEXT
 *                                  (empty without it)
 *        tool links DIR N          link DIR/I.2 to DIR/I, I = 1 .. N
 *        tool symlinks DIR N       make DIR/I -> nope (dangling), I = 1 .. N
 *        tool deep DIR N           make DIR/d/d/.../d, N levels below DIR,
 *                                  each directory made relative to its parent
 *        tool in DIR N SUB CMD...  run CMD in DIR/d/.../d/SUB (N levels of
 *                                  d), reached by chdir(2) one level at a
 *                                  time: deeper than PATH_MAX, where a
 *                                  shell's cd is slow (getcwd fallbacks)
 *        tool swap A B STOP        exchange A and B (renameat2
 *                                  RENAME_EXCHANGE) every millisecond until
 *                                  the file STOP exists
 *
 * DIR must exist.  Exit status 0, 1 on failure (with a message), 2 usage.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int
fail(const char *what)
{
	perror(what);
	return 1;
}

static int
make(const char *verb, int dfd, long n, const char *text)
{
	size_t len = strlen(text);
	char name[32], other[40];
	long i;
	int fd;

	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "%ld", i);
		snprintf(other, sizeof(other), "%ld.2", i);
		if (!strcmp(verb, "links")) {
			if (linkat(dfd, name, dfd, other, 0) == -1)
				return fail(other);
		} else if (!strcmp(verb, "symlinks")) {
			if (symlinkat("nope", dfd, name) == -1)
				return fail(name);
		} else {
			fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd == -1 || (len && write(fd, text, len) !=
			    (ssize_t)len) || close(fd) == -1)
				return fail(name);
		}
	}
	return 0;
}

static int
deep(int dfd, long n)
{
	long i;
	int next;

	for (i = 0; i < n; i++) {
		if (mkdirat(dfd, "d", 0755) == -1)
			return fail("mkdir d");
		if ((next = openat(dfd, "d", O_RDONLY | O_DIRECTORY)) == -1)
			return fail("open d");
		close(dfd);
		dfd = next;
	}
	return close(dfd) == -1;
}

static int
in(char **argv)
{
	long i, n = atol(argv[1]);

	if (chdir(argv[0]) == -1)
		return fail(argv[0]);
	for (i = 0; i < n; i++)
		if (chdir("d") == -1)
			return fail("d");
	if (chdir(argv[2]) == -1)
		return fail(argv[2]);
	execvp(argv[3], argv + 3);
	return fail(argv[3]);
}

static int
swap(const char *a, const char *b, const char *stop)
{
	while (access(stop, F_OK) == -1) {
		/* Fails while an applet holds a name aside: go on. */
		syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b,
		    RENAME_EXCHANGE);
		usleep(1000);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int dfd;

	if (argc >= 6 && !strcmp(argv[1], "in"))
		return in(argv + 2);
	if (argc == 5 && !strcmp(argv[1], "swap"))
		return swap(argv[2], argv[3], argv[4]);
	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[1], "files")) ||
	    (strcmp(argv[1], "files") && strcmp(argv[1], "links") &&
	    strcmp(argv[1], "symlinks") && strcmp(argv[1], "deep"))) {
		fprintf(stderr, "usage: see tests/hostile/tool.c\n");
		return 2;
	}
	if ((dfd = open(argv[2], O_RDONLY | O_DIRECTORY)) == -1)
		return fail(argv[2]);
	if (!strcmp(argv[1], "deep"))
		return deep(dfd, atol(argv[3]));
	return make(argv[1], dfd, atol(argv[3]), argc == 5 ? argv[4] : "");
}
