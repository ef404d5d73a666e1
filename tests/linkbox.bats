#!/usr/bin/env bats
load helpers

# The multiplexer (core/main.c) and what every applet gets from core/opt.c.
# Most tests drive an applet through linkcount, the first applet; those that
# need it skip on builds without it (make APPLETS=...).

# The version that linkbox --version prints.
lb_version() {
	local v
	v=$(lb linkbox --version) || return 1
	printf '%s\n' "${v#linkbox }"
}

# The binary under test, as /proc/self/exe names it: through a runner
# (tests/qemu-wrap, tests/valgrind-wrap) that is the real binary, since
# qemu-user and valgrind both answer for the program they run.
self() {
	readlink -f "${LINKBOX_REAL:-$LB_BIN/linkbox}"
}

# --- dispatch on argv[0] ----------------------------------------------------

@test "linkbox: started as NAME through a link runs applet NAME" {
	skip_unless_applet linkcount
	touch a
	command ln a b
	run -0 --separate-stderr lb linkcount a
	assert_output_is $'2\ta'
	assert_stderr_is ""
}

@test "linkbox: started as NAME through a relative path runs applet NAME" {
	skip_unless_applet linkcount
	mkdir -p sub/dir
	command ln -s "$LB_BIN/linkbox" sub/dir/linkcount
	touch a
	run -0 --separate-stderr ./sub/dir/linkcount a
	assert_output_is $'1\ta'
	assert_stderr_is ""
}

@test "linkbox: started as a bare NAME (no directory) runs applet NAME" {
	skip_unless_applet linkcount
	touch a
	run -0 --separate-stderr \
		bash -c 'exec -a linkcount "$0" "$@"' "$LB_BIN/linkbox" a
	assert_output_is $'1\ta'
	assert_stderr_is ""
}

@test "linkbox: a name beginning with linkbox acts as the multiplexer" {
	command ln -s "$LB_BIN/linkbox" linkbox-static
	v=$(lb_version)
	run -0 --separate-stderr ./linkbox-static --version
	assert_output_is "linkbox $v"
	assert_stderr_is ""
}

@test "linkbox: linkbox-static APPLET ARGS runs the applet" {
	skip_unless_applet linkcount
	command ln -s "$LB_BIN/linkbox" linkbox-static
	touch a
	run -0 --separate-stderr ./linkbox-static linkcount a
	assert_output_is $'1\ta'
	assert_stderr_is ""
}

@test "linkbox: linkbox APPLET ARGS runs the applet" {
	skip_unless_applet linkcount
	touch a
	command ln a b
	run -0 --separate-stderr lb linkbox linkcount a b
	assert_output_is $'2\ta\n2\tb'
	assert_stderr_is ""
}

@test "linkbox: an applet run through linkbox prefixes messages with its name" {
	skip_unless_applet linkcount
	run -1 --separate-stderr lb linkbox linkcount missing
	assert_output_is ""
	assert_stderr_starts "linkcount: 'missing': "
}

@test "linkbox: an unknown applet name through a link exits 127" {
	command ln -s "$LB_BIN/linkbox" nosuch
	run -127 --separate-stderr ./nosuch a
	assert_output_is ""
	assert_stderr_is "linkbox: applet not found: nosuch"
}

@test "linkbox: linkbox nosuch exits 127" {
	run -127 --separate-stderr lb linkbox nosuch a
	assert_output_is ""
	assert_stderr_is "linkbox: applet not found: nosuch"
}

@test "linkbox: no arguments is a usage error" {
	run -2 --separate-stderr lb linkbox
	assert_output_is ""
	assert_stderr_is "linkbox: missing applet name
Try 'linkbox --help' for more information."
}

@test "linkbox: an unknown option is a usage error" {
	run -2 --separate-stderr lb linkbox --bogus
	assert_output_is ""
	assert_stderr_is "linkbox: unrecognized option '--bogus'
Try 'linkbox --help' for more information."
}

# --- --list, --help, --version ----------------------------------------------

@test "linkbox: --list prints applets of core/applets.h, in its order" {
	run -0 --separate-stderr lb linkbox --list
	assert_stderr_is ""
	[ -n "$output" ]
	# A partial build (make APPLETS=...) lists a subset, in the same order.
	want=$(listed_applets | grep -Fx -f <(printf '%s\n' "$output"))
	assert_output_is "$want"
}

@test "linkbox: --list of a full build prints every applet of core/applets.h" {
	run -0 --separate-stderr lb linkbox --list
	want=$(listed_applets)
	[ "${#lines[@]}" -eq "$(printf '%s\n' "$want" | wc -l)" ] ||
		skip "partial build: ${lines[*]}"
	assert_output_is "$want"
	assert_stderr_is ""
}

@test "linkbox: --list is sorted" {
	run -0 --separate-stderr lb linkbox --list
	printf '%s\n' "$output" | LC_ALL=C sort -c -u
}

@test "linkbox: every name in --list runs as that applet" {
	v=$(lb_version)
	for a in $(lb linkbox --list); do
		run -0 --separate-stderr lb "$a" --version
		assert_output_is "$a (linkbox) $v"
		assert_stderr_is ""
	done
}

@test "linkbox: --help prints the usage on stdout" {
	run -0 --separate-stderr lb linkbox --help
	[ "${lines[0]}" = "Usage: linkbox APPLET [ARGUMENT]..." ]
	assert_stderr_is ""
}

@test "linkbox: --help APPLET prints what APPLET --help prints" {
	a=$(lb linkbox --list | head -n 1)
	want=$(lb "$a" --help)
	run -0 --separate-stderr lb linkbox --help "$a"
	assert_output_is "$want"
	assert_stderr_is ""
}

@test "linkbox: --help nosuch exits 127" {
	run -127 --separate-stderr lb linkbox --help nosuch
	assert_output_is ""
	assert_stderr_is "linkbox: applet not found: nosuch"
}

@test "linkbox: --version prints the version" {
	run -0 --separate-stderr lb linkbox --version
	[[ $output =~ ^linkbox\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	assert_stderr_is ""
}

@test "linkbox: APPLET --version prints APPLET (linkbox) VERSION" {
	skip_unless_applet linkcount
	v=$(lb_version)
	run -0 --separate-stderr lb linkcount --version
	assert_output_is "linkcount (linkbox) $v"
	assert_stderr_is ""
}

@test "linkbox: APPLET --help prints the usage on stdout" {
	skip_unless_applet linkcount
	run -0 --separate-stderr lb linkcount --help
	[ "${lines[0]}" = "Usage: linkcount [-L] [-0] [-c N | -m N | -M N] FILE..." ]
	assert_stderr_is ""
}

@test "linkbox: APPLET --help is accepted after other options" {
	skip_unless_applet linkcount
	want=$(lb linkcount --help)
	run -0 --separate-stderr lb linkcount -L --help
	assert_output_is "$want"
	assert_stderr_is ""
}

@test "linkbox: APPLET --help is accepted after an operand" {
	skip_unless_applet linkcount
	want=$(lb linkcount --help)
	run -0 --separate-stderr lb linkcount missing --help
	assert_output_is "$want"
	assert_stderr_is ""
}

@test "linkbox: APPLET --help may be abbreviated" {
	skip_unless_applet linkcount
	want=$(lb linkcount --help)
	run -0 --separate-stderr lb linkcount --he
	assert_output_is "$want"
	assert_stderr_is ""
}

@test "linkbox: APPLET --version may be abbreviated" {
	skip_unless_applet linkcount
	v=$(lb_version)
	run -0 --separate-stderr lb linkcount --vers
	assert_output_is "linkcount (linkbox) $v"
	assert_stderr_is ""
}

@test "linkbox: APPLET --help=x is a usage error" {
	skip_unless_applet linkcount
	run -2 --separate-stderr lb linkcount --help=x
	assert_output_is ""
	assert_stderr_is "linkcount: option '--help' doesn't allow an argument
Try 'linkcount --help' for more information."
}

# --- option parsing shared by all applets (core/opt.c) -----------------------

@test "linkbox: options after -- are operands" {
	skip_unless_applet linkcount
	run -1 --separate-stderr lb linkcount -- -x
	assert_output_is ""
	assert_stderr_starts "linkcount: '-x': "
}

@test "linkbox: options are accepted after operands" {
	skip_unless_applet linkcount
	touch f
	unset POSIXLY_CORRECT
	run -0 --separate-stderr lb linkcount f -c 1
	assert_output_is $'1\tf'
	assert_stderr_is ""
}

@test "linkbox: POSIXLY_CORRECT stops option parsing at the first operand" {
	skip_unless_applet linkcount
	touch f
	export POSIXLY_CORRECT=1
	run -1 --separate-stderr lb linkcount f -c 1
	assert_output_is $'1\tf'
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "linkcount: '-c': "* ]]
	[[ ${stderr_lines[1]} == "linkcount: '1': "* ]]
}

# --- write errors -------------------------------------------------------------

@test "linkbox: --list with an operand is a usage error" {
	run -2 --separate-stderr lb linkbox --list extra
	assert_output_is ""
	assert_stderr_is "linkbox: extra operand 'extra'
Try 'linkbox --help' for more information."
}

@test "linkbox: --version with an operand is a usage error" {
	run -2 --separate-stderr lb linkbox --version extra
	assert_output_is ""
	assert_stderr_is "linkbox: extra operand 'extra'
Try 'linkbox --help' for more information."
}

@test "linkbox: --help with two applet names is a usage error" {
	a=$(lb linkbox --list | head -n 1)
	run -2 --separate-stderr lb linkbox --help "$a" extra
	assert_output_is ""
	assert_stderr_is "linkbox: extra operand 'extra'
Try 'linkbox --help' for more information."
}

@test "linkbox: --list to a full device is a write error" {
	[ -c /dev/full ] || skip "no /dev/full"
	run -1 --separate-stderr to_full lb linkbox --list
	assert_output_is ""
	assert_stderr_starts "linkbox: write error: "
}

@test "linkbox: --version to a full device is a write error" {
	[ -c /dev/full ] || skip "no /dev/full"
	run -1 --separate-stderr to_full lb linkbox --version
	assert_output_is ""
	assert_stderr_starts "linkbox: write error: "
}

@test "linkbox: an applet's output to a full device is a write error" {
	skip_unless_applet linkcount
	[ -c /dev/full ] || skip "no /dev/full"
	touch a
	run -1 --separate-stderr to_full lb linkcount a
	assert_output_is ""
	assert_stderr_starts "linkcount: write error: "
}

@test "linkbox: APPLET --help to a full device is a write error" {
	[ -c /dev/full ] || skip "no /dev/full"
	skip_unless_applet ln
	run -1 --separate-stderr to_full lb ln --help
	assert_output_is ""
	assert_stderr_starts "ln: write error: "
}

@test "linkbox: APPLET --version to a full device is a write error" {
	[ -c /dev/full ] || skip "no /dev/full"
	skip_unless_applet linkcount
	run -1 --separate-stderr to_full lb linkcount --version
	assert_output_is ""
	assert_stderr_starts "linkcount: write error: "
}

# --- --install ------------------------------------------------------------------

@test "linkbox: --install DIR hard links each applet to the binary" {
	mkdir d
	run -0 --separate-stderr lb linkbox --install d
	assert_output_is ""
	assert_stderr_is ""
	list=$(lb linkbox --list)
	[ "$(ls -A d)" = "$(printf '%s\n' "$list" | LC_ALL=C sort)" ]
	for a in $list; do
		[ ! -L "d/$a" ]
		[ "$(stat -c %i "d/$a")" = "$(stat -L -c %i "$(self)")" ]
		[ "d/$a" -ef "$(self)" ]
	done
}

@test "linkbox: --install -s DIR makes symlinks to the binary" {
	mkdir d
	run -0 --separate-stderr lb linkbox --install -s d
	assert_output_is ""
	assert_stderr_is ""
	list=$(lb linkbox --list)
	[ "$(ls -A d)" = "$(printf '%s\n' "$list" | LC_ALL=C sort)" ]
	for a in $list; do
		[ -L "d/$a" ]
		[ "$(readlink "d/$a")" = "$(self)" ]
		[ "d/$a" -ef "$(self)" ]
	done
}

@test "linkbox: --install over its own hard links succeeds, no temporaries" {
	mkdir d
	lb linkbox --install d
	run -0 --separate-stderr lb linkbox --install d
	assert_output_is ""
	assert_stderr_is ""
	for a in $(lb linkbox --list); do
		[ ! -L "d/$a" ]
		[ "d/$a" -ef "$(self)" ]
	done
	no_temps d
	[ "$(ls -A d)" = "$(lb linkbox --list | LC_ALL=C sort)" ]
}

@test "linkbox: --install -s over its own symlinks succeeds, no temporaries" {
	mkdir d
	lb linkbox --install -s d
	run -0 --separate-stderr lb linkbox --install -s d
	assert_output_is ""
	assert_stderr_is ""
	for a in $(lb linkbox --list); do
		[ -L "d/$a" ]
		[ "d/$a" -ef "$(self)" ]
	done
	no_temps d
	[ "$(ls -A d)" = "$(lb linkbox --list | LC_ALL=C sort)" ]
}

@test "linkbox: --install replaces its own symlinks with hard links" {
	mkdir d
	lb linkbox --install -s d
	run -0 --separate-stderr lb linkbox --install d
	assert_output_is ""
	assert_stderr_is ""
	for a in $(lb linkbox --list); do
		[ ! -L "d/$a" ]
		[ "$(inode "d/$a")" = "$(inode "$(self)")" ]
	done
	no_temps d
}

@test "linkbox: --install leaves an unrelated file alone" {
	a=$(lb linkbox --list | head -n 1)
	mkdir d
	echo mine >"d/$a"
	run -1 --separate-stderr lb linkbox --install d
	assert_output_is ""
	assert_stderr_is "linkbox: 'd/$a' exists and is not linkbox (use -f to replace it)"
	[ "$(cat "d/$a")" = mine ]
	# The other applets are installed all the same.
	for b in $(lb linkbox --list | tail -n +2); do
		[ "d/$b" -ef "$(self)" ]
	done
	no_temps d
}

@test "linkbox: --install leaves an unrelated symlink alone" {
	a=$(lb linkbox --list | head -n 1)
	mkdir d
	touch other
	command ln -s ../other "d/$a"
	run -1 --separate-stderr lb linkbox --install d
	assert_output_is ""
	assert_stderr_is "linkbox: 'd/$a' exists and is not linkbox (use -f to replace it)"
	[ "$(readlink "d/$a")" = ../other ]
}

@test "linkbox: --install -f replaces an unrelated file" {
	a=$(lb linkbox --list | head -n 1)
	mkdir d
	echo mine >"d/$a"
	run -0 --separate-stderr lb linkbox --install -f d
	assert_output_is ""
	assert_stderr_is ""
	[ "d/$a" -ef "$(self)" ]
	[ ! -L "d/$a" ]
	no_temps d
}

@test "linkbox: --install -s -f replaces an unrelated file with a symlink" {
	a=$(lb linkbox --list | head -n 1)
	mkdir d
	echo mine >"d/$a"
	run -0 --separate-stderr lb linkbox --install -s -f d
	assert_output_is ""
	assert_stderr_is ""
	[ -L "d/$a" ]
	[ "d/$a" -ef "$(self)" ]
	no_temps d
}

@test "linkbox: --install to a missing directory exits 2" {
	run -2 --separate-stderr lb linkbox --install nodir
	assert_output_is ""
	assert_stderr_starts "linkbox: cannot open directory 'nodir': "
	[ ! -e nodir ]
}

@test "linkbox: --install to a path through a regular file exits 2" {
	touch f
	run -2 --separate-stderr lb linkbox --install f/d
	assert_output_is ""
	assert_stderr_starts "linkbox: cannot open directory 'f/d': "
}

@test "linkbox: --install without a directory is a usage error" {
	run -2 --separate-stderr lb linkbox --install
	assert_output_is ""
	assert_stderr_is "linkbox: missing operand
Try 'linkbox --help' for more information."
}

@test "linkbox: --install with two directories is a usage error" {
	mkdir d e
	run -2 --separate-stderr lb linkbox --install d e
	assert_output_is ""
	assert_stderr_is "linkbox: extra operand 'e'
Try 'linkbox --help' for more information."
	[ -z "$(ls -A d)" ]
}

@test "linkbox: --install with an unknown option is a usage error" {
	mkdir d
	run -2 --separate-stderr lb linkbox --install -x d
	assert_output_is ""
	assert_stderr_is "linkbox: invalid option -- 'x'
Try 'linkbox --help' for more information."
	[ -z "$(ls -A d)" ]
}

@test "linkbox: --install across filesystems fails and suggests -s" {
	mount_tmpfs
	a=$(lb linkbox --list | head -n 1)
	run -2 --separate-stderr lb linkbox --install mnt
	assert_output_is ""
	assert_stderr_starts "linkbox: cannot hard link 'mnt/$a' to '$(self)': "
	[[ $stderr == *" (use -s)" ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ -z "$(ls -A mnt)" ]
}

@test "linkbox: --install -s works across filesystems" {
	mount_tmpfs
	run -0 --separate-stderr lb linkbox --install -s mnt
	assert_output_is ""
	assert_stderr_is ""
	for a in $(lb linkbox --list); do
		[ -L "mnt/$a" ]
		[ "mnt/$a" -ef "$(self)" ]
	done
}

# --- make install / make uninstall ------------------------------------------------

# Skip unless the tree has what the default make install needs.
need_installable_tree() {
	command -v make >/dev/null || skip "no make"
	[ -w "$REPO" ] || skip "cannot build in $REPO"
	local a
	[ -e "$REPO/docs/linkbox.1" ] || skip "docs/linkbox.1 not written yet"
	for a in $(listed_applets); do
		[ -e "$REPO/applets/$a.c" ] || [ -d "$REPO/applets/$a" ] ||
			skip "applets/$a.c not written yet"
		[ -e "$REPO/docs/$a.1" ] || skip "docs/$a.1 not written yet"
	done
}

make_install() {
	make -s -C "$REPO" install DESTDIR="$BATS_TEST_TMPDIR/root" \
		PREFIX=/usr "$@"
}

@test "linkbox: make install puts one binary and a hard link per applet" {
	need_installable_tree
	run -0 --separate-stderr make_install
	bin=root/usr/bin
	[ -f "$bin/linkbox" ]
	[ ! -L "$bin/linkbox" ]
	list=$("$bin/linkbox" --list)
	[ "$list" = "$(listed_applets)" ]
	[ "$(ls -A "$bin")" = "$(printf '%s\n' linkbox $list | LC_ALL=C sort)" ]
	for a in $list; do
		[ "$(inode "$bin/$a")" = "$(inode "$bin/linkbox")" ]
	done
	[ "$(stat -c %h "$bin/linkbox")" -eq $(($(echo $list | wc -w) + 1)) ]
}

@test "linkbox: make install puts the man pages in man1" {
	need_installable_tree
	run -0 --separate-stderr make_install
	want=$(printf '%s.1\n' linkbox $(listed_applets) | LC_ALL=C sort)
	[ "$(ls -A root/usr/share/man/man1)" = "$want" ]
}

@test "linkbox: make install leaves an unrelated file named like an applet" {
	need_installable_tree
	a=$(listed_applets | head -n 1)
	mkdir -p root/usr/bin
	echo mine >"root/usr/bin/$a"
	run -0 --separate-stderr make_install
	[ "$(cat "root/usr/bin/$a")" = mine ]
	[[ $stderr == *"leaving $BATS_TEST_TMPDIR/root/usr/bin/$a alone"* ]]
}

# A page of coreutils, as Debian installs /usr/share/man/man1/ln.1.
foreign_ln_page() {
	mkdir -p root/usr/share/man/man1
	printf '%s\n' '.\" DO NOT MODIFY THIS FILE!  It was generated by help2man.' \
		'.TH LN "1" "September 2022" "GNU coreutils 9.1" "User Commands"' \
		>root/usr/share/man/man1/ln.1
	cp root/usr/share/man/man1/ln.1 coreutils-ln.1
}

@test "linkbox: make install leaves a man page that is not ours alone" {
	need_installable_tree
	foreign_ln_page
	run -0 --separate-stderr make_install
	cmp coreutils-ln.1 root/usr/share/man/man1/ln.1
	[[ $stderr == *"leaving $BATS_TEST_TMPDIR/root/usr/share/man/man1/ln.1 alone"* ]]
	# The other pages are installed all the same.
	cmp "$REPO/docs/linkbox.1" root/usr/share/man/man1/linkbox.1
}

@test "linkbox: make install replaces a man page of ours" {
	need_installable_tree
	mkdir -p root/usr/share/man/man1
	printf '%s\n' '.\" linkbox' '.Dd January 1, 2020' >root/usr/share/man/man1/ln.1
	run -0 --separate-stderr make_install
	cmp "$REPO/docs/ln.1" root/usr/share/man/man1/ln.1
	assert_stderr_is ""
}

@test "linkbox: make uninstall leaves a man page that is not ours" {
	need_installable_tree
	foreign_ln_page
	make_install 2>/dev/null
	run -0 --separate-stderr make -s -C "$REPO" uninstall \
		DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr
	[ "$(ls -A root/usr/share/man/man1)" = ln.1 ]
	cmp coreutils-ln.1 root/usr/share/man/man1/ln.1
}

@test "linkbox: make uninstall removes what make install put, nothing else" {
	need_installable_tree
	make_install
	echo mine >root/usr/bin/other
	# A name of an applet that is not (any more) linkbox stays, too.
	a=$(listed_applets | head -n 1)
	rm "root/usr/bin/$a"
	echo mine >"root/usr/bin/$a"
	run -0 --separate-stderr make -s -C "$REPO" uninstall \
		DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr
	[ "$(ls -A root/usr/bin)" = "$(printf '%s\n' "$a" other | LC_ALL=C sort)" ]
	[ "$(cat root/usr/bin/other)" = mine ]
	[ "$(cat "root/usr/bin/$a")" = mine ]
	[ -z "$(ls -A root/usr/share/man/man1)" ]
}

# --- make CROSS_COMPILE=... ---------------------------------------------------

# make_cc ARGS...: the compiler make would use with these arguments
# (and no CC in the environment, nor the variables of a make this suite
# runs under, such as make asan CC=clang).
make_cc() {
	env -u CC -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL \
		make -s -C "$REPO" --eval 'lb-print-cc: ; @echo $(CC)' \
		lb-print-cc "$@"
}

@test "linkbox: make CROSS_COMPILE=PREFIX compiles with PREFIXgcc" {
	command -v make >/dev/null || skip "no make"
	run -0 --separate-stderr make_cc CROSS_COMPILE=aarch64-linux-gnu-
	assert_output_is "aarch64-linux-gnu-gcc"
}

@test "linkbox: make without CROSS_COMPILE compiles with cc" {
	command -v make >/dev/null || skip "no make"
	run -0 --separate-stderr make_cc
	assert_output_is "cc"
}

@test "linkbox: make CROSS_COMPILE=PREFIX CC=X compiles with X" {
	command -v make >/dev/null || skip "no make"
	run -0 --separate-stderr make_cc CROSS_COMPILE=aarch64-linux-gnu- CC=clang
	assert_output_is "clang"
}
