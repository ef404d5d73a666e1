/* sort.c - a stable sort of an array of pointers.
 *
 * musl's qsort moves every element through a memcpy call, and sorting was
 * a fifth of dedup's run in the static build: this one moves pointers by
 * assignment, sorts runs of 8 by insertion, then merges them (stable).
 */
#include "linkbox.h"

/* Sort V[0..n) by CMP, stably.  CMP is given two elements of V (the
 * pointers themselves, not their addresses as qsort(3) passes them).
 * The merge buffer is kept for the next call: not for two threads. */
void
sort_ptrs(void **v, size_t n, int (*cmp)(const void *, const void *))
{
	static void **spare;
	static size_t spare_len;
	void **from = v, **to, **swap, *x;
	size_t i, k, lo, mid, hi, l, r, w;

	for (lo = 0; lo < n; lo += 8)
		for (i = lo + 1; i < n && i < lo + 8; i++) {
			x = v[i];
			for (k = i; k > lo && cmp(v[k - 1], x) > 0; k--)
				v[k] = v[k - 1];
			v[k] = x;
		}
	if (n <= 8)
		return;
	if (spare_len < n) {
		free(spare);
		spare = xmalloc(n * sizeof(*spare));
		spare_len = n;
	}
	to = spare;
	for (w = 8; w < n; w *= 2) {
		for (lo = 0; lo < n; lo = hi) {
			mid = n - lo < w ? n : lo + w;
			hi = n - mid < w ? n : mid + w;
			for (l = lo, r = mid, k = lo; k < hi; k++)
				to[k] = r == hi || (l < mid &&
				    cmp(from[l], from[r]) <= 0) ?
				    from[l++] : from[r++];
		}
		swap = from;
		from = to;
		to = swap;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
}
