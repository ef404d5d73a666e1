/* linkcount - print the link counts of files.
 *
 * usage: linkcount [-L] [-0] [-c N | -m N | -M N] FILE...
 *
 * Prints "COUNT<TAB>NAME" for each FILE: its st_nlink, the number of
 * directory entries (hard links) that name its inode.  A symbolic link's
 * own count is printed unless -L follows it.  -c, -m and -M keep only the
 * files whose count is exactly, at least or at most N (-m and -M together
 * give a range): "linkcount -c 1 pool/f*" lists the pool files nothing else
 * links to.  Names are printed as they are; -0 ends each record with NUL
 * instead of a newline, so any name is unambiguous.
 *
 * Exit status: 0 all operands examined, 1 some could not be, 2 usage.
 */
#include "../core/linkbox.h"

const char linkcount_usage[] =
"Usage: linkcount [-L] [-0] [-c N | -m N | -M N] FILE...\n"
"Print COUNT<TAB>NAME: the number of hard links of each FILE.\n"
"\n"
"  -L, --dereference  count the file a symbolic link points to\n"
"  -0, --null         end each record with NUL, not newline\n"
"  -c, --count=N      print only files with exactly N links\n"
"  -m, --min=N        print only files with at least N links\n"
"  -M, --max=N        print only files with at most N links\n"
"      --help         print this help\n"
"      --version      print the version\n";

static struct {
	bool dereference;
	char end;
	unsigned long min, max;
} opt = { false, '\n', 0, ULONG_MAX };

static void
count_one(const char *name)
{
	struct stat st;

	if ((opt.dereference ? stat(name, &st) : lstat(name, &st)) == -1) {
		msg_warnsys("%s", quote(name));
		return;
	}
	if (st.st_nlink < opt.min || st.st_nlink > opt.max)
		return;
	out("%lu\t%s%c", (unsigned long)st.st_nlink, name, opt.end);
}

int
linkcount_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "dereference", no_argument, NULL, 'L' },
		{ "null", no_argument, NULL, '0' },
		{ "count", required_argument, NULL, 'c' },
		{ "min", required_argument, NULL, 'm' },
		{ "max", required_argument, NULL, 'M' },
		OPT_STANDARD
	};
	bool exact = false, range = false;
	int c;

	while ((c = opt_next(argc, argv, "L0c:m:M:", longs)) != -1) {
		switch (c) {
		case 'L':
			opt.dereference = true;
			break;
		case '0':
			opt.end = '\0';
			break;
		case 'c':
			opt.min = opt.max = opt_number(optarg, "count");
			exact = true;
			break;
		case 'm':
			opt.min = opt_number(optarg, "count");
			range = true;
			break;
		case 'M':
			opt.max = opt_number(optarg, "count");
			range = true;
			break;
		}
	}
	if (exact && range)
		msg_usage("-c cannot be combined with -m or -M");
	if (opt.min > opt.max)
		msg_usage("-m %lu is above -M %lu: nothing can match",
		    opt.min, opt.max);
	opt_operands(argc, argv, 1, -1);
	for (; optind < argc; optind++)
		count_one(argv[optind]);
	return exit_status;
}
