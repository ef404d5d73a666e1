/* quote.c - names quoted for messages the way GNU coreutils quotes them
 * (shell-escape style): what is printed can be pasted back into a shell,
 * and no name can split a message over two lines.
 */
#include "linkbox.h"
#include <ctype.h>

/* Whether the environment says the terminal speaks UTF-8.  Without
 * setlocale() (which would pull the locale machinery into a static
 * build) we take LC_ALL, LC_CTYPE and LANG at their word, in that order. */
bool
quote_utf8_locale(void)
{
	static int utf8 = -1;
	const char *v;

	if (utf8 == -1) {
		v = getenv("LC_ALL");
		if (!v || !*v)
			v = getenv("LC_CTYPE");
		if (!v || !*v)
			v = getenv("LANG");
		/* "UTF-8" or "utf8", in any case (not strcasestr: musl's pulls
		 * 250 bytes into every applet). */
		for (utf8 = 0; v && *v && !utf8; v++)
			utf8 = (v[0] | 32) == 'u' && (v[1] | 32) == 't' &&
			    (v[2] | 32) == 'f' && (v[3] == '8' ||
			    (v[3] == '-' && v[4] == '8'));
	}
	return utf8;
}

/* Length of the UTF-8 character at S, its value in *C; 0 if S starts no
 * well-formed one (overlong forms, surrogates and values past U+10FFFF
 * are not).  One byte below 0x80 is one character. */
size_t
utf8_decode(const unsigned char *s, unsigned long *c)
{
	size_t n, i;

	if (*s < 0x80) {
		*c = *s;
		return 1;
	}
	if (*s < 0xc2 || *s > 0xf4)
		return 0;
	n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : 2;
	*c = *s & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*c = *c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && *c < 0x800) || (n == 4 && *c < 0x10000) ||
	    *c > 0x10ffff || (*c >= 0xd800 && *c <= 0xdfff))
		return 0;
	return n;
}

/* Length of the printable multibyte UTF-8 character at s, or 0.  C1
 * controls, line separators and non-characters are never printable. */
static size_t
utf8_printable(const unsigned char *s)
{
	unsigned long c;
	size_t n;

	if (!quote_utf8_locale() || *s < 0x80 || !(n = utf8_decode(s, &c)))
		return 0;
	if (c < 0xa0 || c == 0x2028 || c == 0x2029 ||
	    (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
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
