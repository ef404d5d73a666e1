/* mktree - build a reproducible tree of directories, files, hard links and
 * symlinks (some dangling) for the tree benchmarks.
 *
 * usage: mktree [-q] SEED SIZE DIR
 *
 * Makes DIR (which must not exist, or be empty) and SIZE entries below it:
 * about 8% directories, 6% extra hard-link names, 15% symlinks, the rest
 * regular files.  The same SEED and SIZE give the same tree wherever DIR
 * is: the same names, types, file contents, link texts (all relative) and
 * hard-link groups.  The whole tree is drawn from the seed before anything
 * is made, and the last line prints a digest of it to compare runs by.
 *
 * Directories: a random recursive tree (depth ~ log SIZE), a few hubs of
 * wide fan-out, one directory with ~5% of all files, and some chains 30 to
 * 150 deep.  Files: names of varied length, some hidden (".x"); a third
 * hold a few bytes.  Hard links: files with 2 to 4 names, half of the extra
 * names in other directories.  Symlinks: to files, to directories, to other
 * symlinks, and dangling ones: missing (a missing last component or a
 * missing directory on the way), notdir (a regular file used as a
 * directory), and loops (a->a, a->b->a, a->b->c->a).  Symlinks to
 * directories point only at leaf directories that hold none themselves,
 * so a walker that follows them (find -L, fd -L) does bounded extra work.
 *
 * Prints one summary line (-q: nothing): directories, files, hard-link
 * names, symlinks, and the dangling ones by cause, found by stat(2) on
 * each symlink once the tree is made.  Exit status 0, 2 on trouble.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HUBS 16
#define TEXT_MAX 2048		/* longest link text drawn; redrawn past it */

struct dir {
	uint32_t parent, depth, nsub;
	char *name;
	char *path;		/* relative to DIR; "" for DIR itself */
	int target;		/* may be the target of a symlink to a dir */
};

struct name {
	uint32_t dir;
	char *name;
};

struct file {
	struct name n;
	uint32_t bytes;		/* content length, 0 for empty */
};

struct link {
	struct name n;
	char *text;
	int isdir;		/* resolves, or may resolve, to a directory */
};

static struct dir *dirs;
static struct file *files;
static struct name *hards;
static uint32_t *hardof;	/* the file each hard-link name is of */
static struct link *links;
static uint32_t ndirs, nfiles, nhards, nlinks;
static uint64_t digest = 1469598103934665603ULL;
#define PROG "mktree"
#include "gen.h"

static void
hash(const char *s)
{
	for (; *s; s++)
		digest = (digest ^ (unsigned char)*s) * 1099511628211ULL;
	digest = (digest ^ 0xff) * 1099511628211ULL;
}

/* A unique name: KIND letter, a number, and sometimes a suffix after a
 * non-digit, so that no two names collide; a few are hidden. */
static char *
make_name(char kind, uint32_t i)
{
	static const char *const ext[] = {
		"", "", "", ".c", ".txt", ".o", ".conf", "-old", ".tar.gz",
		"_with_a_rather_longer_name", ".d"
	};
	char suffix[16];
	uint32_t k, j;

	if (kind == 'c')	/* short: chains are deep, paths stay short */
		return xformat("c%u", i);
	k = draw(8);
	for (j = 0; j < k; j++)
		suffix[j] = 'a' + draw(26);
	suffix[k] = '\0';
	return xformat("%s%c%u%s%s%s", draw(100) < 3 ? "." : "", kind, i,
	    k ? "-" : "", suffix, ext[draw(sizeof(ext) / sizeof(*ext))]);
}

static uint32_t
pick_dir(void)
{
	uint32_t r = draw(100);

	if (r < 5 && ndirs > 1)
		return 1;		/* the one big directory */
	if (r < 20)
		return draw(ndirs < HUBS ? ndirs : HUBS);
	return draw(ndirs);
}

static void
add_dir(uint32_t parent, char kind)
{
	struct dir *d = &dirs[ndirs];

	d->parent = parent;
	d->depth = dirs[parent].depth + 1;
	d->nsub = 0;
	d->name = make_name(kind, ndirs);
	d->path = *dirs[parent].path ? xformat("%s/%s", dirs[parent].path,
	    d->name) : xformat("%s", d->name);
	d->target = 0;
	dirs[parent].nsub++;
	ndirs++;
}

/* The relative path from directory FROM to NAME in directory TO. */
static char *
rel_path(uint32_t from, uint32_t to, const char *name)
{
	uint32_t a = from, b = to, ups = 0, i;
	char *down, *s, *p;

	while (dirs[a].depth > dirs[b].depth) {
		a = dirs[a].parent;
		ups++;
	}
	while (dirs[b].depth > dirs[a].depth)
		b = dirs[b].parent;
	while (a != b) {
		a = dirs[a].parent;
		b = dirs[b].parent;
		ups++;
	}
	/* a is the common ancestor; the way down from it to TO. */
	if (to == a)
		down = "";
	else
		down = dirs[to].path + (a ? strlen(dirs[a].path) + 1 : 0);
	s = p = xcalloc(1, 3 * ups + strlen(down) + strlen(name) + 2);
	for (i = 0; i < ups; i++, p += 3)
		memcpy(p, "../", 3);
	p += sprintf(p, "%s%s%s", down, *down ? "/" : "", name);
	return s;
}

/* A target for a symlink in directory AT: NAME in directory TO, spelled
 * relative to AT; NULL if too long, for the caller to draw again. */
static char *
text_to(uint32_t at, uint32_t to, const char *name)
{
	char *t = rel_path(at, to, name);

	if (strlen(t) > TEXT_MAX) {
		free(t);
		return NULL;
	}
	return t;
}

static const struct name *
any_file_name(void)
{
	uint32_t i = draw(nfiles + nhards);

	return i < nfiles ? &files[i].n : &hards[i - nfiles];
}

/* Draw the directories, files and hard links. */
static void
draw_tree(uint32_t size)
{
	uint32_t want_dirs = size / 12, want_hards = size * 6 / 100;
	uint32_t want_links = size * 15 / 100, chain_dirs, i, k;

	want_dirs = want_dirs ? want_dirs : 1;
	if (want_dirs + want_hards + want_links >= size)
		want_hards = want_links = 0;
	dirs = xcalloc(1, (want_dirs + 1) * sizeof(*dirs));
	dirs[0] = (struct dir){ 0, 0, 0, "", "", 0 };
	ndirs = 1;
	chain_dirs = want_dirs / 5;
	while (ndirs <= want_dirs - chain_dirs) {
		uint32_t r = draw(100);

		add_dir(r < 25 ? draw(ndirs < HUBS ? ndirs : HUBS) :
		    draw(ndirs), 'd');
	}
	/* Deep chains, each hanging from some directory. */
	while (ndirs <= want_dirs) {
		uint32_t len = 30 + draw(121), up = draw(ndirs);

		for (k = 0; k < len && ndirs <= want_dirs; k++) {
			add_dir(up, 'c');
			up = ndirs - 1;
		}
	}
	/* Leaf directories may be link targets, one in four. */
	for (i = 1; i < ndirs; i++)
		dirs[i].target = dirs[i].nsub == 0 && draw(4) == 0;

	nfiles = size - (ndirs - 1) - want_hards - want_links;
	files = xcalloc(1, nfiles * sizeof(*files));
	for (i = 0; i < nfiles; i++) {
		files[i].n.dir = pick_dir();
		files[i].n.name = make_name('f', i);
		files[i].bytes = draw(3) == 0 ? 1 + draw(24) : 0;
	}
	hards = xcalloc(1, want_hards * sizeof(*hards));
	hardof = xcalloc(1, want_hards * sizeof(*hardof));
	while (nhards < want_hards) {
		uint32_t f = draw(nfiles), extra = 1 + draw(3);

		for (k = 0; k < extra && nhards < want_hards; k++) {
			hardof[nhards] = f;
			hards[nhards].dir = draw(2) ? files[f].n.dir :
			    pick_dir();
			hards[nhards].name = make_name('h', nhards);
			nhards++;
		}
	}
	links = xcalloc(1, want_links * sizeof(*links));
}

static uint32_t
leaf_target(void)
{
	uint32_t i, tries;

	for (tries = 0; tries < 1000; tries++) {
		i = 1 + draw(ndirs - 1);
		if (dirs[i].target)
			return i;
	}
	return 0;
}

/* Add a symlink in directory AT reading TEXT. */
static void
add_link(uint32_t at, char *text, int isdir)
{
	links[nlinks].n.dir = at;
	links[nlinks].n.name = make_name('l', nlinks);
	links[nlinks].text = text;
	links[nlinks].isdir = isdir;
	nlinks++;
}

/* A directory for a new symlink; one that resolves to a directory is
 * never put in a possible target, so following links stays bounded. */
static uint32_t
link_dir(int isdir)
{
	uint32_t d;

	do
		d = pick_dir();
	while (isdir && dirs[d].target);
	return d;
}

/* Draw one symlink, or a loop of two or three. */
static void
draw_link(uint32_t room)
{
	uint32_t r = draw(100), at, to, k, n, first;
	const struct name *f;
	char *t = NULL;

	if (r < 42) {			/* to a file */
		at = link_dir(0);
		f = any_file_name();
		t = text_to(at, f->dir, f->name);
		if (t)
			add_link(at, t, 0);
	} else if (r < 54) {		/* to a leaf directory */
		to = leaf_target();
		at = link_dir(1);
		if (to && !dirs[at].target &&
		    (t = text_to(at, dirs[to].parent, dirs[to].name)))
			add_link(at, t, 1);
	} else if (r < 62) {		/* to an earlier symlink */
		if (!nlinks)
			return;
		k = draw(nlinks);
		at = link_dir(links[k].isdir);
		t = text_to(at, links[k].n.dir, links[k].n.name);
		if (t)
			add_link(at, t, links[k].isdir);
	} else if (r < 70) {		/* to a file, spelled oddly */
		at = link_dir(0);
		f = any_file_name();
		if ((t = text_to(at, f->dir, f->name))) {
			char *odd = xformat(draw(2) ? "./%s" : "%s", t);

			free(t);
			add_link(at, odd, 0);
		}
	} else if (r < 84) {		/* missing last component */
		at = link_dir(0);
		to = draw(3) ? at : draw(ndirs);
		t = text_to(at, to, "");
		if (t) {
			char *m = xformat("%sgone%u", t, nlinks);

			free(t);
			add_link(at, m, 0);
		}
	} else if (r < 89) {		/* a missing directory on the way */
		at = link_dir(0);
		f = any_file_name();
		if ((t = text_to(at, f->dir, f->name))) {
			char *m = xformat("nodir%u/%s", nlinks, t);

			free(t);
			add_link(at, m, 0);
		}
	} else if (r < 97) {		/* notdir: a file used as a directory */
		at = link_dir(0);
		f = any_file_name();
		if ((t = text_to(at, f->dir, f->name))) {
			static const char *const tail[] = { "/x", "/", "/.",
			    "/sub/file" };
			char *m = xformat("%s%s", t, tail[draw(4)]);

			free(t);
			add_link(at, m, 0);
		}
	} else {			/* a loop of 1, 2 or 3 links */
		r = draw(10);
		n = r == 0 ? 1 : r < 7 ? 2 : 3;
		if (n > room)
			n = 1;
		first = nlinks;
		for (k = 0; k < n; k++) {
			links[first + k].n.dir = link_dir(0);
			links[first + k].n.name = make_name('l', first + k);
			links[first + k].isdir = 0;
		}
		for (k = 0; k < n; k++) {
			struct name *to_n = &links[first + (k + 1) % n].n;

			links[first + k].text = rel_path(links[first + k].n.dir,
			    to_n->dir, to_n->name);
		}
		nlinks += n;
	}
}

static char *
full(const struct name *n)
{
	return *dirs[n->dir].path ? xformat("%s/%s", dirs[n->dir].path,
	    n->name) : xformat("%s", n->name);
}

/* Entries other than directories are numbered: the files 0..nfiles-1,
 * then the hard-link names, then the symlinks. */
static const struct name *
entry_name(uint32_t i)
{
	if (i < nfiles)
		return &files[i].n;
	if ((i -= nfiles) < nhards)
		return &hards[i];
	return &links[i - nhards].n;
}

/* Make entry I as NAME in the directory open as DFD. */
static void
make_entry(int dfd, uint32_t i)
{
	const char *name = entry_name(i)->name;
	char buf[32], *from;
	uint32_t bytes;
	int fd;

	if (i < nfiles) {
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
		if (fd == -1)
			die("%s", name);
		if ((bytes = files[i].bytes)) {
			snprintf(buf, sizeof(buf), "%024u", i);
			if (write(fd, buf, bytes) != (ssize_t)bytes)
				die("%s: write", name);
		}
		if (close(fd) == -1)
			die("%s", name);
	} else if ((i -= nfiles) < nhards) {
		from = full(&files[hardof[i]].n);
		if (linkat(AT_FDCWD, from, dfd, name, 0) == -1)
			die("link %s %s", from, name);
		free(from);
	} else if (symlinkat(links[i - nhards].text, dfd, name) == -1)
		die("symlink %s %s", links[i - nhards].text, name);
}

static void
check_empty(const char *path)
{
	struct dirent *e;
	DIR *d = opendir(".");

	if (!d)
		die("%s", path);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			errno = 0;
			die("%s: not empty", path);
		}
	closedir(d);
	errno = 0;
}

/* Make the tree drawn, in the current directory.  Entries are made one
 * directory at a time, through a descriptor for it: on ext4 that is
 * several times faster than in the drawn order, scattered over the tree.
 * The order of making changes nothing that mktree promises. */
static void
make_tree(void)
{
	uint32_t n = nfiles + nhards + nlinks, *end, *order, i, d, k;
	int pass, dfd;

	for (i = 1; i < ndirs; i++)
		if (mkdir(dirs[i].path, 0755) == -1)
			die("%s", dirs[i].path);
	/* A counting sort of the entries by directory. */
	end = calloc(ndirs + 1, sizeof(*end));
	if (!end)
		die("out of memory");
	order = xcalloc(1, n * sizeof(*order));
	for (i = 0; i < n; i++)
		end[entry_name(i)->dir + 1]++;
	for (d = 0; d < ndirs; d++)
		end[d + 1] += end[d];
	for (i = 0; i < n; i++)
		order[end[entry_name(i)->dir]++] = i;
	/* Now directory d's entries are order[end[d-1]..end[d]).  Files go
	 * first, so that every hard link has its source. */
	for (pass = 0; pass < 2; pass++) {
		for (d = 0, k = 0; d < ndirs; d++) {
			dfd = -1;
			for (; k < end[d]; k++) {
				i = order[k];
				if ((i < nfiles) != (pass == 0))
					continue;
				if (dfd == -1 && (dfd = open(*dirs[d].path ?
				    dirs[d].path : ".", O_RDONLY | O_DIRECTORY |
				    O_CLOEXEC)) == -1)
					die("%s", dirs[d].path);
				make_entry(dfd, i);
			}
			if (dfd != -1)
				close(dfd);
		}
	}
	free(end);
	free(order);
}

int
main(int argc, char **argv)
{
	uint32_t i, size, missing = 0, notdir = 0, loop = 0, other = 0;
	uint32_t todir = 0, multi = 0;
	unsigned long long seed;
	unsigned char *named;
	int quiet = 0;
	struct stat st;
	char *end, *p;

	if (argc > 1 && !strcmp(argv[1], "-q")) {
		quiet = 1;
		argv++;
		argc--;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: %s [-q] SEED SIZE DIR\n"
		    "Build a reproducible tree of SIZE entries in DIR (made; "
		    "must not exist or be empty).\n", PROG);
		return 2;
	}
	errno = 0;
	seed = strtoull(argv[1], &end, 10);
	if (errno || *end || !*argv[1])
		die("bad seed '%s'", argv[1]);
	size = (uint32_t)strtoul(argv[2], &end, 10);
	if (errno || *end || size < 100 || size > 50000000)
		die("size '%s' not in 100..50000000", argv[2]);
	rng = seed;
	draw_tree(size);
	while (ndirs - 1 + nfiles + nhards + nlinks < size)
		draw_link(size - (ndirs - 1 + nfiles + nhards + nlinks));

	/* Digest what was drawn, in a fixed order, before making it. */
	for (i = 1; i < ndirs; i++)
		hash(dirs[i].path);
	for (i = 0; i < nfiles; i++) {
		p = full(&files[i].n);
		hash(p);
		free(p);
		digest += files[i].bytes;
	}
	for (i = 0; i < nhards; i++) {
		p = full(&hards[i]);
		hash(p);
		free(p);
		digest += hardof[i];
	}
	for (i = 0; i < nlinks; i++) {
		p = full(&links[i].n);
		hash(p);
		hash(links[i].text);
		free(p);
	}

	if (mkdir(argv[3], 0755) == -1 && errno != EEXIST)
		die("%s", argv[3]);
	if (chdir(argv[3]) == -1)
		die("%s", argv[3]);
	check_empty(argv[3]);
	make_tree();
	/* Files with more than one name. */
	named = calloc(nfiles ? nfiles : 1, 1);
	if (!named)
		die("out of memory");
	for (i = 0; i < nhards; i++)
		if (!named[hardof[i]]++)
			multi++;
	free(named);
	/* Count what dangles, as a walker would find it. */
	for (i = 0; i < nlinks; i++) {
		p = full(&links[i].n);
		if (stat(p, &st) == 0)
			todir += S_ISDIR(st.st_mode) != 0;
		else if (errno == ENOENT)
			missing++;
		else if (errno == ENOTDIR)
			notdir++;
		else if (errno == ELOOP)
			loop++;
		else
			other++;
		free(p);
	}
	if (!quiet)
		printf("mktree: seed %llu size %u: %u dirs, %u files, %u hard "
		    "links (extra names of %u files), %u symlinks (%u to "
		    "dirs), %u dangling (%u missing, %u notdir, %u loop, %u "
		    "other); digest %016llx\n", seed, size, ndirs - 1, nfiles,
		    nhards, multi, nlinks, todir,
		    missing + notdir + loop + other, missing, notdir, loop,
		    other, (unsigned long long)digest);
	return 0;
}
