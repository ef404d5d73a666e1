/* fuzz_quote_utf8 - fuzz_quote with LANG=C.UTF-8: quote() reads the
 * locale once per process, so each locale needs a target of its own. */
#define FUZZ_UTF8 1
#define FUZZ_NAME "fuzz_quote_utf8"
#include "fuzz_quote.c"
