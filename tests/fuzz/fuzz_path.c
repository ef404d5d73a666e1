/* fuzz_path - the lexical path functions of core/path.c.
 *
 * The first input byte picks the case, the rest is the data:
 *   0  path_join, path_base, path_dir on two strings (split at '\n'):
 *      base is a suffix of the path; dir and base joined name the same
 *      place (same components once "" and "." are dropped); the join of
 *      DIR and NAME is DIR without its extra trailing slashes, one slash,
 *      NAME.
 *   1  path_relative(FILE, DIR) on two canonical absolute paths made
 *      from the data (split at '\n'; "", "." and ".." components
 *      dropped); the next byte, when odd, makes DIR share a prefix of
 *      FILE's components: DIR joined with the result, normalised
 *      lexically, is FILE.
 *   2  path_outermost on up to four paths (split at '\n'), inside a
 *      small tree of directories and symbolic links made at start-up
 *      ("/" at the start of a path means that tree's top); also
 *      path_canon and path_canon_entry on each: absolute, no "//", no
 *      "." or ".." component.  Only no crash and the documented shape
 *      of the result are checked.
 */
#include "../../core/linkbox.h"
#include <stdint.h>

#define FUZZ_NAME "fuzz_path"
#include "fuzz.h"

static const char *tree;	/* the tree of case 2, its cwd */
static int cwd;			/* the cwd otherwise, libFuzzer's */

/* Split S (modified) at '\n' into at most MAX strings. */
static size_t
split(char *s, char **v, size_t max)
{
	size_t n = 0;

	while (n < max) {
		v[n++] = s;
		s = strchr(s, '\n');
		if (!s)
			break;
		*s++ = '\0';
	}
	return n;
}

/* "/"-separated components of P with "" and "." dropped, into OUT as
 * "\n"-separated text, led by "/" when P is absolute. */
static void
components(const char *p, char *out)
{
	const char *c = p, *e;

	*out = '\0';
	if (*p == '/')
		strcat(out, "/");
	for (; *c; c = e) {
		while (*c == '/')
			c++;
		e = c + strcspn(c, "/");
		if (e == c || (e - c == 1 && *c == '.'))
			continue;
		strncat(out, c, e - c);
		strcat(out, "\n");
	}
}

static void
check_split(const char *path)
{
	const char *base = path_base(path);
	size_t len = strlen(path);
	char *dir, *joined, *a, *b;

	if (base < path || base > path + len)
		FAIL("path_base(\"%s\") is no suffix of it", path);
	if (len && !*base)
		FAIL("path_base(\"%s\") is empty", path);
	dir = path_dir(path);
	if (!*dir)
		FAIL("path_dir(\"%s\") is empty", path);
	if (!len) {
		free(dir);
		return;
	}
	joined = path_join(dir, base);
	a = xmalloc(2 * len + 3);
	b = xmalloc(2 * strlen(joined) + 3);
	components(path, a);
	components(joined, b);
	if (strcmp(a, b))
		FAIL("\"%s\": dir \"%s\" + base \"%s\" = \"%s\", elsewhere",
		    path, dir, base, joined);
	free(a);
	free(b);
	free(joined);
	free(dir);
}

static void
check_join(const char *dir, const char *name)
{
	char *j = path_join(dir, name);
	size_t dlen = strlen(dir), jlen = strlen(j), nlen = strlen(name);

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (strncmp(j, dir, dlen) || jlen < nlen ||
	    strcmp(j + jlen - nlen, name))
		FAIL("path_join(\"%s\", \"%s\") = \"%s\"", dir, name, j);
	if (dlen && dir[dlen - 1] != '/' &&
	    (jlen != dlen + 1 + nlen || j[dlen] != '/'))
		FAIL("path_join(\"%s\", \"%s\") = \"%s\": one slash between",
		    dir, name, j);
	free(j);
}

/* Append the canonical components of S to P (which holds "/..."). */
static void
canon_append(char *p, const char *s)
{
	const char *c, *e;

	for (c = s; *c; c = e) {
		while (*c == '/')
			c++;
		e = c + strcspn(c, "/");
		if (e == c || (e - c == 1 && *c == '.') ||
		    (e - c == 2 && c[0] == '.' && c[1] == '.'))
			continue;
		if (strcmp(p, "/"))
			strcat(p, "/");
		strncat(p, c, e - c);
	}
}

/* DIR + "/" + REL with "." and ".." resolved lexically. */
static char *
lexical(const char *dir, const char *rel)
{
	char *p = xmalloc(strlen(dir) + strlen(rel) + 2), *s;
	const char *c, *e;

	strcpy(p, dir);
	for (c = rel; *c; c = e) {
		while (*c == '/')
			c++;
		e = c + strcspn(c, "/");
		if (e == c || (e - c == 1 && *c == '.'))
			continue;
		if (e - c == 2 && c[0] == '.' && c[1] == '.') {
			s = strrchr(p, '/');
			s[s == p] = '\0';
			continue;
		}
		if (strcmp(p, "/"))
			strcat(p, "/");
		strncat(p, c, e - c);
	}
	return p;
}

static void
check_relative(char *data, bool share, unsigned char keep)
{
	char *v[2] = { data, "" }, *file, *dir, *rel, *back;
	size_t cap = strlen(data) + 2, n;
	const char *c;

	split(data, v, 2);
	file = strcpy(xmalloc(cap), "/");
	dir = strcpy(xmalloc(2 * cap), "/");
	canon_append(file, v[0]);
	if (share) {
		/* DIR: the first KEEP components of FILE, then v[1]'s. */
		for (c = file, n = 0; *c && n <= keep; c++)
			if (*c == '/' && ++n > keep)
				break;
		memcpy(dir, file, c - file);
		dir[c == file ? 1 : c - file] = '\0';
	}
	canon_append(dir, v[1]);
	rel = path_relative(file, dir);
	if (!*rel || *rel == '/' || strstr(rel, "//") ||
	    rel[strlen(rel) - 1] == '/')
		FAIL("path_relative(\"%s\", \"%s\") = \"%s\": malformed",
		    file, dir, rel);
	back = lexical(dir, rel);
	if (strcmp(back, file))
		FAIL("path_relative(\"%s\", \"%s\") = \"%s\", which leads to "
		    "\"%s\"", file, dir, rel, back);
	free(back);
	free(rel);
	free(dir);
	free(file);
}

static void
check_canon(const char *what, const char *path, const char *c)
{
	const char *p;

	if (!c)
		return;		/* a loop: documented */
	if (*c != '/' || (strcmp(c, "/") && c[strlen(c) - 1] == '/') ||
	    strstr(c, "//"))
		FAIL("%s(\"%s\") = \"%s\": malformed", what, path, c);
	for (p = c; (p = strstr(p, "/.")); p++)
		if (p[2] == '/' || !p[2] ||
		    (p[2] == '.' && (p[3] == '/' || !p[3])))
			FAIL("%s(\"%s\") = \"%s\": a . or .. is left", what,
			    path, c);
}

static size_t
index_of(char **v, const char *p)
{
	size_t i;

	for (i = 0; v[i] != p; i++)
		;
	return i;
}

static void
check_outermost(char *data, bool xdev)
{
	char *v[4], *paths[4], *canon[4], *c, *c2;
	size_t n = split(data, v, 4), k, i, j, len;

	for (i = 0; i < n; i++) {
		paths[i] = *v[i] == '/' ? path_join(tree, v[i]) : strdup(v[i]);
		c = path_canon(paths[i]);
		check_canon("path_canon", paths[i], c);
		free(c);
		canon[i] = path_canon_entry(paths[i]);
		check_canon("path_canon_entry", paths[i], canon[i]);
	}
	memcpy(v, paths, n * sizeof(*v));
	k = path_outermost(paths, n, xdev);
	if (k > n)
		FAIL("path_outermost: %zu paths of %zu", k, n);
	/* The survivors are a subsequence of the paths; with no XDEV, none
	 * is inside another. */
	for (i = 0, j = 0; i < k; i++, j++) {
		while (j < n && v[j] != paths[i])
			j++;
		if (j == n)
			FAIL("path_outermost: not a subsequence");
	}
	for (i = 0; i < k && !xdev; i++)
		for (j = 0; j < k; j++) {
			c = canon[index_of(v, paths[i])];
			c2 = canon[index_of(v, paths[j])];
			if (i == j || !c || !c2)
				continue;
			len = strlen(c2);
			if (!strncmp(c, c2, len) && (c[len] == '/' ||
			    !c[len] || !strcmp(c2, "/")))
				FAIL("path_outermost kept \"%s\" inside \"%s\"",
				    paths[i], paths[j]);
		}
	for (i = 0; i < n; i++) {
		free(v[i]);
		free(canon[i]);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = { "a", "a/b", "a/b/c", "d" };
	static const char *const links[][2] = {
		{ "up", ".." }, { "abs", "/" }, { "toa", "a" },
		{ "a/b/back", "../.." }, { "loop", "loop" },
		{ "d/dangling", "nowhere/x" }, { "d/tob", "../a/b" },
	};
	size_t i;

	(void)argc;
	(void)argv;
	tree = fuzz_scratch(NULL);
	if ((cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    chdir(tree) == -1)
		FAIL("cannot go to %s", tree);
	for (i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		mkdir(dirs[i], 0755);
	for (i = 0; i < sizeof(links) / sizeof(*links); i++)
		if (symlink(links[i][1], links[i][0]) == -1)
			FAIL("cannot make %s", links[i][0]);
	close(open("a/b/file", O_CREAT | O_WRONLY, 0644));
	if (fchdir(cwd) == -1)
		FAIL("cannot go back to the cwd");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *v[2];

	if (size < 1)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		check_split(s);
		v[1] = "";
		split(s, v, 2);
		check_split(v[0]);
		check_split(v[1]);
		check_join(v[0], v[1]);
		break;
	case 1:
		if (*s)
			check_relative(s + 1, *s & 1, (unsigned char)*s >> 1);
		break;
	case 2:
		if (chdir(tree) == -1)
			FAIL("cannot go to %s", tree);
		check_outermost(s, data[0] & 4);
		if (fchdir(cwd) == -1)
			FAIL("cannot go back to the cwd");
		break;
	}
	free(s);
	return 0;
}
