/* msg.c - diagnostics, quoting of names in them, exit status.
 *
 * Every message is "APPLET: text\n" sent with one write(2), so that lines
 * from parallel runs never interleave mid-line.  Names are quoted the way
 * GNU coreutils quotes them (shell-escape style), so a hostile name can
 * never split a message over two lines.
 */
#include "linkbox.h"
#include <ctype.h>

const char *applet_name = "linkbox";
const char *applet_usage;
int exit_status;
int fail_status = 1;
int trouble_status = 2;

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

void
msg_warn(const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	emit(0, "\n", format, ap);
	va_end(ap);
	raise_status(fail_status);
}

void
msg_warnsys(const char *format, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, format);
	emit(err, "\n", format, ap);
	va_end(ap);
	raise_status(fail_status);
}

void
msg_die(const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	emit(0, "\n", format, ap);
	va_end(ap);
	exit(trouble_status);
}

void
msg_diesys(const char *format, ...)
{
	int err = errno;
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

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		msg_die("out of memory");
	return p;
}

/* V, with room for *CAP elements of SIZE bytes, grown to hold NEED: by
 * doubling, so that adding one at a time costs O(1) each on average. */
void *
xgrow(void *v, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return v;
	*cap = need > *cap * 2 + 64 ? need : *cap * 2 + 64;
	if (*cap > (size_t)-1 / size || !(v = realloc(v, *cap * size)))
		msg_die("out of memory");
	return v;
}

/* Length of the printable UTF-8 character at s, or 0.  Without setlocale()
 * we trust the environment's word that the terminal speaks UTF-8; C1
 * controls, line separators and non-characters are never printable. */
static size_t
utf8_printable(const unsigned char *s)
{
	static int utf8 = -1;
	unsigned long c;
	size_t n, i;

	if (utf8 == -1) {
		const char *v = getenv("LC_ALL");

		if (!v || !*v)
			v = getenv("LC_CTYPE");
		if (!v || !*v)
			v = getenv("LANG");
		utf8 = v && (strcasestr(v, "utf-8") || strcasestr(v, "utf8"));
	}
	if (!utf8 || *s < 0xc2 || *s > 0xf4)
		return 0;
	n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : 2;
	c = *s & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < 0xa0 || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    c == 0x2028 || c == 0x2029 || (c >= 0xfdd0 && c <= 0xfdef) ||
	    (c & 0xfffe) == 0xfffe)
		return 0;
	return n;
}

/* Characters that mean the same inside "..." to both C and the shell. */
static bool
dquote_safe(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
	    (c | 0x20) <= 'z') || strchr(" %+,-./:@]_'", c);
}

/* NAME as it is where nothing in it needs quoting to the shell (nor is a
 * colon, which would blur "name: reason"), else quote(NAME): GNU's
 * quotef(), for messages of the form "NAME: reason". */
const char *
quote_if_needed(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i, n;

	for (i = 0; s[i]; i += n) {
		n = utf8_printable(s + i);
		if (n == 0 && !isalnum(s[i]) && !strchr("%+,-./@]_{}", s[i]) &&
		    !(i > 0 && (s[i] == '#' || s[i] == '~')))
			return quote(name);
		n += !n;
	}
	return i ? name : quote(name);
}

#define CONTROLS "\a\b\f\n\r\t\v"

/* Quote NAME for a message: 'name', or "name" when that avoids '\'' and
 * needs no escapes, with $'\ooo' escapes for what is not printable.  The
 * result lives until four more calls. */
const char *
quote(const char *name)
{
	static char *slot[4];
	static unsigned next;
	const unsigned char *s = (const unsigned char *)name;
	size_t i, j, n, len = strlen(name);
	bool has_quote = false, dquote_ok = true, in_escape = false;
	char *out, *o;

	for (i = 0; i < len; i += n) {
		n = utf8_printable(s + i);
		if (s[i] == '\'')
			has_quote = true;
		if (n == 0 && !dquote_safe(s[i]))
			dquote_ok = false;
		n += !n;
	}
	next = (next + 1) % 4;
	free(slot[next]);
	o = out = slot[next] = xmalloc(len * 7 + 3);
	if (has_quote && dquote_ok) {
		*o++ = '"';
		o = mempcpy(o, name, len);
		*o++ = '"';
		*o = '\0';
		return out;
	}
	*o++ = '\'';
	for (i = 0; i < len; i += n) {
		unsigned char c = s[i];
		const char *esc;

		n = utf8_printable(s + i);
		if (n == 0 && (c < 0x20 || c >= 0x7f)) {
			if (!in_escape)
				o = stpcpy(o, "'$'");
			in_escape = true;
			*o++ = '\\';
			if ((esc = c ? strchr(CONTROLS, c) : NULL))
				*o++ = "abfnrtv"[esc - CONTROLS];
			else {
				*o++ = '0' + (c >> 6);
				*o++ = '0' + (c >> 3 & 7);
				*o++ = '0' + (c & 7);
			}
			n = 1;
			continue;
		}
		if (in_escape && c != '\'')
			o = stpcpy(o, "''");
		in_escape = false;
		n += !n;
		if (c == '\'')
			o = stpcpy(o, "'\\''");
		else	/* byte by byte: a call per character was slow */
			for (j = 0; j < n; j++)
				*o++ = s[i + j];
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}
