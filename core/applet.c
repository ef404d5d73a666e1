/* applet.c - the table of the applets built in, for the dispatcher in
 * main.c and for the fuzz target that runs them.
 */
#include "linkbox.h"

const struct applet applets[] = {
#define APPLET(name) { #name, name##_main, name##_usage },
#include "applets-selected.h"
#undef APPLET
};

const size_t napplets = sizeof(applets) / sizeof(applets[0]);
