/* The one list of applets, sorted.  Each line is APPLET(name, policy):
 * the policy (linkbox.h) says what the applet's warnings do to its exit
 * status.  An applet named here needs applets/name.c, docs/name.1 and
 * tests/name.bats.  make APPLETS="..." builds a subset by filtering these
 * lines. */
APPLET(danglers, EXIT_TROUBLE)
APPLET(dedup, EXIT_TROUBLE)
APPLET(findlinks, EXIT_TROUBLE)
APPLET(linkcount, EXIT_FAILED)
APPLET(ln, EXIT_GNU)
APPLET(lnatomic, EXIT_FAILED)
APPLET(orphans, EXIT_TROUBLE)
APPLET(safeswap, EXIT_FAILED)
APPLET(snapshot, EXIT_FAILED)
APPLET(symlinks, EXIT_TROUBLE)
