/* opt.c - option parsing over libc getopt_long, the same on glibc and musl.
 *
 * libc's own messages are silenced (':' first in the option string) and
 * ours, worded as GNU's, are printed instead: musl words them differently.
 * musl ignores POSIXLY_CORRECT, so we honour it here with a '+'.
 * --help and --version (OPT_STANDARD in every applet's table) are handled
 * here, so every applet accepts them anywhere GNU tools do.
 */
#include "linkbox.h"

/* How the long option ARG (starting "--") failed: say so and exit.
 * MISSING: libc found its argument missing. */
static void
long_error(const char *arg, const struct option *longs, bool missing)
{
	const char *eq = strchr(arg + 2, '=');
	size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	const struct option *o, *hit = NULL;
	char list[2048] = "";
	size_t used = 0;
	int hits = 0;

	for (o = longs; o->name; o++) {
		if (strncmp(o->name, arg + 2, len))
			continue;
		if (!o->name[len]) {
			hit = o;
			hits = 1;
			break;
		}
		hit = o;
		hits++;
		used += fmt(list + used, sizeof(list) - used, " '--%s'",
		    o->name);
		if (used >= sizeof(list))
			used = sizeof(list) - 1;
	}
	if (hits == 0)
		msg_usage("unrecognized option '%.*s'", (int)(len + 2), arg);
	if (hits > 1)
		msg_usage("option '%.*s' is ambiguous; possibilities:%s",
		    (int)(len + 2), arg, list);
	if (eq && hit->has_arg == no_argument)
		msg_usage("option '--%s' doesn't allow an argument", hit->name);
	if (!eq && hit->has_arg == required_argument && missing)
		msg_usage("option '--%s' requires an argument", hit->name);
}

static void
print_version(void)
{
	out("%s (linkbox) %s\n", applet_name, LINKBOX_VERSION);
	exit(msg_flush(0));
}

static unsigned long long number(const char *arg, const char *what,
    const char *units, const unsigned long long *scale,
    unsigned long long max);

/* -j, --jobs or LINKBOX_JOBS (WHAT): ARG processes, 1 to 64. */
static void
set_jobs(const char *arg, const char *what)
{
	if (!(walk_jobs = number(arg, what, "", NULL, 64)))
		msg_usage("invalid %s: %s", what, quote(arg));
}

/* The next option letter, or -1 after the last option; optind then
 * indexes the first operand. */
int
opt_next(int argc, char **argv, const char *shorts,
    const struct option *longs)
{
	const char *arg;
	char spec[128];
	int c;

	fmt(spec, sizeof(spec), "%s:%s", getenv("POSIXLY_CORRECT") ? "+" : "",
	    shorts);
	optopt = 0;
	if (!walk_jobs && strchr(shorts, 'j') &&
	    (arg = getenv("LINKBOX_JOBS")) && *arg)
		set_jobs(arg, "LINKBOX_JOBS");
	while ((c = getopt_long(argc, argv, spec, longs, NULL)) == 'J' ||
	    c == OPT_JSON_LINES || c == 'j') {
		if (c == 'j')
			set_jobs(optarg, "job count");
		else
			json_form = c == 'J' ? JSON_DOCUMENT : JSON_LINES;
	}
	if (c == OPT_HELP) {
		out("%s", applet_usage);
		exit(msg_flush(0));
	}
	if (c == OPT_VERSION)
		print_version();
	if (c != '?' && c != ':')
		return c;
	/* A long option failed when optopt is no short option's letter, or is
	 * a letter that cannot fail by itself; glibc and musl both leave
	 * optind just past a failed long option.  (musl's permutation can
	 * leave a NULL there after a short option's missing argument.) */
	arg = optind > 1 && optind <= argc ? argv[optind - 1] : NULL;
	if (arg && !strncmp(arg, "--", 2) && arg[2] && (optopt == 0 ||
	    optopt >= OPT_HELP || (c == '?' && strchr(shorts, optopt)) ||
	    c == ':'))
		long_error(arg, longs, c == ':');
	if (c == ':')
		msg_usage("option requires an argument -- '%c'", optopt);
	msg_usage("invalid option -- '%c'", optopt);
}

/* Check the number of operands left after the options. */
void
opt_operands(int argc, char **argv, int min, int max)
{
	int n = argc - optind;

	if (n < min)
		msg_usage("missing operand");
	if (max >= 0 && n > max)
		msg_usage("extra operand %s", quote(argv[optind + max]));
}

/* The decimal number ARG, followed by one of the letters UNITS (the
 * multiplier of UNITS[i] is SCALE[i]) if they are given, and not above
 * MAX; or a usage error naming WHAT. */
static unsigned long long
number(const char *arg, const char *what, const char *units,
    const unsigned long long *scale, unsigned long long max)
{
	unsigned long long n = 0, times = 1;
	const char *p = arg, *u;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (~0ULL - (*p - '0')) / 10)
			break;
		n = n * 10 + (*p - '0');
	}
	if (*p && p[1] == '\0' && (u = strchr(units, *p)) && p > arg) {
		times = scale[u - units];
		p++;
	}
	if (p == arg || *p || n > max / times)
		msg_usage("invalid %s: %s", what, quote(arg));
	return n * times;
}

/* A non-negative decimal number, or a usage error naming WHAT. */
unsigned long
opt_number(const char *arg, const char *what)
{
	return number(arg, what, "", NULL, ULONG_MAX);
}

/* A size in bytes: digits and an optional K, M or G (powers of 1024),
 * or a usage error naming WHAT. */
unsigned long long
opt_size(const char *arg, const char *what)
{
	static const unsigned long long scale[] = { 1 << 10, 1 << 20, 1 << 30 };

	return number(arg, what, "KMG", scale, ~0ULL);
}

/* A duration in seconds: digits and an optional s, m, h or d, or a usage
 * error naming WHAT. */
unsigned long long
opt_seconds(const char *arg, const char *what)
{
	static const unsigned long long scale[] = { 1, 60, 3600, 86400 };

	return number(arg, what, "smhd", scale, 1ULL << 40);
}
