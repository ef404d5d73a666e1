/* fuzz_argv - every applet's option parsing and operand handling.
 *
 * The input is NUL-separated words.  The first picks the applet: its
 * first byte minus '0', modulo the number of applets, indexes the applet
 * table ("0" danglers ... "6" safeswap with all applets); its second byte,
 * if any, sets POSIXLY_CORRECT (bit 0) and LANG=C.UTF-8 (bit 1).  The
 * other words are the arguments.
 *
 * Each run forks: the child chdirs into a fresh scratch directory (a
 * file f, its hard link h, a symlink s to it, a dangling symlink dl, a
 * directory d with a copy g of f, an empty file e and d/up -> ../f),
 * takes /dev/null as stdin, stdout and stderr (sanitizer reports still
 * reach the real stderr), arms alarm(2) and runs the applet, so that
 * exit() and the applets' static state stay in the child.  The parent
 * aborts when the child dies of a signal, so that crashes and
 * ASan/UBSan reports in the child are libFuzzer findings; a child killed
 * by the alarm is a timeout, counted and shown on stderr, not a finding.
 * The child's coverage counters are copied back to the parent through
 * shared memory, so that libFuzzer sees what the applet did.  Comparisons
 * made in the child are not seen: fuzz_argv.dict gives the option names.
 *
 * Nothing outside the scratch directory may be touched: inputs with a
 * word that starts with "/", has a ".." component, or starts with "-"
 * and holds a "/" (an option argument such as -t/x or --root=/x) are
 * skipped.  The scratch directories live under /dev/shm (a filesystem
 * of their own, so that findlinks' default search of FILE's whole
 * filesystem stays small), else /tmp.
 */
#include "../../core/linkbox.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sanitizer/common_interface_defs.h>

#define FUZZ_NAME "fuzz_argv"
#include "fuzz.h"

#define MAX_WORDS 64
#define TIMEOUT 2		/* seconds a run may take */

/* The bounds of libFuzzer's inline 8-bit counters (their section, as
 * the linker gives it), and a shared copy for the child to hand them
 * back.  Taken in assembly: a C declaration of __start___sancov_cntrs
 * would make the coverage pass rename its own, and lose every counter. */
__asm__(".weak __start___sancov_cntrs\n"
    ".weak __stop___sancov_cntrs\n"
    ".pushsection .data\n"
    ".p2align 3\n"
    ".globl fuzz_counter_bounds\n"
    ".hidden fuzz_counter_bounds\n"
    "fuzz_counter_bounds:\n"
    ".quad __start___sancov_cntrs\n"
    ".quad __stop___sancov_cntrs\n"
    ".popsection\n");
extern uint8_t *fuzz_counter_bounds[2];
#define counters (fuzz_counter_bounds[0])
#define counters_end (fuzz_counter_bounds[1])
static uint8_t *shared;
static size_t ncounters;

static const char *base;	/* holds the scratch directories */
static unsigned long runs, timeouts;

/* The child leaves through here, at exit() or after the applet returns:
 * no leak check of an applet that exits with its memory in use (the
 * applets are short-lived programs), no libFuzzer exit handler. */
static void
child_exit(void)
{
	if (shared)
		memcpy(shared, counters, ncounters);
	_exit(0);
}

/* A sanitizer report in the child: die of a signal, for the parent. */
static void
child_die(void)
{
	signal(SIGABRT, SIG_DFL);
	abort();
}

static _Noreturn void
child(const struct applet *a, int argc, char **argv, const char *dir,
    unsigned flags)
{
	static const int sigs[] = {
		SIGALRM, SIGABRT, SIGILL, SIGINT, SIGTERM, SIGHUP, SIGUSR1,
		SIGUSR2, SIGXFSZ, SIGPIPE
	};
	int fd, report = dup(STDERR_FILENO);
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		signal(sigs[i], SIG_DFL);
	__sanitizer_set_report_fd((void *)(intptr_t)report);
	__sanitizer_set_death_callback(child_die);
	atexit(child_exit);
	fd = open("/dev/null", O_RDWR);
	if (fd == -1 || chdir(dir) == -1) {
		perror(FUZZ_NAME ": the scratch directory or /dev/null");
		child_die();
	}
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	unsetenv("VERSION_CONTROL");
	unsetenv("SIMPLE_BACKUP_SUFFIX");
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	if (flags & 1)
		setenv("POSIXLY_CORRECT", "1", 1);
	else
		unsetenv("POSIXLY_CORRECT");
	setenv("LANG", flags & 2 ? "C.UTF-8" : "C", 1);
	alarm(TIMEOUT);
	exit_status = 0;
	optind = 1;
	exit(applet_run(a, argc, argv));
}

/* False for a word that could name something outside the scratch
 * directory. */
static bool
confined(const char *w)
{
	const char *c, *e;

	if (*w == '/' || (*w == '-' && strchr(w, '/')))
		return false;
	for (c = w; *c; c = *e ? e + 1 : e) {
		e = c + strcspn(c, "/");
		if (e - c == 2 && c[0] == '.' && c[1] == '.')
			return false;
	}
	return true;
}

/* In DFD: NAME, a file holding TEXT, or a directory (TEXT NULL). */
static void
make(int dfd, const char *name, const char *text)
{
	int fd;

	if (!text) {
		if (mkdirat(dfd, name, 0755) == -1)
			FAIL("cannot make %s: %s", name, strerror(errno));
		return;
	}
	fd = openat(dfd, name, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, text, strlen(text)) == -1)
		FAIL("cannot make %s: %s", name, strerror(errno));
	close(fd);
}

/* The fixture of one run, in DIR. */
static void
fixture(const char *dir)
{
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dfd == -1)
		FAIL("cannot open %s: %s", dir, strerror(errno));
	make(dfd, "f", "linkbox\n");
	make(dfd, "e", "");
	make(dfd, "d", NULL);
	make(dfd, "d/g", "linkbox\n");
	if (linkat(dfd, "f", dfd, "h", 0) == -1 ||
	    symlinkat("f", dfd, "s") == -1 ||
	    symlinkat("missing", dfd, "dl") == -1 ||
	    symlinkat("../f", dfd, "d/up") == -1)
		FAIL("cannot make the links in %s: %s", dir, strerror(errno));
	close(dfd);
}

static void
report(void)
{
	if (timeouts)
		fprintf(stderr, "fuzz_argv: %lu of %lu runs timed out (%d s)\n",
		    timeouts, runs, TIMEOUT);
}

/* Show a timed-out run, bytes outside printable ASCII as \ooo. */
static void
show_timeout(const struct applet *a, int argc, char **argv)
{
	const unsigned char *s;
	int i;

	if (timeouts > 20)
		return;
	fprintf(stderr, "fuzz_argv: timeout (%d s): %s", TIMEOUT, a->name);
	for (i = 1; i < argc; i++) {
		fputs(" '", stderr);
		for (s = (const unsigned char *)argv[i]; *s; s++)
			if (*s < 0x20 || *s >= 0x7f || *s == '\'' || *s == '\\')
				fprintf(stderr, "\\%03o", *s);
			else
				fputc(*s, stderr);
		fputc('\'', stderr);
	}
	fputc('\n', stderr);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	base = fuzz_scratch(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL);
	atexit(report);
	if (counters && counters_end > counters) {
		ncounters = counters_end - counters;
		shared = mmap(NULL, ncounters, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED)
			FAIL("mmap: %s", strerror(errno));
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *argv[MAX_WORDS + 1], dir[PATH_MAX];
	const struct applet *a;
	unsigned flags = 0;
	int argc = 0, status;
	size_t i;
	pid_t pid;

	if (size == 0)
		return -1;
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = copy;
	for (i = 0; i < size && argc < MAX_WORDS; i++)
		if (!copy[i])
			argv[argc++] = copy + i + 1;
	argv[argc] = NULL;
	for (i = 1; i < (size_t)argc; i++)
		if (!confined(argv[i])) {
			free(copy);
			return -1;
		}
	a = &applets[((unsigned char)copy[0] + (napplets - 1) * '0') %
	    napplets];
	if (copy[0])
		flags = (unsigned char)copy[1];
	argv[0] = (char *)a->name;

	fmt(dir, sizeof(dir), "%s/run.XXXXXX", base);
	if (!mkdtemp(dir))
		FAIL("cannot make %s: %s", dir, strerror(errno));
	fixture(dir);

	if (shared)
		memset(shared, 0, ncounters);
	runs++;
	pid = fork();
	if (pid == -1)
		FAIL("fork: %s", strerror(errno));
	if (pid == 0)
		child(a, argc, argv, dir, flags);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			FAIL("waitpid: %s", strerror(errno));
	fuzz_remove(dir);
	if (WIFSIGNALED(status)) {
		switch (WTERMSIG(status)) {
		case SIGALRM:
			timeouts++;
			show_timeout(a, argc, argv);
			break;
		case SIGINT:	/* ^C or kill: the run was stopped */
		case SIGTERM:
		case SIGKILL:
			break;
		default:
			FAIL("%s died of signal %d (%s)", a->name,
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
		}
	} else if (shared)
		for (i = 0; i < ncounters; i++)
			if (shared[i] > counters[i])
				counters[i] = shared[i];
	free(copy);
	return 0;
}
