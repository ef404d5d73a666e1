/* path.c - path names without surprises: no static buffers, no changes to
 * the caller's string, trailing slashes kept where they mean something. */
#include "linkbox.h"

/* DIR/NAME, with no doubled slash when DIR already ends in one. */
char *
path_join(const char *dir, const char *name)
{
	size_t dlen = strlen(dir), nlen = strlen(name);
	char *p = xmalloc(dlen + nlen + 2);

	memcpy(p, dir, dlen);
	if (dlen && dir[dlen - 1] != '/')
		p[dlen++] = '/';
	memcpy(p + dlen, name, nlen + 1);
	return p;
}

/* The last component of PATH, trailing slashes included ("a/b/" gives
 * "b/"), as GNU's last_component(); "/" stays "/". */
const char *
path_base(const char *path)
{
	const char *base = path, *p;

	while (*base == '/')
		base++;
	if (!*base)
		return path + (*path ? strlen(path) - 1 : 0);
	for (p = base; *p; p++)
		if (p[0] == '/' && p[1] && p[1] != '/')
			base = p + 1;
	return base;
}

/* The directory part of PATH: "." when it has none, "/" for "/x". */
char *
path_dir(const char *path)
{
	const char *base = path_base(path);
	size_t len = base - path;
	char *d;

	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len == 0)
		return strcpy(xmalloc(2), *path == '/' ? "/" : ".");
	d = xmalloc(len + 1);
	memcpy(d, path, len);
	d[len] = '\0';
	return d;
}
