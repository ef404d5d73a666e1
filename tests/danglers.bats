#!/usr/bin/env bats
load helpers
USAGE_APPLET=danglers # for usage_error

# danglers: list, classify and remove dangling symbolic links
# (applets/danglers.c).  Walk order is the directory's own, so tests with
# more than one link compare sorted output.

# Each test works in an empty directory of its own below the scratch
# directory, where bats keeps its --separate-stderr files.
setup() {
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w" || return 1
	skip_unless_applet danglers
}

# Unmount what a test mounted; remove the world-readable fixture of the
# tests that run as an unprivileged user.
teardown() {
	if [ -n "${MNT:-}" ] && mountpoint -q "$MNT"; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT"
	fi
	if [ -n "${PUB:-}" ]; then
		chmod -R u+rwx "$PUB" 2>/dev/null
		rm -rf "$PUB"
	fi
}

# lb_timeout NAME ARGS: lb, killed after 20 seconds (a hang fails).
lb_timeout() {
	local name=$1
	shift
	timeout 20 "$LB_BIN/$name" "$@"
}

# sorted TEXT: TEXT's lines in byte order.
sorted() {
	printf '%s\n' "$1" | LC_ALL=C sort
}

# assert_sorted_output_is TEXT: $output, sorted, is TEXT (given sorted).
assert_sorted_output_is() {
	local got
	got=$(sorted "$output")
	if [ "$got" != "$1" ]; then
		printf 'expected (sorted): [%s]\nactual (sorted):   [%s]\n' \
			"$1" "$got" >&2
		return 1
	fi
}

# listing: everything under ., with type, link text and inode.
listing() {
	find . -printf '%p %y %l %i\n' | LC_ALL=C sort
}

# A tree with one link of each kind the walk must tell apart:
# miss (missing), nd (notdir), lp (loop), and file, dir, ok, okd that
# are fine.
make_kinds() {
	touch file
	mkdir dir
	command ln -s nope miss
	command ln -s file/x nd
	command ln -s lp lp
	command ln -s file ok
	command ln -s dir okd
}

# --- what is listed, and why ------------------------------------------------

@test "danglers: lists a link whose target is missing" {
	command ln -s nope miss
	run -1 --separate-stderr lb danglers
	assert_output_is "./miss"
	assert_stderr_is ""
}

@test "danglers: lists nothing and exits 0 when every link resolves" {
	touch file
	mkdir dir
	command ln -s file ok
	command ln -s dir okd
	command ln -s ../"$(basename "$PWD")"/file okup
	run -0 --separate-stderr lb danglers
	assert_output_is ""
	assert_stderr_is ""
}

@test "danglers: lists nothing in an empty directory" {
	run -0 --separate-stderr lb danglers
	assert_output_is ""
	assert_stderr_is ""
}

@test "danglers: -l says missing for a target that does not exist" {
	command ln -s nope miss
	run -1 --separate-stderr lb danglers -l
	assert_output_is $'missing\t./miss\tnope'
	assert_stderr_is ""
}

@test "danglers: -l says notdir when a component of the target is a file" {
	touch file
	command ln -s file/x nd
	run -1 --separate-stderr lb danglers -l nd
	assert_output_is $'notdir\tnd\tfile/x'
	assert_stderr_is ""
}

@test "danglers: -l says loop for links that point at each other" {
	command ln -s b a
	command ln -s a b
	command ln -s self self
	run -1 --separate-stderr lb danglers -l
	assert_sorted_output_is $'loop\t./a\tb\nloop\t./b\ta\nloop\t./self\tself'
	assert_stderr_is ""
}

@test "danglers: -l says other for any other error (a name too long)" {
	local long
	long=$(printf 'a%.0s' $(seq 300))
	command ln -s "$long" long
	run -1 --separate-stderr lb danglers -l
	assert_output_is "other	./long	$long"
	assert_stderr_is ""
}

@test "danglers: -l says denied where the target's directory is closed" {
	need_unpriv
	mkdir ../priv
	touch ../priv/t
	chmod 700 ../priv
	command ln -s ../priv/t den
	[ "$(id -u)" -eq 0 ] || chmod 000 ../priv
	run -1 --separate-stderr lb_unpriv danglers -l
	assert_output_is $'denied\t./den\t../priv/t'
	assert_stderr_is ""
}

@test "danglers: --long is -l" {
	command ln -s nope miss
	run -1 --separate-stderr lb danglers --long
	assert_output_is $'missing\t./miss\tnope'
	assert_stderr_is ""
}

@test "danglers: -l prints the link text as written" {
	command ln -s './/nope/../x' odd
	run -1 --separate-stderr lb danglers -l
	assert_output_is $'missing\t./odd\t.//nope/../x'
	assert_stderr_is ""
}

@test "danglers: relative targets resolve from the link's directory" {
	mkdir sub
	touch t
	command ln -s t sub/t
	command ln -s ../t sub/up
	run -1 --separate-stderr lb danglers
	assert_output_is "./sub/t"
	assert_stderr_is ""
}

# --- operands ---------------------------------------------------------------

@test "danglers: paths are spelled from the PATH given" {
	mkdir -p a/b
	command ln -s nope a/b/x
	run -1 --separate-stderr lb danglers a//b/
	assert_output_is "a//b/x"
	assert_stderr_is ""
}

@test "danglers: walks several PATHs in the order given" {
	mkdir one two three
	command ln -s nope one/x
	command ln -s nope two/y
	command ln -s nope three/z
	run -1 --separate-stderr lb danglers two three one
	assert_output_is $'two/y\nthree/z\none/x'
	assert_stderr_is ""
}

@test "danglers: a PATH that is a dangling link is listed itself" {
	command ln -s nope x
	run -1 --separate-stderr lb danglers -l x
	assert_output_is $'missing\tx\tnope'
	assert_stderr_is ""
}

@test "danglers: a PATH that is a symlink to a directory is not walked" {
	mkdir real
	command ln -s nope real/x
	command ln -s real via
	run -0 --separate-stderr lb danglers via
	assert_output_is ""
	assert_stderr_is ""
}

@test "danglers: a PATH that does not exist is an error (2)" {
	run -2 --separate-stderr lb danglers nothere
	assert_output_is ""
	assert_stderr_starts "danglers: 'nothere': "
}

@test "danglers: one missing PATH among good ones: the others are walked" {
	mkdir a b
	command ln -s nope a/x
	command ln -s nope b/y
	run -2 --separate-stderr lb danglers a nothere b
	assert_output_is $'a/x\nb/y'
	assert_stderr_starts "danglers: 'nothere': "
}

@test "danglers: a PATH with a leading '-' after --" {
	mkdir -- -d
	command ln -s nope -- -d/x
	run -1 --separate-stderr lb danglers -- -d
	assert_output_is "-d/x"
	assert_stderr_is ""
}

# --- output formats -------------------------------------------------------

@test "danglers: -0 ends each path with NUL" {
	command ln -s nope a
	command ln -s nope b
	run -1 --separate-stderr to_file out lb danglers -0
	assert_stderr_is ""
	printf './a\0./b\0' >want
	LC_ALL=C sort -z out | cmp - want
}

@test "danglers: --null is -0" {
	command ln -s nope a
	run -1 --separate-stderr to_file out lb danglers --null
	assert_stderr_is ""
	printf './a\0' | cmp out -
}

@test "danglers: -0 -l ends each of the three fields with NUL" {
	touch f
	command ln -s f/x $'n\tl'
	run -1 --separate-stderr to_file out lb danglers -0 -l
	assert_stderr_is ""
	printf 'notdir\0./n\tl\0f/x\0' | cmp out -
}

@test "danglers: a name with a newline is listed raw, and NUL-safe with -0" {
	command ln -s nope $'a\nb'
	run -1 --separate-stderr to_file out lb danglers -0
	assert_stderr_is ""
	printf './a\nb\0' | cmp out -
}

@test "danglers: names with spaces, a leading '-' and non-UTF-8 bytes" {
	command ln -s nope 'a b '
	command ln -s nope -- -x
	command ln -s nope $'\xff\xfe'
	run -1 --separate-stderr to_file out lb danglers -0
	assert_stderr_is ""
	printf './-x\0./a b \0./\377\376\0' >want
	LC_ALL=C sort -z out | cmp - want
}

@test "danglers: -v -d quotes a name with a newline in its message" {
	command ln -s nope $'a\nb'
	run -0 --separate-stderr to_file out lb danglers -dv -0
	assert_stderr_is ""
	[ ! -L $'a\nb' ]
	# The list is raw, the message quoted; with -0 both end in NUL.
	printf './a\nb\0removed %s\0' "'./a'\$'\\n''b'" | cmp out -
}

@test "danglers: -0 -n: every record, the would-remove lines too, ends in NUL" {
	command ln -s nope a
	command ln -s nope b
	run -1 --separate-stderr to_file out lb danglers -0 -n
	assert_stderr_is ""
	[ -L a ] && [ -L b ]
	# read -d '' sees four records, none with a newline in it.
	n=0
	while IFS= read -r -d '' rec; do
		case $rec in *$'\n'*) false ;; esac
		n=$((n + 1))
	done <out
	[ "$n" = 4 ]
	[ "$(tr '\0' '\n' <out | LC_ALL=C sort | tr '\n' '|')" = \
		"./a|./b|would remove './a'|would remove './b'|" ]
}

@test "danglers: -d exits 0 when every dangling link found was removed" {
	command ln -s nope a
	run -0 --separate-stderr lb danglers -d
	assert_output_is "./a"
	assert_stderr_is ""
	[ ! -L a ]
}

@test "danglers: -d exits 1 when dangling links remain (a loop is never removed)" {
	command ln -s nope a
	command ln -s loop loop
	run -1 --separate-stderr lb danglers -d
	[ "$(printf '%s\n' "$output" | LC_ALL=C sort)" = "$(printf './a\n./loop')" ]
	assert_stderr_is ""
	[ ! -L a ]
	[ -L loop ]
}

@test "danglers: -n exits 1: the links it would remove are still there" {
	command ln -s nope a
	run -1 --separate-stderr lb danglers -n
	assert_output_is "$(printf "./a\nwould remove './a'")"
	[ -L a ]
}

@test "danglers: -q prints nothing and exits 1 when a link dangles" {
	command ln -s nope a
	command ln -s nope b
	run -1 --separate-stderr lb danglers -q
	assert_output_is ""
	assert_stderr_is ""
}

@test "danglers: -q exits 0 when none dangles" {
	touch f
	command ln -s f ok
	run -0 --separate-stderr lb danglers --quiet
	assert_output_is ""
	assert_stderr_is ""
}

@test "danglers: -q still exits 2 for a PATH that does not exist" {
	run -2 --separate-stderr lb danglers -q nothere
	assert_output_is ""
	assert_stderr_starts "danglers: 'nothere': "
}

# A write error is trouble (2), as for diff: 1 would read as "found".
@test "danglers: a write error on stdout is a failure, never 0" {
	command ln -s nope miss
	run -2 --separate-stderr to_full lb danglers -l
	assert_output_is ""
	assert_stderr_starts "danglers: write error: "
}

@test "danglers: a write error is caught for a list longer than a buffer" {
	local i
	for i in $(seq 300); do
		command ln -s nope "link-with-a-rather-long-name-$i"
	done
	run -2 --separate-stderr to_full lb danglers
	assert_output_is ""
	assert_stderr_starts "danglers: write error: "
}

# --- --root -----------------------------------------------------------------

# An image "img" with /lib, /usr/bin, /etc and a directory link /lib64.
make_image() {
	mkdir -p img/lib img/usr/bin img/etc
	command ln -s /lib img/lib64
}

@test "danglers: --root resolves an absolute link inside the image" {
	local t=/lib/ld-musl.so.1
	# The point is a file the image has and the host lacks.
	[ -e "$t" ] && t=/lib/ld-linkbox-danglers-test.so.1
	[ -e "$t" ] && skip "host has $t"
	make_image
	touch "img$t"
	command ln -s "$t" img/usr/bin/ldd
	command ln -s "/lib64/${t##*/}" img/usr/bin/via64
	run -1 --separate-stderr lb danglers img
	assert_sorted_output_is $'img/usr/bin/ldd\nimg/usr/bin/via64'
	run -0 --separate-stderr lb danglers --root img
	assert_output_is ""
	assert_stderr_is ""
}

@test "danglers: --root lists an absolute link present on the host only" {
	[ -e /etc/passwd ] || skip "host has no /etc/passwd"
	make_image
	command ln -s /etc/passwd img/etc/pw
	run -0 --separate-stderr lb danglers img
	assert_output_is ""
	run -1 --separate-stderr lb danglers -l --root img
	assert_output_is $'missing\timg/etc/pw\t/etc/passwd'
	assert_stderr_is ""
}

@test "danglers: --root resolves relative links from their directory" {
	make_image
	touch img/lib/x
	command ln -s ../../lib/x img/usr/bin/good
	command ln -s ../lib/x img/usr/bin/bad
	run -1 --separate-stderr lb danglers -l --root img
	assert_output_is $'missing\timg/usr/bin/bad\t../lib/x'
	assert_stderr_is ""
}

@test "danglers: --root clamps '..' at the top of the image" {
	mkdir top
	cd top || return 1
	make_image
	touch img/lib/x
	command ln -s ../../../../lib/x img/usr/bin/esc
	run -1 --separate-stderr lb danglers img
	assert_output_is "img/usr/bin/esc"
	run -0 --separate-stderr lb danglers --root img
	assert_output_is ""
	assert_stderr_is ""
}

@test "danglers: --root: '..' never reaches a file above the image" {
	mkdir lib
	make_image
	# img/usr/bin/../../../lib/y is ./lib/y on the host.
	touch lib/y
	command ln -s ../../../lib/y img/usr/bin/esc
	run -0 --separate-stderr lb danglers img
	assert_output_is ""
	run -1 --separate-stderr lb danglers -l --root img
	assert_output_is $'missing\timg/usr/bin/esc\t../../../lib/y'
	assert_stderr_is ""
}

@test "danglers: --root finds loops inside the image" {
	make_image
	command ln -s /b img/a
	command ln -s /a img/b
	command ln -s ../a img/etc/c
	run -1 --separate-stderr lb danglers -l img
	assert_sorted_output_is \
		$'missing\timg/a\t/b\nmissing\timg/b\t/a\nmissing\timg/etc/c\t../a'
	run -1 --separate-stderr lb danglers -l --root img
	assert_sorted_output_is $'loop\timg/a\t/b\nloop\timg/b\t/a\nloop\timg/etc/c\t../a'
	assert_stderr_is ""
}

@test "danglers: --root walks only the PATHs given, inside the image" {
	make_image
	touch img/lib/x
	command ln -s nope img/etc/x
	command ln -s ../../lib/x img/usr/bin/good
	command ln -s /lib/y img/usr/bin/bad
	run -1 --separate-stderr lb danglers -l --root img img/usr
	assert_output_is $'missing\timg/usr/bin/bad\t/lib/y'
	assert_stderr_is ""
}

@test "danglers: --root takes PATHs spelled with '..' and slashes" {
	make_image
	touch img/lib/x
	command ln -s ../../lib/x img/usr/bin/good
	command ln -s ../lib/x img/usr/bin/bad
	run -1 --separate-stderr lb danglers --root img/ img/usr/../usr/bin/
	assert_output_is "img/usr/../usr/bin/bad"
	assert_stderr_is ""
}

@test "danglers: --root with the root given as '.'" {
	make_image
	touch img/lib/x
	command ln -s /lib/x img/usr/bin/good
	command ln -s /lib/y img/usr/bin/bad
	cd img || return 1
	run -1 --separate-stderr lb danglers --root . usr
	assert_output_is "usr/bin/bad"
	assert_stderr_is ""
}

@test "danglers: --root checks a link given as PATH (relative text)" {
	make_image
	touch img/lib/x
	command ln -s ../../lib/x img/usr/bin/good
	run -0 --separate-stderr lb danglers -l --root img img/usr/bin/good
	assert_output_is ""
	assert_stderr_is ""
}

@test "danglers: --root checks a link given as PATH (absolute text)" {
	[ -e /lib/linkbox-danglers-x ] && skip "host has /lib/linkbox-danglers-x"
	make_image
	touch img/lib/linkbox-danglers-x
	command ln -s /lib/linkbox-danglers-x img/usr/bin/good
	run -0 --separate-stderr lb danglers -l --root img img/usr/bin/good
	assert_output_is ""
	assert_stderr_is ""
}

@test "danglers: --root: a PATH outside the root is an error (2)" {
	make_image
	mkdir other img2
	command ln -s nope other/x
	command ln -s nope img2/x
	command ln -s nope img/etc/x
	run -2 --separate-stderr lb danglers --root img other img2 img/etc
	assert_output_is "img/etc/x"
	assert_stderr_is "danglers: 'other' is not inside the root 'img'
danglers: 'img2' is not inside the root 'img'"
}

@test "danglers: --root DIR that does not exist is an error (2)" {
	run -2 --separate-stderr lb danglers --root nothere
	assert_output_is ""
	assert_stderr_starts "danglers: 'nothere': "
}

@test "danglers: --root DIR that is a file is an error (2)" {
	touch f
	run -2 --separate-stderr lb danglers --root=f
	assert_output_is ""
	assert_stderr_starts "danglers: 'f': "
}

@test "danglers: --root keeps its descriptors bounded (ulimit -n 16)" {
	skip_under_valgrind
	local deep
	deep=img/$(printf 'd/%.0s' $(seq 30))
	mkdir -p "$deep"
	touch "$deep/f"
	command ln -s f "$deep/rel"
	command ln -s "/${deep#img/}f" img/abs
	command ln -s nope "$deep/bad"
	run -1 --separate-stderr bash -c \
		'ulimit -n 16 && exec "$LB_BIN/danglers" -l --root img'
	assert_output_is $'missing\t'"${deep}bad"$'\tnope'
	assert_stderr_is ""
}

# --- -d, -n, -v -------------------------------------------------------------

@test "danglers: -d removes missing links and nothing else" {
	make_kinds
	run -1 --separate-stderr lb danglers -d
	assert_sorted_output_is $'./lp\n./miss\n./nd'
	assert_stderr_is ""
	[ ! -L miss ]
	[ -L nd ] && [ -L lp ] && [ -L ok ] && [ -L okd ]
	[ -f file ] && [ ! -L file ] && [ -d dir ] && [ ! -L dir ]
	run ls -A
	assert_output_is $'dir\nfile\nlp\nnd\nok\nokd'
}

@test "danglers: --delete is -d" {
	command ln -s nope miss
	run -0 --separate-stderr lb danglers --delete
	assert_output_is "./miss"
	[ ! -L miss ]
}

@test "danglers: -d --notdir removes notdir links too, never loops" {
	make_kinds
	run -1 --separate-stderr lb danglers -d --notdir
	assert_sorted_output_is $'./lp\n./miss\n./nd'
	assert_stderr_is ""
	run ls -A
	assert_output_is $'dir\nfile\nlp\nok\nokd'
}

@test "danglers: -d never removes a link of cause other" {
	command ln -s "$(printf 'a%.0s' $(seq 300))" long
	run -1 --separate-stderr lb danglers -d --notdir
	assert_output_is "./long"
	assert_stderr_is ""
	[ -L long ]
}

@test "danglers: -d never removes a denied link" {
	need_unpriv
	mkdir ../priv
	chmod 700 ../priv
	command ln -s ../priv/gone den
	[ "$(id -u)" -eq 0 ] || chmod 000 ../priv
	chmod 777 .
	run -1 --separate-stderr lb_unpriv danglers -d --notdir
	assert_output_is "./den"
	assert_stderr_is ""
	[ -L den ]
}

@test "danglers: -d removes in subdirectories, by the fd of each" {
	mkdir -p a/b/c
	command ln -s nope a/b/c/x
	touch a/b/c/y
	run -0 --separate-stderr lb danglers -dv a
	assert_output_is $'a/b/c/x\nremoved \'a/b/c/x\''
	assert_stderr_is ""
	run ls -A a/b/c
	assert_output_is "y"
}

@test "danglers: -d removes a dangling link given as PATH in another dir" {
	mkdir sub
	command ln -s nope sub/x
	# ./nope exists: sub/x dangles all the same, from its own directory.
	touch nope
	run -0 --separate-stderr lb danglers -dv sub/x
	assert_output_is $'sub/x\nremoved \'sub/x\''
	assert_stderr_is ""
	[ ! -L sub/x ]
	run ls -A
	assert_output_is $'nope\nsub'
}

@test "danglers: -d --root removes links missing in the image only" {
	[ -e /etc/passwd ] || skip "host has no /etc/passwd"
	make_image
	touch img/lib/x
	command ln -s /etc/passwd img/etc/pw
	command ln -s /lib/x img/etc/x
	run -0 --separate-stderr lb danglers -dv --root img
	assert_output_is $'img/etc/pw\nremoved \'img/etc/pw\''
	assert_stderr_is ""
	[ ! -L img/etc/pw ] && [ -L img/etc/x ] && [ -L img/lib64 ]
}

@test "danglers: -d leaves no temporary names" {
	local i
	for i in $(seq 50); do
		command ln -s nope "x$i"
	done
	run -0 --separate-stderr lb danglers -d
	assert_stderr_is ""
	run ls -A
	assert_output_is ""
}

@test "danglers: -d works where RENAME_NOREPLACE is unsupported" {
	need_inject renameat2
	command ln -s nope miss
	touch file
	run -0 --separate-stderr strace -f -o /dev/null \
		-e inject=renameat2:error=EINVAL "$LB_BIN/danglers" -dv
	assert_output_is $'./miss\nremoved \'./miss\''
	assert_stderr_is ""
	run ls -A
	assert_output_is "file"
}

@test "danglers: -d that cannot unlink puts the link back" {
	need_inject unlinkat
	command ln -s nope miss
	run -2 --separate-stderr strace -f -o /dev/null \
		-e inject=unlinkat:error=EIO "$LB_BIN/danglers" -d
	assert_output_is "./miss"
	assert_stderr_starts "danglers: cannot remove './miss': "
	run ls -A
	assert_output_is "miss"
	[ "$(readlink miss)" = nope ]
}

@test "danglers: -n says what -d would remove and changes nothing" {
	local before
	make_kinds
	before=$(listing)
	run -1 --separate-stderr lb danglers -n
	assert_sorted_output_is $'./lp\n./miss\n./nd\nwould remove \'./miss\''
	assert_stderr_is ""
	[ "$(listing)" = "$before" ]
}

@test "danglers: -n --notdir would remove notdir links too" {
	local before
	make_kinds
	before=$(listing)
	run -1 --separate-stderr lb danglers --dry-run --notdir
	assert_sorted_output_is "./lp
./miss
./nd
would remove './miss'
would remove './nd'"
	assert_stderr_is ""
	[ "$(listing)" = "$before" ]
}

@test "danglers: -n with -d still changes nothing" {
	local before
	make_kinds
	before=$(listing)
	run -1 --separate-stderr lb danglers -d -n -v
	assert_sorted_output_is $'./lp\n./miss\n./nd\nwould remove \'./miss\''
	[ "$(listing)" = "$before" ]
}

@test "danglers: -v with -d says what was removed" {
	command ln -s nope miss
	run -0 --separate-stderr lb danglers -d --verbose -l
	assert_output_is $'missing\t./miss\tnope\nremoved \'./miss\''
	assert_stderr_is ""
}

@test "danglers: -q -d removes quietly" {
	command ln -s nope a
	command ln -s nope b
	run -0 --separate-stderr lb danglers -q -d
	assert_output_is ""
	assert_stderr_is ""
	run ls -A
	assert_output_is ""
}

@test "danglers: --notdir without -d is a usage error (2)" {
	make_kinds
	run -2 --separate-stderr lb danglers --notdir
	assert_output_is ""
	assert_stderr_is "$(usage_error "--notdir goes with -d or -n")"
	[ -L miss ] && [ -L nd ]
}

@test "danglers: an unknown option is a usage error (2)" {
	run -2 --separate-stderr lb danglers -z
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid option -- 'z'")"
}

@test "danglers: --root without DIR is a usage error (2)" {
	run -2 --separate-stderr lb danglers --root
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--root' requires an argument")"
}

@test "danglers: --help prints the usage and exits 0" {
	run -0 --separate-stderr lb danglers --help
	[ "${lines[0]}" = "Usage: danglers [OPTION]... [PATH]..." ]
	assert_stderr_is ""
}

# --- walking --------------------------------------------------------------

@test "danglers: -x does not descend into another filesystem" {
	[ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
	mkdir -p tree/mnt
	MNT=$PWD/tree/mnt
	mount -t tmpfs -o size=1m danglers-test "$MNT" 2>/dev/null ||
		skip "cannot mount a tmpfs"
	command ln -s nope tree/mnt/inner
	command ln -s nope tree/outer
	run -1 --separate-stderr lb danglers -x tree
	assert_output_is "tree/outer"
	assert_stderr_is ""
	run -1 --separate-stderr lb danglers --one-file-system tree
	assert_output_is "tree/outer"
	run -1 --separate-stderr lb danglers tree
	assert_sorted_output_is $'tree/mnt/inner\ntree/outer'
	assert_stderr_is ""
}

@test "danglers: an unreadable directory is reported (2), the rest listed" {
	need_unpriv
	mkdir locked
	command ln -s nope locked/hidden
	chmod 700 locked
	[ "$(id -u)" -eq 0 ] || chmod 000 locked
	command ln -s nope x
	run -2 --separate-stderr lb_unpriv danglers
	assert_output_is "./x"
	assert_stderr_starts "danglers: cannot read directory './locked': "
}

@test "danglers: an unreadable directory alone still exits 2" {
	need_unpriv
	mkdir locked
	chmod 700 locked
	[ "$(id -u)" -eq 0 ] || chmod 000 locked
	run -2 --separate-stderr lb_unpriv danglers
	assert_output_is ""
	assert_stderr_starts "danglers: cannot read directory './locked': "
}

@test "danglers: never follows symlinks to directories" {
	mkdir -p tree outside
	command ln -s nope outside/x
	command ln -s ../outside tree/out
	command ln -s "$PWD/outside" tree/outabs
	run -0 --separate-stderr lb danglers tree
	assert_output_is ""
	assert_stderr_is ""
}

@test "danglers: a loop of directory symlinks does not hang" {
	mkdir -p a/b
	command ln -s .. a/b/up
	command ln -s . a/self
	command ln -s ../.. a/b/top
	command ln -s "$PWD/a" a/b/abs
	command ln -s nope a/b/x
	run -1 --separate-stderr lb_timeout danglers a
	assert_output_is "a/b/x"
	assert_stderr_is ""
}

@test "danglers: finds a link 10,000 directories deep (longer than PATH_MAX)" {
	local d99 i
	# Built bottom-up in slices of 99 levels, so that no command here
	# needs a path longer than PATH_MAX.
	d99=$(printf 'd/%.0s' $(seq 99))
	mkdir -p "chain/${d99}d"
	command ln -s nope "chain/${d99}d/dangle"
	for i in $(seq 100); do
		mkdir -p "n/$d99"
		mv chain/d "n/${d99}d"
		mv n/d chain/d
		rmdir n
	done
	run -1 --separate-stderr lb danglers chain
	assert_output_is "chain/$(printf 'd/%.0s' $(seq 10000))dangle"
	assert_stderr_is ""
	[ "${#output}" -gt 4096 ]
	run -0 --separate-stderr lb danglers -dv chain
	[ "${lines[1]}" = "removed 'chain/$(printf 'd/%.0s' $(seq 10000))dangle'" ]
	assert_stderr_is ""
	run -0 --separate-stderr lb danglers chain
	assert_stderr_is ""
	rm -rf chain
}

@test "danglers: walks 100 levels deep completely under ulimit -n 16" {
	skip_under_valgrind
	local i p=tree want=
	mkdir tree
	for i in $(seq 100); do
		p=$p/d
		mkdir "$p"
		command ln -s nope "$p/x$i"
		touch "$p/f$i"
		want=$want$p/x$i$'\n'
	done
	run -1 --separate-stderr bash -c \
		'ulimit -n 16 && exec "$LB_BIN/danglers" tree'
	assert_sorted_output_is "$(sorted "${want%$'\n'}")"
	assert_stderr_is ""
}

@test "danglers: walks a directory of 100,000 entries" {
	mkdir wide
	# ln -s -t . gone/N... makes N -> gone/N, missing: 100,000 links in
	# a few processes.
	seq 100000 | sed 's|^|gone/|' | (cd wide && xargs ln -s -t .)
	touch wide/file
	run -1 --separate-stderr lb danglers -q wide
	run -1 --separate-stderr lb danglers wide
	assert_stderr_is ""
	[ "${#lines[@]}" -eq 100000 ]
	[ "$(sorted "$output")" = "$(seq 100000 | sed 's|^|wide/|' | LC_ALL=C sort)" ]
	rm -rf wide
}
