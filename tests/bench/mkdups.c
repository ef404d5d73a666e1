/* mkdups - build a reproducible tree of duplicate files, decoys and hard
 * links for the dedup benchmark.
 *
 * usage: mkdups [-q] [-m MIB] [-e FILE] SEED COUNT DIR
 *
 * Makes DIR (which must not exist, or be empty) with two trees: DIR/a,
 * the main one, and DIR/b, a small one holding only extra hard-link names
 * of files in DIR/a (walk DIR/a alone and they are names "outside"; walk
 * DIR and they are inside).  COUNT names of regular files in all:
 *
 *   ~1.5% empty files (identical, but skipped by dedup and its peers);
 *   ~27%  in duplicate groups: 2 to 20 copies of one content (P(k) ~
 *         1/k^2), scattered over the directories, some copies already
 *         hard links to another copy of the group;
 *   ~3%   decoys: the size and bytes of a group's or a unique file's
 *         content but for one byte: the last (75%), the first (15%), or
 *         the middle one (10%, so that reading the edges is not enough);
 *   ~4%   extra names: 2.5% of the files have 1 to 3 more hard-link
 *         names, a third of them in DIR/b;
 *   the rest unique files.
 *
 * Sizes are long-tailed: log-uniform between 1 byte and 64 KiB for most
 * contents, log-uniform between 1 byte and 4 MiB for a share chosen so
 * that the total data volume comes near MIB MiB (512).  When MIB is large
 * enough, every size is drawn from the 4 MiB range; when it is small
 * (below about COUNT x 6.5 KB, as with the defaults of dedup.sh), the
 * tail keeps a share of 0.2% and the top of the small range is lowered
 * instead (the summary line shows both).  Contents are distinct unless
 * meant to be equal: those of 10 bytes or more carry their number in
 * bytes 1-8, smaller ones are redrawn until unused.  Each inode gets a
 * drawn mtime, so that no tool's choice depends on when the tree was
 * made.
 *
 * The same SEED, COUNT and MIB give the same tree wherever DIR is; all is
 * drawn before anything is made, and the summary line (-q: none) ends in
 * a digest of it.  -e FILE writes the duplicate groups to FILE as
 * dedup -l prints them, one name (DIR/...) a line and a blank line after
 * each group: every name of every inode whose content another inode has.
 * Exit status 0, 2 on trouble.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HUBS 16
#define SMALL_MAX (64 << 10)	/* the range most sizes come from */
#define BIG_MAX (4 << 20)	/* the long tail's */
#define TAIL 0.002		/* least share of the long tail */
#define TINY 9			/* up to this size, no room for a number */
#define MAX_COPIES 20

enum kind { EMPTY, UNIQUE, GROUP, DECOY };
enum pos { LAST, FIRST, MIDDLE };

struct dir {
	uint32_t parent;
	char *path;		/* relative to DIR; "" for DIR itself */
};

struct content {
	uint64_t size;
	uint32_t base;		/* a decoy's original; else itself */
	uint32_t inodes;
	uint8_t kind, pos, flip, decoys;
	uint8_t tiny[TINY];	/* the bytes, when size <= TINY */
};

struct inode {
	uint32_t content;
	uint32_t name;		/* its first name */
	uint32_t names;
	int64_t mtime;
};

struct name {
	uint32_t dir;
	uint32_t inode;
	char *name;
};

static struct dir *dirs;
static struct content *contents;
static struct inode *inodes;
static struct name *names;
static uint32_t ndirs, ncontents, ninodes, nnames;
static uint32_t a_first, a_end, b_first, b_end;	/* dirs of a and of b */
static uint64_t seed, digest = 1469598103934665603ULL;
static double size_top, size_tail;	/* the size law drawn from */
#define PROG "mkdups"
#include "gen.h"

/* A number in [0, 1). */
static double
uniform(void)
{
	return (mix(&rng) >> 11) * (1.0 / 9007199254740992.0);
}

static void
hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--)
		digest = (digest ^ *s++) * 1099511628211ULL;
	digest = (digest ^ 0xff) * 1099511628211ULL;
}

static void
hash_number(uint64_t n)
{
	hash_bytes(&n, sizeof(n));
}

/* A unique name: KIND letter, a number, sometimes a suffix; a few are
 * hidden. */
static char *
make_name(char kind, uint32_t i)
{
	static const char *const ext[] = {
		"", "", "", ".c", ".txt", ".o", ".jpg", ".conf", "-old",
		".tar.gz", "_with_a_rather_longer_name", ".bak"
	};
	char suffix[16];
	uint32_t k, j;

	k = draw(8);
	for (j = 0; j < k; j++)
		suffix[j] = 'a' + draw(26);
	suffix[k] = '\0';
	return xformat("%s%c%u%s%s%s", draw(100) < 3 ? "." : "", kind, i,
	    k ? "-" : "", suffix, ext[draw(sizeof(ext) / sizeof(*ext))]);
}

static void
add_dir(uint32_t parent, const char *name)
{
	dirs[ndirs].parent = parent;
	dirs[ndirs].path = *dirs[parent].path ?
	    xformat("%s/%s", dirs[parent].path, name) : xformat("%s", name);
	ndirs++;
}

/* A random recursive tree of N directories below directory ROOT; a few
 * hubs of wide fan-out. */
static void
draw_dirs(uint32_t root, uint32_t n)
{
	uint32_t first = ndirs, made, parent;
	char *name;

	for (made = 0; made < n; made++) {
		if (made == 0)
			parent = root;
		else if (draw(100) < 25)
			parent = first + draw(made < HUBS ? made : HUBS);
		else
			parent = draw(made + 1) == 0 ? root :
			    first + draw(made);
		name = make_name('d', ndirs);
		add_dir(parent, name);
		free(name);
	}
}

/* A directory of tree a (B: of tree b) for a new name. */
static uint32_t
pick_dir(int b)
{
	uint32_t first = b ? b_first : a_first, n = (b ? b_end : a_end) - first;

	if (draw(100) < 15)
		return first + draw(n < HUBS ? n : HUBS);
	return first + draw(n);
}

static uint32_t
add_content(enum kind kind)
{
	struct content *c = &contents[ncontents];

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->base = ncontents;
	return ncontents++;
}

static uint32_t
add_name(uint32_t inode, uint32_t dir)
{
	names[nnames].dir = dir;
	names[nnames].inode = inode;
	names[nnames].name = make_name('f', nnames);
	if (!inodes[inode].names++)
		inodes[inode].name = nnames;
	return nnames++;
}

static uint32_t
add_inode(uint32_t content)
{
	inodes[ninodes].content = content;
	inodes[ninodes].names = 0;
	inodes[ninodes].mtime = 1500000000 + draw(200000000);
	contents[content].inodes++;
	add_name(ninodes, pick_dir(0));
	return ninodes++;
}

/* Copies in a duplicate group: 2..MAX_COPIES, P(k) ~ 1/k^2. */
static uint32_t
draw_copies(void)
{
	static double cum[MAX_COPIES + 1];
	double u;
	uint32_t k;

	if (cum[MAX_COPIES] == 0) {
		for (k = 2; k <= MAX_COPIES; k++)
			cum[k] = cum[k - 1] + 1.0 / ((double)k * k);
	}
	u = uniform() * cum[MAX_COPIES];
	for (k = 2; k < MAX_COPIES && u >= cum[k]; k++)
		;
	return k;
}

/* Draw what the COUNT names hold: contents, their inodes, their names. */
static void
draw_files(uint32_t count)
{
	uint32_t *groups = xcalloc(count, sizeof(*groups));
	uint32_t *uniques = xcalloc(count, sizeof(*uniques));
	uint32_t ngroups = 0, nuniques = 0, room, r, c, i, k, first, extra;

	contents = xcalloc(count, sizeof(*contents));
	inodes = xcalloc(count, sizeof(*inodes));
	names = xcalloc(count, sizeof(*names));
	while ((room = count - nnames) > 0) {
		r = draw(1000);
		first = ninodes;
		if (r < 20) {
			add_inode(add_content(EMPTY));
			continue;
		}
		if (r < 100 && room >= 2) {
			c = add_content(GROUP);
			groups[ngroups++] = c;
			k = draw_copies();
			k = k < room ? k : room;
			/* Two inodes at least; then some copies are
			 * already links to an earlier copy. */
			for (i = 0; i < k; i++) {
				if (i >= 2 && draw(100) < 15)
					add_name(first + draw(ninodes - first),
					    pick_dir(0));
				else
					add_inode(c);
			}
		} else if (r < 140 && ngroups + nuniques > 0) {
			c = add_content(DECOY);
			if (nuniques == 0 || (ngroups > 0 && draw(2)))
				contents[c].base = groups[draw(ngroups)];
			else
				contents[c].base = uniques[draw(nuniques)];
			r = draw(100);
			contents[c].pos = r < 75 ? LAST : r < 90 ? FIRST :
			    MIDDLE;
			add_inode(c);
		} else {
			c = add_content(UNIQUE);
			uniques[nuniques++] = c;
			add_inode(c);
		}
		/* Extra names for some of the inodes just made. */
		for (i = first; i < ninodes; i++) {
			if (draw(1000) >= 25)
				continue;
			extra = 1 + draw(3);
			for (k = 0; k < extra && nnames < count; k++)
				add_name(i, pick_dir(draw(3) == 0));
		}
	}
	free(groups);
	free(uniques);
}

/* The tiny contents in use: an open-addressed set of (size, bytes). */
static uint64_t *tiny_set;
static size_t tiny_cap;

static uint64_t
tiny_key(const struct content *c)
{
	uint64_t k = c->size, h = 0;
	uint32_t i;

	for (i = 0; i < c->size; i++)
		h = h << 8 | c->tiny[i];
	/* Sizes up to 8 fit exactly; 9 bytes are folded, which may
	 * only make a distinct content look taken. */
	k = (k << 60) ^ h ^ (c->size == TINY ? (uint64_t)c->tiny[0] << 52 :
	    0);
	return k ? k : 1;
}

/* Claim C's tiny content; false if already in use. */
static int
tiny_claim(const struct content *c)
{
	uint64_t k = tiny_key(c), h = k * 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = h >> 40 & (tiny_cap - 1); tiny_set[i];
	    i = (i + 1) & (tiny_cap - 1))
		if (tiny_set[i] == k)
			return 0;
	tiny_set[i] = k;
	return 1;
}

/* Draw the bytes of the tiny content C, unused; grow it when every
 * content of its size is taken. */
static void
draw_tiny(struct content *c)
{
	uint32_t tries, i;

	for (;;) {
		for (tries = 0; tries < 64; tries++) {
			for (i = 0; i < c->size; i++)
				c->tiny[i] = draw(256);
			if (tiny_claim(c))
				return;
		}
		if (++c->size > TINY)
			return;		/* room for its number now */
	}
}

/* A size from the long-tailed law: log-uniform in [1, top], or in
 * [1, BIG_MAX] with probability BIG. */
static uint64_t
draw_size(double top, double big)
{
	if (uniform() < big)
		top = BIG_MAX;
	return (uint64_t)floor(exp(uniform() * log(top + 1)));
}

/* Mean of floor(exp(U ln(top + 1))), nearly. */
static double
mean_size(double top)
{
	return top / log(top + 1) - 0.5;
}

/* Make C a decoy of its original: the same size and bytes but for one,
 * flipped to a value no other decoy of the original has; false when
 * there is none left (or every tiny one is taken). */
static int
make_decoy(struct content *c)
{
	struct content *b = &contents[c->base];

	c->size = b->size;
	if (c->pos == MIDDLE && c->size < 20)
		c->pos = LAST;	/* the middle would be its number */
	while (b->decoys < 255) {
		c->flip = ++b->decoys;
		if (c->size > TINY)
			return 1;
		memcpy(c->tiny, b->tiny, TINY);
		c->tiny[c->pos == FIRST ? 0 : c->size - 1] ^= c->flip;
		if (tiny_claim(c))
			return 1;
	}
	return 0;
}

/* Draw every content's size (and a tiny one's bytes), aiming the data
 * volume at MIB MiB: the share of the long tail sets the mean size; when
 * even a share of TAIL is too much, the top of the small range is
 * lowered, and with it, if need be, the tail's share. */
static void
draw_sizes(uint64_t mib)
{
	double small = mean_size(SMALL_MAX), large = mean_size(BIG_MAX);
	double mean, want, top = SMALL_MAX, lo = 1, big = TAIL;
	uint32_t i, n = 0;
	struct content *c;

	for (i = 0; i < ninodes; i++)
		n += contents[inodes[i].content].kind != EMPTY;
	mean = n ? (double)mib * 1048576 / n : 0;
	if (mean >= large)
		big = 1;
	else if (mean >= TAIL * large + (1 - TAIL) * small)
		big = (mean - small) / (large - small);
	else {
		/* The small range's mean that makes up the rest, and by
		 * bisection its top. */
		if (mean < 2 * TAIL * large)
			big = mean / large / 2;
		want = (mean - big * large) / (1 - big);
		while (top - lo > 1) {
			double mid = floor((top + lo) / 2);

			*(mean_size(mid) < want ? &lo : &top) = mid;
		}
	}
	size_top = top;
	size_tail = big;
	for (tiny_cap = 1024; tiny_cap < 2 * (size_t)ncontents; tiny_cap *= 2)
		;
	tiny_set = xcalloc(tiny_cap, sizeof(*tiny_set));
	for (i = 0; i < ncontents; i++) {
		c = &contents[i];
		if (c->kind == EMPTY)
			continue;
		if (c->kind == DECOY) {
			if (make_decoy(c))
				continue;
			/* No decoy left to make of its original. */
			c->kind = UNIQUE;
			c->base = i;
			c->flip = 0;
		}
		c->size = draw_size(top, big);
		if (c->size <= TINY)
			draw_tiny(c);
	}
}

/* The bytes of content I into BUF. */
static void
fill(uint32_t i, unsigned char *buf)
{
	const struct content *c = &contents[i];
	uint64_t state, w, id = c->base, at, k;

	if (c->size <= TINY) {
		memcpy(buf, c->tiny, c->size);
		return;
	}
	state = seed ^ (id + 1) * 0xd1342543de82ef95ULL;
	for (at = 0; at < c->size; at += 8) {
		w = mix(&state);
		for (k = 0; k < 8 && at + k < c->size; k++)
			buf[at + k] = w >> (8 * k);
	}
	for (k = 0; k < 8; k++)
		buf[1 + k] = id >> (8 * k);
	if (c->kind == DECOY)
		buf[c->pos == FIRST ? 0 : c->pos == LAST ? c->size - 1 :
		    c->size / 2] ^= c->flip;
}

static char *
full(uint32_t n)
{
	return xformat("%s/%s", dirs[names[n].dir].path, names[n].name);
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

/* Make name N, the first of its inode, in the directory open as DFD. */
static void
make_file(int dfd, uint32_t n, unsigned char *buf)
{
	const struct inode *ino = &inodes[names[n].inode];
	const struct content *c = &contents[ino->content];
	struct timespec t[2] = { { ino->mtime, 0 }, { ino->mtime, 0 } };
	const char *name = names[n].name;
	uint64_t at;
	ssize_t w;
	int fd;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1)
		die("%s", name);
	fill(ino->content, buf);
	for (at = 0; at < c->size; at += w)
		if ((w = write(fd, buf + at, c->size - at)) <= 0)
			die("%s: write", name);
	if (futimens(fd, t) == -1 || close(fd) == -1)
		die("%s", name);
}

/* Make the tree drawn, in the current directory, one directory at a
 * time through a descriptor for it (much faster on ext4 than scattered
 * over the tree): the files first, then their extra names. */
static void
make_tree(void)
{
	uint32_t *end, *order, i, d, k;
	unsigned char *buf;
	char *from;
	int pass, dfd;

	for (i = 1; i < ndirs; i++)
		if (mkdir(dirs[i].path, 0755) == -1)
			die("%s", dirs[i].path);
	buf = xcalloc(BIG_MAX + 8, 1);
	end = xcalloc(ndirs + 1, sizeof(*end));
	order = xcalloc(nnames, sizeof(*order));
	for (i = 0; i < nnames; i++)
		end[names[i].dir + 1]++;
	for (d = 0; d < ndirs; d++)
		end[d + 1] += end[d];
	for (i = 0; i < nnames; i++)
		order[end[names[i].dir]++] = i;
	for (pass = 0; pass < 2; pass++) {
		for (d = 0, k = 0; d < ndirs; d++) {
			dfd = -1;
			for (; k < end[d]; k++) {
				i = order[k];
				if ((inodes[names[i].inode].name == i) !=
				    (pass == 0))
					continue;
				if (dfd == -1 && (dfd = open(dirs[d].path,
				    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
					die("%s", dirs[d].path);
				if (pass == 0) {
					make_file(dfd, i, buf);
					continue;
				}
				from = full(inodes[names[i].inode].name);
				if (linkat(AT_FDCWD, from, dfd, names[i].name,
				    0) == -1)
					die("link %s %s", from, names[i].name);
				free(from);
			}
			if (dfd != -1)
				close(dfd);
		}
	}
	free(buf);
	free(end);
	free(order);
}

/* Write the duplicate groups to FP, open as PATH, the way dedup -l
 * prints them: the names of each group (as DIR/...), a blank line after
 * each group. */
static void
write_groups(FILE *fp, const char *path, const char *dir)
{
	uint32_t *end = xcalloc(ncontents + 1, sizeof(*end));
	uint32_t *order = xcalloc(nnames, sizeof(*order));
	uint32_t n, c, k;

	/* A counting sort of the names by content. */
	for (n = 0; n < nnames; n++)
		end[inodes[names[n].inode].content + 1]++;
	for (c = 0; c < ncontents; c++)
		end[c + 1] += end[c];
	for (n = 0; n < nnames; n++)
		order[end[inodes[names[n].inode].content]++] = n;
	for (c = 0, k = 0; c < ncontents; c++) {
		if (contents[c].kind == EMPTY || contents[c].inodes < 2) {
			k = end[c];
			continue;
		}
		for (; k < end[c]; k++)
			fprintf(fp, "%s/%s/%s\n", dir,
			    dirs[names[order[k]].dir].path,
			    names[order[k]].name);
		fputc('\n', fp);
	}
	if (fflush(fp) == EOF || ferror(fp) || fclose(fp) == EOF)
		die("%s", path);
	free(end);
	free(order);
}

static uint64_t
number(const char *s, uint64_t min, uint64_t max, const char *what)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || !*s || *s == '-' || n < min || n > max) {
		errno = 0;
		die("%s '%s' not in %llu..%llu", what, s,
		    (unsigned long long)min, (unsigned long long)max);
	}
	return n;
}

int
main(int argc, char **argv)
{
	uint64_t mib = 512, total = 0, dupbytes = 0, dupnames = 0;
	uint32_t count, i, groups = 0, empty = 0, linked = 0, inb = 0;
	uint32_t decoys[3] = { 0, 0, 0 };
	const char *expected = NULL;
	FILE *fp = NULL;
	int c, quiet = 0;

	while ((c = getopt(argc, argv, "qm:e:")) != -1) {
		switch (c) {
		case 'q': quiet = 1; break;
		case 'm': mib = number(optarg, 0, 1 << 20, "MIB"); break;
		case 'e': expected = optarg; break;
		default: goto usage;
		}
	}
	if (argc - optind != 3) {
usage:
		fprintf(stderr, "usage: %s [-q] [-m MIB] [-e FILE] SEED COUNT "
		    "DIR\nBuild a reproducible tree of COUNT files with "
		    "duplicates in DIR (made; must not exist or be empty).\n",
		    PROG);
		return 2;
	}
	seed = number(argv[optind], 0, UINT64_MAX, "seed");
	count = number(argv[optind + 1], 100, 50000000, "count");
	rng = seed;

	/* DIR, a, b, then the directories of a and of b. */
	dirs = xcalloc(count / 15 + count / 400 + 8, sizeof(*dirs));
	dirs[0] = (struct dir){ 0, "" };
	ndirs = 1;
	add_dir(0, "a");
	add_dir(0, "b");
	a_first = ndirs;
	draw_dirs(1, count / 15 + 1);
	a_end = b_first = ndirs;
	draw_dirs(2, count / 400 + 1);
	b_end = ndirs;
	draw_files(count);
	draw_sizes(mib);

	/* Digest what was drawn, in a fixed order, before making it. */
	for (i = 1; i < ndirs; i++)
		hash_bytes(dirs[i].path, strlen(dirs[i].path));
	for (i = 0; i < nnames; i++) {
		const struct inode *ino = &inodes[names[i].inode];
		const struct content *ct = &contents[ino->content];

		hash_number(names[i].dir);
		hash_bytes(names[i].name, strlen(names[i].name));
		hash_number(names[i].inode);
		hash_number(ino->mtime);
		hash_number(ct->size);
		hash_number((uint64_t)ct->base << 24 | ct->kind << 16 |
		    ct->pos << 8 | ct->flip);
		if (ct->size <= TINY)
			hash_bytes(ct->tiny, ct->size);
		if (names[i].dir >= b_first)
			inb++;
	}
	for (i = 0; i < ninodes; i++) {
		const struct content *ct = &contents[inodes[i].content];

		total += ct->size;
		linked += inodes[i].names > 1;
		if (ct->kind == EMPTY)
			empty++;
		else if (ct->inodes >= 2)
			dupnames += inodes[i].names;
	}
	for (i = 0; i < ncontents; i++) {
		if (contents[i].kind == DECOY)
			decoys[contents[i].pos]++;
		if (contents[i].kind != EMPTY && contents[i].inodes >= 2) {
			groups++;
			dupbytes += (contents[i].inodes - 1) *
			    contents[i].size;
		}
	}

	/* The list is written once the tree is made, relative to here. */
	if (expected && !(fp = fopen(expected, "w")))
		die("%s", expected);
	if (mkdir(argv[optind + 2], 0755) == -1 && errno != EEXIST)
		die("%s", argv[optind + 2]);
	if (chdir(argv[optind + 2]) == -1)
		die("%s", argv[optind + 2]);
	check_empty(argv[optind + 2]);
	make_tree();
	if (fp)
		write_groups(fp, expected, argv[optind + 2]);
	if (!quiet)
		printf("mkdups: seed %llu count %u mib %llu: %u dirs, %u files "
		    "(%u inodes, %u empty, %u with more names, %u names in "
		    "b), %u groups of %llu names, %llu duplicate bytes, %u "
		    "decoys (%u last, %u first, %u middle byte), %llu total "
		    "bytes (sizes to %.0f B, %.1f%% to 4 MiB); digest "
		    "%016llx\n", (unsigned long long)seed, count,
		    (unsigned long long)mib, ndirs - 1, nnames, ninodes, empty,
		    linked, inb, groups, (unsigned long long)dupnames,
		    (unsigned long long)dupbytes,
		    decoys[0] + decoys[1] + decoys[2], decoys[0], decoys[1],
		    decoys[2], (unsigned long long)total, size_top,
		    100 * size_tail, (unsigned long long)digest);
	return 0;
}
