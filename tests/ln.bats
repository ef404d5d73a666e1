#!/usr/bin/env bats
load helpers
USAGE_APPLET=ln # for usage_error

# ln: GNU coreutils ln with atomic replacement (applets/ln/).
# Expectations were checked against GNU ln 9.1; where linkbox differs on
# purpose (atomic -f/-i/-b, backups by hard link, -i declined exits 1,
# --sync, --skip-same, --sy ambiguous) the test says so.

# Each test runs in its own scratch directory, on builds carrying ln.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	skip_unless_applet ln
}

# Messages are matched whole where the strerror text is the same in glibc
# and musl (File exists, Not a directory, No such file or directory), and
# up to it elsewhere.
ENOENT='No such file or directory'

# The message for an invalid or ambiguous backup CONTROL, in the C locale.
control_error() {
	printf '%s\n' "ln: $1 argument '$2' for '$3'" \
		"Valid arguments are:" \
		"  - 'none', 'off'" \
		"  - 'simple', 'never'" \
		"  - 'existing', 'nil'" \
		"  - 'numbered', 't'"
	printf '%s' "Try 'ln --help' for more information."
}

# answer TEXT APPLET ARGS...: run the applet with TEXT on its stdin.
answer() {
	local text=$1
	shift
	printf '%s' "$text" | lb "$@"
}

# traced SYSCALLS APPLET ARGS...: run the applet under strace, writing
# the calls named in SYSCALLS to $TRACE.  Skips where strace cannot run.
traced() {
	local calls=$1
	shift
	need_strace
	TRACE=$BATS_FILE_TMPDIR/trace.$BATS_TEST_NUMBER
	export -f lb
	strace -f -qq -o "$TRACE" -e trace="$calls" \
		bash -c 'lb "$@"' lb "$@"
}

# The names in the current directory, hidden ones too, but not the file
# in which bats run --separate-stderr collects stderr.
listing() {
	ls -A | grep -v '^separate-stderr-'
}

# The contents of FILE, which must be a regular file (not a symlink).
regular_with() {
	[ -f "$1" ] && ! [ -L "$1" ] && [ "$(cat "$1")" = "$2" ]
}

# --- the four forms ---------------------------------------------------------

@test "ln: TARGET LINK_NAME makes a hard link" {
	echo data >a
	run -0 --separate-stderr lb ln a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	! [ -L b ]
}

@test "ln: TARGET LINK_NAME, LINK_NAME a directory, links inside it" {
	touch a
	mkdir d
	run -0 --separate-stderr lb ln a d
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef d/a ]
}

@test "ln: TARGET alone links into the current directory" {
	mkdir d
	echo data >d/f
	run -0 --separate-stderr lb ln d/f
	assert_output_is ""
	assert_stderr_is ""
	[ f -ef d/f ]
}

@test "ln: TARGET alone names the link './NAME' in messages" {
	touch f
	run -1 --separate-stderr lb ln f
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link './f': File exists"
}

@test "ln: TARGET alone with -v reports './NAME'" {
	mkdir d
	touch d/f
	run -0 --separate-stderr lb ln -sv d/f
	assert_output_is "'./f' -> 'd/f'"
	assert_stderr_is ""
	[ "$(readlink f)" = d/f ]
}

@test "ln: TARGET... DIRECTORY links each TARGET into DIRECTORY" {
	touch a b
	mkdir d
	run -0 --separate-stderr lb ln a b d
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef d/a ]
	[ b -ef d/b ]
}

@test "ln: TARGET... DIRECTORY uses the last component of each TARGET" {
	mkdir -p x/y d
	touch x/y/f
	run -0 --separate-stderr lb ln x/y/f d
	assert_output_is ""
	assert_stderr_is ""
	[ x/y/f -ef d/f ]
}

@test "ln: -t DIRECTORY TARGET... links each TARGET into DIRECTORY" {
	touch a b
	mkdir d
	run -0 --separate-stderr lb ln -t d a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef d/a ]
	[ b -ef d/b ]
}

@test "ln: --target-directory=DIRECTORY is -t" {
	touch a
	mkdir d
	run -0 --separate-stderr lb ln --target-directory=d a
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef d/a ]
}

@test "ln: --target-directory DIRECTORY takes a separate argument" {
	touch a
	mkdir d
	run -0 --separate-stderr lb ln --target-directory d a
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef d/a ]
}

# --- -s, --symbolic ---------------------------------------------------------

@test "ln: -s makes a symbolic link holding TARGET as written" {
	touch a
	run -0 --separate-stderr lb ln -s ./a b
	assert_output_is ""
	assert_stderr_is ""
	[ -L b ]
	[ "$(readlink b)" = ./a ]
}

@test "ln: --symbolic is -s" {
	touch a
	run -0 --separate-stderr lb ln --symbolic a b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink b)" = a ]
}

@test "ln: -s to a TARGET that does not exist makes a dangling link" {
	run -0 --separate-stderr lb ln -s missing b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink b)" = missing ]
	! [ -e b ]
}

@test "ln: -s TARGET... DIRECTORY stores each TARGET as written" {
	touch a b
	mkdir d
	run -0 --separate-stderr lb ln -s a b d
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink d/a)" = a ]
	[ "$(readlink d/b)" = b ]
}

# --- -f, --force ------------------------------------------------------------

@test "ln: -f replaces an existing file with a hard link" {
	echo new >a
	echo old >b
	run -0 --separate-stderr lb ln -f a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	no_temps
}

@test "ln: --force is -f" {
	touch a b
	run -0 --separate-stderr lb ln --force a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
}

@test "ln: -sf replaces an existing symlink" {
	touch old new
	command ln -s old link
	run -0 --separate-stderr lb ln -sf new link
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink link)" = new ]
	no_temps
}

@test "ln: -sf replaces by a new inode and leaves no temporary" {
	touch old new
	command ln -s old link
	before=$(inode link)
	run -0 --separate-stderr lb ln -sf new link
	assert_output_is ""
	assert_stderr_is ""
	[ "$(inode link)" != "$before" ]
	[ "$(readlink link)" = new ]
	no_temps
}

@test "ln: -sf renames a temporary over LINK_NAME, never removing it" {
	touch old new
	command ln -s old link
	traced unlink,unlinkat,rename,renameat,renameat2 ln -sf new link
	grep -Eq 'rename(at2?)?\(.*"\.link\.ln\.[A-Za-z0-9]{6}", .*"link"' \
		"$TRACE"
	! grep -Eq '(unlink(at)?|rename(at2?)?)\([^"]*"link"' "$TRACE"
	[ "$(readlink link)" = new ]
	no_temps
}

@test "ln: -f over a name that already is the same inode leaves no temporary" {
	echo data >a
	command ln a b
	run -0 --separate-stderr lb ln -f a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	[ "$(stat -c %h a)" = 2 ]
	no_temps
}

@test "ln: -fv over the same inode in the directory form leaves no temporary" {
	touch a
	mkdir d
	command ln a d/a
	run -0 --separate-stderr lb ln -fv a d
	assert_output_is "'d/a' => 'a'"
	assert_stderr_is ""
	[ a -ef d/a ]
	no_temps
}

@test "ln: -f into a directory replaces the name there" {
	touch a
	mkdir d
	echo old >d/a
	run -0 --separate-stderr lb ln -f a d
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef d/a ]
	no_temps
}

# --- -i, --interactive ------------------------------------------------------

# bats trims the white space at the end of $stderr, so the tests below see
# the prompt without its final space; this one checks the exact bytes.
@test "ln: -i prompts on stderr with 'ln: replace NAME? ', no newline" {
	touch a b
	answer $'y\n' ln -i a b 2>"$BATS_FILE_TMPDIR/prompt.$BATS_TEST_NUMBER"
	[ "$(cat "$BATS_FILE_TMPDIR/prompt.$BATS_TEST_NUMBER"; echo .)" = \
		"ln: replace 'b'? ." ]
	[ a -ef b ]
}

@test "ln: -i answered y replaces LINK_NAME" {
	echo new >a
	echo old >b
	run -0 --separate-stderr answer $'y\n' ln -i a b
	assert_output_is ""
	assert_stderr_is "ln: replace 'b'?"
	[ a -ef b ]
	no_temps
}

@test "ln: -i answered n leaves LINK_NAME and exits 1 (linkbox)" {
	echo new >a
	echo old >b
	run -1 --separate-stderr answer $'n\n' ln -i a b
	assert_output_is ""
	assert_stderr_is "ln: replace 'b'?"
	! [ a -ef b ]
	regular_with b old
}

@test "ln: -i at end of input leaves LINK_NAME and exits 1 (linkbox)" {
	echo new >a
	echo old >b
	run -1 --separate-stderr answer '' ln -i a b
	assert_output_is ""
	assert_stderr_is "ln: replace 'b'?"
	regular_with b old
}

@test "ln: --interactive is -i" {
	touch a
	echo old >b
	run -0 --separate-stderr answer $'yes\n' ln --interactive -s a b
	assert_output_is ""
	assert_stderr_is "ln: replace 'b'?"
	[ "$(readlink b)" = a ]
}

@test "ln: -i does not ask when LINK_NAME does not exist" {
	touch a
	run -0 --separate-stderr answer '' ln -i a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
}

@test "ln: -i after -f wins (declined: exit 1, linkbox)" {
	touch a
	echo old >b
	run -1 --separate-stderr answer $'n\n' ln -f -i a b
	assert_output_is ""
	assert_stderr_is "ln: replace 'b'?"
	regular_with b old
}

@test "ln: -f after -i wins" {
	touch a b
	run -0 --separate-stderr answer '' ln -i -f a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
}

# --- -n, --no-dereference ---------------------------------------------------

@test "ln: -sf without -n links inside the directory a symlink points to" {
	mkdir dir
	command ln -s dir l
	touch f
	run -0 --separate-stderr lb ln -sf f l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink l)" = dir ]
	[ "$(readlink dir/f)" = f ]
}

@test "ln: -n treats a symlink to a directory as a file (with -f)" {
	mkdir dir
	command ln -s dir l
	touch f
	run -0 --separate-stderr lb ln -sfn f l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink l)" = f ]
	[ -z "$(ls dir)" ]
	no_temps
}

@test "ln: --no-dereference is -n" {
	mkdir dir
	command ln -s dir l
	touch f
	run -0 --separate-stderr lb ln -sf --no-dereference f l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink l)" = f ]
}

@test "ln: -n without -f fails on a symlink to a directory" {
	mkdir dir
	command ln -s dir l
	touch f
	run -1 --separate-stderr lb ln -sn f l
	assert_output_is ""
	assert_stderr_is "ln: failed to create symbolic link 'l': File exists"
	[ "$(readlink l)" = dir ]
}

@test "ln: -sfn flips a deploy symlink from one release to the next" {
	mkdir -p releases/41 releases/42
	command ln -s releases/41 current
	run -0 --separate-stderr lb ln -sfn releases/42 current
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink current)" = releases/42 ]
	[ -z "$(ls releases/41)" ]
	no_temps
}

# --- -T, --no-target-directory ----------------------------------------------

@test "ln: -T links to LINK_NAME itself" {
	touch f
	run -0 --separate-stderr lb ln -T f g
	assert_output_is ""
	assert_stderr_is ""
	[ f -ef g ]
}

@test "ln: -T does not link into a directory" {
	touch f
	mkdir d
	run -1 --separate-stderr lb ln -T f d
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link 'd': File exists"
	[ -z "$(ls d)" ]
}

@test "ln: --no-target-directory is -T" {
	touch f
	mkdir d
	run -1 --separate-stderr lb ln -s --no-target-directory f d
	assert_output_is ""
	assert_stderr_is "ln: failed to create symbolic link 'd': File exists"
	[ -z "$(ls d)" ]
}

@test "ln: -sfT replaces a symlink to a directory" {
	touch f
	mkdir d
	command ln -s d l
	run -0 --separate-stderr lb ln -sfT f l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink l)" = f ]
	[ -z "$(ls d)" ]
}

# --- -v, --verbose ----------------------------------------------------------

@test "ln: -v reports a hard link as 'LINK' => 'TARGET'" {
	touch a
	run -0 --separate-stderr lb ln -v a b
	assert_output_is "'b' => 'a'"
	assert_stderr_is ""
}

@test "ln: -v reports a symbolic link as 'LINK' -> 'TARGET'" {
	touch a
	run -0 --separate-stderr lb ln -sv a b
	assert_output_is "'b' -> 'a'"
	assert_stderr_is ""
}

@test "ln: --verbose is -v" {
	touch a
	run -0 --separate-stderr lb ln --verbose a b
	assert_output_is "'b' => 'a'"
	assert_stderr_is ""
}

@test "ln: -v reports each link of the directory form" {
	touch a b
	mkdir d
	run -0 --separate-stderr lb ln -v a b d
	assert_output_is "'d/a' => 'a'"$'\n'"'d/b' => 'b'"
	assert_stderr_is ""
}

@test "ln: -v with a backup reports 'BACKUP' ~ 'LINK' => 'TARGET'" {
	touch a b
	run -0 --separate-stderr lb ln -vb a b
	assert_output_is "'b~' ~ 'b' => 'a'"
	assert_stderr_is ""
}

@test "ln: -sv with a backup reports 'BACKUP' ~ 'LINK' -> 'TARGET'" {
	touch a b
	run -0 --separate-stderr lb ln -svb a b
	assert_output_is "'b~' ~ 'b' -> 'a'"
	assert_stderr_is ""
}

@test "ln: -v with a backup in another directory names both with it" {
	touch a
	mkdir d
	touch d/b
	run -0 --separate-stderr lb ln -vb a d/b
	assert_output_is "'d/b~' ~ 'd/b' => 'a'"
	assert_stderr_is ""
}

# --- -r, --relative ---------------------------------------------------------

@test "ln: -sr in one directory gives the bare name" {
	touch a
	run -0 --separate-stderr lb ln -sr a b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink b)" = a ]
}

@test "ln: --relative is -r" {
	touch a
	run -0 --separate-stderr lb ln -s --relative "$PWD/a" b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink b)" = a ]
}

@test "ln: -sr across directories climbs with ../" {
	mkdir -p x/y z
	touch x/y/f
	run -0 --separate-stderr lb ln -srv x/y/f z/l
	assert_output_is "'z/l' -> '../x/y/f'"
	assert_stderr_is ""
	[ "$(readlink z/l)" = ../x/y/f ]
	[ z/l -ef x/y/f ]
}

@test "ln: -sr into a directory is relative to that directory" {
	mkdir -p x/y
	touch a
	run -0 --separate-stderr lb ln -sr a x/y/
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink x/y/a)" = ../../a ]
}

@test "ln: -sr with -t is relative to DIRECTORY" {
	mkdir d
	touch a
	run -0 --separate-stderr lb ln -sr -t d a
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink d/a)" = ../a ]
}

@test "ln: -sr canonicalises a TARGET reached through a symlinked directory" {
	mkdir -p real other
	touch real/f
	command ln -s real alias
	run -0 --separate-stderr lb ln -sr alias/f other/l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink other/l)" = ../real/f ]
}

@test "ln: -sr canonicalises a LINK_NAME inside a symlinked directory" {
	mkdir -p real/sub
	touch real/f
	command ln -s real/sub alias
	run -0 --separate-stderr lb ln -sr real/f alias/l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink real/sub/l)" = ../f ]
	[ alias/l -ef real/f ]
}

@test "ln: -sr resolves a TARGET that is itself a symlink" {
	mkdir -p x/y z
	touch x/y/f
	command ln -s ../x/y/f z/l
	run -0 --separate-stderr lb ln -sr z/l x/y/l2
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink x/y/l2)" = f ]
}

@test "ln: -sr to a TARGET that does not exist" {
	mkdir x
	run -0 --separate-stderr lb ln -sr nope/deeper x/g
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink x/g)" = ../nope/deeper ]
}

# --- -b, --backup, -S -------------------------------------------------------

@test "ln: -b keeps the replaced file as NAME~" {
	echo new >a
	echo old >b
	old=$(inode b)
	run -0 --separate-stderr lb ln -b a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	regular_with b~ old
	[ "$(inode b~)" = "$old" ]
	no_temps
}

@test "ln: -b without an existing LINK_NAME makes no backup" {
	touch a
	run -0 --separate-stderr lb ln -b a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	! [ -e b~ ]
}

@test "ln: -b takes the backup as a hard link, never removing LINK_NAME" {
	echo new >a
	echo old >b
	traced link,linkat,unlink,unlinkat,rename,renameat,renameat2 \
		ln -b a b
	grep -Eq 'link(at)?\(.*"b", .*"\.b~\.ln\.[A-Za-z0-9]{6}"' "$TRACE"
	grep -Eq 'rename(at2?)?\(.*"\.b~\.ln\.[A-Za-z0-9]{6}", .*"b~"' \
		"$TRACE"
	grep -Eq 'rename(at2?)?\(.*"\.b\.ln\.[A-Za-z0-9]{6}", .*"b"\)' \
		"$TRACE"
	! grep -Eq '(unlink(at)?|rename(at2?)?)\([^"]*"b"' "$TRACE"
	[ a -ef b ]
	regular_with b~ old
	no_temps
}

@test "ln: -b replaces an older NAME~" {
	echo new >a
	echo old >b
	echo older >b~
	run -0 --separate-stderr lb ln -b a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b~ old
	no_temps
}

@test "ln: --backup without CONTROL is -b" {
	echo new >a
	echo old >b
	run -0 --separate-stderr lb ln --backup a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	regular_with b~ old
}

@test "ln: --backup=numbered makes NAME.~1~, then NAME.~2~" {
	echo 1 >a
	echo 2 >b
	echo 3 >c
	run -0 --separate-stderr lb ln -v --backup=numbered a b
	assert_output_is "'b.~1~' ~ 'b' => 'a'"
	assert_stderr_is ""
	run -0 --separate-stderr lb ln -v --backup=numbered c b
	assert_output_is "'b.~2~' ~ 'b' => 'c'"
	assert_stderr_is ""
	[ c -ef b ]
	regular_with b.~1~ 2
	[ a -ef b.~2~ ]
	! [ -e b~ ]
}

@test "ln: --backup=t is numbered" {
	touch a
	echo old >b
	run -0 --separate-stderr lb ln --backup=t a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b.~1~ old
	! [ -e b~ ]
}

@test "ln: --backup=existing is simple while there is no numbered backup" {
	touch a
	echo old >b
	run -0 --separate-stderr lb ln --backup=existing a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b~ old
	! [ -e b.~1~ ]
}

@test "ln: --backup=existing is numbered once a numbered backup exists" {
	touch a
	echo old >b
	echo older >b.~1~
	run -0 --separate-stderr lb ln --backup=existing a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b.~1~ older
	regular_with b.~2~ old
	! [ -e b~ ]
}

@test "ln: --backup=nil is existing" {
	touch a
	echo old >b
	echo older >b.~1~
	run -0 --separate-stderr lb ln --backup=nil a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b.~2~ old
}

@test "ln: -b defaults to existing" {
	touch a
	echo old >b
	echo older >b.~3~
	run -0 --separate-stderr lb ln -b a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b.~4~ old
	! [ -e b~ ]
}

@test "ln: --backup=simple makes NAME~ even beside numbered backups" {
	touch a
	echo old >b
	echo older >b.~1~
	run -0 --separate-stderr lb ln --backup=simple a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b~ old
	! [ -e b.~2~ ]
}

@test "ln: --backup=never is simple" {
	touch a
	echo old >b
	echo older >b.~1~
	run -0 --separate-stderr lb ln -s --backup=never a b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink b)" = a ]
	regular_with b~ old
}

@test "ln: --backup=none makes no backup and does not replace" {
	touch a
	echo old >b
	run -1 --separate-stderr lb ln --backup=none a b
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link 'b': File exists"
	regular_with b old
}

@test "ln: --backup=off with -f replaces without a backup" {
	touch a
	echo old >b
	run -0 --separate-stderr lb ln -f --backup=off a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	[ "$(listing)" = "a"$'\n'"b" ]
}

@test "ln: --backup=CONTROL may be abbreviated" {
	touch a
	echo old >b
	run -0 --separate-stderr lb ln --backup=nu a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b.~1~ old
}

@test "ln: --backup= (empty) is the default, existing" {
	touch a
	echo old >b
	run -0 --separate-stderr lb ln --backup= a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b~ old
}

@test "ln: VERSION_CONTROL sets the backup type of -b" {
	touch a
	echo old >b
	VERSION_CONTROL=numbered run -0 --separate-stderr lb ln -b a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b.~1~ old
}

@test "ln: --backup=CONTROL overrides VERSION_CONTROL" {
	touch a
	echo old >b
	VERSION_CONTROL=numbered run -0 --separate-stderr \
		lb ln --backup=simple a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b~ old
}

@test "ln: VERSION_CONTROL alone makes no backup" {
	touch a
	echo old >b
	VERSION_CONTROL=numbered run -1 --separate-stderr lb ln a b
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link 'b': File exists"
	regular_with b old
}

@test "ln: SIMPLE_BACKUP_SUFFIX sets the suffix" {
	touch a
	echo old >b
	SIMPLE_BACKUP_SUFFIX=.old run -0 --separate-stderr lb ln -vb a b
	assert_output_is "'b.old' ~ 'b' => 'a'"
	assert_stderr_is ""
	regular_with b.old old
}

@test "ln: -S SUFFIX implies a backup with that suffix" {
	touch a
	echo old >b
	run -0 --separate-stderr lb ln -S .bak a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	regular_with b.bak old
}

@test "ln: --suffix=SUFFIX is -S" {
	touch a
	echo old >b
	run -0 --separate-stderr lb ln --suffix=.bak a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b.bak old
}

@test "ln: -S overrides SIMPLE_BACKUP_SUFFIX" {
	touch a
	echo old >b
	SIMPLE_BACKUP_SUFFIX=.old run -0 --separate-stderr lb ln -S .bak a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b.bak old
	! [ -e b.old ]
}

@test "ln: a suffix containing a slash falls back to ~" {
	touch a
	echo old >b
	run -0 --separate-stderr lb ln -S x/y a b
	assert_output_is ""
	assert_stderr_is ""
	regular_with b~ old
}

@test "ln: an invalid backup CONTROL is a usage error" {
	touch a b
	LC_ALL=C run -1 --separate-stderr lb ln --backup=foo a b
	assert_output_is ""
	assert_stderr_is "$(control_error invalid foo 'backup type')"
	[ ! a -ef b ]
}

@test "ln: an ambiguous backup CONTROL is a usage error" {
	touch a b
	LC_ALL=C run -1 --separate-stderr lb ln --backup=n a b
	assert_output_is ""
	assert_stderr_is "$(control_error ambiguous n 'backup type')"
}

@test "ln: an invalid VERSION_CONTROL is a usage error with -b" {
	touch a b
	LC_ALL=C VERSION_CONTROL=bad run -1 --separate-stderr lb ln -b a b
	assert_output_is ""
	assert_stderr_is "$(control_error invalid bad '$VERSION_CONTROL')"
	[ ! a -ef b ]
}

@test "ln: -b with the same file is refused" {
	echo data >f
	run -1 --separate-stderr lb ln -b f f
	assert_output_is ""
	assert_stderr_is "ln: 'f' and 'f' are the same file"
	regular_with f data
	! [ -e f~ ]
}

# --- -L, -P -----------------------------------------------------------------

@test "ln: -L hard links the file a symlink TARGET points to" {
	touch f
	command ln -s f s
	run -0 --separate-stderr lb ln -L s l
	assert_output_is ""
	assert_stderr_is ""
	[ f -ef l ]
	! [ -L l ]
}

@test "ln: --logical is -L" {
	touch f
	command ln -s f s
	run -0 --separate-stderr lb ln --logical s l
	assert_output_is ""
	assert_stderr_is ""
	! [ -L l ]
	[ f -ef l ]
}

@test "ln: -P hard links a symlink TARGET itself" {
	touch f
	command ln -s f s
	run -0 --separate-stderr lb ln -P s p
	assert_output_is ""
	assert_stderr_is ""
	[ -L p ]
	[ "$(inode p)" = "$(inode s)" ]
}

@test "ln: --physical is -P" {
	touch f
	command ln -s f s
	run -0 --separate-stderr lb ln --physical s p
	assert_output_is ""
	assert_stderr_is ""
	[ "$(inode p)" = "$(inode s)" ]
}

@test "ln: hard links to a symlink are physical by default" {
	command ln -s missing s
	run -0 --separate-stderr lb ln s l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(inode l)" = "$(inode s)" ]
}

@test "ln: the last of -L and -P counts" {
	touch f
	command ln -s f s
	run -0 --separate-stderr lb ln -LP s p
	assert_output_is ""
	assert_stderr_is ""
	[ "$(inode p)" = "$(inode s)" ]
	run -0 --separate-stderr lb ln -PL s l
	[ f -ef l ]
	! [ -L l ]
}

@test "ln: -L through a dangling symlink fails to access it" {
	command ln -s missing s
	run -1 --separate-stderr lb ln -L s l
	assert_output_is ""
	assert_stderr_is "ln: failed to access 's': $ENOENT"
	! [ -e l ] && ! [ -L l ]
}

# --- -d, -F, --directory ----------------------------------------------------

@test "ln: -d tries to hard link a directory" {
	mkdir d
	run -1 --separate-stderr lb ln -d d g
	assert_output_is ""
	assert_stderr_starts "ln: failed to create hard link 'g' => 'd': "
	! [ -e g ]
}

@test "ln: -F is -d" {
	mkdir d
	run -1 --separate-stderr lb ln -F d g
	assert_output_is ""
	assert_stderr_starts "ln: failed to create hard link 'g' => 'd': "
}

@test "ln: --directory is -d" {
	mkdir d
	run -1 --separate-stderr lb ln --directory d g
	assert_output_is ""
	assert_stderr_starts "ln: failed to create hard link 'g' => 'd': "
}

@test "ln: a directory TARGET without -d is refused" {
	mkdir d
	run -1 --separate-stderr lb ln d g
	assert_output_is ""
	assert_stderr_is "ln: d: hard link not allowed for directory"
	! [ -e g ]
}

@test "ln: a directory TARGET that needs quoting is quoted" {
	mkdir 'd d'
	run -1 --separate-stderr lb ln 'd d' g
	assert_output_is ""
	assert_stderr_is "ln: 'd d': hard link not allowed for directory"
}

# --- --help, --version ------------------------------------------------------

@test "ln: --help prints the usage to stdout" {
	run -0 --separate-stderr lb ln --help
	assert_stderr_is ""
	[ "${lines[0]}" = "Usage: ln [OPTION]... [-T] TARGET LINK_NAME" ]
	[ "${lines[1]}" = "  or:  ln [OPTION]... TARGET" ]
	[ "${lines[2]}" = "  or:  ln [OPTION]... TARGET... DIRECTORY" ]
	[ "${lines[3]}" = "  or:  ln [OPTION]... -t DIRECTORY TARGET..." ]
	[[ $output == *"--skip-same"* ]]
	[[ $output == *"--sync"* ]]
}

@test "ln: --help among other arguments still prints the usage" {
	touch a
	run -0 --separate-stderr lb ln a b --help
	assert_stderr_is ""
	[ "${lines[0]}" = "Usage: ln [OPTION]... [-T] TARGET LINK_NAME" ]
	! [ -e b ]
}

@test "ln: --version prints the name and version" {
	version=$(lb linkbox --version)
	run -0 --separate-stderr lb ln --version
	assert_output_is "ln (linkbox) ${version#linkbox }"
	assert_stderr_is ""
}

# --- option parsing ---------------------------------------------------------

@test "ln: unambiguous abbreviations: --sym" {
	touch a
	run -0 --separate-stderr lb ln --sym a b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink b)" = a ]
}

@test "ln: unambiguous abbreviations: --no-t" {
	touch a
	mkdir d
	run -1 --separate-stderr lb ln --no-t a d
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link 'd': File exists"
}

@test "ln: unambiguous abbreviations: --target=DIR" {
	touch a
	mkdir d
	run -0 --separate-stderr lb ln --target=d a
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef d/a ]
}

@test "ln: --sy is ambiguous between --symbolic and --sync (linkbox)" {
	touch a
	run -1 --separate-stderr lb ln --sy a b
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--sy' is ambiguous;\
 possibilities: '--symbolic' '--sync'")"
	! [ -e b ] && ! [ -L b ]
}

@test "ln: options may follow operands" {
	touch a
	run -0 --separate-stderr lb ln a b -s
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink b)" = a ]
}

@test "ln: POSIXLY_CORRECT stops option parsing at the first operand" {
	touch a
	POSIXLY_CORRECT=1 run -1 --separate-stderr lb ln a b -s
	assert_output_is ""
	assert_stderr_is "ln: target '-s': $ENOENT"
	! [ -e b ] && ! [ -L b ]
}

@test "ln: POSIXLY_CORRECT still takes options before the operands" {
	touch a
	POSIXLY_CORRECT=1 run -0 --separate-stderr lb ln -s a b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink b)" = a ]
}

@test "ln: -- ends the options" {
	touch -- -f
	run -0 --separate-stderr lb ln -v -- -f -g
	assert_output_is "'-g' => '-f'"
	assert_stderr_is ""
	[ -f -ef -g ]
}

@test "ln: a name with a leading - is an option without --" {
	touch -- -f
	run -1 --separate-stderr lb ln -f -g
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid option -- 'g'")"
}

# --- usage errors -----------------------------------------------------------

@test "ln: no operand: missing file operand" {
	run -1 --separate-stderr lb ln
	assert_output_is ""
	assert_stderr_is "$(usage_error "missing file operand")"
}

@test "ln: -T with one operand: missing destination file operand" {
	touch a
	run -1 --separate-stderr lb ln -T a
	assert_output_is ""
	assert_stderr_is "$(usage_error \
		"missing destination file operand after 'a'")"
}

@test "ln: -T with three operands: extra operand" {
	touch a b
	run -1 --separate-stderr lb ln -T a b c
	assert_output_is ""
	assert_stderr_is "$(usage_error "extra operand 'c'")"
	! [ -e c ]
}

@test "ln: -r without -s is refused" {
	touch a
	run -1 --separate-stderr lb ln -r a b
	assert_output_is ""
	assert_stderr_is "ln: cannot do --relative without --symbolic"
	! [ -e b ]
}

@test "ln: -t given twice is refused" {
	touch a
	mkdir d e
	run -1 --separate-stderr lb ln -t d -t e a
	assert_output_is ""
	assert_stderr_is "ln: multiple target directories specified"
	! [ -e d/a ] && ! [ -e e/a ]
}

@test "ln: -t with -T is refused" {
	touch a
	mkdir d
	run -1 --separate-stderr lb ln -t d -T a b
	assert_output_is ""
	assert_stderr_is "ln: cannot combine --target-directory and\
 --no-target-directory"
	! [ -e d/a ] && ! [ -e b ]
}

@test "ln: an unknown short option" {
	touch a
	run -1 --separate-stderr lb ln -x a b
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid option -- 'x'")"
	! [ -e b ]
}

@test "ln: an unknown long option" {
	touch a
	run -1 --separate-stderr lb ln --bogus a b
	assert_output_is ""
	assert_stderr_is "$(usage_error "unrecognized option '--bogus'")"
}

@test "ln: an argument to an option that takes none" {
	touch a
	run -1 --separate-stderr lb ln --force=1 a b
	assert_output_is ""
	assert_stderr_is "$(usage_error \
		"option '--force' doesn't allow an argument")"
}

@test "ln: -t without its argument" {
	run -1 --separate-stderr lb ln -t
	assert_output_is ""
	assert_stderr_is "$(usage_error "option requires an argument -- 't'")"
}

@test "ln: --suffix without its argument" {
	run -1 --separate-stderr lb ln --suffix
	assert_output_is ""
	assert_stderr_is "$(usage_error \
		"option '--suffix' requires an argument")"
}

# --- failures ---------------------------------------------------------------

@test "ln: an existing LINK_NAME: failed to create symbolic link" {
	touch a
	echo old >b
	run -1 --separate-stderr lb ln -s a b
	assert_output_is ""
	assert_stderr_is "ln: failed to create symbolic link 'b': File exists"
	regular_with b old
}

@test "ln: an existing LINK_NAME: failed to create hard link" {
	touch a
	echo old >b
	run -1 --separate-stderr lb ln a b
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link 'b': File exists"
	regular_with b old
}

@test "ln: a missing parent directory names both in the message" {
	touch f
	run -1 --separate-stderr lb ln f x/y
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link 'x/y' => 'f': $ENOENT"
}

@test "ln: -s with a missing parent directory" {
	touch f
	run -1 --separate-stderr lb ln -s f x/y
	assert_output_is ""
	assert_stderr_is "ln: failed to create symbolic link 'x/y': $ENOENT"
}

@test "ln: -f with a missing parent directory fails like without -f" {
	touch f
	run -1 --separate-stderr lb ln -f f x/y
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link 'x/y' => 'f': $ENOENT"
}

@test "ln: -sf with a missing parent directory fails like without -f" {
	touch f
	run -1 --separate-stderr lb ln -sf f x/y
	assert_output_is ""
	assert_stderr_is "ln: failed to create symbolic link 'x/y': $ENOENT"
}

@test "ln: -s with an empty TARGET names it in the message" {
	run -1 --separate-stderr lb ln -s '' b
	assert_output_is ""
	assert_stderr_is "ln: failed to create symbolic link 'b' -> '': $ENOENT"
}

@test "ln: a missing TARGET: failed to access" {
	run -1 --separate-stderr lb ln missing b
	assert_output_is ""
	assert_stderr_is "ln: failed to access 'missing': $ENOENT"
	! [ -e b ] && ! [ -L b ]
}

@test "ln: -f f f: the same file, which stays as it was" {
	echo data >f
	run -1 --separate-stderr lb ln -f f f
	assert_output_is ""
	assert_stderr_is "ln: 'f' and 'f' are the same file"
	regular_with f data
	no_temps
}

@test "ln: -sf f f: the same file, which stays a regular file" {
	echo data >f
	run -1 --separate-stderr lb ln -sf f f
	assert_output_is ""
	assert_stderr_is "ln: 'f' and 'f' are the same file"
	regular_with f data
	no_temps
}

@test "ln: -f ./f f: the same directory entry, spelled differently" {
	echo data >f
	command ln f g
	run -1 --separate-stderr lb ln -f ./f f
	assert_output_is ""
	assert_stderr_is "ln: './f' and 'f' are the same file"
	regular_with f data
	[ f -ef g ]
}

@test "ln: -f d/../a a: the same entry through .." {
	echo data >a
	command ln a b
	mkdir d
	run -1 --separate-stderr lb ln -f d/../a a
	assert_output_is ""
	assert_stderr_is "ln: 'd/../a' and 'a' are the same file"
	regular_with a data
	[ a -ef b ]
}

@test "ln: -f l l on a symlink: the same file" {
	touch a
	command ln -s a l
	run -1 --separate-stderr lb ln -f l l
	assert_output_is ""
	assert_stderr_is "ln: 'l' and 'l' are the same file"
	[ "$(readlink l)" = a ]
	no_temps
}

@test "ln: -i f f answered y asks, then leaves f as it was" {
	echo data >f
	run -0 --separate-stderr answer $'y\n' ln -i f f
	assert_output_is ""
	assert_stderr_is "ln: replace 'f'?"
	regular_with f data
	no_temps
}

# Deliberate difference: GNU prompts and, answered y, turns f into a
# symlink to itself, losing the file.  We refuse, as for -sf.
@test "ln: -si f f refuses: the file is never turned into a loop" {
	echo data >f
	run -1 --separate-stderr answer $'y\n' ln -si f f
	assert_output_is ""
	assert_stderr_is "ln: 'f' and 'f' are the same file"
	regular_with f data
}

@test "ln: -sfb f f keeps the file as f~ and makes f a symlink to itself" {
	echo data >f
	run -0 --separate-stderr lb ln -sfb f f
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink f)" = f ]
	regular_with f~ data
}

@test "ln: -sf over a hard link of TARGET with another name replaces it" {
	echo data >a
	command ln a b
	run -0 --separate-stderr lb ln -sf a b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink b)" = a ]
	regular_with a data
}

@test "ln: -t with a non-directory: target is not a directory" {
	touch a c
	run -1 --separate-stderr lb ln -t c a
	assert_output_is ""
	assert_stderr_is "ln: target 'c' is not a directory"
}

@test "ln: -t with a missing directory: failed to access" {
	touch a
	run -1 --separate-stderr lb ln -t missing a
	assert_output_is ""
	assert_stderr_is "ln: failed to access 'missing': $ENOENT"
}

@test "ln: a b c, c missing: target c, and nothing is created" {
	touch a b
	run -1 --separate-stderr lb ln a b c
	assert_output_is ""
	assert_stderr_is "ln: target 'c': $ENOENT"
	[ "$(listing)" = "a"$'\n'"b" ]
}

@test "ln: a b c, c a file: target c is not a directory, nothing created" {
	touch a b
	echo data >c
	run -1 --separate-stderr lb ln -s a b c
	assert_output_is ""
	assert_stderr_is "ln: target 'c': Not a directory"
	[ "$(listing)" = "a"$'\n'"b"$'\n'"c" ]
	regular_with c data
}

@test "ln: -f onto a directory: cannot overwrite directory" {
	touch f
	mkdir d
	run -1 --separate-stderr lb ln -fT f d
	assert_output_is ""
	assert_stderr_is "ln: d: cannot overwrite directory"
	[ -d d ]
}

@test "ln: -sbT onto a directory: cannot overwrite directory" {
	touch f
	mkdir 'd d'
	run -1 --separate-stderr lb ln -sbT f 'd d'
	assert_output_is ""
	assert_stderr_is "ln: 'd d': cannot overwrite directory"
	[ -d 'd d' ]
	! [ -e 'd d~' ]
}

@test "ln: -f does not replace a link it has just made" {
	mkdir a b c
	touch a/f b/f
	run -1 --separate-stderr lb ln -f a/f b/f c
	assert_output_is ""
	assert_stderr_is "ln: will not overwrite just-created 'c/f' with 'b/f'"
	[ a/f -ef c/f ]
	! [ b/f -ef c/f ]
}

@test "ln: one bad operand among good ones: the good links are made" {
	touch a b
	mkdir d
	run -1 --separate-stderr lb ln -v a missing b d
	assert_output_is "'d/a' => 'a'"$'\n'"'d/b' => 'b'"
	assert_stderr_is "ln: failed to access 'missing': $ENOENT"
	[ a -ef d/a ]
	[ b -ef d/b ]
	! [ -e d/missing ]
}

@test "ln: one existing name among new ones: the others are made" {
	touch a b c
	mkdir d
	echo old >d/b
	run -1 --separate-stderr lb ln -s a b c d
	assert_output_is ""
	assert_stderr_is "ln: failed to create symbolic link 'd/b': File exists"
	[ "$(readlink d/a)" = a ]
	[ "$(readlink d/c)" = c ]
	regular_with d/b old
}

# --- trailing slashes -------------------------------------------------------

@test "ln: -s f d/ puts the link inside d" {
	touch f
	mkdir d
	run -0 --separate-stderr lb ln -sv f d/
	assert_output_is "'d/f' -> 'f'"
	assert_stderr_is ""
	[ "$(readlink d/f)" = f ]
}

@test "ln: d// names the link d/f" {
	touch f
	mkdir d
	run -0 --separate-stderr lb ln -v f d//
	assert_output_is "'d/f' => 'f'"
	assert_stderr_is ""
	[ f -ef d/f ]
}

@test "ln: f x/ with x a regular file fails: File exists" {
	touch f
	echo data >x
	run -1 --separate-stderr lb ln f x/
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link 'x/': File exists"
	regular_with x data
}

@test "ln: -sf f x/ with x a regular file fails to access x/" {
	touch f
	echo data >x
	run -1 --separate-stderr lb ln -sf f x/
	assert_output_is ""
	assert_stderr_is "ln: failed to access 'x/': Not a directory"
	regular_with x data
}

@test "ln: f y/ with y missing: the parent is missing" {
	touch f
	run -1 --separate-stderr lb ln f y/
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link 'y/' => 'f': $ENOENT"
	! [ -e y ]
}

# --- names ------------------------------------------------------------------

@test "ln: names with spaces" {
	touch 'a b'
	run -0 --separate-stderr lb ln -v 'a b' 'c d'
	assert_output_is "'c d' => 'a b'"
	assert_stderr_is ""
	[ 'a b' -ef 'c d' ]
}

@test "ln: a name with a newline is quoted on one line" {
	touch a$'\n'b c
	run -1 --separate-stderr lb ln c a$'\n'b
	assert_output_is ""
	assert_stderr_is \
		"ln: failed to create hard link 'a'\$'\\n''b': File exists"
}

@test "ln: -v quotes a name with a newline" {
	touch a$'\n'b
	run -0 --separate-stderr lb ln -v a$'\n'b c
	assert_output_is "'c' => 'a'\$'\\n''b'"
	assert_stderr_is ""
	[ c -ef a$'\n'b ]
}

@test "ln: a name with a single quote is double-quoted" {
	touch "it's" b
	run -1 --separate-stderr lb ln b "it's"
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link \"it's\": File exists"
}

@test "ln: a non-UTF-8 name is escaped in the C locale" {
	touch $'\377' b
	LC_ALL=C run -1 --separate-stderr lb ln b $'\377'
	assert_output_is ""
	assert_stderr_is \
		"ln: failed to create hard link ''\$'\\377': File exists"
}

@test "ln: -v escapes a non-UTF-8 name in the C locale" {
	touch $'\377'
	LC_ALL=C run -0 --separate-stderr lb ln -v $'\377' b
	assert_output_is "'b' => ''\$'\\377'"
	assert_stderr_is ""
	[ b -ef $'\377' ]
}

# --- --sync (linkbox) -------------------------------------------------------

@test "ln: --sync makes the same link" {
	touch a
	mkdir d
	run -0 --separate-stderr lb ln --sync -s a d/l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink d/l)" = a ]
}

@test "ln: --sync with -f replaces as without it" {
	touch a
	echo old >b
	run -0 --separate-stderr lb ln --sync -fv a b
	assert_output_is "'b' => 'a'"
	assert_stderr_is ""
	[ a -ef b ]
	no_temps
}

@test "ln: --sync fsyncs the directory of the link" {
	need_strace -e trace=fsync
	touch a
	mkdir d
	trace=$BATS_TEST_TMPDIR/fsync.trace
	run -0 --separate-stderr strace_applet ln -y -qq -o "$trace" \
		-e trace=fsync -- --sync -s a d/l
	assert_output_is ""
	assert_stderr_is ""
	# strace -y names the descriptor's file: directory d, fsynced.
	grep -F "<$(pwd -P)/d>)" "$trace" | grep -E "\) += 0$"
	[ "$(readlink d/l)" = a ]
}

@test "ln: without --sync nothing is fsynced" {
	touch a
	traced fsync,fdatasync,syncfs,sync ln -s a l
	! grep -Eq 'sync' "$TRACE"
}

# --- --skip-same (linkbox) --------------------------------------------------

@test "ln: --skip-same leaves a symlink that is already right, without -f" {
	touch a
	command ln -s a s
	before=$(inode s)
	run -0 --separate-stderr lb ln --skip-same -s a s
	assert_output_is ""
	assert_stderr_is ""
	[ "$(inode s)" = "$before" ]
	[ "$(readlink s)" = a ]
}

@test "ln: --skip-same with -f leaves a symlink that is already right" {
	touch a
	command ln -s a s
	before=$(inode s)
	run -0 --separate-stderr lb ln --skip-same -sf a s
	assert_output_is ""
	assert_stderr_is ""
	[ "$(inode s)" = "$before" ]
	no_temps
}

@test "ln: --skip-same compares the symlink text, not what it resolves to" {
	touch a
	command ln -s ./a s
	run -1 --separate-stderr lb ln --skip-same -s a s
	assert_output_is ""
	assert_stderr_is "ln: failed to create symbolic link 's': File exists"
	[ "$(readlink s)" = ./a ]
}

@test "ln: --skip-same with a different symlink and -f replaces it" {
	touch a b
	command ln -s b s
	run -0 --separate-stderr lb ln --skip-same -sf a s
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink s)" = a ]
}

@test "ln: --skip-same compares the text -r computes" {
	mkdir d
	touch a
	command ln -s ../a d/a
	before=$(inode d/a)
	run -0 --separate-stderr lb ln --skip-same -sr a d
	assert_output_is ""
	assert_stderr_is ""
	[ "$(inode d/a)" = "$before" ]
}

@test "ln: --skip-same leaves a hard link of the same inode" {
	touch a
	command ln a b
	run -0 --separate-stderr lb ln --skip-same a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	no_temps
}

@test "ln: --skip-same with a different inode fails as without it" {
	touch a
	echo old >b
	run -1 --separate-stderr lb ln --skip-same a b
	assert_output_is ""
	assert_stderr_is "ln: failed to create hard link 'b': File exists"
	regular_with b old
}

@test "ln: --skip-same with a different inode and -f replaces it" {
	touch a
	echo old >b
	run -0 --separate-stderr lb ln --skip-same -f a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
}

@test "ln: --skip-same in the directory form" {
	touch a c
	mkdir d
	command ln a d/a
	run -0 --separate-stderr lb ln --skip-same a c d
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef d/a ]
	[ c -ef d/c ]
}

@test "ln: --skip-same prints nothing with -v for a link that is right" {
	touch a
	command ln -s a s
	run -0 --separate-stderr lb ln --skip-same -sv a s
	assert_output_is ""
	assert_stderr_is ""
}

@test "ln: --skip-same makes no backup of a link that is right" {
	touch a
	command ln a b
	run -0 --separate-stderr lb ln --skip-same -b a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	! [ -e b~ ]
}
