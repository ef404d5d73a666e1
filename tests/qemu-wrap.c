/* qemu-wrap.c - runs a cross-built linkbox under qemu-user, for make
 * check-aarch64 and check-arm.  The suite hard-links this program under
 * each applet's name (it is $LINKBOX), and it runs
 *
 *   $QEMU -0 ARGV0 $LINKBOX_REAL ARGS...
 *
 * with its own argv[0] as ARGV0, so the guest binary dispatches on the
 * name it was started as, exactly as on the hardware (started as
 * qemu-wrap, it passes "linkbox": the multiplexer).  A compiled wrapper,
 * not a #! script like tests/valgrind-wrap: the kernel replaces a script's
 * argv[0] by the script's path, which would lose the name given by
 * `exec -a NAME` (tests/linkbox.bats starts linkcount that way).
 *
 * QEMU is the emulator (qemu-aarch64, qemu-arm), looked up on PATH.
 * Exits 126 if it cannot be started, as a shell would.  Built by
 * `make tests/qemu-wrap`.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *qemu = getenv("QEMU"), *real = getenv("LINKBOX_REAL");
	char **args, *base;
	int i;

	if (!qemu || !*qemu || !real || !*real) {
		fputs("qemu-wrap: QEMU and LINKBOX_REAL must be set\n", stderr);
		return 126;
	}
	/* qemu -0 ARGV0 BINARY ARGS... and the terminating NULL. */
	args = malloc((argc + 4) * sizeof(*args));
	if (!args) {
		perror("qemu-wrap");
		return 126;
	}
	args[0] = (char *)qemu;
	args[1] = "-0";
	/* Started by its own name (tests/run's $LINKBOX, as setup_file
	 * runs $LINKBOX --list) it stands for the multiplexer. */
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	args[2] = strcmp(base, "qemu-wrap") ? argv[0] : "linkbox";
	args[3] = (char *)real;
	for (i = 1; i <= argc; i++)
		args[3 + i] = argv[i];
	execvp(qemu, args);
	fprintf(stderr, "qemu-wrap: cannot run %s: %s\n", qemu,
	    strerror(errno));
	return 126;
}
