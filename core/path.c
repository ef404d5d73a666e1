/* path.c - path names without surprises: no static buffers, no changes to
 * the caller's string, trailing slashes kept where they mean something. */
#include "linkbox.h"

/* DIR/NAME, with one slash between them however many DIR ends with. */
char *
path_join(const char *dir, const char *name)
{
	size_t dlen = strlen(dir), nlen = strlen(name);
	char *p = xmalloc(dlen + nlen + 2);

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
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

/* The next component of the path at *REST, cut off with a NUL: NULL at
 * the end.  Empty and "." components are passed over; *REST is left at
 * what follows (NULL after the last component). */
char *
path_next_component(char **rest)
{
	char *comp;

	while ((comp = *rest) && *comp) {
		comp += strspn(comp, "/");
		*rest = strchr(comp, '/');
		if (*rest)
			*(*rest)++ = '\0';
		if (*comp && strcmp(comp, "."))
			return comp;
	}
	return NULL;
}

/* PATH made absolute, with ".", ".." and symbolic links resolved in the
 * components that exist; missing components are taken as written.  NULL
 * after too many symbolic links (a loop) or when the cwd is unknown. */
char *
path_canon(const char *path)
{
	size_t cap = PATH_MAX, len;
	char *res = xmalloc(cap), *todo, *comp, *next;
	char link[PATH_MAX];
	struct stat st;
	int links = 0;
	ssize_t n;

	if (*path == '/')
		strcpy(res, "/");
	else if (!getcwd(res, cap)) {
		free(res);
		return NULL;
	}
	next = todo = strdup(path);
	while ((comp = path_next_component(&next))) {
		len = strlen(res);
		if (!strcmp(comp, "..")) {
			while (len > 1 && res[len - 1] != '/')
				len--;
			res[len > 1 ? len - 1 : 1] = '\0';
			continue;
		}
		res = xgrow(res, &cap, len + strlen(comp) + 2, 1);
		if (len > 1)
			res[len++] = '/';
		strcpy(res + len, comp);
		if (lstat(res, &st) == -1 || !S_ISLNK(st.st_mode))
			continue;
		n = readlink(res, link, sizeof(link) - 1);
		if (n == -1)
			continue;
		if (++links > 40) {
			free(todo);
			free(res);
			return NULL;
		}
		link[n] = '\0';
		/* Splice the link's text in front of what is left to do. */
		comp = xformat("%s/%s", link, next ? next : "");
		free(todo);
		todo = next = comp;
		res[len > 1 ? len - 1 : 1] = '\0';
		if (*link == '/')
			strcpy(res, "/");
	}
	free(todo);
	return res;
}

/* The path that leads from directory DIR to FILE, both canonical, through
 * ".." where needed: "a" for FILE /x/a and DIR /x, "." when they are one. */
char *
path_relative(const char *file, const char *dir)
{
	size_t common = 0, i, ups = 0;
	const char *f, *d;
	char *rel, *r;

	for (i = 0; file[i] && file[i] == dir[i]; i++)
		if (file[i] == '/')
			common = i + 1;
	if ((!file[i] && (!dir[i] || dir[i] == '/')) ||
	    (!dir[i] && file[i] == '/'))
		common = i;
	f = file + common + (file[common] == '/');
	d = dir + common + (dir[common] == '/');
	if (*d)
		for (ups = 1, i = 0; d[i]; i++)
			ups += d[i] == '/';
	r = rel = xmalloc(ups * 3 + strlen(f) + 2);
	for (i = 0; i < ups; i++)
		r = stpcpy(r, i ? "/.." : "..");
	if (ups && *f)
		*r++ = '/';
	r = stpcpy(r, f);
	if (r == rel)
		strcpy(rel, ".");
	return rel;
}

/* The text of a symbolic link in the directory DIR that leads to TARGET
 * by a relative path, through ".." where needed (ln -r); NULL when either
 * cannot be made canonical. */
char *
path_relative_link(const char *target, const char *dir)
{
	char *cdir = path_canon(dir), *ctarget = path_canon(target);
	char *rel = cdir && ctarget ? path_relative(ctarget, cdir) : NULL;

	free(cdir);
	free(ctarget);
	return rel;
}

/* Whether the canonical PATH is the directory DIR or inside it. */
bool
path_inside(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return !strncmp(path, dir, len) && (path[len] == '/' || !path[len] ||
	    !strcmp(dir, "/"));
}

/* The canonical path of the directory entry PATH itself: like
 * path_canon, but a final symbolic link is not followed. */
char *
path_canon_entry(const char *path)
{
	struct stat st;
	char *dir, *cdir, *r;
	const char *base = path_base(path);

	if (lstat(path, &st) == -1 || !S_ISLNK(st.st_mode) ||
	    base[strcspn(base, "/")])
		return path_canon(path);
	dir = path_dir(path);
	cdir = path_canon(dir);
	free(dir);
	if (!cdir)
		return NULL;
	r = path_join(cdir, base);
	free(cdir);
	return r;
}

/* Drop from PATHS[0..n) every path inside (or equal to) another one, so
 * that a walk over them meets no name twice.  With XDEV (a walk that
 * stays on each PATH's filesystem) a path on another filesystem than the
 * one holding it stays.  Returns the new count. */
size_t
path_outermost(char **paths, size_t n, bool xdev)
{
	char **canon = xmalloc(n * sizeof(*canon));
	dev_t *dev = xmalloc(n * sizeof(*dev));
	size_t i, j, k = 0;
	struct stat st;

	for (i = 0; i < n; i++) {
		canon[i] = path_canon_entry(paths[i]);
		dev[i] = lstat(paths[i], &st) == 0 ? st.st_dev : 0;
	}
	/* Of two equal paths, the first stays. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++)
			if (j != i && canon[i] && canon[j] &&
			    (!xdev || dev[i] == dev[j]) &&
			    path_inside(canon[i], canon[j]) &&
			    (strcmp(canon[i], canon[j]) || j < i))
				break;
		if (j == n)
			paths[k++] = paths[i];
	}
	for (i = 0; i < n; i++)
		free(canon[i]);
	free(canon);
	free(dev);
	return k;
}

/* The PATH operands argv[optind..argc), or DEFAULT alone where there
 * are none, less those inside others (path_outermost): the list a tree
 * applet walks, NULL-terminated. */
char **
path_operands(int argc, char **argv, const char *dflt, bool xdev)
{
	static char *one[2];
	char **paths = argv + optind;
	size_t n = argc - optind;

	if (n == 0) {
		one[0] = (char *)dflt;
		paths = one;
		n = 1;
	}
	paths[path_outermost(paths, n, xdev)] = NULL;
	return paths;
}

/* NAME in DFD, whose lstat is ST, is a symbolic link reading TEXT. */
bool
path_reads(int dfd, const char *name, const struct stat *st,
    const char *text)
{
	char buf[PATH_MAX];
	ssize_t n;

	if (!S_ISLNK(st->st_mode))
		return false;
	n = readlinkat(dfd, name, buf, sizeof(buf));
	return n >= 0 && (size_t)n == strlen(text) && !memcmp(buf, text, n);
}
