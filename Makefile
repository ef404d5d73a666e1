# linkbox: one small binary carrying a suite of link tools.  See README.md.
#
#   make                      build ./linkbox
#   make check                run the test suite (ends "N passed, M failed")
#   make static size          static musl build ./linkbox-static, its size
#   make sizes                each applet's static size and cost; the limits
#   make asan                 ASan+UBSan build ./linkbox-asan, suite run on it
#   make asan-build           only the build
#   make tsan                 ThreadSanitizer build ./linkbox-tsan, dedup's
#                             and the walkers' tests on it (tsan-build)
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
# The static musl builds carry core/malloc.c in place of libc's allocator.
MUSL_SMALL = $(SMALL) -DLINKBOX_OWN_MALLOC
SMALL = -Os -fno-pie -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables
SMALL_LD = -no-pie \
	-Wl,--gc-sections,-z,noseparate-code,-z,norelro,--build-id=none \
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
# rewritten only when it changes so that objects rebuild only then (the
# temporary name is the shell's pid: CI runs makes side by side).
$(B)/applets-selected.h: FORCE
	@mkdir -p $(B)
	@sed -n '$(foreach a,$(APPLETS),/^APPLET($(a), .*)$$/p;)' core/applets.h \
		>$@.$$$$; if cmp -s $@.$$$$ $@; then rm $@.$$$$; \
		else mv $@.$$$$ $@; fi

static: FORCE
	$(MAKE) B=build/static OUT=linkbox-static CC=$(MUSL_CC) \
		CFLAGS="$(MUSL_SMALL)" LDFLAGS="-static -s $(SMALL_LD)"

size: static
	@echo "linkbox-static: $$(wc -c <linkbox-static) bytes ($(APPLETS))"

# make sizes: the stripped static musl size of the whole suite, of each
# applet alone (APPLETS=that one) and each applet's marginal cost (the
# suite minus the suite without it); then the suite for aarch64 and armhf
# (Thumb-2, Debian's default).  Debian has no musl for those two, so they
# link glibc statically, which is not what embedded users ship: the text
# of our own objects ($(CROSS_COMPILE)size) is given beside it.  Each
# variant builds afresh (objects do not depend on the flags) in its own
# build/size-VARIANT.  Fails naming each limit exceeded (CI runs it), so
# that a change which makes linkbox bigger raises a limit, and says why.
# In bytes: the whole suite on x86-64; NAME=BYTES for an applet alone;
# what adding one applet may cost, but for the exempt ones.  Issue #12's
# targets were 96 KiB for the suite and 28 KiB for linkcount alone; see
# README.md for why they are not met.
SIZE_MAX_SUITE = 115712
SIZE_MAX_ALONE = linkcount=38912
SIZE_MAX_MARGINAL = 10240
SIZE_MARGINAL_EXEMPT = dedup snapshot
SIZE_CROSS = aarch64=aarch64-linux-gnu- armhf=arm-linux-gnueabihf-
SIZE_VARIANTS = all $(ALL_APPLETS:%=only-%) $(ALL_APPLETS:%=no-%) \
	$(foreach x,$(SIZE_CROSS),$(firstword $(subst =, ,$(x))))

# The applets of size variant $1: all, only-NAME or no-NAME.
size_applets = $(if $(filter only-%,$1),$(1:only-%=%),$(filter-out \
	$(1:no-%=%),$(ALL_APPLETS)))
# The CROSS_COMPILE prefix of size variant $1, if it is a cross one.
size_cross = $(patsubst $1=%,%,$(filter $1=%,$(SIZE_CROSS)))

sizes: FORCE
	rm -rf build/size-*
	+@$(MAKE) -s --no-print-directory -j$$(nproc) \
		$(SIZE_VARIANTS:%=build/size-%/linkbox)
	@cd build; sz() { wc -c <size-$$1/linkbox; }; \
	text() { $${1}size -t $$(find size-$$2 -name '*.o') | \
		tail -1 | cut -f1; }; \
	all=$$(sz all) bad=; \
	echo "static musl, x86-64, stripped (bytes)"; \
	printf '%-10s %8s %9s\n' applet alone marginal; \
	for a in $(ALL_APPLETS); do \
		alone=$$(sz only-$$a) m=$$((all - $$(sz no-$$a))); \
		printf '%-10s %8d %9d\n' $$a $$alone $$m; \
		for g in $(SIZE_MAX_ALONE); do \
			if [ $${g%=*} = $$a ] && [ $$alone -gt $${g#*=} ]; then \
				bad="$$bad $$a alone $$alone > $${g#*=};"; fi; \
		done; \
		case " $(SIZE_MARGINAL_EXEMPT) " in *" $$a "*) ;; \
		*) if [ $$m -gt $(SIZE_MAX_MARGINAL) ]; then bad="$$bad $$a \
			marginal $$m > $(SIZE_MAX_MARGINAL);"; fi;; esac; \
	done; \
	printf '%-10s %8d\n' suite $$all; \
	if [ $$all -gt $(SIZE_MAX_SUITE) ]; then \
		bad="$$bad suite $$all > $(SIZE_MAX_SUITE);"; fi; \
	echo; echo "whole suite, static, stripped (bytes)"; \
	printf '%-8s %-6s %8s %10s\n' arch libc binary "our text"; \
	printf '%-8s %-6s %8d %10d\n' x86-64 musl $$all $$(text '' all); \
	for x in $(SIZE_CROSS); do printf '%-8s %-6s %8d %10d\n' $${x%=*} \
		glibc $$(sz $${x%=*}) $$(text $${x#*=} $${x%=*}); done; \
	if [ -n "$$bad" ]; then echo "sizes: limit exceeded:$$bad" >&2; \
		exit 1; fi

build/size-%/linkbox: FORCE
	@$(MAKE) -s --no-print-directory B=build/size-$* OUT=$@ \
		LDFLAGS="-static -s $(SMALL_LD)" \
		$(if $(call size_cross,$*),CROSS_COMPILE=$(call size_cross,$*) \
		CC=$(call size_cross,$*)gcc CFLAGS="$(SMALL)",CC=$(MUSL_CC) \
		CFLAGS="$(MUSL_SMALL)") \
		APPLETS="$(call size_applets,$*)"

asan: asan-build
	LINKBOX=./linkbox-asan tests/run

asan-build: FORCE
	$(MAKE) B=build/asan OUT=linkbox-asan CC=$(CC) CFLAGS="$(SAN)" \
		LDFLAGS="-fsanitize=address,undefined"

# Under ThreadSanitizer (clang), with four jobs: the tests of dedup (its
# reading helper), of the walk beside its read-ahead helpers (jobs.bats:
# every tree applet) and of the applets that walk most.  linkbox has no
# threads (helper.c makes processes): this run shows the helpers' bare
# clone and shared memory work under TSan's runtime too.
TSAN_TESTS = tests/jobs.bats tests/dedup.bats tests/danglers.bats \
	tests/findlinks.bats tests/linkcount.bats
tsan: tsan-build
	LINKBOX_JOBS=4 LINKBOX=./linkbox-tsan tests/run $(TSAN_TESTS)

tsan-build: FORCE
	$(MAKE) B=build/tsan OUT=linkbox-tsan CC=clang \
		CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS=-fsanitize=thread

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
	rm -rf build linkbox linkbox-static linkbox-asan linkbox-clang \
		linkbox-aarch64 linkbox-arm $(TEST_TOOLS)

FORCE:
.PHONY: all static size sizes asan asan-build tsan tsan-build check check-static valgrind bench install \
	uninstall clean test-tools FORCE

# make fuzz: build the libFuzzer targets tests/fuzz/fuzz_*.c into
# build/fuzz, run each FUZZ_SECONDS on a copy of its seed corpus there;
# fails if any finds a crash (kept as build/fuzz/TARGET-crash-*).
FUZZ_SECONDS = 60
FUZZ_TARGETS = quote quote_utf8 path resolve argv json
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
