/* glob.c - shell patterns (*, ?, [...], \) matched against one name.
 *
 * Byte by byte, as fnmatch(3) without flags does in the C locale: '/' and
 * a leading '.' are not special.  libc's fnmatch would bring ~14 KiB of
 * wide-character tables into the static binary.
 */
#include "linkbox.h"

/* The length of the element that starts PAT (a byte, \x, ?, [...]) if
 * it matches the byte C, else 0.  An unclosed '[' is a literal.
 * Out of line: inlined, it makes gcc -Os copy glob_match's whole loop
 * (so that the common path saves no registers), 80 bytes more. */
static __attribute__((noinline)) size_t
element(const char *pat, unsigned char c)
{
	const char *p = pat;
	bool neg, hit = false;
	unsigned char lo, hi;

	if (*p == '?')
		return 1;
	if (*p == '\\' && p[1])
		return (unsigned char)p[1] == c ? 2 : 0;
	if (*p != '[')
		return (unsigned char)*p == c;
	neg = *++p == '!' || *p == '^';
	p += neg;
	do {
		lo = *p == '\\' && p[1] ? *++p : *p;
		if (!lo)
			return c == '[';
		hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = p[2] == '\\' && p[3] ? p[3] : p[2];
			p += 2 + (p[2] == '\\');
		}
		hit |= lo <= c && c <= hi;
	} while (*++p != ']');
	return hit != neg ? (size_t)(p + 1 - pat) : 0;
}

/* NAME matches the pattern PAT?  A '*' is retried one byte further on
 * each mismatch after it: no recursion, no backtracking blow-up. */
bool
glob_match(const char *pat, const char *name)
{
	const char *star = NULL, *resume = NULL;
	size_t n;

	while (*name) {
		if (*pat == '*') {
			star = ++pat;
			resume = name;
		} else if ((n = element(pat, *name))) {
			pat += n;
			name++;
		} else if (star) {
			pat = star;
			name = ++resume;
		} else
			return false;
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

/* Whether NAME matches any of the N patterns PATS (--exclude). */
bool
glob_any(const char *const *pats, size_t n, const char *name)
{
	while (n--)
		if (glob_match(*pats++, name))
			return true;
	return false;
}
