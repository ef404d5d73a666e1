/* fuzz_json - json_string() on arbitrary names, read back.
 *
 * The input up to its first NUL is a name.  It is written as a --json-lines
 * record {"k":...} to standard output, which is a memfd, and read back by
 * the small reader below, which knows only what JSON allows.  Checked: the
 * record is one line with no raw control character; a name that is UTF-8
 * (by the checker here, written apart from core's from the rule) comes
 * back byte for byte from the string, with no k_bytes; any other comes
 * back byte for byte from k_bytes, and its string is UTF-8 holding
 * U+FFFD.
 */
#define FUZZ_NAME "fuzz_json"
#include "../../core/linkbox.h"
#include <stdint.h>
#include <sys/mman.h>

#define FAIL(...) do { \
	fprintf(stderr, FUZZ_NAME ": " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

#define MAX 4096

/* Whether S (N bytes) is well-formed UTF-8: shortest forms, no
 * surrogates, nothing past U+10FFFF. */
static bool
is_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	unsigned long c;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			len = 2, c = s[i] & 0x1f;
		else if ((s[i] & 0xf0) == 0xe0)
			len = 3, c = s[i] & 0x0f;
		else if ((s[i] & 0xf8) == 0xf0)
			len = 4, c = s[i] & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
		    (len == 4 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	FAIL("bad hex digit %#x", c);
}

/* The JSON string at *P (at its opening quote) into OUT; its length.
 * *P ends past the closing quote.  Only \u00XX escapes are expected. */
static size_t
read_string(const char **p, unsigned char *out)
{
	const char *s = *p;
	const char *esc;
	size_t n = 0;

	if (*s++ != '"')
		FAIL("no string at '%.20s'", s - 1);
	for (; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			FAIL("raw control character %#x", *s);
		if (*s != '\\') {
			out[n++] = *s;
			continue;
		}
		s++;
		if (*s == 'u') {
			if (s[1] != '0' || s[2] != '0')
				FAIL("escape past U+00FF: %.6s", s - 1);
			out[n++] = hex(s[3]) << 4 | hex(s[4]);
			s += 4;
		} else if ((esc = strchr("\"\\/bfnrt", *s)) && *s) {
			out[n++] = "\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrt"];
		} else {
			FAIL("bad escape \\%c", *s);
		}
	}
	*p = s + 1;
	return n;
}

static size_t
base64_decode(const unsigned char *s, size_t n, unsigned char *out)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long v = 0;
	size_t i, bits = 0, len = 0;
	const char *d;

	if (n % 4)
		FAIL("base64 of %zu characters", n);
	for (i = 0; i < n && s[i] != '='; i++) {
		if (!(d = strchr(digits, s[i])) || !s[i])
			FAIL("bad base64 character %#x", s[i]);
		v = v << 6 | (d - digits);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[len++] = v >> bits & 0xff;
		}
	}
	return len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char name[MAX], doc[8 * MAX + 64];
	static unsigned char back[4 * MAX], bytes[4 * MAX];
	static int fd = -1;
	size_t n = strnlen((const char *)data, size < MAX - 1 ? size :
	    MAX - 1), got, nback;
	const char *p;
	ssize_t r;

	if (fd == -1) {
		if ((fd = memfd_create(FUZZ_NAME, 0)) == -1 ||
		    dup2(fd, STDOUT_FILENO) == -1)
			FAIL("memfd: %s", strerror(errno));
		json_form = JSON_LINES;
	}
	memcpy(name, data, n);
	name[n] = '\0';
	if (ftruncate(STDOUT_FILENO, 0) == -1 ||
	    lseek(STDOUT_FILENO, 0, SEEK_SET) == -1)
		FAIL("cannot empty the memfd: %s", strerror(errno));
	json_open();
	json_string("k", name);
	json_close();
	if (out_flush() == -1)
		FAIL("write: %s", strerror(errno));
	if ((r = pread(STDOUT_FILENO, doc, sizeof(doc) - 1, 0)) < 0)
		FAIL("read back: %s", strerror(errno));
	doc[r] = '\0';
	if (strncmp(doc, "{\"k\":", 5))
		FAIL("record starts '%.10s'", doc);
	p = doc + 5;
	nback = read_string(&p, back);
	if (is_utf8((const unsigned char *)name, n)) {
		if (strcmp(p, "}\n"))
			FAIL("after a UTF-8 string: '%s'", p);
		if (nback != n || memcmp(back, name, n))
			FAIL("the string is not the name");
		return 0;
	}
	if (!is_utf8(back, nback) || !memmem(back, nback, "\xef\xbf\xbd", 3))
		FAIL("the string of a name that is not UTF-8 has no U+FFFD");
	if (strncmp(p, ",\"k_bytes\":", 11))
		FAIL("no k_bytes after the string: '%s'", p);
	p += 11;
	got = read_string(&p, bytes);
	if (strcmp(p, "}\n"))
		FAIL("after k_bytes: '%s'", p);
	got = base64_decode(bytes, got, back);
	if (got != n || memcmp(back, name, n))
		FAIL("k_bytes is not the name");
	return 0;
}
