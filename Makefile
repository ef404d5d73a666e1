# linkbox: one small binary carrying a suite of link tools.  See README.md.
#
#   make                      build ./linkbox
#   make check                run the test suite (ends "N passed, M failed")
#   make static size          static musl build ./linkbox-static, its size
#   make asan                 ASan+UBSan build ./linkbox-asan, suite run on it
#   make check-aarch64        static cross build ./linkbox-aarch64 (arm:
#   make check-arm            ./linkbox-arm, armhf), suite run under qemu-user
#   LINKBOX_SLOW=0 make check the suite without the slow races and faults
#   make APPLETS="ln ..."     carry only these applets
#   make install/uninstall    PREFIX, DESTDIR, BINDIR, MANDIR
#   make bench                benchmarks against the peer tools
#   make test-tools           programs the tests build (race reader, qemu-wrap)

VERSION = 0.1.0
ALL_APPLETS := $(shell sed -n 's/^APPLET(\([a-z_]*\), .*)$$/\1/p' core/applets.h)
APPLETS = $(ALL_APPLETS)
UNKNOWN := $(filter-out $(ALL_APPLETS),$(APPLETS))
$(if $(UNKNOWN),$(error unknown applet(s): $(UNKNOWN)))
$(if $(strip $(APPLETS)),,$(error APPLETS is empty))

# Debian's cross compilers install only $(CROSS_COMPILE)gcc, not ...cc.
CROSS_COMPILE =
ifeq ($(origin CC),default)
CC = $(if $(CROSS_COMPILE),$(CROSS_COMPILE)gcc,cc)
endif
STRIP = $(CROSS_COMPILE)strip
CFLAGS = -O2 -g
WARNFLAGS = -std=c11 -Wall -Wextra
LDFLAGS =
LINKBOX_CPPFLAGS = -I$(B) -DLINKBOX_VERSION='"$(VERSION)"'

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DESTDIR =

# Each flavour builds in its own directory: B (objects), OUT (binary).
B = build/default
OUT = linkbox
MUSL_CC = musl-gcc
SMALL = -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
SMALL_LD = -Wl,--gc-sections,-z,noseparate-code,-z,norelro,--build-id=none \
	-Wl,-z,common-page-size=64
SAN = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# An applet is applets/NAME.c, or a folder applets/NAME/ of sources.
SRCS = $(wildcard core/*.c) \
	$(foreach a,$(APPLETS),$(wildcard applets/$(a).c applets/$(a)/*.c))
OBJS = $(SRCS:%.c=$(B)/%.o)

all: $(OUT)

$(OUT): $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS)

$(B)/%.o: %.c core/linkbox.h $(B)/applets-selected.h
	@mkdir -p $(@D)
	$(CC) $(WARNFLAGS) $(CPPFLAGS) $(LINKBOX_CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The objects of an applet in a folder depend on its headers too.
$(foreach a,$(APPLETS),$(eval $(patsubst %.c,$(B)/%.o,$(wildcard \
	applets/$(a)/*.c)): $(wildcard applets/$(a)/*.h)))

# The applet list of this build: core/applets.h filtered by APPLETS,
# rewritten only when it changes so that objects rebuild only then.
$(B)/applets-selected.h: FORCE
	@mkdir -p $(B)
	@sed -n '$(foreach a,$(APPLETS),/^APPLET($(a), .*)$$/p;)' core/applets.h \
		>$@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

static: FORCE
	$(MAKE) B=build/static OUT=linkbox-static CC=$(MUSL_CC) \
		CFLAGS="$(SMALL)" LDFLAGS="-static -s $(SMALL_LD)"

size: static
	@echo "linkbox-static: $$(wc -c <linkbox-static) bytes ($(APPLETS))"

asan: FORCE
	$(MAKE) B=build/asan OUT=linkbox-asan CC=$(CC) CFLAGS="$(SAN)" \
		LDFLAGS="-fsanitize=address,undefined"
	LINKBOX=./linkbox-asan tests/run

check: all
	LINKBOX=./$(OUT) tests/run

check-static: static
	LINKBOX=./linkbox-static tests/run

# Behaviour tests (not the races, which valgrind slows too much, nor
# --install, which links /proc/self/exe: valgrind) under valgrind: a
# memory error or a definite leak fails the test.
VALGRIND_TESTS = tests/linkcount.bats tests/ln.bats tests/danglers.bats \
	tests/findlinks.bats tests/dedup.bats
valgrind: all
	LINKBOX_REAL=$$PWD/$(OUT) LINKBOX=tests/valgrind-wrap \
		tests/run $(VALGRIND_TESTS)

# The suite on a static cross build under qemu-user (Debian qemu-user and
# gcc-aarch64-linux-gnu or gcc-arm-linux-gnueabihf): tests/qemu-wrap runs
# each applet link as $(QEMU) -0 NAME.  LINKBOX_EMU makes the strace tests
# skip (they would trace qemu); the slow races and fault matrices are
# skipped too unless LINKBOX_SLOW=1 is given: each exec pays qemu's start.
# The cross compiler is named in CC so that make check-arm CC=clang cannot
# replace it.
check-aarch64: CROSS_TRIPLE = aarch64-linux-gnu
check-aarch64: QEMU = qemu-aarch64
check-arm: CROSS_TRIPLE = arm-linux-gnueabihf
check-arm: QEMU = qemu-arm
check-aarch64 check-arm: tests/qemu-wrap FORCE
	$(MAKE) B=build/$(@:check-%=%) OUT=linkbox-$(@:check-%=%) \
		CROSS_COMPILE=$(CROSS_TRIPLE)- CC=$(CROSS_TRIPLE)-gcc \
		LDFLAGS=-static
	LINKBOX_EMU=$(QEMU) QEMU=$(QEMU) LINKBOX_SLOW=$${LINKBOX_SLOW:-0} \
		LINKBOX_REAL=$$PWD/linkbox-$(@:check-%=%) \
		LINKBOX=tests/qemu-wrap tests/run

# The runner of check-aarch64 and check-arm, built for the host.
tests/qemu-wrap: tests/qemu-wrap.c
	$(CC) -O2 -Wall -Wextra -o $@.$$$$ $< && mv $@.$$$$ $@

bench: all static
	tests/bench/run

# Installs the binary once and one hard link per applet.  A name that
# exists and is not linkbox (say /usr/bin/ln of coreutils) is left alone,
# and so is a man page that is not ours (coreutils' ln.1): ours carry
# MAN_MARK as a line of their own.
MAN_MARK = '.\" linkbox'
install: $(OUT)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(OUT) $(DESTDIR)$(BINDIR)/.linkbox.new
	@cd $(DESTDIR)$(BINDIR) && for a in $(APPLETS); do \
		if [ -e $$a ] && ! [ $$a -ef linkbox ]; then \
			echo "install: leaving $(DESTDIR)$(BINDIR)/$$a alone:" \
				"it is not linkbox" >&2; \
		else ln -f .linkbox.new $$a || exit 1; fi; done
	mv -f $(DESTDIR)$(BINDIR)/.linkbox.new $(DESTDIR)$(BINDIR)/linkbox
	@cd $(DESTDIR)$(MANDIR)/man1 && for p in linkbox $(APPLETS); do \
		if [ -e $$p.1 ] && ! grep -qxF $(MAN_MARK) $$p.1; then \
			echo "install: leaving $(DESTDIR)$(MANDIR)/man1/$$p.1" \
				"alone: it is not linkbox's" >&2; \
		else install -m 644 $(CURDIR)/docs/$$p.1 . || exit 1; fi; done

# Removes only the names that are links to the installed linkbox, and
# only the man pages that are ours.
uninstall:
	@cd $(DESTDIR)$(BINDIR) && for a in $(ALL_APPLETS); do \
		if [ $$a -ef linkbox ]; then rm -f $$a; fi; done
	rm -f $(DESTDIR)$(BINDIR)/linkbox
	@cd $(DESTDIR)$(MANDIR)/man1 && for p in linkbox $(ALL_APPLETS); do \
		if grep -qxF $(MAN_MARK) $$p.1 2>/dev/null; then \
			rm -f $$p.1; fi; done

# Programs the tests run beside the applets: the race reader
# (tests/race/reader.c; need_reader in tests/helpers.bash builds it), the
# backup linker of tests/orphans_race.bats (tests/race/linker.c) and the
# qemu runner (tests/qemu-wrap.c).
TEST_TOOLS = tests/race/reader tests/race/linker tests/qemu-wrap

test-tools: $(TEST_TOOLS)

tests/race/reader: tests/race/reader.c
	$(CC) -O2 -Wall -Wextra -o $@.$$$$ $< && mv $@.$$$$ $@

tests/race/linker: tests/race/linker.c
	$(CC) -O2 -Wall -Wextra -o $@.$$$$ $< && mv $@.$$$$ $@

clean:
	rm -rf build linkbox linkbox-static linkbox-asan linkbox-aarch64 linkbox-arm \
		$(TEST_TOOLS)

FORCE:
.PHONY: all static size asan check check-static valgrind bench install \
	uninstall clean test-tools FORCE

# make fuzz: build the libFuzzer targets tests/fuzz/fuzz_*.c into
# build/fuzz, run each FUZZ_SECONDS on a copy of its seed corpus there;
# fails if any finds a crash (kept as build/fuzz/TARGET-crash-*).
FUZZ_SECONDS = 60
FUZZ_TARGETS = quote quote_utf8 path resolve argv
FUZZ_SAN = $(SAN) -fsanitize=fuzzer-no-link

fuzz: FORCE
	$(MAKE) B=build/fuzz CC=clang CFLAGS="$(FUZZ_SAN)" \
		$(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
	@fail=0; for t in $(FUZZ_TARGETS); do \
		r=tests/fuzz/regressions/$$t; if [ -d $$r ]; then \
			build/fuzz/fuzz_$$t $$r/* || fail=1; fi; \
		mkdir -p build/fuzz/corpus/$$t && \
		cp tests/fuzz/corpus/$$t/* build/fuzz/corpus/$$t/ && \
		dict=tests/fuzz/fuzz_$$t.dict && { [ -f $$dict ] || dict=; } && \
		build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=30 \
			-print_final_stats=1 -artifact_prefix=build/fuzz/$$t- \
			$${dict:+-dict=$$dict} build/fuzz/corpus/$$t || fail=1; \
	done; exit $$fail

$(B)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.[ch]) \
		$(filter-out $(B)/core/main.o,$(OBJS))
	$(CC) $(WARNFLAGS) $(LINKBOX_CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer \
		-o $@ $< $(filter %.o,$^)
