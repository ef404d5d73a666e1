/* progress.c - a one-line progress display on standard error.
 *
 * Shown only on a terminal, at most twice a second, as "\rAPPLET: TEXT"
 * over the line before; the last one is erased, so that the summary or a
 * message after it starts on a clean line.  The applet gives a function
 * that writes TEXT from its own counters; it is called only when the line
 * is due, so progress_show can be called often (it reads the clock).
 * For the main thread only.
 */
#include "linkbox.h"

static void (*text_of)(char *buf, size_t cap);
static struct timespec last_shown;

/* Show progress from now on if WANTED (no --quiet) and standard error is
 * a terminal.  TEXT writes the line's text in BUF, NUL-terminated, at
 * most CAP - 1 bytes (as fmt() does). */
void
progress_start(bool wanted, void (*text)(char *buf, size_t cap))
{
	text_of = wanted && isatty(STDERR_FILENO) ? text : NULL;
}

/* Show the progress line if half a second has passed since the last;
 * LAST: show it now, then erase it. */
void
progress_show(bool last)
{
	static const char erase[] = "\r\033[K";
	struct timespec now;
	char buf[160];
	size_t n;

	if (!text_of)
		return;
	clock_read(CLOCK_MONOTONIC, &now);
	if (!last && (now.tv_sec - last_shown.tv_sec) * 1000 +
	    (now.tv_nsec - last_shown.tv_nsec) / 1000000 < 500)
		return;
	last_shown = now;
	/* "\rAPPLET: TEXT", then the sequence that erases the line after the
	 * last: a text too long is cut, never the sequence. */
	fmt(buf, 32, "\r%s: ", applet_name);
	n = strlen(buf);
	text_of(buf + n, sizeof(buf) - (sizeof(erase) - 1) - n);
	n += strlen(buf + n);
	if (last) {
		memcpy(buf + n, erase, sizeof(erase) - 1);
		n += sizeof(erase) - 1;
	}
	/* Once a write fails (the terminal hung up), stop trying. */
	if (write(STDERR_FILENO, buf, n) == -1)
		text_of = NULL;
}
