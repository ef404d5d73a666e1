/* applet.c - the table of the applets built in, for the dispatcher in
 * main.c and for the fuzz target that runs them.
 */
#include "linkbox.h"

const struct applet applets[] = {
#define APPLET(name, policy) { #name, name##_main, name##_usage, policy },
#include "applets-selected.h"
#undef APPLET
};

const size_t napplets = sizeof(applets) / sizeof(applets[0]);

/* Run applet A: its name and policy for messages, its status after
 * standard output is flushed. */
int
applet_run(const struct applet *a, int argc, char **argv)
{
	applet_name = a->name;
	applet_usage = a->usage;
	msg_policy(a->policy);
	return msg_flush(a->main(argc, argv));
}
