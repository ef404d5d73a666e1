/* glob.c - shell patterns (*, ?, [...], \) matched against one name.
 *
 * Byte by byte, as fnmatch(3) without flags does in the C locale: '/' and
 * a leading '.' are not special.  libc's fnmatch would bring ~14 KiB of
 * wide-character tables into the static binary.
 */
#include "linkbox.h"

/* The bracket expression at P ("[...]") matches C?  *END is set past it;
 * NULL when it is not closed, and '[' is then literal. */
static bool
bracket(const char *p, unsigned char c, const char **end)
{
	bool neg = *++p == '!' || *p == '^', hit = false;
	unsigned char lo, hi;

	p += neg;
	do {
		lo = *p == '\\' && p[1] ? *++p : *p;
		if (!lo) {
			*end = NULL;
			return false;
		}
		hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = p[2] == '\\' && p[3] ? p[3] : p[2];
			p += 2 + (p[2] == '\\');
		}
		hit |= lo <= c && c <= hi;
	} while (*++p != ']');
	*end = p + 1;
	return hit != neg;
}

/* NAME matches the pattern PAT? */
bool
glob_match(const char *pat, const char *name)
{
	const char *star = NULL, *resume = NULL, *end;
	bool hit;

	while (*name) {
		if (*pat == '*') {
			star = ++pat;
			resume = name;
			continue;
		}
		if (*pat == '[') {
			hit = bracket(pat, *name, &end);
			if (!end)
				hit = *name == '[';	/* unclosed: literal */
			if (hit) {
				pat = end ? end : pat + 1;
				name++;
				continue;
			}
		} else if (*pat == '?' || (*pat == '\\' && pat[1] ?
		    pat[1] == *name : *pat == *name)) {
			pat += *pat == '\\' && pat[1] ? 2 : 1;
			name++;
			continue;
		}
		if (!star)
			return false;
		pat = star;
		name = ++resume;
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

/* NAME matches one of the N patterns PATS (say, the --exclude options)? */
bool
glob_any(const char *const *pats, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (glob_match(pats[i], name))
			return true;
	return false;
}
