/* helper.c - processes beside the applet, working in memory it shares.
 *
 * Helpers are made by a bare clone(2), not threads nor fork(3): an applet
 * pays 5 to 7 KiB for libc's threads and 1.4 KiB for its fork, and the
 * helpers need neither: they call no libc function that knows its
 * thread, and end by _exit, never flushing the applet's buffers.  What
 * they find goes into a mapping shared with the applet (helper_share).
 * They block every signal and die with the applet (PR_SET_PDEATHSIG).
 */
#include "linkbox.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

unsigned walk_jobs;

/* The processes to work with: -j or LINKBOX_JOBS (walk_jobs), else one
 * per CPU this process may run on, at most 8. */
unsigned
helper_jobs(void)
{
	cpu_set_t cpus;
	int n;

	if (walk_jobs)
		return walk_jobs;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == -1)
		return 1;
	n = CPU_COUNT(&cpus);
	return n < 1 ? 1 : n > 8 ? 8 : n;
}

/* SIZE bytes of zeroes shared with the helpers started after; NULL when
 * they cannot be had. */
void *
helper_share(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Start a helper: 0 in it, its pid in the applet, -1 if none could be
 * made.  It must end by _exit. */
pid_t
helper_start(void)
{
	sigset_t all, old;
	pid_t pid;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	/* A fork, as bare as it gets (flags first on every architecture
	 * linkbox is built for; the other arguments are zero). */
	pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	else
		sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

/* Wait for the helper PID to end, killing it first if KILL. */
void
helper_end(pid_t pid, bool kill_it)
{
	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}
