/* bytes.c - reading and comparing file contents (dedup, snapshot
 * --checksum). */
#include "linkbox.h"

#define BYTES_CHUNK 65536

/* Order two byte strings of length N: a total order, not a lexical one,
 * a word at a time (musl's memcmp goes byte by byte, and comparing is
 * most of what dedup does). */
int
bytes_order(const unsigned char *a, const unsigned char *b, size_t n)
{
	unsigned long long wa, wb;

	for (; n >= 8; a += 8, b += 8, n -= 8) {
		memcpy(&wa, a, 8);
		memcpy(&wb, b, 8);
		if (wa != wb)
			return wa < wb ? -1 : 1;
	}
	for (; n; a++, b++, n--)
		if (*a != *b)
			return *a < *b ? -1 : 1;
	return 0;
}

/* Read LEN bytes at AT, adding them to *COUNT; false with errno (ENODATA:
 * the file ends before). */
bool
bytes_read_at(int fd, unsigned char *buf, size_t len, off_t at,
    unsigned long long *count)
{
	ssize_t n;

	while (len) {
		n = pread(fd, buf, len, at);
		if (n == 0)
			errno = ENODATA;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
		at += n;
		*count += n;
	}
	return true;
}

/* Whether the files open as A and B hold the same SIZE bytes (false with
 * errno set when one cannot be read). */
bool
bytes_same(int a, int b, off_t size)
{
	static unsigned char *buf;
	unsigned long long count = 0;
	off_t at;
	size_t len;

	if (!buf)
		buf = xmalloc(2 * BYTES_CHUNK);
	errno = 0;
	for (at = 0; at < size; at += len) {
		len = size - at < BYTES_CHUNK ? (size_t)(size - at) :
		    BYTES_CHUNK;
		if (!bytes_read_at(a, buf, len, at, &count) ||
		    !bytes_read_at(b, buf + BYTES_CHUNK, len, at, &count) ||
		    bytes_order(buf, buf + BYTES_CHUNK, len))
			return false;
	}
	return true;
}
