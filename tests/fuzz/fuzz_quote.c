/* fuzz_quote - quote() and quote_if_needed() on arbitrary bytes.
 *
 * Checks that every result is one shell word, free of raw control
 * characters and line breaks, that unquotes to the input (by the small
 * reference unquoter below, which knows only what the quoter should
 * produce: '...', "...", \' and $'...' with \a\b\f\n\r\t\v, \\, \', \"
 * and \ooo), and that quote_if_needed() returns the name itself only
 * when the name is safe bare.
 *
 * Locale: quote() decides once per process, from LC_ALL, LC_CTYPE or
 * LANG at its first call, whether the terminal speaks UTF-8, and keeps
 * that in a static.  So one input byte cannot switch it: this target
 * runs with LANG=C, and fuzz_quote_utf8 (this file again) with
 * LANG=C.UTF-8, each with its own corpus.
 */
#include "../../core/linkbox.h"
#include <stdint.h>

#ifndef FUZZ_NAME
#define FUZZ_NAME "fuzz_quote"
#endif

#define FAIL(...) do { \
	fprintf(stderr, FUZZ_NAME ": " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

#ifndef FUZZ_UTF8
#define FUZZ_UTF8 0
#endif

/* The code point of a UTF-8 character the quoter may leave raw: well
 * formed, shortest form, not C1, not a surrogate, not U+2028/U+2029, not
 * a non-character.  Its length, or 0.  Written apart from msg.c's on
 * purpose, from the rule its comment states. */
static size_t
printable_utf8(const unsigned char *s, size_t avail)
{
	unsigned long c;
	size_t n, i;

	if (s[0] < 0x80)
		return 0;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000) || c > 0x10ffff)
		return 0;	/* overlong or out of range */
	if (c < 0xa0 || (c >= 0xd800 && c <= 0xdfff) || c == 0x2028 ||
	    c == 0x2029 || (c >= 0xfdd0 && c <= 0xfdef) ||
	    (c & 0xfffe) == 0xfffe)
		return 0;
	return n;
}

/* Bytes that may stand bare in a shell word (GNU's quotef() leaves
 * {, } and , bare too: ls --quoting-style=shell does the same). */
static bool
bare_ok(unsigned char c, size_t at)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	if (c && strchr("%+,-./:@]_{}", c))
		return true;
	return at > 0 && (c == '#' || c == '~');
}

/* No C0 control, DEL, line break or (without UTF-8) byte >= 0x80; with
 * UTF-8, high bytes only in printable characters. */
static void
check_raw(const char *q)
{
	const unsigned char *s = (const unsigned char *)q;
	size_t i, n, len = strlen(q);

	for (i = 0; i < len; i += n) {
		n = 1;
		if (s[i] < 0x20 || s[i] == 0x7f)
			FAIL("raw control byte 0x%02x at %zu in [%s]", s[i], i,
			    q);
		if (s[i] < 0x80)
			continue;
		n = FUZZ_UTF8 ? printable_utf8(s + i, len - i) : 0;
		if (n == 0)
			FAIL("raw byte 0x%02x at %zu%s", s[i], i,
			    FUZZ_UTF8 ? " outside a printable character" :
			    " in the C locale");
	}
}

/* Unquote the shell word Q into OUT (room for strlen(Q) + 1); false when
 * Q is not a single word of the expected subset. */
static bool
unquote(const char *q, char *out, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)q;
	size_t i = 0, o = 0, n, k;
	unsigned v;

	while (s[i]) {
		if (s[i] == '\'') {		/* '...': all literal */
			for (i++; s[i] && s[i] != '\''; i++)
				out[o++] = s[i];
			if (!s[i++])
				return false;
		} else if (s[i] == '"') {	/* "...": no $ ` \ ! inside */
			for (i++; s[i] && s[i] != '"'; i++) {
				if (strchr("$`\\!", s[i]))
					return false;
				out[o++] = s[i];
			}
			if (!s[i++])
				return false;
		} else if (s[i] == '$' && s[i + 1] == '\'') {	/* $'...' */
			for (i += 2; s[i] && s[i] != '\''; ) {
				if (s[i] != '\\') {
					out[o++] = s[i++];
					continue;
				}
				i++;
				if (s[i] >= '0' && s[i] <= '7') {
					for (v = 0, k = 0; k < 3 && s[i] >= '0'
					    && s[i] <= '7'; k++, i++)
						v = v * 8 + (s[i] - '0');
					if (v == 0 || v > 0xff)
						return false;
					out[o++] = (char)v;
					continue;
				}
				if (!s[i] || !strchr("abfnrtv\\'\"", s[i]))
					return false;
				out[o++] = strchr("\\'\"", s[i]) ? s[i] :
				    "\a\b\f\n\r\t\v"[strchr("abfnrtv", s[i]) -
				    "abfnrtv"];
				i++;
			}
			if (!s[i++])
				return false;
		} else if (s[i] == '\\') {	/* \' between quotes */
			if (s[i + 1] != '\'')
				return false;
			out[o++] = '\'';
			i += 2;
		} else {			/* bare */
			n = FUZZ_UTF8 ? printable_utf8(s + i, strlen(q) - i) : 0;
			if (n == 0 && !bare_ok(s[i], i))
				return false;
			n += !n;
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	*outlen = o;
	return true;
}

static void
check_word(const char *what, const char *name, size_t len, const char *q)
{
	char *back = malloc(strlen(q) + 1);
	size_t blen;

	check_raw(q);
	if (!unquote(q, back, &blen))
		FAIL("%s: not a shell word of the expected form: [%s]", what, q);
	if (blen != len || memcmp(back, name, len))
		FAIL("%s: [%s] unquotes to something else than the input", what,
		    q);
	free(back);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	setenv("LANG", FUZZ_UTF8 ? "C.UTF-8" : "C", 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1), *q;
	const char *r;
	size_t len;

	memcpy(name, data, size);
	name[size] = '\0';
	len = strlen(name);	/* a NUL in the input ends the name */

	q = strdup(quote(name));
	check_word("quote", name, len, q);
	if (q[0] == '"' && !strchr(name, '\''))
		FAIL("quote: \"...\" for a name without a ': [%s]", q);

	r = quote_if_needed(name);
	if (r == name) {
		size_t i, n;

		if (!len)
			FAIL("quote_if_needed: the empty name left bare");
		for (i = 0; i < len; i += n) {
			n = FUZZ_UTF8 ? printable_utf8((unsigned char *)name + i,
			    len - i) : 0;
			if (n == 0 && !bare_ok(name[i], i))
				FAIL("quote_if_needed: byte 0x%02x at %zu left"
				    " bare", (unsigned char)name[i], i);
			n += !n;
		}
		if (strchr(name, ':'))
			FAIL("quote_if_needed: a colon left bare");
		check_word("quote_if_needed", name, len, r);
	} else if (strcmp(r, q))
		FAIL("quote_if_needed: [%s] is not quote()'s [%s]", r, q);
	free(q);
	free(name);
	return 0;
}
