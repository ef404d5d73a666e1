/* out.c - formatted output without stdio.
 *
 * libc's printf family costs a static binary about 10 KiB (floating point
 * included, used or not); linkbox prints names and counts, so it carries
 * this formatter instead: %s, %.*s, %c, %d, %u, %lu, %llu, %zu and %%.
 * Standard output goes through one buffer, flushed by out_flush() or when
 * full.
 */
#include "linkbox.h"

struct sink {
	char *buf;
	size_t cap, len;	/* len counts all output, even past cap */
	int fd;			/* -1: a string, cut at cap - 1 */
};

static char outbuf[4096];
static struct sink stdout_sink = { outbuf, sizeof(outbuf), 0, STDOUT_FILENO };
static int out_errno;

static void
drain(struct sink *s)
{
	size_t done = 0;
	ssize_t n;

	while (done < s->len && !out_errno) {
		n = write(s->fd, s->buf + done, s->len - done);
		if (n == -1 && errno != EINTR)
			out_errno = errno;
		if (n > 0)
			done += n;
	}
	s->len = 0;
}

static void
put(struct sink *s, const char *p, size_t n)
{
	size_t room;

	if (s->fd == -1) {
		room = s->len + 1 < s->cap ? s->cap - 1 - s->len : 0;
		if (room)
			memcpy(s->buf + s->len, p, n < room ? n : room);
		s->len += n;
		return;
	}
	while (n) {
		room = s->cap - s->len;
		if (room > n)
			room = n;
		memcpy(s->buf + s->len, p, room);
		s->len += room;
		p += room;
		n -= room;
		if (s->len == s->cap)
			drain(s);
	}
}

static void
put_number(struct sink *s, unsigned long long v, bool negative)
{
	char digits[24], *d = digits + sizeof(digits);

	do
		*--d = '0' + v % 10;
	while (v /= 10);
	if (negative)
		*--d = '-';
	put(s, d, digits + sizeof(digits) - d);
}

static void
format(struct sink *s, const char *fmt, va_list ap)
{
	const char *p, *str;
	size_t prec;
	long v;
	char c;

	for (p = fmt; *p; p++) {
		if (*p != '%') {
			str = p;
			while (p[1] && p[1] != '%')
				p++;
			put(s, str, p - str + 1);
			continue;
		}
		prec = (size_t)-1;
		if (p[1] == '.' && p[2] == '*') {
			prec = va_arg(ap, int);
			p += 2;
		}
		switch (*++p) {
		case 's':
			str = va_arg(ap, const char *);
			put(s, str, strnlen(str, prec));
			break;
		case 'c':
			c = va_arg(ap, int);
			put(s, &c, 1);
			break;
		case 'd':
			v = va_arg(ap, int);
			put_number(s, v < 0 ? -(unsigned long)v : (unsigned long)v,
			    v < 0);
			break;
		case 'u':
			put_number(s, va_arg(ap, unsigned), false);
			break;
		case 'l':
			if (p[1] == 'l') {
				p += 2;
				put_number(s, va_arg(ap, unsigned long long),
				    false);
				break;
			}
			/* fallthrough */
		case 'z':
			p++;
			put_number(s, va_arg(ap, unsigned long), false);
			break;
		default:
			put(s, p, 1);
			break;
		}
	}
}

/* Like vsnprintf: write at most CAP - 1 bytes and a NUL, return the
 * length the whole would have. */
size_t
fmt_va(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct sink s = { buf, cap, 0, -1 };

	format(&s, fmt, ap);
	if (cap)
		buf[s.len < cap ? s.len : cap - 1] = '\0';
	return s.len;
}

size_t
fmt(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_va(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

/* BYTES in BUF (at least 24 bytes): digits, or with HUMAN as du -h
 * prints them, in powers of 1024 rounded up, with one decimal below 10:
 * "512", "1.5K", "12M". */
const char *
fmt_bytes(char *buf, unsigned long long bytes, bool human)
{
	unsigned long long div = 1024, whole, tenths, rest;
	int u = 0;

	if (!human || bytes < 1024) {
		fmt(buf, 24, "%llu", bytes);
		return buf;
	}
	for (; u < 5 && bytes / div >= 1024; u++)
		div *= 1024;
	rest = bytes % div;
	tenths = bytes / div * 10 + (rest * 10 + div - 1) / div;
	whole = bytes / div + (rest != 0);
	if (tenths < 100)
		fmt(buf, 24, "%llu.%llu%c", tenths / 10, tenths % 10,
		    "KMGTPE"[u]);
	else if (whole < 1024 || u == 5)
		fmt(buf, 24, "%llu%c", whole, "KMGTPE"[u]);
	else
		fmt(buf, 24, "1.0%c", "KMGTPE"[u + 1]);
	return buf;
}

/* The formatted text in a string of its own, freed by the caller. */
char *
xformat(const char *fmt, ...)
{
	va_list ap;
	size_t n;
	char *p;

	va_start(ap, fmt);
	n = fmt_va(NULL, 0, fmt, ap);
	va_end(ap);
	p = xmalloc(n + 1);
	va_start(ap, fmt);
	fmt_va(p, n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format(&stdout_sink, fmt, ap);
	va_end(ap);
}

/* N bytes of P to standard output, as they are. */
void
out_bytes(const char *p, size_t n)
{
	put(&stdout_sink, p, n);
}

/* Write what is buffered; 0, or -1 with errno set by the first failed
 * write since the start. */
int
out_flush(void)
{
	drain(&stdout_sink);
	errno = out_errno;
	return out_errno ? -1 : 0;
}
