/* json.c - the output of -J/--json and --json-lines, written as it goes,
 * so that the records of a long walk stream.
 *
 * --json prints one document, {"records":[...],"summary":{...}}, each
 * record on a line of its own; --json-lines prints each record as a line
 * and then the summary as the line {"summary":{...}}.  A string that is
 * not UTF-8 (names are bytes) is written with U+FFFD for each byte that
 * is not part of a character, and its exact bytes beside it, in base64,
 * under the key KEY_bytes: docs/linkbox.1, JSON OUTPUT.
 */
#include "linkbox.h"

enum json_form json_form;
static bool started, more_records, more_members, in_summary;

/* The document's opening, once. */
static void
start(void)
{
	if (!started && json_form == JSON_DOCUMENT)
		out_bytes("{\"records\":[", 12);
	started = true;
}

static void
key(const char *name)
{
	out("%s\"%s\":", more_members ? "," : "", name);
	more_members = true;
}

/* S as a JSON string; false if some byte of it had to be replaced. */
static bool
put_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	char esc[7] = "\\u00";
	const char *c0;
	unsigned long c;
	bool whole = true;
	size_t n;

	out_bytes("\"", 1);
	for (; *p; p += n) {
		n = utf8_decode(p, &c);
		if (n && c >= 0x20 && c != '"' && c != '\\')
			continue;
		out_bytes((const char *)run, p - run);
		run = p + (n += !n);
		if (n == 1 && *p >= 0x80) {
			out_bytes("\xef\xbf\xbd", 3);
			whole = false;
		} else if (c == '"' || c == '\\') {
			out("\\%c", (int)c);
		} else if ((c0 = strchr("\b\f\n\r\t", c))) {
			out("\\%c", "bfnrt"[c0 - "\b\f\n\r\t"]);
		} else {
			esc[4] = '0' + (c >> 4);
			esc[5] = "0123456789abcdef"[c & 15];
			out_bytes(esc, 6);
		}
	}
	out_bytes((const char *)run, p - run);
	out_bytes("\"", 1);
	return whole;
}

static void
put_base64(const unsigned char *s, size_t len)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long v;
	size_t i, k;
	char q[4];

	out_bytes("\"", 1);
	for (i = 0; i < len; i += 3) {
		v = (unsigned long)s[i] << 16 |
		    (i + 1 < len ? s[i + 1] << 8 : 0) |
		    (i + 2 < len ? s[i + 2] : 0);
		for (k = 0; k < 4; k++)
			q[k] = k <= len - i ? digits[v >> (18 - 6 * k) & 63] :
			    '=';
		out_bytes(q, 4);
	}
	out_bytes("\"", 1);
}

/* A record begins. */
void
json_open(void)
{
	start();
	if (json_form == JSON_DOCUMENT)
		out("%s\n", more_records ? "," : "");
	out_bytes("{", 1);
	more_members = false;
}

void
json_close(void)
{
	out_bytes("}\n", json_form == JSON_LINES ? 2 : 1);
	more_records = true;
}

/* The summary begins; json_end closes it. */
void
json_summary(void)
{
	start();
	if (json_form == JSON_DOCUMENT)
		out("%s],\"summary\":{", more_records ? "\n" : "");
	else
		out_bytes("{\"summary\":{", 12);
	more_members = false;
	in_summary = true;
}

/* The end of the output, with or without a summary. */
void
json_end(void)
{
	start();
	if (in_summary)
		out_bytes("}}\n", 3);
	else if (json_form == JSON_DOCUMENT)
		out("%s]}\n", more_records ? "\n" : "");
}

void
json_number(const char *name, unsigned long long n)
{
	key(name);
	out("%llu", n);
}

/* What became of NAME, said as the line "WHAT 'NAME'" ended by END, or
 * with --json as the record {KEY: NAME, "action": WHAT, '_' for ' '}. */
void
json_said(const char *what, const char *key, const char *name, char end)
{
	char action[32], *p;

	if (!json_form) {
		out("%s %s%c", what, quote(name), end);
		return;
	}
	fmt(action, sizeof(action), "%s", what);
	for (p = action; (p = strchr(p, ' ')); )
		*p = '_';
	json_open();
	json_string(key, name);
	json_string("action", action);
	json_close();
}

/* NAME: S, the string, lossless whatever its bytes. */
void
json_string(const char *name, const char *s)
{
	key(name);
	if (!put_string(s)) {
		out(",\"%s_bytes\":", name);
		put_base64((const unsigned char *)s, strlen(s));
	}
}
