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
	todo = strdup(path);
	for (comp = todo; comp && *comp; comp = next) {
		while (*comp == '/')
			comp++;
		next = strchr(comp, '/');
		if (next)
			*next++ = '\0';
		if (!*comp || !strcmp(comp, "."))
			continue;
		len = strlen(res);
		if (!strcmp(comp, "..")) {
			while (len > 1 && res[len - 1] != '/')
				len--;
			res[len > 1 ? len - 1 : 1] = '\0';
			continue;
		}
		if (len + strlen(comp) + 2 > cap) {
			char *bigger = xmalloc(cap = (len + strlen(comp)) * 2);

			memcpy(bigger, res, len + 1);
			free(res);
			res = bigger;
		}
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

/* Resolve PATH as if ROOTFD were "/": absolute symbolic links and ".."
 * never leave it, as for a chroot or a root filesystem image.  0 when
 * PATH names something, else -1 with errno as stat(2) would set it
 * (ENOENT, ENOTDIR, ELOOP, EACCES...). */
int
path_resolve_in(int rootfd, const char *path)
{
	size_t depth = 0, cap = 16;
	int *fds = xmalloc(cap * sizeof(*fds)), links = 0, r = 0, err = 0;
	char *todo = strdup(path), *comp, *next, text[PATH_MAX];
	struct stat st;
	ssize_t n;

	fds[0] = rootfd;
	for (comp = todo; comp && *comp; comp = next) {
		while (*comp == '/')
			comp++;
		next = strchr(comp, '/');
		if (next)
			*next++ = '\0';
		if (!*comp || !strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (depth)
				close(fds[depth--]);
			continue;
		}
		if (fstatat(fds[depth], comp, &st, AT_SYMLINK_NOFOLLOW) == -1)
			goto fail;
		if (S_ISLNK(st.st_mode)) {
			n = readlinkat(fds[depth], comp, text, sizeof(text) - 1);
			if (n == -1)
				goto fail;
			if (++links > 40) {
				errno = ELOOP;
				goto fail;
			}
			text[n] = '\0';
			comp = next ? xformat("%s/%s", text, next) :
			    strdup(text);
			free(todo);
			todo = next = comp;
			while (*text == '/' && depth)
				close(fds[depth--]);
			continue;
		}
		if (!next || !next[strspn(next, "/")]) {
			if (next && !S_ISDIR(st.st_mode)) {
				errno = ENOTDIR;
				goto fail;
			}
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			goto fail;
		}
		if (depth + 1 == cap) {
			int *bigger = xmalloc((cap *= 2) * sizeof(*bigger));

			memcpy(bigger, fds, (depth + 1) * sizeof(*bigger));
			free(fds);
			fds = bigger;
		}
		fds[depth + 1] = openat(fds[depth], comp, O_PATH | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (fds[depth + 1] == -1)
			goto fail;
		depth++;
	}
	goto out;
fail:
	err = errno;
	r = -1;
out:
	while (depth)
		close(fds[depth--]);
	free(fds);
	free(todo);
	errno = err;
	return r;
}
