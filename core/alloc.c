/* alloc.c - allocation that cannot fail: out of memory ends the applet
 * with a message, so callers need no error path of their own. */
#include "linkbox.h"

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		msg_die("out of memory");
	return p;
}

/* V, with room for *CAP elements of SIZE bytes, grown to hold NEED: by
 * doubling, so that adding one at a time costs O(1) each on average. */
void *
xgrow(void *v, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return v;
	*cap = need > *cap * 2 + 64 ? need : *cap * 2 + 64;
	if (*cap > (size_t)-1 / size || !(v = realloc(v, *cap * size)))
		msg_die("out of memory");
	return v;
}
