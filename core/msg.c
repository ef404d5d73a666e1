/* msg.c - diagnostics and exit status.
 *
 * Every message is "APPLET: text\n" sent with one write(2), so that lines
 * from parallel runs never interleave mid-line.  Names in messages go
 * through quote() (quote.c), so a hostile name can never split a message
 * over two lines.
 */
#include "linkbox.h"

const char *applet_name = "linkbox";
const char *applet_usage;
int exit_status;
static int fail_status = 1;	/* what a warning raises exit_status to */
static int trouble_status = 2;	/* exit status of usage errors, msg_die */

void
msg_policy(enum exit_policy policy)
{
	fail_status = policy == EXIT_TROUBLE ? 2 : 1;
	trouble_status = policy == EXIT_GNU ? 1 : 2;
}

/* "APPLET: text[: strerror]" and END, in one write.  A message too long
 * for the stack buffer (names can be far longer than PATH_MAX) is built
 * in the heap; failing that, the text is cut but the reason kept. */
static void
emit(int err, const char *end, const char *format, va_list ap)
{
	const char *reason = err ? strerror(err) : "";
	char stack[8192], *buf = stack;
	size_t len, text, cap = sizeof(stack);
	va_list again;

	va_copy(again, ap);
	text = fmt_va(NULL, 0, format, again);
	va_end(again);
	len = strlen(applet_name) + 2 + text + strlen(reason) + 3;
	if (len > cap && (buf = malloc(len)))
		cap = len;
	else if (len > cap)
		buf = stack;
	len = fmt(buf, cap, "%s: ", applet_name);
	if (len + text + strlen(reason) + 3 > cap)
		text = cap - len - strlen(reason) - 3;
	fmt_va(buf + len, text + 1, format, ap);
	len += text;
	if (err)
		len += fmt(buf + len, cap - len, ": %s", reason);
	len += fmt(buf + len, cap - len, "%s", end);
	if (write(STDERR_FILENO, buf, len) == -1)
		exit_status = exit_status < fail_status ? fail_status : exit_status;
	if (buf != stack)
		free(buf);
}

static void
raise_status(int status)
{
	if (exit_status < status)
		exit_status = status;
}

/* A message, with strerror(errno) after it for MSG_SYS; then the exit
 * status raised to the policy's for a warning, to 1 for MSG_FAIL (an
 * operation that failed, in an applet whose warnings are trouble), not
 * at all for MSG_NOTE. */
void
msg_say(int how, const char *format, ...)
{
	int err = how & MSG_SYS ? errno : 0;
	va_list ap;

	va_start(ap, format);
	emit(err, "\n", format, ap);
	va_end(ap);
	if (!(how & MSG_NOTE))
		raise_status(how & MSG_FAIL ? 1 : fail_status);
}

/* The same, then exit with the policy's status for trouble. */
void
msg_exit(int how, const char *format, ...)
{
	int err = how & MSG_SYS ? errno : 0;
	va_list ap;

	va_start(ap, format);
	emit(err, "\n", format, ap);
	va_end(ap);
	exit(trouble_status);
}

/* The message, then GNU's pointer to --help, in one write. */
void
msg_usage(const char *format, ...)
{
	char text[4096];
	va_list ap;

	va_start(ap, format);
	fmt_va(text, sizeof(text), format, ap);
	va_end(ap);
	msg_die("%s\nTry '%s --help' for more information.", text,
	    applet_name);
}

/* Flush stdout: a write error (a full disk, a closed pipe) is a failure,
 * as it is to every GNU tool: status 1, or 2 (trouble) for the applets
 * where 1 reports what was found.  Returns the exit status to use. */
int
msg_flush(int status)
{
	if (out_flush() == -1) {
		msg_warnsys("write error");
		return status > fail_status ? status : fail_status;
	}
	return status;
}

/* Ask on stderr; true when the answer (a line on stdin) starts with y. */
bool
msg_ask(const char *format, ...)
{
	char c, first = 0;
	va_list ap;

	out_flush();
	va_start(ap, format);
	emit(0, "", format, ap);
	va_end(ap);
	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
		if (!first)
			first = c;
	return first == 'y' || first == 'Y';
}
