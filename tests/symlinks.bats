#!/usr/bin/env bats
load helpers
USAGE_APPLET=symlinks # for usage_error

# symlinks: list, convert and clean symbolic links as symlinks(8) does,
# checked and atomic (applets/symlinks.c).  Paths are printed as
# symlinks(8) prints them: the operand joined to $PWD, tidied.  Walk order
# is the directory's own, so tests with more than one link compare lines
# in any order (assert_lines_are).  Where a link is changed, what it leads
# to is checked with host tools (stat -L, readlink, and in_root below for
# images), never with an applet.

# Each test works in an empty directory of its own below the scratch
# directory, where bats keeps its --separate-stderr files.
setup() {
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w" || return 1
	skip_unless_applet symlinks
}

# Unmount what a test mounted; remove the world-readable fixture of the
# tests that run as an unprivileged user.
teardown() {
	unmount_all
	if [ -n "${PUB:-}" ]; then
		chmod -R u+rwx "$PUB" 2>/dev/null
		rm -rf "$PUB"
	fi
}

# row CLASS PATH TEXT: one line of output, the class padded to 10 columns.
row() {
	printf '%-10s%s -> %s' "$1:" "$2" "$3"
}

# listing [DIR]: every name below DIR with its type and link text.
listing() {
	find "${1:-.}" -printf '%p %y %l\n' | LC_ALL=C sort
}

# landings [DIR]: each link below DIR with the device:inode it leads to
# on the host ("dangling" where it leads nowhere).
landings() {
	local l
	find "${1:-.}" -type l -print0 | LC_ALL=C sort -z |
		while IFS= read -r -d '' l; do
			printf '%s %s\n' "$l" \
				"$(stat -L -c '%d:%i' -- "$l" 2>/dev/null || echo dangling)"
		done
}

# in_root ROOT PATH: the host path of what PATH (absolute, ROOT seen as
# "/") leads to, every link followed inside ROOT and ".." stopping at its
# top, as the kernel's RESOLVE_IN_ROOT does; components that are missing
# are kept as they are (realpath -m).  Fails after 40 links (a loop).
in_root() {
	local root=$1 rest=$2 cur= comp text hops=0
	while :; do
		while [ "${rest#/}" != "$rest" ]; do
			rest=${rest#/}
		done
		[ -n "$rest" ] || break
		comp=${rest%%/*}
		if [ "$comp" = "$rest" ]; then
			rest=
		else
			rest=${rest#*/}
		fi
		case $comp in
		.) continue ;;
		..)
			cur=${cur%/*}
			continue
			;;
		esac
		if [ -L "$root$cur/$comp" ]; then
			hops=$((hops + 1))
			[ "$hops" -le 40 ] || return 1
			text=$(readlink -- "$root$cur/$comp")
			case $text in /*) cur= ;; esac
			rest=$text/$rest
		else
			cur=$cur/$comp
		fi
	done
	printf '%s\n' "$root$cur"
}

# root_landings ROOT: each link below ROOT with the device:inode it leads
# to inside ROOT ("dangling" where it leads nowhere there).
root_landings() {
	local l to
	find "$1" -type l | LC_ALL=C sort | while IFS= read -r l; do
		to=$(in_root "$1" "${l#"$1"}") &&
			to=$(stat -c '%d:%i' -- "$to" 2>/dev/null) || to=dangling
		printf '%s %s\n' "$l" "$to"
	done
}

# make_image DIR [PREFIX]: a root filesystem image with a merged /usr
# (lib -> usr/lib, bin -> usr/bin) and links of every kind; absolute
# texts start with PREFIX (empty: the image is their "/"; $PWD/DIR: they
# lead into the image on the host).
make_image() {
	local img=$1 p=${2:-}
	mkdir -p "$img"/usr/bin "$img"/usr/lib "$img"/usr/sbin "$img"/usr/etc \
		"$img"/usr/share/doc "$img"/etc "$img"/opt/app-1.2/bin \
		"$img"/opt/app-1.3/bin
	command ln -s usr/lib "$img/lib"
	command ln -s usr/bin "$img/bin"
	touch "$img"/usr/lib/libc.so.6 "$img"/usr/bin/vim "$img"/etc/passwd \
		"$img"/usr/etc/passwd "$img"/opt/app-1.2/bin/run \
		"$img"/opt/app-1.3/bin/run
	# Absolute links into the image, to files and to directories.
	command ln -s "$p/usr/bin/vim" "$img/usr/bin/vi"
	command ln -s "$p/bin/vim" "$img/usr/sbin/vi"
	command ln -s "$p/lib/libc.so.6" "$img/usr/lib/libc.so"
	command ln -s "$p/etc/passwd" "$img/usr/share/doc/passwd"
	command ln -s "$p/opt/app-1.2/bin/run" "$img/usr/bin/app"
	command ln -s "$p/opt/app-1.2" "$img/opt/current"
	command ln -s "$p/usr/bin" "$img/usr/share/doc/bindir"
	# Through the symlinked lib: /lib/.. is /usr, not / (folding it
	# lexically leads to the other passwd).
	command ln -s ../../lib/libc.so.6 "$img/usr/bin/rellib"
	command ln -s "$p/lib/../etc/passwd" "$img/usr/bin/tricky"
	# Climbing out of the image.
	command ln -s ../../../../etc/passwd "$img/usr/bin/esc"
	command ln -s ../../../etc/passwd "$img/usr/lib/esc"
	# Loops.
	command ln -s loop2 "$img/usr/bin/loop1"
	command ln -s loop1 "$img/usr/bin/loop2"
	# Messy (a//b/./c) and lengthy (../bin/vim in bin, ../x/../x).
	command ln -s ../lib//./libc.so.6 "$img/usr/bin/messy"
	command ln -s ../usr//bin/./vim "$img/etc/editor"
	command ln -s ../bin/vim "$img/usr/bin/lengthy"
	command ln -s ../bin/../bin/vim "$img/usr/bin/lengthy2"
	# Dangling, and a plain relative link.
	command ln -s "$p/usr/bin/nothere" "$img/usr/bin/dang"
	command ln -s vim/x "$img/usr/bin/notdir"
	command ln -s run "$img/opt/app-1.2/bin/start"
}

# --- the classes --------------------------------------------------------

@test "symlinks: lists an absolute link (1)" {
	touch f
	command ln -s "$PWD/f" abs
	run -1 --separate-stderr lb symlinks .
	assert_output_is "$(row absolute "$PWD/abs" "$PWD/f")"
	assert_stderr_is ""
}

@test "symlinks: lists a dangling link (1)" {
	command ln -s nope dang
	run -1 --separate-stderr lb symlinks .
	assert_output_is "$(row dangling "$PWD/dang" nope)"
	assert_stderr_is ""
}

@test "symlinks: a loop is dangling" {
	command ln -s b a
	command ln -s a b
	run -1 --separate-stderr lb symlinks .
	assert_lines_are "$(row dangling "$PWD/a" b)" "$(row dangling "$PWD/b" a)"
	assert_stderr_is ""
}

@test "symlinks: a target through a file is dangling" {
	touch f
	command ln -s f/x nd
	run -1 --separate-stderr lb symlinks .
	assert_output_is "$(row dangling "$PWD/nd" f/x)"
	assert_stderr_is ""
}

@test "symlinks: a relative link is listed only with -v (0)" {
	touch f
	command ln -s f rel
	run -0 --separate-stderr lb symlinks .
	assert_output_is ""
	assert_stderr_is ""
	run -0 --separate-stderr lb symlinks -v .
	assert_output_is "$(row relative "$PWD/rel" f)"
	assert_stderr_is ""
}

@test "symlinks: messy: a doubled slash" {
	mkdir d
	touch d/f
	command ln -s d//f m
	run -1 --separate-stderr lb symlinks .
	assert_output_is "$(row messy "$PWD/m" d//f)"
	assert_stderr_is ""
}

@test "symlinks: messy: a /./ inside" {
	mkdir d
	touch d/f
	command ln -s d/./f m
	run -1 --separate-stderr lb symlinks .
	assert_output_is "$(row messy "$PWD/m" d/./f)"
	assert_stderr_is ""
}

@test "symlinks: messy: a leading ./" {
	touch f
	command ln -s ./f m
	run -1 --separate-stderr lb symlinks .
	assert_output_is "$(row messy "$PWD/m" ./f)"
	assert_stderr_is ""
}

@test "symlinks: messy: an inner x/.." {
	mkdir d e
	touch e/f
	command ln -s d/../e/f m
	run -1 --separate-stderr lb symlinks .
	assert_output_is "$(row messy "$PWD/m" d/../e/f)"
	assert_stderr_is ""
}

@test "symlinks: messy: a trailing slash" {
	mkdir d
	command ln -s d/ m
	run -1 --separate-stderr lb symlinks .
	assert_output_is "$(row messy "$PWD/m" d/)"
	assert_stderr_is ""
}

@test "symlinks: lengthy only with -s: ../bin/vim in bin" {
	mkdir bin
	touch bin/vim
	command ln -s ../bin/vim bin/vi
	run -0 --separate-stderr lb symlinks bin
	assert_output_is ""
	assert_stderr_is ""
	run -1 --separate-stderr lb symlinks -s bin
	assert_output_is "$(row lengthy "$PWD/bin/vi" ../bin/vim)"
	assert_stderr_is ""
}

@test "symlinks: -s: the fewest .. needed is not lengthy" {
	mkdir a b
	touch b/f
	command ln -s ../b/f a/l
	run -0 --separate-stderr lb symlinks -s a
	assert_output_is ""
	assert_stderr_is ""
}

@test "symlinks: other_fs: a link resolving to another filesystem (0)" {
	mkdir tree
	mount_tmpfs tree/mnt
	touch tree/mnt/f
	command ln -s "$PWD/tree/mnt/f" tree/abs
	command ln -s mnt/f tree/rel
	run -0 --separate-stderr lb symlinks tree
	assert_lines_are "$(row other_fs "$PWD/tree/abs" "$PWD/tree/mnt/f")" \
		"$(row other_fs "$PWD/tree/rel" mnt/f)"
	assert_stderr_is ""
}

@test "symlinks: -c leaves an other_fs link alone" {
	mkdir tree
	mount_tmpfs tree/mnt
	touch tree/mnt/f
	command ln -s "$PWD/tree/mnt/f" tree/abs
	run -0 --separate-stderr lb symlinks -c tree
	assert_output_is "$(row other_fs "$PWD/tree/abs" "$PWD/tree/mnt/f")"
	assert_stderr_is ""
	[ "$(readlink tree/abs)" = "$PWD/tree/mnt/f" ]
}

@test "symlinks: -o drops the other_fs class: the link is absolute" {
	mkdir tree
	mount_tmpfs tree/mnt
	touch tree/mnt/f
	command ln -s "$PWD/tree/mnt/f" tree/abs
	command ln -s mnt/f tree/rel
	run -1 --separate-stderr lb symlinks -o tree
	assert_output_is "$(row absolute "$PWD/tree/abs" "$PWD/tree/mnt/f")"
	assert_stderr_is ""
}

@test "symlinks: -o -c converts a link to another filesystem" {
	mkdir tree
	mount_tmpfs tree/mnt
	touch tree/mnt/f
	command ln -s "$PWD/tree/mnt/f" tree/abs
	run -0 --separate-stderr lb symlinks -oc tree
	assert_output_is "$(row absolute "$PWD/tree/abs" "$PWD/tree/mnt/f")
$(row changed "$PWD/tree/abs" mnt/f)"
	assert_stderr_is ""
	[ tree/abs -ef tree/mnt/f ]
}

@test "symlinks: a messy link to another filesystem is messy, not other_fs" {
	mkdir tree
	mount_tmpfs tree/mnt
	touch tree/mnt/f
	command ln -s mnt//f tree/m
	run -1 --separate-stderr lb symlinks tree
	assert_output_is "$(row messy "$PWD/tree/m" mnt//f)"
	assert_stderr_is ""
}

# --- operands and the paths printed ---------------------------------------

@test "symlinks: a relative operand is joined to \$PWD and tidied" {
	mkdir -p a/b
	command ln -s nope a/b/x
	run -1 --separate-stderr lb symlinks ./a//b/../b/
	assert_output_is "$(row dangling "$PWD/a/b/x" nope)"
	assert_stderr_is ""
}

@test "symlinks: an absolute operand is printed tidied" {
	mkdir -p a/b
	command ln -s nope a/b/x
	run -1 --separate-stderr lb symlinks "$PWD/a/./b//"
	assert_output_is "$(row dangling "$PWD/a/b/x" nope)"
	assert_stderr_is ""
}

@test "symlinks: \$PWD names the cwd when it is the same directory" {
	mkdir -p real/d
	command ln -s real via
	command ln -s nope real/d/x
	cd via || return 1
	[ "$PWD" = "$BATS_TEST_TMPDIR/w/via" ]
	run -1 --separate-stderr lb symlinks d
	assert_output_is "$(row dangling "$BATS_TEST_TMPDIR/w/via/d/x" nope)"
	assert_stderr_is ""
}

@test "symlinks: a \$PWD naming another directory is not used" {
	mkdir d
	command ln -s nope d/x
	PWD=/ run -1 --separate-stderr lb symlinks d
	assert_output_is "$(row dangling "$(pwd -P)/d/x" nope)"
	assert_stderr_is ""
}

@test "symlinks: an operand that is a symlink to a directory is followed" {
	mkdir real
	command ln -s nope real/x
	command ln -s real via
	run -1 --separate-stderr lb symlinks via
	assert_output_is "$(row dangling "$PWD/via/x" nope)"
	assert_stderr_is ""
}

@test "symlinks: an operand that is a file is an error (2)" {
	touch f
	run -2 --separate-stderr lb symlinks f
	assert_output_is ""
	assert_stderr_starts "symlinks: 'f': "
	one_line
}

@test "symlinks: an operand that is a symlink to a file is an error (2)" {
	touch f
	command ln -s f l
	run -2 --separate-stderr lb symlinks l
	assert_output_is ""
	assert_stderr_starts "symlinks: 'l': "
}

@test "symlinks: an operand that does not exist is an error (2)" {
	run -2 --separate-stderr lb symlinks nothere
	assert_output_is ""
	assert_stderr_starts "symlinks: 'nothere': "
}

@test "symlinks: one bad operand among good ones: the others are listed" {
	mkdir a b
	command ln -s nope a/x
	command ln -s nope b/y
	run -2 --separate-stderr lb symlinks a nothere b
	assert_output_is "$(row dangling "$PWD/a/x" nope)
$(row dangling "$PWD/b/y" nope)"
	assert_stderr_starts "symlinks: 'nothere': "
}

@test "symlinks: without -r only the top level is listed" {
	mkdir -p d/sub
	command ln -s nope d/top
	command ln -s nope d/sub/deep
	run -1 --separate-stderr lb symlinks d
	assert_output_is "$(row dangling "$PWD/d/top" nope)"
	assert_stderr_is ""
}

@test "symlinks: without -r a DIR inside another DIR is listed too (fixed)" {
	mkdir sub
	command ln -s nope sub/x
	command ln -s nope y
	run -1 --separate-stderr lb symlinks . sub
	assert_output_is "$(row dangling "$PWD/y" nope)
$(row dangling "$PWD/sub/x" nope)"
	assert_stderr_is ""
}

@test "symlinks: with -r a DIR inside another DIR is walked once" {
	mkdir sub
	command ln -s nope sub/x
	run -1 --separate-stderr lb symlinks -r . sub
	assert_output_is "$(row dangling "$PWD/sub/x" nope)"
	assert_stderr_is ""
}

@test "symlinks: -r lists the links in subdirectories" {
	mkdir -p d/sub/subsub
	command ln -s nope d/top
	command ln -s nope d/sub/subsub/deep
	run -1 --separate-stderr lb symlinks -r d
	assert_lines_are "$(row dangling "$PWD/d/top" nope)" \
		"$(row dangling "$PWD/d/sub/subsub/deep" nope)"
	assert_stderr_is ""
}

@test "symlinks: -r never follows a symlinked directory" {
	mkdir -p d out
	command ln -s nope out/x
	command ln -s ../out d/rel
	command ln -s "$PWD/out" d/abs
	run -1 --separate-stderr lb symlinks -r d
	assert_output_is "$(row absolute "$PWD/d/abs" "$PWD/out")"
	assert_stderr_is ""
}

@test "symlinks: -r stays on the operand's filesystem" {
	mkdir tree
	mount_tmpfs tree/mnt
	command ln -s nope tree/mnt/inner
	command ln -s nope tree/outer
	run -1 --separate-stderr lb symlinks -r tree
	assert_output_is "$(row dangling "$PWD/tree/outer" nope)"
	assert_stderr_is ""
}

@test "symlinks: -r -o still stays on the operand's filesystem" {
	mkdir tree
	mount_tmpfs tree/mnt
	command ln -s nope tree/mnt/inner
	command ln -s nope tree/outer
	run -1 --separate-stderr lb symlinks -ro tree
	assert_output_is "$(row dangling "$PWD/tree/outer" nope)"
	assert_stderr_is ""
}

@test "symlinks: a mounted directory given as an operand is walked" {
	mkdir tree
	mount_tmpfs tree/mnt
	command ln -s nope tree/mnt/inner
	run -1 --separate-stderr lb symlinks -r tree/mnt
	assert_output_is "$(row dangling "$PWD/tree/mnt/inner" nope)"
	assert_stderr_is ""
}

@test "symlinks: several operands in the order given" {
	mkdir one two
	command ln -s nope one/x
	command ln -s nope two/y
	run -1 --separate-stderr lb symlinks two one
	assert_output_is "$(row dangling "$PWD/two/y" nope)
$(row dangling "$PWD/one/x" nope)"
	assert_stderr_is ""
}

@test "symlinks: options apply to every operand, before or after it" {
	mkdir one two
	touch one/f two/f
	command ln -s f one/x
	command ln -s f two/y
	run -0 --separate-stderr lb symlinks one -v two
	assert_output_is "$(row relative "$PWD/one/x" f)
$(row relative "$PWD/two/y" f)"
	assert_stderr_is ""
}

@test "symlinks: -- ends the options: an operand with a leading dash" {
	mkdir -- -d
	command ln -s nope -- -d/x
	run -1 --separate-stderr lb symlinks -- -d
	assert_output_is "$(row dangling "$PWD/-d/x" nope)"
	assert_stderr_is ""
}

@test "symlinks: names with spaces, a newline and a leading dash" {
	touch f
	command ln -s "$PWD/f" ' s p'
	command ln -s "$PWD/f" $'new\nline'
	command ln -s "$PWD/f" -- -dash
	run -0 --separate-stderr lb symlinks -c .
	assert_lines_are "$(row absolute "$PWD/ s p" "$PWD/f")" \
		"$(row changed "$PWD/ s p" f)" \
		"$(row absolute "$PWD/-dash" "$PWD/f")" \
		"$(row changed "$PWD/-dash" f)" \
		"$(printf '%-10s%s' absolute: "$PWD/new")" "line -> $PWD/f" \
		"$(printf '%-10s%s' changed: "$PWD/new")" "line -> f"
	assert_stderr_is ""
	[ "$(readlink ' s p')" = f ] && [ "$(readlink -- -dash)" = f ] &&
		[ "$(readlink $'new\nline')" = f ]
}

@test "symlinks: -0 ends each line with NUL" {
	touch f
	command ln -s "$PWD/f" abs
	run -0 --separate-stderr to_file out lb symlinks -0 -c .
	assert_stderr_is ""
	printf '%s\0%s\0' "$(row absolute "$PWD/abs" "$PWD/f")" \
		"$(row changed "$PWD/abs" f)" >want
	cmp out want
}

@test "symlinks: --null is -0" {
	command ln -s nope x
	run -1 --separate-stderr to_file out lb symlinks --null .
	assert_stderr_is ""
	printf '%s\0' "$(row dangling "$PWD/x" nope)" >want
	cmp out want
}

@test "symlinks: an empty directory: nothing, 0" {
	run -0 --separate-stderr lb symlinks .
	assert_output_is ""
	assert_stderr_is ""
}

@test "symlinks: an unreadable directory is reported (2), the rest listed" {
	need_unpriv
	mkdir locked
	command ln -s nope locked/hidden
	chmod 700 locked
	[ "$(id -u)" -eq 0 ] || chmod 000 locked
	command ln -s nope x
	run -2 --separate-stderr lb_unpriv symlinks -r .
	assert_output_is "$(row dangling "$PWD/x" nope)"
	assert_stderr_starts "symlinks: cannot read directory './locked': "
	one_line
}

@test "symlinks: an unreadable DIR operand is trouble (2)" {
	need_unpriv
	mkdir locked
	command ln -s nope locked/hidden
	chmod 700 locked
	[ "$(id -u)" -eq 0 ] || chmod 000 locked
	run -2 --separate-stderr lb_unpriv symlinks locked
	assert_output_is ""
	# The operand is named as walked, with a slash added (see the report).
	assert_stderr_starts "symlinks: cannot read directory 'locked/': "
}

@test "symlinks: -r: a loop of directory links does not hang" {
	mkdir -p a/b
	command ln -s .. a/b/up
	command ln -s . a/self
	command ln -s nope a/b/x
	run -1 --separate-stderr timeout 20 "$LB_BIN/symlinks" -r a
	assert_output_is "$(row dangling "$PWD/a/b/x" nope)"
	assert_stderr_is ""
}

# --- -c ---------------------------------------------------------------------

@test "symlinks: -c makes an absolute link relative" {
	mkdir -p a/b c
	touch c/f
	command ln -s "$PWD/c/f" a/b/l
	before=$(stat -L -c %d:%i a/b/l)
	run -0 --separate-stderr lb symlinks -c a/b
	assert_output_is "$(row absolute "$PWD/a/b/l" "$PWD/c/f")
$(row changed "$PWD/a/b/l" ../../c/f)"
	assert_stderr_is ""
	[ "$(readlink a/b/l)" = ../../c/f ]
	[ "$(stat -L -c %d:%i a/b/l)" = "$before" ]
}

@test "symlinks: -c cleans a messy link" {
	mkdir d
	touch d/f
	command ln -s .//d/./f m
	run -0 --separate-stderr lb symlinks -c .
	assert_output_is "$(row messy "$PWD/m" .//d/./f)
$(row changed "$PWD/m" d/f)"
	assert_stderr_is ""
	[ "$(readlink m)" = d/f ] && [ m -ef d/f ]
}

@test "symlinks: -c removes a trailing slash" {
	mkdir d
	command ln -s d/ m
	run -0 --separate-stderr lb symlinks -c .
	assert_stderr_is ""
	assert_output_is "$(row messy "$PWD/m" d/)
$(row changed "$PWD/m" d)"
	[ "$(readlink m)" = d ]
}

@test "symlinks: -c leaves a lengthy link alone without -s" {
	mkdir bin
	touch bin/vim
	command ln -s ../bin/vim bin/vi
	run -0 --separate-stderr lb symlinks -c bin
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink bin/vi)" = ../bin/vim ]
}

@test "symlinks: -c -s shortens a lengthy link" {
	mkdir bin
	touch bin/vim
	command ln -s ../bin/vim bin/vi
	run -0 --separate-stderr lb symlinks -cs bin
	assert_output_is "$(row lengthy "$PWD/bin/vi" ../bin/vim)
$(row changed "$PWD/bin/vi" vim)"
	assert_stderr_is ""
	[ "$(readlink bin/vi)" = vim ] && [ bin/vi -ef bin/vim ]
}

@test "symlinks: -c leaves a dangling absolute link alone" {
	command ln -s "$PWD/nope" abs
	run -1 --separate-stderr lb symlinks -c .
	assert_output_is "$(row dangling "$PWD/abs" "$PWD/nope")"
	assert_stderr_is ""
	[ "$(readlink abs)" = "$PWD/nope" ]
}

@test "symlinks: -c reaches the link's own directory from its parent" {
	mkdir d
	command ln -s "$PWD/d" d/self
	run -0 --separate-stderr lb symlinks -c d
	assert_stderr_is ""
	assert_output_is "$(row absolute "$PWD/d/self" "$PWD/d")
$(row changed "$PWD/d/self" ../d)"
	[ d/self -ef d ]
}

@test "symlinks: -c reaches an ancestor from its parent" {
	mkdir d
	command ln -s "$PWD" d/up
	run -0 --separate-stderr lb symlinks -c d
	assert_stderr_is ""
	assert_output_is "$(row absolute "$PWD/d/up" "$PWD")
$(row changed "$PWD/d/up" ../../w)"
	[ d/up -ef . ]
}

@test "symlinks: -c reaches a subdirectory directly" {
	mkdir -p d/e
	command ln -s "$PWD/d/e" d/child
	run -0 --separate-stderr lb symlinks -c d
	assert_stderr_is ""
	assert_output_is "$(row absolute "$PWD/d/child" "$PWD/d/e")
$(row changed "$PWD/d/child" e)"
	[ d/child -ef d/e ]
}

@test "symlinks: -c computes from the real directory, not \$PWD's symlink" {
	mkdir -p real/sub
	touch real/f
	command ln -s real via
	command ln -s "$PWD/real/f" real/sub/abs
	cd via/sub || return 1
	# symlinks(8) makes it ../../real/f from $PWD's spelling.
	run -0 --separate-stderr lb symlinks -c .
	assert_output_is "$(row absolute "$PWD/abs" "$BATS_TEST_TMPDIR/w/real/f")
$(row changed "$PWD/abs" ../f)"
	assert_stderr_is ""
	[ "$(readlink abs)" = ../f ] && [ abs -ef ../f ]
}

@test "symlinks: -c leaves alone a new text that would lead elsewhere (1)" {
	mkdir -p usr/lib usr/etc etc d
	command ln -s usr/lib lib
	echo host >etc/passwd
	echo usr >usr/etc/passwd
	# lib/.. is usr: lexically this is ../etc/passwd, really usr/etc/passwd.
	command ln -s "$PWD/lib/../etc/passwd" d/tricky
	run -1 --separate-stderr lb symlinks -c d
	assert_output_is "$(row absolute "$PWD/d/tricky" "$PWD/lib/../etc/passwd")"
	assert_stderr_is "symlinks: '$PWD/d/tricky': '../etc/passwd' would not lead to what '$PWD/lib/../etc/passwd' leads to; left alone"
	[ "$(readlink d/tricky)" = "$PWD/lib/../etc/passwd" ]
}

@test "symlinks: -c leaves alone a messy text whose cleaning leads nowhere (1)" {
	mkdir -p a/b
	touch a/f
	command ln -s a/b sub
	# sub/.. is a: sub/../f is a/f; cleaned lexically, f is missing.
	command ln -s sub/../f m
	run -1 --separate-stderr lb symlinks -c .
	assert_output_is "$(row messy "$PWD/m" sub/../f)"
	assert_stderr_is "symlinks: '$PWD/m': 'f' would not lead to what 'sub/../f' leads to; left alone"
	[ "$(readlink m)" = sub/../f ]
}

@test "symlinks: -c in a directory it may not write: reported, left, 1" {
	need_unpriv
	touch f
	command ln -s "$PWD/f" abs
	run -1 --separate-stderr lb_unpriv symlinks -c .
	assert_output_is "$(row absolute "$PWD/abs" "$PWD/f")"
	assert_stderr_starts "symlinks: cannot make the new link for './abs': "
	one_line
	[ "$(readlink abs)" = "$PWD/f" ]
	[ -z "$(find . -name '.*.symlinks.*')" ]
}

@test "symlinks: -c replaces by a new link: the old inode is gone" {
	touch f
	command ln -s "$PWD/f" abs
	old=$(inode abs)
	run -0 --separate-stderr lb symlinks -c .
	assert_stderr_is ""
	[ "$(inode abs)" != "$old" ]
	[ "$(readlink abs)" = f ]
}

@test "symlinks: -c leaves no temporary names" {
	local i
	touch f
	for i in $(seq 50); do
		command ln -s "$PWD/f" "abs$i"
		command ln -s .//f "messy$i"
	done
	run -0 --separate-stderr lb symlinks -c .
	assert_stderr_is ""
	[ "${#lines[@]}" -eq 200 ]
	[ -z "$(find . -name '.*.symlinks.*')" ]
	no_temps .
	[ "$(find . -type l | wc -l)" -eq 100 ]
}

@test "symlinks: exit status 0 after -c fixed everything" {
	touch f
	command ln -s "$PWD/f" abs
	run -0 --separate-stderr lb symlinks -c .
	assert_stderr_is ""
	run -0 --separate-stderr lb symlinks .
	assert_stderr_is ""
	assert_output_is ""
}

# --- -t ---------------------------------------------------------------------

@test "symlinks: -t says what -c would do and changes nothing" {
	local before
	make_image img "$PWD/img"
	before=$(listing)
	run -1 --separate-stderr lb symlinks -rst img
	[ "$(listing)" = "$before" ]
	assert_stderr_is "symlinks: '$PWD/img/usr/bin/tricky': '../../etc/passwd' would not lead to what '$PWD/img/lib/../etc/passwd' leads to; left alone"
	[[ $output == *"$(row changed "$PWD/img/usr/bin/vi" vim)"* ]]
}

@test "symlinks: -t alone is -c -t: the changed lines, nothing changed" {
	touch f
	command ln -s "$PWD/f" abs
	run -1 --separate-stderr lb symlinks -t .
	assert_output_is "$(row absolute "$PWD/abs" "$PWD/f")
$(row changed "$PWD/abs" f)"
	assert_stderr_is ""
	[ "$(readlink abs)" = "$PWD/f" ]
}

@test "symlinks: -d -t says what -d would delete and deletes nothing" {
	command ln -s nope miss
	run -1 --separate-stderr lb symlinks -d -t .
	assert_output_is "$(row dangling "$PWD/miss" nope)
$(row deleted "$PWD/miss" nope)"
	assert_stderr_is ""
	[ -L miss ]
}

@test "symlinks: -t exits 1 while links -c would change are left (fixed)" {
	touch f
	command ln -s .//f m
	run -1 --separate-stderr lb symlinks -t .
	assert_stderr_is ""
	run -1 --separate-stderr lb symlinks -ct .
	assert_stderr_is ""
	assert_output_is "$(row messy "$PWD/m" .//f)
$(row changed "$PWD/m" f)"
	[ "$(readlink m)" = .//f ]
}

@test "symlinks: -t with nothing to change exits 0" {
	touch f
	command ln -s f rel
	run -0 --separate-stderr lb symlinks -dt .
	assert_output_is ""
	assert_stderr_is ""
}

# --- -d ---------------------------------------------------------------------

@test "symlinks: -d deletes a link whose target is missing (0)" {
	command ln -s nope miss
	run -0 --separate-stderr lb symlinks -d .
	assert_output_is "$(row dangling "$PWD/miss" nope)
$(row deleted "$PWD/miss" nope)"
	assert_stderr_is ""
	[ ! -L miss ]
}

@test "symlinks: -d deletes a link through a file (notdir)" {
	touch f
	command ln -s f/x nd
	run -0 --separate-stderr lb symlinks -d .
	assert_stderr_is ""
	assert_output_is "$(row dangling "$PWD/nd" f/x)
$(row deleted "$PWD/nd" f/x)"
	[ ! -L nd ]
}

@test "symlinks: -d keeps a loop (1)" {
	command ln -s lp lp
	run -1 --separate-stderr lb symlinks -d .
	assert_output_is "$(row dangling "$PWD/lp" lp)"
	assert_stderr_is ""
	[ -L lp ]
}

@test "symlinks: -d keeps a link it cannot follow for permission (1)" {
	need_unpriv
	mkdir ../priv
	chmod 700 ../priv
	command ln -s ../priv/gone den
	[ "$(id -u)" -eq 0 ] || chmod 000 ../priv
	chmod 777 .
	run -1 --separate-stderr lb_unpriv symlinks -d .
	assert_output_is "$(row dangling "$PWD/den" ../priv/gone)"
	assert_stderr_is ""
	[ -L den ]
}

@test "symlinks: -d keeps every link that resolves" {
	touch f
	mkdir d
	command ln -s nope miss
	command ln -s f ok
	command ln -s d okd
	command ln -s "$PWD/f" abs
	run -1 --separate-stderr lb symlinks -d .
	assert_stderr_is ""
	assert_lines_are "$(row dangling "$PWD/miss" nope)" \
		"$(row deleted "$PWD/miss" nope)" \
		"$(row absolute "$PWD/abs" "$PWD/f")"
	run ls -A
	assert_output_is $'abs\nd\nf\nok\nokd'
}

@test "symlinks: -d leaves no temporary names" {
	local i
	for i in $(seq 50); do
		command ln -s nope "x$i"
	done
	run -0 --separate-stderr lb symlinks -d .
	assert_stderr_is ""
	run ls -A
	assert_output_is ""
}

# --- --root -----------------------------------------------------------------

@test "symlinks: --root: an absolute link inside the image is not dangling" {
	[ -e /usr/bin/linkbox-symlinks-test ] && skip "host has it"
	mkdir -p img/usr/bin
	touch img/usr/bin/linkbox-symlinks-test
	command ln -s /usr/bin/linkbox-symlinks-test img/usr/bin/t
	run -1 --separate-stderr lb symlinks img/usr/bin
	assert_output_is "$(row dangling "$PWD/img/usr/bin/t" /usr/bin/linkbox-symlinks-test)"
	run -1 --separate-stderr lb symlinks --root img img/usr/bin
	assert_output_is "$(row absolute "$PWD/img/usr/bin/t" /usr/bin/linkbox-symlinks-test)"
	assert_stderr_is ""
}

@test "symlinks: --root -c makes an absolute link relative inside the image" {
	mkdir -p img/usr/bin img/etc
	touch img/etc/passwd
	command ln -s /etc/passwd img/usr/bin/pw
	run -0 --separate-stderr lb symlinks -c --root img img/usr/bin
	assert_output_is "$(row absolute "$PWD/img/usr/bin/pw" /etc/passwd)
$(row changed "$PWD/img/usr/bin/pw" ../../etc/passwd)"
	assert_stderr_is ""
	[ img/usr/bin/pw -ef img/etc/passwd ]
}

@test "symlinks: --root: a relative link climbing above the root is messy" {
	mkdir -p img/usr/bin img/etc
	touch img/etc/passwd
	command ln -s ../../../etc/passwd img/usr/bin/esc
	run -1 --separate-stderr lb symlinks --root img img/usr/bin
	assert_output_is "$(row messy "$PWD/img/usr/bin/esc" ../../../etc/passwd)"
	assert_stderr_is ""
	run -0 --separate-stderr lb symlinks -c --root img img/usr/bin
	assert_output_is "$(row messy "$PWD/img/usr/bin/esc" ../../../etc/passwd)
$(row changed "$PWD/img/usr/bin/esc" ../../etc/passwd)"
	[ img/usr/bin/esc -ef img/etc/passwd ]
}

@test "symlinks: --root: '..' never reaches a file above the image" {
	mkdir -p etc img/usr/bin
	touch etc/passwd
	command ln -s ../../../etc/passwd img/usr/bin/esc
	run -0 --separate-stderr lb symlinks -v img/usr/bin
	assert_output_is "$(row relative "$PWD/img/usr/bin/esc" ../../../etc/passwd)"
	run -1 --separate-stderr lb symlinks --root img img/usr/bin
	assert_output_is "$(row dangling "$PWD/img/usr/bin/esc" ../../../etc/passwd)"
	assert_stderr_is ""
}

@test "symlinks: --root -v lists relative links that stay inside" {
	mkdir -p img/usr/bin img/etc
	touch img/etc/passwd
	command ln -s ../../etc/passwd img/usr/bin/pw
	run -0 --separate-stderr lb symlinks -v --root img img/usr/bin
	assert_output_is "$(row relative "$PWD/img/usr/bin/pw" ../../etc/passwd)"
	assert_stderr_is ""
}

@test "symlinks: --root: an operand outside the root is an error (2)" {
	mkdir img other
	command ln -s nope other/x
	command ln -s nope img/y
	run -2 --separate-stderr lb symlinks --root img other img
	assert_output_is "$(row dangling "$PWD/img/y" nope)"
	# The operand is named as walked, with a slash added (see the report).
	assert_stderr_is "symlinks: 'other/' is not inside the root 'img'"
}

@test "symlinks: --root DIR that does not exist is an error (2)" {
	mkdir d
	run -2 --separate-stderr lb symlinks --root nothere d
	assert_output_is ""
	assert_stderr_starts "symlinks: 'nothere': "
}

@test "symlinks: -d --root deletes a link missing in the image only" {
	[ -e /etc/passwd ] || skip "host has no /etc/passwd"
	mkdir -p img/etc img/lib
	touch img/lib/x
	command ln -s /etc/passwd img/etc/pw
	command ln -s /lib/x img/etc/x
	run -1 --separate-stderr lb symlinks -d --root img img/etc
	assert_lines_are "$(row dangling "$PWD/img/etc/pw" /etc/passwd)" \
		"$(row deleted "$PWD/img/etc/pw" /etc/passwd)" \
		"$(row absolute "$PWD/img/etc/x" /lib/x)"
	assert_stderr_is ""
	[ ! -L img/etc/pw ] && [ -L img/etc/x ]
}

@test "symlinks: --root -rcs: every link of an image leads where it led" {
	local before
	make_image img
	before=$(root_landings img)
	run -1 --separate-stderr lb symlinks -rcs --root img img
	assert_stderr_is "symlinks: '$PWD/img/usr/bin/tricky': '../../etc/passwd' would not lead to what '/lib/../etc/passwd' leads to; left alone"
	[ "$(root_landings img)" = "$before" ]
	# The links now lead there from the host too: none leaves the image.
	local l
	while IFS= read -r l; do
		case $(readlink "$l") in
		/*) [ "${l##*/}" = tricky ] || [ "${l##*/}" = dang ] ;;
		*)
			[ "$(stat -L -c %d:%i "$l" 2>/dev/null || echo dangling)" = \
				"$(stat -c %d:%i "$(in_root img "${l#img}")" 2>/dev/null ||
					echo dangling)" ]
			;;
		esac
	done < <(find img -type l)
}

@test "symlinks: --root -rcs: the lines for an image" {
	local im=$PWD/img
	make_image img
	run -1 --separate-stderr lb symlinks -rcs --root img img
	assert_lines_are \
		"$(row messy "$im/etc/editor" ../usr//bin/./vim)" \
		"$(row changed "$im/etc/editor" ../usr/bin/vim)" \
		"$(row absolute "$im/usr/share/doc/bindir" /usr/bin)" \
		"$(row changed "$im/usr/share/doc/bindir" ../../bin)" \
		"$(row absolute "$im/usr/share/doc/passwd" /etc/passwd)" \
		"$(row changed "$im/usr/share/doc/passwd" ../../../etc/passwd)" \
		"$(row absolute "$im/usr/sbin/vi" /bin/vim)" \
		"$(row changed "$im/usr/sbin/vi" ../../bin/vim)" \
		"$(row messy "$im/usr/lib/esc" ../../../etc/passwd)" \
		"$(row changed "$im/usr/lib/esc" ../../etc/passwd)" \
		"$(row absolute "$im/usr/lib/libc.so" /lib/libc.so.6)" \
		"$(row changed "$im/usr/lib/libc.so" ../../lib/libc.so.6)" \
		"$(row messy "$im/usr/bin/lengthy2" ../bin/../bin/vim)" \
		"$(row changed "$im/usr/bin/lengthy2" vim)" \
		"$(row dangling "$im/usr/bin/dang" /usr/bin/nothere)" \
		"$(row dangling "$im/usr/bin/loop1" loop2)" \
		"$(row dangling "$im/usr/bin/loop2" loop1)" \
		"$(row dangling "$im/usr/bin/notdir" vim/x)" \
		"$(row absolute "$im/usr/bin/app" /opt/app-1.2/bin/run)" \
		"$(row changed "$im/usr/bin/app" ../../opt/app-1.2/bin/run)" \
		"$(row absolute "$im/usr/bin/vi" /usr/bin/vim)" \
		"$(row changed "$im/usr/bin/vi" vim)" \
		"$(row messy "$im/usr/bin/messy" ../lib//./libc.so.6)" \
		"$(row changed "$im/usr/bin/messy" ../lib/libc.so.6)" \
		"$(row messy "$im/usr/bin/esc" ../../../../etc/passwd)" \
		"$(row changed "$im/usr/bin/esc" ../../etc/passwd)" \
		"$(row lengthy "$im/usr/bin/lengthy" ../bin/vim)" \
		"$(row changed "$im/usr/bin/lengthy" vim)" \
		"$(row absolute "$im/usr/bin/tricky" /lib/../etc/passwd)" \
		"$(row absolute "$im/opt/current" /opt/app-1.2)" \
		"$(row changed "$im/opt/current" app-1.2)"
	assert_stderr_is "symlinks: '$im/usr/bin/tricky': '../../etc/passwd' would not lead to what '/lib/../etc/passwd' leads to; left alone"
}

@test "symlinks: -rcs without --root: every link leads where it led" {
	local before
	make_image img "$PWD/img"
	before=$(landings img)
	run -1 --separate-stderr lb symlinks -rcs img
	assert_stderr_is "symlinks: '$PWD/img/usr/bin/tricky': '../../etc/passwd' would not lead to what '$PWD/img/lib/../etc/passwd' leads to; left alone"
	[ "$(landings img)" = "$before" ]
	[ -z "$(find img -type l -lname '/*' ! -name tricky ! -name dang)" ]
}

@test "symlinks: a second -rcs --root finds only what it cannot fix" {
	local im=$PWD/img
	make_image img
	run -1 --separate-stderr lb symlinks -rcs --root img img
	run -1 --separate-stderr lb symlinks -rs --root img img
	assert_lines_are \
		"$(row dangling "$im/usr/bin/dang" /usr/bin/nothere)" \
		"$(row dangling "$im/usr/bin/loop1" loop2)" \
		"$(row dangling "$im/usr/bin/loop2" loop1)" \
		"$(row dangling "$im/usr/bin/notdir" vim/x)" \
		"$(row absolute "$im/usr/bin/tricky" /lib/../etc/passwd)"
	assert_stderr_is ""
}

# --- --absolute -------------------------------------------------------------

@test "symlinks: --absolute -c makes a relative link absolute" {
	mkdir x
	touch f
	command ln -s ../f x/rel
	run -0 --separate-stderr lb symlinks -c --absolute x
	assert_output_is "$(row relative "$PWD/x/rel" ../f)
$(row changed "$PWD/x/rel" "$(pwd -P)/f")"
	assert_stderr_is ""
	[ "$(readlink x/rel)" = "$(pwd -P)/f" ] && [ x/rel -ef f ]
}

@test "symlinks: --absolute leaves absolute links as they are (0)" {
	touch f
	command ln -s "$PWD/f" abs
	run -0 --separate-stderr lb symlinks -c --absolute .
	assert_output_is "$(row absolute "$PWD/abs" "$PWD/f")"
	assert_stderr_is ""
	[ "$(readlink abs)" = "$PWD/f" ]
}

@test "symlinks: --root --absolute: every link leads where it led, inside" {
	local before
	make_image img
	before=$(root_landings img)
	run -1 --separate-stderr lb symlinks -rc --absolute --root img img
	assert_stderr_is ""
	[ "$(root_landings img)" = "$before" ]
	[ "$(readlink img/usr/bin/rellib)" = /lib/libc.so.6 ]
	[ "$(readlink img/usr/bin/esc)" = /etc/passwd ]
	[ "$(readlink img/lib)" = /usr/lib ]
	[ "$(readlink img/usr/bin/notdir)" = vim/x ]
	[ -z "$(find img -type l ! -lname '/*' ! -name 'loop?' ! -name notdir)" ]
}

@test "symlinks: --absolute without --root: every link leads where it led" {
	local before
	make_image img "$PWD/img"
	before=$(landings img)
	run -1 --separate-stderr lb symlinks -rc --absolute img
	assert_stderr_is ""
	[ "$(landings img)" = "$before" ]
}

@test "symlinks: --absolute leaves alone a text that would lead elsewhere" {
	mkdir -p a/b d
	touch a/f f
	command ln -s a/b sub
	command ln -s ../sub/../f d/m
	run -1 --separate-stderr lb symlinks -c --absolute d
	assert_output_is "$(row relative "$PWD/d/m" ../sub/../f)"
	assert_stderr_is "symlinks: '$PWD/d/m': '$(pwd -P)/f' would not lead to what '../sub/../f' leads to; left alone"
	[ "$(readlink d/m)" = ../sub/../f ]
}

# --- --rewrite --------------------------------------------------------------

@test "symlinks: --rewrite retargets texts below the directory OLD" {
	local before
	make_image img
	run -1 --separate-stderr lb symlinks -rc --root img \
		--rewrite=/opt/app-1.2=/opt/app-1.3 img/usr/bin img/opt
	assert_lines_are \
		"$(row dangling "$PWD/img/usr/bin/dang" /usr/bin/nothere)" \
		"$(row dangling "$PWD/img/usr/bin/loop1" loop2)" \
		"$(row dangling "$PWD/img/usr/bin/loop2" loop1)" \
		"$(row dangling "$PWD/img/usr/bin/notdir" vim/x)" \
		"$(row absolute "$PWD/img/usr/bin/app" /opt/app-1.2/bin/run)" \
		"$(row changed "$PWD/img/usr/bin/app" /opt/app-1.3/bin/run)" \
		"$(row absolute "$PWD/img/usr/bin/vi" /usr/bin/vim)" \
		"$(row absolute "$PWD/img/usr/bin/tricky" /lib/../etc/passwd)" \
		"$(row absolute "$PWD/img/opt/current" /opt/app-1.2)" \
		"$(row changed "$PWD/img/opt/current" /opt/app-1.3)"
	assert_stderr_is ""
	[ "$(readlink img/usr/bin/app)" = /opt/app-1.3/bin/run ]
	[ "$(readlink img/opt/current)" = /opt/app-1.3 ]
	[ "$(in_root img /usr/bin/app)" = img/opt/app-1.3/bin/run ]
}

@test "symlinks: --rewrite leaves texts that only start like OLD" {
	mkdir -p img/opt/app-1.2x img/opt/app-1.3 img/l
	command ln -s /opt/app-1.2x img/l/x
	# Absolute links are what --rewrite works on: not to be fixed (0).
	run -0 --separate-stderr lb symlinks -c --root img \
		--rewrite=/opt/app-1.2=/opt/app-1.3 img/l
	assert_output_is "$(row absolute "$PWD/img/l/x" /opt/app-1.2x)"
	assert_stderr_is ""
	[ "$(readlink img/l/x)" = /opt/app-1.2x ]
}

@test "symlinks: --rewrite leaves a link whose new target is missing (1)" {
	mkdir -p img/opt/app-1.2/bin img/opt/app-1.3/bin img/l
	touch img/opt/app-1.2/bin/only12
	command ln -s /opt/app-1.2/bin/only12 img/l/x
	run -1 --separate-stderr lb symlinks -c --root img \
		--rewrite=/opt/app-1.2=/opt/app-1.3 img/l
	assert_output_is "$(row absolute "$PWD/img/l/x" /opt/app-1.2/bin/only12)"
	assert_stderr_is "symlinks: '$PWD/img/l/x': '/opt/app-1.3/bin/only12': No such file or directory"
	[ "$(readlink img/l/x)" = /opt/app-1.2/bin/only12 ]
}

@test "symlinks: --rewrite retargets dangling links into a moved tree, -d spares them" {
	mkdir -p img/opt/app-1.3/bin img/l
	touch img/opt/app-1.3/bin/run
	command ln -s /opt/app-1.2/bin/run img/l/run
	command ln -s /opt/app-1.2/bin/gone img/l/gone
	command ln -s /elsewhere img/l/other
	run -1 --separate-stderr lb symlinks -cd --root img \
		--rewrite=/opt/app-1.2=/opt/app-1.3 img/l
	assert_lines_are \
		"$(row dangling "$PWD/img/l/gone" /opt/app-1.2/bin/gone)" \
		"$(row dangling "$PWD/img/l/other" /elsewhere)" \
		"$(row deleted "$PWD/img/l/other" /elsewhere)" \
		"$(row dangling "$PWD/img/l/run" /opt/app-1.2/bin/run)" \
		"$(row changed "$PWD/img/l/run" /opt/app-1.3/bin/run)"
	assert_stderr_is "symlinks: '$PWD/img/l/gone': '/opt/app-1.3/bin/gone': No such file or directory"
	[ "$(readlink img/l/run)" = /opt/app-1.3/bin/run ]
	[ "$(readlink img/l/gone)" = /opt/app-1.2/bin/gone ]
	[ ! -L img/l/other ]
	[ "$(in_root img /l/run)" = img/opt/app-1.3/bin/run ]
}

@test "symlinks: --rewrite: OLD and NEW with a trailing slash (fixed)" {
	mkdir -p img/opt/a1 img/opt/a2 img/l
	touch img/opt/a1/f img/opt/a2/f
	command ln -s /opt/a1/f img/l/x
	command ln -s /opt/a1 img/l/d
	run -0 --separate-stderr lb symlinks -c --root img \
		--rewrite=/opt/a1/=/opt/a2/ img/l
	assert_lines_are "$(row absolute "$PWD/img/l/x" /opt/a1/f)" \
		"$(row changed "$PWD/img/l/x" /opt/a2/f)" \
		"$(row absolute "$PWD/img/l/d" /opt/a1)" \
		"$(row changed "$PWD/img/l/d" /opt/a2)"
	assert_stderr_is ""
	[ "$(readlink img/l/x)" = /opt/a2/f ] && [ "$(readlink img/l/d)" = /opt/a2 ]
}

@test "symlinks: --rewrite of relative texts" {
	mkdir -p v1 v2 d
	touch v1/f v2/f
	command ln -s ../v1/f d/x
	run -0 --separate-stderr lb symlinks -c --rewrite=../v1=../v2 d
	assert_output_is "$(row relative "$PWD/d/x" ../v1/f)
$(row changed "$PWD/d/x" ../v2/f)"
	assert_stderr_is ""
	[ d/x -ef v2/f ]
}

@test "symlinks: --rewrite with -t changes nothing" {
	local before
	make_image img
	before=$(listing)
	run -1 --separate-stderr lb symlinks -rt --root img \
		--rewrite=/opt/app-1.2=/opt/app-1.3 img/opt
	assert_output_is "$(row absolute "$PWD/img/opt/current" /opt/app-1.2)
$(row changed "$PWD/img/opt/current" /opt/app-1.3)"
	[ "$(listing)" = "$before" ]
}

# --- usage ------------------------------------------------------------------

@test "symlinks: no operand is a usage error (2)" {
	run -2 --separate-stderr lb symlinks -r
	assert_output_is ""
	assert_stderr_is "$(usage_error "missing operand")"
}

@test "symlinks: --absolute without -c is a usage error (2)" {
	touch f
	command ln -s f rel
	run -2 --separate-stderr lb symlinks --absolute .
	assert_output_is ""
	assert_stderr_is "$(usage_error "--absolute goes with -c or -t")"
	[ "$(readlink rel)" = f ]
}

@test "symlinks: --rewrite without -c is a usage error (2)" {
	run -2 --separate-stderr lb symlinks --rewrite=/a=/b .
	assert_output_is ""
	assert_stderr_is "$(usage_error "--rewrite goes with -c or -t")"
}

@test "symlinks: --rewrite without = is a usage error (2)" {
	run -2 --separate-stderr lb symlinks -c --rewrite=/a .
	assert_output_is ""
	assert_stderr_is "$(usage_error "--rewrite takes OLD=NEW: '/a'")"
}

@test "symlinks: --rewrite with an empty OLD or NEW is a usage error (2)" {
	run -2 --separate-stderr lb symlinks -c --rewrite==/b .
	assert_stderr_is "$(usage_error "--rewrite takes OLD=NEW: '=/b'")"
	run -2 --separate-stderr lb symlinks -c --rewrite=/a= .
	assert_stderr_is "$(usage_error "--rewrite takes OLD=NEW: '/a='")"
}

@test "symlinks: --absolute with --rewrite is a usage error (2)" {
	run -2 --separate-stderr lb symlinks -c --absolute --rewrite=/a=/b .
	assert_output_is ""
	assert_stderr_is "$(usage_error "--absolute and --rewrite exclude each other")"
}

@test "symlinks: an unknown option is a usage error (2)" {
	run -2 --separate-stderr lb symlinks -z .
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid option -- 'z'")"
}

@test "symlinks: --root without DIR is a usage error (2)" {
	run -2 --separate-stderr lb symlinks --root
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--root' requires an argument")"
}

@test "symlinks: --help prints the usage and exits 0" {
	run -0 --separate-stderr lb symlinks --help
	[ "${lines[0]}" = "Usage: symlinks [OPTION]... DIR..." ]
	assert_stderr_is ""
}

@test "symlinks: a write error is trouble (2)" {
	command ln -s nope x
	run -2 --separate-stderr to_full lb symlinks .
	assert_output_is ""
	assert_stderr_starts "symlinks: write error: "
}
