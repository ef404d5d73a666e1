/* malloc.c - in the static musl build (LINKBOX_OWN_MALLOC), a small
 * allocator in place of libc's, which is 7.7 KiB of an applet's static
 * size.  linkbox allocates few blocks: arrays that grow by doubling, a
 * directory buffer per level of a walk, short strings.  A block of up to
 * SMALL_MAX bytes, its header included, comes from a list of free blocks
 * of its power of two, carved from 64 KiB mappings and never unmapped; a
 * bigger one is a mapping of its own, which realloc grows with mremap
 * (no copy).  No lock: linkbox has no threads (its helpers are
 * processes, helper.c).
 */
#ifdef LINKBOX_OWN_MALLOC
#include "linkbox.h"
#include <stdint.h>
#include <sys/mman.h>

/* The header keeps the block's size, header included, and the payload
 * aligned as malloc's must be. */
#define HEADER 16
#define SMALL_MIN 32
#define SMALL_MAX 2048
#define ARENA 65536

static char *free_list[12];	/* by log2 of the size */
static char *arena, *arena_end;

static size_t
size_of(void *v)
{
	return *(size_t *)((char *)v - HEADER);
}

static void *
mapping(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A block of SIZE (a power of two up to SMALL_MAX) with its header set, or
 * NULL. */
static char *
small_block(size_t size, int class)
{
	char *p = free_list[class];

	if (p) {
		free_list[class] = *(char **)(p + HEADER);
		return p;
	}
	if ((size_t)(arena_end - arena) < size) {
		if (!(arena = mapping(ARENA)))
			return NULL;
		arena_end = arena + ARENA;
	}
	p = arena;
	arena += size;
	*(size_t *)p = size;
	return p;
}

/* A block for N bytes, with its header set, or NULL. */
static char *
block(size_t n)
{
	size_t size = SMALL_MIN;
	int class = 5;
	char *p;

	if (n > SIZE_MAX / 2)
		return NULL;
	if (n + HEADER > SMALL_MAX) {
		size = (n + HEADER + 4095) & ~(size_t)4095;
		if ((p = mapping(size)))
			*(size_t *)p = size;
		return p;
	}
	for (; size < n + HEADER; size *= 2)
		class++;
	return small_block(size, class);
}

void *
malloc(size_t n)
{
	char *p = block(n);

	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	return p + HEADER;
}

void
free(void *v)
{
	char *p = (char *)v - HEADER;
	size_t size;
	int class = 0;

	if (!v)
		return;
	if ((size = size_of(v)) > SMALL_MAX) {
		munmap(p, size);
		return;
	}
	while ((size_t)1 << class < size)
		class++;
	*(char **)v = free_list[class];
	free_list[class] = p;
}

void *
calloc(size_t count, size_t n)
{
	char *p;

	if ((n && count > SIZE_MAX / n) || !(p = block(count * n))) {
		errno = ENOMEM;
		return NULL;
	}
	/* A mapping of its own comes zeroed. */
	if (*(size_t *)p <= SMALL_MAX)
		memset(p + HEADER, 0, *(size_t *)p - HEADER);
	return p + HEADER;
}

void *
realloc(void *v, size_t n)
{
	size_t size, grown;
	char *p;
	void *w;

	if (!v)
		return malloc(n);
	if (n > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	size = size_of(v);
	if (n + HEADER <= size)
		return v;
	if (size > SMALL_MAX) {
		grown = (n + HEADER + 4095) & ~(size_t)4095;
		p = mremap((char *)v - HEADER, size, grown, MREMAP_MAYMOVE);
		if (p == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		*(size_t *)p = grown;
		return p + HEADER;
	}
	if ((w = malloc(n))) {
		memcpy(w, v, size - HEADER);
		free(v);
	}
	return w;
}
#endif
