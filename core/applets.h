/* The one list of applets, sorted.  Each line is APPLET(name); an applet
 * named here needs applets/name.c, docs/name.1 and tests/name.bats.
 * make APPLETS="..." builds a subset by filtering these lines. */
APPLET(danglers)
APPLET(dedup)
APPLET(findlinks)
APPLET(linkcount)
APPLET(ln)
APPLET(lnatomic)
APPLET(safeswap)
