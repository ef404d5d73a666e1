#!/usr/bin/env bats
load helpers
USAGE_APPLET=lnatomic # for usage_error

# lnatomic: make or replace a link so that its name never disappears
# (applets/lnatomic.c).  Fixtures and checks use the host's tools only.

# Each test runs in its own scratch directory, on builds carrying lnatomic.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	skip_unless_applet lnatomic
}

# The deploy layout: releases/41, releases/42, current -> releases/41.
make_releases() {
	mkdir -p releases/41 releases/42
	command ln -s releases/41 current
}

# --- kinds of link -----------------------------------------------------------

@test "lnatomic: makes a hard link by default" {
	echo data >t
	run -0 --separate-stderr lb lnatomic t l
	assert_output_is ""
	assert_stderr_is ""
	[ ! -L l ]
	[ t -ef l ]
	no_temps
}

@test "lnatomic: -s makes a symbolic link holding TARGET as written" {
	run -0 --separate-stderr lb lnatomic -s no/such/target l
	assert_output_is ""
	assert_stderr_is ""
	[ -L l ]
	[ "$(readlink l)" = no/such/target ]
	no_temps
}

@test "lnatomic: --symbolic is -s" {
	run -0 --separate-stderr lb lnatomic --symbolic t l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink l)" = t ]
}

@test "lnatomic: -r makes the link text relative, across directories" {
	mkdir -p a/b c/d
	touch a/b/t
	run -0 --separate-stderr lb lnatomic -s -r a/b/t c/d/l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink c/d/l)" = ../../a/b/t ]
	[ c/d/l -ef a/b/t ]
	no_temps
}

@test "lnatomic: --relative is -r" {
	mkdir d
	touch t
	run -0 --separate-stderr lb lnatomic --symbolic --relative t d/l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink d/l)" = ../t ]
}

@test "lnatomic: -r without -s is a usage error" {
	touch t
	run -2 --separate-stderr lb lnatomic -r t l
	assert_output_is ""
	assert_stderr_is "$(usage_error "--relative needs --symbolic")"
	[ ! -e l ]
	[ ! -L l ]
}

# --- -v ------------------------------------------------------------------------

@test "lnatomic: -v on a new name says it was nothing" {
	make_releases
	run -0 --separate-stderr lb lnatomic -s -v releases/42 next
	assert_output_is "'next' -> 'releases/42' (was nothing)"
	assert_stderr_is ""
}

@test "lnatomic: -v on a symlink says what it pointed to" {
	make_releases
	run -0 --separate-stderr lb lnatomic -s -v releases/42 current
	assert_output_is "'current' -> 'releases/42' (was 'releases/41')"
	assert_stderr_is ""
}

@test "lnatomic: --verbose is -v" {
	make_releases
	run -0 --separate-stderr lb lnatomic -s --verbose releases/42 current
	assert_output_is "'current' -> 'releases/42' (was 'releases/41')"
	assert_stderr_is ""
}

@test "lnatomic: -v on a file says it was a file" {
	make_releases
	touch f
	run -0 --separate-stderr lb lnatomic -sv releases/42 f
	assert_output_is "'f' -> 'releases/42' (was a file)"
	assert_stderr_is ""
}

@test "lnatomic: -v on a directory says it was a directory" {
	make_releases
	mkdir d
	run -0 --separate-stderr lb lnatomic -sv --replace-dir releases/42 d
	assert_output_is "'d' -> 'releases/42' (was a directory)"
	assert_stderr_is ""
}

@test "lnatomic: -v on a fifo says it was a special file" {
	mkfifo p
	run -0 --separate-stderr lb lnatomic -sv t p
	assert_output_is "'p' -> 't' (was a special file)"
	assert_stderr_is ""
	[ "$(readlink p)" = t ]
}

@test "lnatomic: -v shows a hard link with =>" {
	touch t f
	run -0 --separate-stderr lb lnatomic -v t f
	assert_output_is "'f' => 't' (was a file)"
	assert_stderr_is ""
	[ t -ef f ]
}

@test "lnatomic: -v on the requested symlink says unchanged" {
	mkdir -p releases/42
	command ln -s releases/42 current
	run -0 --separate-stderr lb lnatomic -sv releases/42 current
	assert_output_is "'current' unchanged: -> 'releases/42'"
	assert_stderr_is ""
}

@test "lnatomic: -v on the requested hard link says unchanged" {
	touch t
	command ln t l
	run -0 --separate-stderr lb lnatomic -v t l
	assert_output_is "'l' unchanged: => 't'"
	assert_stderr_is ""
}

@test "lnatomic: -v with -r shows the relative text" {
	mkdir d
	touch t
	run -0 --separate-stderr lb lnatomic -svr t d/l
	assert_output_is "'d/l' -> '../t' (was nothing)"
	assert_stderr_is ""
}

# --- what gets replaced ----------------------------------------------------------

@test "lnatomic: replaces a file" {
	echo new >t
	echo old >l
	run -0 --separate-stderr lb lnatomic t l
	assert_output_is ""
	assert_stderr_is ""
	[ t -ef l ]
	[ "$(cat l)" = new ]
	no_temps
}

@test "lnatomic: replaces a symlink with a symlink" {
	make_releases
	run -0 --separate-stderr lb lnatomic -s releases/42 current
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink current)" = releases/42 ]
	no_temps
}

@test "lnatomic: replaces a symlink with a hard link" {
	touch t
	command ln -s elsewhere l
	run -0 --separate-stderr lb lnatomic t l
	assert_output_is ""
	assert_stderr_is ""
	[ ! -L l ]
	[ t -ef l ]
	no_temps
}

@test "lnatomic: replaces a symlink to a directory, never descending into it" {
	make_releases
	run -0 --separate-stderr lb lnatomic -s releases/42 current
	assert_output_is ""
	assert_stderr_is ""
	[ -L current ]
	[ "$(readlink current)" = releases/42 ]
	[ -z "$(ls -A releases/41)" ]
	[ -z "$(ls -A releases/42)" ]
	no_temps
}

@test "lnatomic: a hard link replaces a symlink to a directory itself" {
	make_releases
	touch t
	run -0 --separate-stderr lb lnatomic t current
	assert_output_is ""
	assert_stderr_is ""
	[ ! -L current ]
	[ t -ef current ]
	[ -z "$(ls -A releases/41)" ]
	no_temps
}

@test "lnatomic: a trailing slash on LINK_NAME still names the symlink" {
	make_releases
	run -0 --separate-stderr lb lnatomic -s releases/42 current/
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink current)" = releases/42 ]
	[ -z "$(ls -A releases/41)" ]
	no_temps
}

@test "lnatomic: replaces a 255-byte name through a shortened temporary" {
	name=$(printf 'n%.0s' {1..255})
	command ln -s old "$name"
	run -0 --separate-stderr lb lnatomic -s new "$name"
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink "$name")" = new ]
	no_temps
}

# --- already the requested link -----------------------------------------------------

@test "lnatomic: leaves the requested symlink alone" {
	command ln -s releases/42 current
	before=$(inode current)
	run -0 --separate-stderr lb lnatomic -s releases/42 current
	assert_output_is ""
	assert_stderr_is ""
	[ "$(inode current)" = "$before" ]
	no_temps
}

@test "lnatomic: leaves the requested hard link alone" {
	touch t
	command ln t l
	run -0 --separate-stderr lb lnatomic t l
	assert_output_is ""
	assert_stderr_is ""
	[ t -ef l ]
	[ "$(stat -c %h t)" = 2 ]
	no_temps
}

@test "lnatomic: --unchanged-status=N exits N when nothing changed" {
	command ln -s releases/42 current
	before=$(inode current)
	run -7 --separate-stderr lb lnatomic -s --unchanged-status=7 \
		releases/42 current
	assert_output_is ""
	assert_stderr_is ""
	[ "$(inode current)" = "$before" ]
}

@test "lnatomic: --unchanged-status=125 is the largest accepted" {
	command ln -s t l
	run -125 --separate-stderr lb lnatomic -s --unchanged-status=125 t l
	assert_output_is ""
	assert_stderr_is ""
}

@test "lnatomic: --unchanged-status does not apply to a change" {
	make_releases
	run -0 --separate-stderr lb lnatomic -s --unchanged-status=7 \
		releases/42 current
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink current)" = releases/42 ]
}

@test "lnatomic: --unchanged-status above 125 is a usage error" {
	command ln -s t l
	run -2 --separate-stderr lb lnatomic -s --unchanged-status=126 t l
	assert_output_is ""
	assert_stderr_is "$(usage_error "--unchanged-status must be at most 125")"
}

@test "lnatomic: --unchanged-status that is not a number is a usage error" {
	make_releases
	run -2 --separate-stderr lb lnatomic -s --unchanged-status=7x \
		releases/42 current
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid status: '7x'")"
	[ "$(readlink current)" = releases/41 ]
}

@test "lnatomic: an empty --unchanged-status is a usage error" {
	run -2 --separate-stderr lb lnatomic -s --unchanged-status= t l
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid status: ''")"
	[ ! -L l ]
}

# --- --expect and --no-replace ----------------------------------------------------

@test "lnatomic: --expect=OLD replaces a symlink that reads OLD" {
	make_releases
	run -0 --separate-stderr lb lnatomic -s --expect=releases/41 \
		releases/42 current
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink current)" = releases/42 ]
	no_temps
}

@test "lnatomic: --expect=OLD leaves another symlink alone and exits 3" {
	make_releases
	before=$(inode current)
	run -3 --separate-stderr lb lnatomic -s --expect=releases/40 \
		releases/42 current
	assert_output_is ""
	assert_stderr_is "lnatomic: 'current' is not a symbolic link to 'releases/40' (it is a symbolic link to 'releases/41'); not replaced"
	[ "$(readlink current)" = releases/41 ]
	[ "$(inode current)" = "$before" ]
	no_temps
}

@test "lnatomic: --expect compares the link text, not where it leads" {
	make_releases
	run -3 --separate-stderr lb lnatomic -s --expect=./releases/41 \
		releases/42 current
	assert_output_is ""
	assert_stderr_is "lnatomic: 'current' is not a symbolic link to './releases/41' (it is a symbolic link to 'releases/41'); not replaced"
	[ "$(readlink current)" = releases/41 ]
}

@test "lnatomic: --expect on an absent LINK_NAME exits 3 and creates nothing" {
	run -3 --separate-stderr lb lnatomic -s --expect=old new l
	assert_output_is ""
	assert_stderr_is "lnatomic: 'l' is not a symbolic link to 'old' (it does not exist); not replaced"
	[ ! -e l ]
	[ ! -L l ]
	no_temps
}

@test "lnatomic: --expect on a file, with -s, exits 3" {
	echo keep >l
	run -3 --separate-stderr lb lnatomic -s --expect=old new l
	assert_output_is ""
	assert_stderr_is "lnatomic: 'l' is not a symbolic link to 'old' (it is a file); not replaced"
	[ "$(cat l)" = keep ]
}

@test "lnatomic: --expect=OLD for a hard link replaces the same file as OLD" {
	echo old >old
	echo new >new
	command ln old l
	run -0 --separate-stderr lb lnatomic --expect=old new l
	assert_output_is ""
	assert_stderr_is ""
	[ l -ef new ]
	[ "$(stat -c %h old)" = 1 ]
	no_temps
}

@test "lnatomic: --expect=OLD for a hard link leaves another file alone" {
	echo old >old
	echo new >new
	echo other >l
	before=$(inode l)
	run -3 --separate-stderr lb lnatomic --expect=old new l
	assert_output_is ""
	assert_stderr_is "lnatomic: 'l' is not the same file as 'old' (it is a file); not replaced"
	[ "$(inode l)" = "$before" ]
	[ "$(cat l)" = other ]
	no_temps
}

@test "lnatomic: --expect=OLD for a hard link, OLD missing, says so and exits 2" {
	echo new >new
	echo cur >l
	run -2 --separate-stderr lb lnatomic --expect=nosuchfile new l
	assert_output_is ""
	assert_stderr_starts "lnatomic: 'nosuchfile': "
	one_line
	[ "$(cat l)" = cur ]
	no_temps
}

@test "lnatomic: --expect after the switch was made exits 3: not idempotent" {
	command ln -s releases/42 current
	run -3 --separate-stderr lb lnatomic -s --expect=releases/41 \
		releases/42 current
	assert_stderr_is "lnatomic: 'current' is not a symbolic link to 'releases/41' (it is a symbolic link to 'releases/42'); not replaced"
}

@test "lnatomic: --expect-or-done=OLD replaces a symlink that reads OLD" {
	make_releases
	run -0 --separate-stderr lb lnatomic -s --expect-or-done=releases/41 \
		releases/42 current
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink current)" = releases/42 ]
	no_temps
}

@test "lnatomic: --expect-or-done=OLD rerun after the switch is done: 0" {
	command ln -s releases/42 current
	run -0 --separate-stderr lb lnatomic -s -v \
		--expect-or-done=releases/41 releases/42 current
	assert_output_is "'current' unchanged: -> 'releases/42'"
	assert_stderr_is ""
	[ "$(readlink current)" = releases/42 ]
}

@test "lnatomic: --expect-or-done with --unchanged-status tells a rerun apart" {
	command ln -s releases/42 current
	run -4 --separate-stderr lb lnatomic -s --unchanged-status=4 \
		--expect-or-done=releases/41 releases/42 current
	assert_stderr_is ""
}

@test "lnatomic: --expect-or-done=OLD leaves a third link alone and exits 3" {
	command ln -s releases/40 current
	run -3 --separate-stderr lb lnatomic -s --expect-or-done=releases/41 \
		releases/42 current
	assert_stderr_is "lnatomic: 'current' is not a symbolic link to 'releases/41' (it is a symbolic link to 'releases/40'); not replaced"
	[ "$(readlink current)" = releases/40 ]
}

@test "lnatomic: --expect with --expect-or-done is a usage error" {
	run -2 --separate-stderr lb lnatomic -s --expect=a --expect-or-done=b t l
	assert_output_is ""
	assert_stderr_is "$(usage_error "--expect and --expect-or-done exclude each other")"
	[ ! -L l ]
}

@test "lnatomic: --no-replace creates an absent LINK_NAME" {
	run -0 --separate-stderr lb lnatomic -s --no-replace t l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink l)" = t ]
	no_temps
}

@test "lnatomic: --no-replace leaves an existing LINK_NAME and exits 3" {
	make_releases
	before=$(inode current)
	run -3 --separate-stderr lb lnatomic -s --no-replace releases/42 current
	assert_output_is ""
	assert_stderr_is "lnatomic: 'current' exists; not replaced"
	[ "$(readlink current)" = releases/41 ]
	[ "$(inode current)" = "$before" ]
	no_temps
}

@test "lnatomic: --no-replace for a hard link leaves an existing file" {
	touch t
	echo keep >l
	run -3 --separate-stderr lb lnatomic --no-replace t l
	assert_output_is ""
	assert_stderr_is "lnatomic: 'l' exists; not replaced"
	[ ! t -ef l ]
	[ "$(cat l)" = keep ]
}

@test "lnatomic: --no-replace onto the very link asked for still exits 3" {
	command ln -s holder lock
	run -3 --separate-stderr lb lnatomic -s --no-replace holder lock
	assert_output_is ""
	assert_stderr_is "lnatomic: 'lock' exists; not replaced"
	[ "$(readlink lock)" = holder ]
}

@test "lnatomic: --no-replace is a lock: of concurrent callers exactly one wins" {
	for round in 1 2 3 4 5 6 7 8 9 10; do
		rm -f lock status.*
		for i in 1 2 3 4; do
			{ r=0; lb lnatomic -s --no-replace holder lock \
				2>/dev/null || r=$?; echo $r >status.$i; } &
		done
		wait
		[ "$(cat status.* | sort | tr '\n' ' ')" = "0 3 3 3 " ]
		[ "$(readlink lock)" = holder ]
	done
}

@test "lnatomic: --expect with --no-replace is a usage error" {
	run -2 --separate-stderr lb lnatomic -s --expect=a --no-replace t l
	assert_output_is ""
	assert_stderr_is "$(usage_error "--expect and --no-replace exclude each other")"
	[ ! -L l ]
}

# --- real directories ------------------------------------------------------------

@test "lnatomic: a real directory is not replaced without --replace-dir" {
	mkdir -p conf/sub
	echo x >conf/sub/f
	run -1 --separate-stderr lb lnatomic -s new conf
	assert_output_is ""
	assert_stderr_is "lnatomic: 'conf' is a directory (use --replace-dir or --keep-dir)"
	[ -d conf ]
	[ ! -L conf ]
	[ "$(cat conf/sub/f)" = x ]
	[ "$(ls -A conf)" = sub ]
	no_temps
}

@test "lnatomic: --replace-dir replaces a directory and removes its tree" {
	mkdir -p w/new w/conf/a/b/c
	echo x >w/conf/a/b/c/deep
	echo y >w/conf/top
	command ln -s nowhere w/conf/a/dangling
	run -0 --separate-stderr lb lnatomic -s --replace-dir new w/conf
	assert_output_is ""
	assert_stderr_is ""
	[ -L w/conf ]
	[ "$(readlink w/conf)" = new ]
	[ -z "$(ls -A w/new)" ]
	[ "$(ls -A w)" = $'conf\nnew' ]
	no_temps
}

@test "lnatomic: --replace-dir does not follow symlinks in the old tree" {
	mkdir -p outside conf/sub
	touch outside/keep
	command ln -s ../outside conf/sub/rel
	command ln -s "$PWD/outside" conf/abs
	run -0 --separate-stderr lb lnatomic -s --replace-dir new conf
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink conf)" = new ]
	[ -e outside/keep ]
	no_temps
}

@test "lnatomic: --replace-dir replaces a directory with a hard link" {
	mkdir d
	touch d/f t
	run -0 --separate-stderr lb lnatomic --replace-dir t d
	assert_output_is ""
	assert_stderr_is ""
	[ t -ef d ]
	[ -f d ]
	no_temps
}

@test "lnatomic: --replace-dir refuses where no exchange is possible" {
	need_strace -e trace=fsync
	strace -f -o /dev/null -e inject=renameat2:error=EINVAL true \
		2>/dev/null || skip "strace cannot inject faults here"
	mkdir conf
	touch conf/f
	run -1 --separate-stderr strace_applet lnatomic -o /dev/null \
		-e inject=renameat2:error=EINVAL -- -s --replace-dir new conf
	assert_output_is ""
	assert_stderr_starts "lnatomic: 'conf': cannot replace a directory atomically here: "
	one_line
	[ -d conf ]
	[ ! -L conf ]
	[ -e conf/f ]
	no_temps
}

@test "lnatomic: --keep-dir=NAME keeps the old directory as NAME" {
	mkdir -p new conf/sub
	echo x >conf/sub/f
	run -0 --separate-stderr lb lnatomic -s --keep-dir=conf.old new conf
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink conf)" = new ]
	[ -d conf.old ]
	[ ! -L conf.old ]
	[ "$(cat conf.old/sub/f)" = x ]
	no_temps
}

@test "lnatomic: --keep-dir onto an existing NAME fails before changing anything" {
	mkdir new conf conf.old
	echo c >conf/c
	echo k >conf.old/k
	run -1 --separate-stderr lb lnatomic -s --keep-dir=conf.old new conf
	assert_output_is ""
	assert_stderr_starts "lnatomic: cannot keep the old directory as 'conf.old': "
	one_line
	[ -d conf ]
	[ ! -L conf ]
	[ "$(cat conf/c)" = c ]
	[ "$(ls -A conf.old)" = k ]
	no_temps
}

@test "lnatomic: --keep-dir whose directory is missing fails before changing anything" {
	mkdir new conf
	echo c >conf/c
	run -1 --separate-stderr lb lnatomic -s --keep-dir=nodir/conf.old new conf
	assert_output_is ""
	assert_stderr_starts "lnatomic: cannot keep the old directory as 'nodir/conf.old': "
	one_line
	[ -d conf ]
	[ ! -L conf ]
	[ "$(cat conf/c)" = c ]
	no_temps
}

@test "lnatomic: --keep-dir on another filesystem fails before changing anything" {
	mount_tmpfs
	mkdir new conf
	echo c >conf/c
	run -1 --separate-stderr lb lnatomic -s --keep-dir=mnt/conf.old new conf
	assert_output_is ""
	assert_stderr_starts "lnatomic: cannot keep the old directory as 'mnt/conf.old': "
	one_line
	[ -d conf ]
	[ ! -L conf ]
	[ "$(cat conf/c)" = c ]
	[ -z "$(ls -A mnt)" ]
	no_temps
}

@test "lnatomic: --keep-dir failing after the exchange exchanges back: nothing changed" {
	need_strace -e inject=renameat2:error=EIO:when=2
	mkdir new conf
	echo c >conf/c
	# The first renameat2 is the exchange, the second the move to KEEP.
	run -1 --separate-stderr strace_applet lnatomic -o /dev/null \
		-e inject=renameat2:error=EIO:when=2 -- \
		-s --keep-dir=conf.old new conf
	assert_output_is ""
	assert_stderr_starts "lnatomic: cannot keep the old directory as 'conf.old'; 'conf' is unchanged: "
	one_line
	[ -d conf ]
	[ ! -L conf ]
	[ "$(cat conf/c)" = c ]
	[ ! -e conf.old ]
	no_temps
}

@test "lnatomic: --replace-dir with --keep-dir is a usage error" {
	mkdir conf
	run -2 --separate-stderr lb lnatomic -s --replace-dir --keep-dir=old \
		new conf
	assert_output_is ""
	assert_stderr_is "$(usage_error "--replace-dir and --keep-dir exclude each other")"
	[ -d conf ]
	[ ! -L conf ]
}

@test "lnatomic: --no-replace leaves a real directory and exits 3" {
	mkdir conf
	run -3 --separate-stderr lb lnatomic -s --no-replace --replace-dir \
		new conf
	assert_output_is ""
	assert_stderr_is "lnatomic: 'conf' exists; not replaced"
	[ -d conf ]
	[ ! -L conf ]
}

# --- --sync --------------------------------------------------------------------

@test "lnatomic: --sync makes the link" {
	make_releases
	run -0 --separate-stderr lb lnatomic -s --sync releases/42 current
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink current)" = releases/42 ]
	no_temps
}

@test "lnatomic: --sync fsyncs the directory holding LINK_NAME" {
	need_strace -e trace=fsync
	mkdir d
	trace=$BATS_TEST_TMPDIR/fsync.trace
	run -0 --separate-stderr strace_applet lnatomic -y -qq -o "$trace" \
		-e trace=fsync -- -s --sync t d/l
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink d/l)" = t ]
	grep -F "<$(pwd -P)/d>)" "$trace" | grep -E "\) += 0$"
}

@test "lnatomic: without --sync nothing is fsynced" {
	need_strace -e trace=fsync
	trace=$BATS_TEST_TMPDIR/fsync.trace
	run -0 --separate-stderr strace_applet lnatomic -qq -o "$trace" \
		-e trace=fsync -- -s t l
	assert_output_is ""
	assert_stderr_is ""
	run -1 grep -c fsync "$trace"
}

@test "lnatomic: --sync reports a failed fsync and exits 1" {
	need_strace -e trace=fsync
	strace -f -o /dev/null -e inject=fsync:error=EIO true 2>/dev/null ||
		skip "strace cannot inject faults here"
	run -1 --separate-stderr strace_applet lnatomic -o /dev/null \
		-e inject=fsync:error=EIO -- -s --sync t l
	assert_output_is ""
	assert_stderr_starts "lnatomic: cannot sync the directory of 'l': "
	one_line
	no_temps
}

# --- failures -----------------------------------------------------------------

@test "lnatomic: a missing TARGET of a hard link fails" {
	echo keep >l
	run -1 --separate-stderr lb lnatomic nosuch l
	assert_output_is ""
	assert_stderr_starts "lnatomic: 'nosuch': "
	one_line
	[ "$(cat l)" = keep ]
	no_temps
}

@test "lnatomic: a hard link to a directory is refused as ln refuses it" {
	mkdir d
	run -1 --separate-stderr lb lnatomic d l
	assert_output_is ""
	assert_stderr_is "lnatomic: d: hard link not allowed for directory"
	[ ! -e l ]
	no_temps
}

@test "lnatomic: a missing directory of LINK_NAME fails" {
	run -1 --separate-stderr lb lnatomic -s t nodir/l
	assert_output_is ""
	assert_stderr_starts "lnatomic: 'nodir': "
	one_line
	[ ! -e nodir ]
}

@test "lnatomic: no operand is a usage error" {
	run -2 --separate-stderr lb lnatomic
	assert_output_is ""
	assert_stderr_is "$(usage_error "missing operand")"
}

@test "lnatomic: one operand is a usage error" {
	mkdir w
	run -2 --separate-stderr lb lnatomic -s w
	assert_output_is ""
	assert_stderr_is "$(usage_error "missing operand")"
	[ -z "$(ls -A w)" ]
}

@test "lnatomic: a third operand is a usage error" {
	run -2 --separate-stderr lb lnatomic -s a b c
	assert_output_is ""
	assert_stderr_is "$(usage_error "extra operand 'c'")"
	[ ! -L b ]
	[ ! -L c ]
}

@test "lnatomic: an unknown option is a usage error" {
	run -2 --separate-stderr lb lnatomic --bogus a b
	assert_output_is ""
	assert_stderr_is "$(usage_error "unrecognized option '--bogus'")"
}

# --- --cleanup ----------------------------------------------------------------

@test "lnatomic: --cleanup removes temporary symlinks and files" {
	mkdir d
	command ln -s releases/42 d/.current.lnatomic.AbC123
	touch d/.f.lnatomic.zzzzzz d/.'with space'.lnatomic.Q1w2E3 d/keep
	run -0 --separate-stderr lb lnatomic --cleanup d
	assert_output_is ""
	assert_stderr_is ""
	[ "$(ls -A d)" = keep ]
}

@test "lnatomic: --cleanup leaves look-alikes and other dot files" {
	mkdir d
	touch d/.a.lnatomic.abc d/.b.lnatomic.abcdefg d/.c.lnatomic.ab-def \
		d/.e.other.AbC123 d/e.lnatomic.AbC123 d/.lnatomic.AbC123 \
		d/.other
	want=$(ls -A d)
	run -0 --separate-stderr lb lnatomic --cleanup d
	assert_output_is ""
	assert_stderr_is ""
	[ "$(ls -A d)" = "$want" ]
}

@test "lnatomic: --cleanup removes the temporaries of ln and linkbox --install" {
	mkdir d
	command ln -s t d/.l.ln.AbC123
	touch d/.ln.linkbox.Zz9Zz9 d/keep
	run -0 --separate-stderr lb lnatomic --cleanup d
	assert_stderr_is ""
	[ "$(ls -A d)" = keep ]
}

@test "lnatomic: --cleanup removes the temporary symlink of symlinks -c" {
	mkdir d
	command ln -s ../f d/.l.symlinks.AbC123
	touch d/keep
	run -0 --separate-stderr lb lnatomic -v --cleanup d
	assert_output_is "removed 'd/.l.symlinks.AbC123'"
	assert_stderr_is ""
	[ "$(ls -A d)" = keep ]
}

@test "lnatomic: --cleanup removes a safeswap or dedup temporary that is a second name" {
	mkdir d
	echo a >d/a
	echo b >d/b
	command ln d/a d/.a.safeswap.AbC123
	command ln d/b d/.b.dedup.AbC123
	run -0 --separate-stderr lb lnatomic --cleanup d
	assert_stderr_is ""
	[ "$(ls -A d | tr '\n' ' ')" = "a b " ]
}

@test "lnatomic: --cleanup leaves a safeswap or dedup temporary that is the only name of its file" {
	mkdir d
	echo a >d/.a.safeswap.AbC123
	echo b >d/.b.dedup.AbC123
	run -1 --separate-stderr lb lnatomic --cleanup d
	assert_output_is ""
	[ "$(sort <<<"$stderr")" = "\
lnatomic: 'd/.a.safeswap.AbC123' is the only name of its file: left alone
lnatomic: 'd/.b.dedup.AbC123' is the only name of its file: left alone" ]
	[ "$(cat d/.a.safeswap.AbC123)" = a ]
	[ "$(cat d/.b.dedup.AbC123)" = b ]
}

@test "lnatomic: --cleanup after safeswap was killed between its renames keeps both objects" {
	need_inject renameat
	mkdir d
	echo A >d/a
	echo B >d/b
	# No exchange: the fallback links, then renames twice; killed at
	# the second rename, B's object is left only under a temporary.
	run -137 strace_applet safeswap -o /dev/null \
		-e inject=renameat2:error=EINVAL \
		-e inject=renameat:signal=SIGKILL:when=2 -- d/a d/b
	run -1 --separate-stderr lb lnatomic --cleanup d
	[ "$(cat d/a)" = A ]
	[ "$(cat d/b)" = A ]
	[ "$(cat d/.a.safeswap.??????)" = B ]
}

@test "lnatomic: --cleanup reports a temporary directory and leaves it" {
	mkdir -p d/.conf.lnatomic.QWERTY
	touch d/.conf.lnatomic.QWERTY/f
	run -1 --separate-stderr lb lnatomic --cleanup d
	assert_output_is ""
	assert_stderr_is "lnatomic: 'd/.conf.lnatomic.QWERTY' is a directory: left alone"
	[ -e d/.conf.lnatomic.QWERTY/f ]
}

@test "lnatomic: --cleanup -v names what it removed" {
	mkdir d
	command ln -s t d/.l.lnatomic.AbC123
	run -0 --separate-stderr lb lnatomic -v --cleanup d
	assert_output_is "removed 'd/.l.lnatomic.AbC123'"
	assert_stderr_is ""
	[ -z "$(ls -A d)" ]
}

@test "lnatomic: --cleanup goes on past an unreadable directory" {
	mkdir d
	touch d/.f.lnatomic.zzzzzz
	run -1 --separate-stderr lb lnatomic --cleanup nosuch d
	assert_output_is ""
	assert_stderr_starts "lnatomic: cannot read directory 'nosuch': "
	one_line
	[ -z "$(ls -A d)" ]
}

@test "lnatomic: --cleanup reports a temporary it cannot remove, once" {
	need_strace -e trace=fsync
	strace -f -o /dev/null -e inject=unlinkat:error=EPERM true \
		2>/dev/null || skip "strace cannot inject faults here"
	mkdir d
	touch d/.f.lnatomic.zzzzzz
	run -1 --separate-stderr strace_applet lnatomic -o /dev/null \
		-e inject=unlinkat:error=EPERM -- --cleanup d
	assert_output_is ""
	assert_stderr_starts "lnatomic: cannot remove 'd/.f.lnatomic.zzzzzz': "
	one_line
	[ -e d/.f.lnatomic.zzzzzz ]
}

@test "lnatomic: --cleanup needs a DIRECTORY" {
	run -2 --separate-stderr lb lnatomic --cleanup
	assert_output_is ""
	assert_stderr_is "$(usage_error "missing operand")"
}

@test "lnatomic: --cleanup with options other than -v is a usage error" {
	mkdir d
	touch d/.f.lnatomic.zzzzzz
	for o in -s -r --sync --expect=x --no-replace --replace-dir \
		--keep-dir=x; do
		run -2 --separate-stderr lb lnatomic --cleanup "$o" d
		assert_output_is ""
		assert_stderr_is "$(usage_error "--cleanup takes only -v")"
	done
	[ -e d/.f.lnatomic.zzzzzz ]
}

@test "lnatomic: --cleanup with --unchanged-status is a usage error" {
	mkdir d
	touch d/.f.lnatomic.zzzzzz
	run -2 --separate-stderr lb lnatomic --cleanup --unchanged-status=5 d
	assert_output_is ""
	assert_stderr_is "$(usage_error "--cleanup takes only -v")"
	[ -e d/.f.lnatomic.zzzzzz ]
}

# --- awkward names ---------------------------------------------------------------

@test "lnatomic: names with spaces" {
	mkdir 'my dir'
	command ln -s 'old target' 'my dir/the link'
	run -0 --separate-stderr lb lnatomic -sv 'new target' 'my dir/the link'
	assert_output_is "'my dir/the link' -> 'new target' (was 'old target')"
	assert_stderr_is ""
	[ "$(readlink 'my dir/the link')" = 'new target' ]
	no_temps
}

@test "lnatomic: names with a newline" {
	command ln -s old $'l\nx'
	run -0 --separate-stderr lb lnatomic -sv $'t\ny' $'l\nx'
	assert_output_is "'l'\$'\\n''x' -> 't'\$'\\n''y' (was 'old')"
	assert_stderr_is ""
	[ "$(readlink $'l\nx')" = $'t\ny' ]
	no_temps
}

@test "lnatomic: names with a newline in a message" {
	run -1 --separate-stderr lb lnatomic $'no\nne' l
	assert_output_is ""
	assert_stderr_starts "lnatomic: 'no'\$'\\n''ne': "
	one_line
}

@test "lnatomic: names with a leading '-' after --" {
	command ln -s -- old -l
	run -0 --separate-stderr lb lnatomic -sv -- -t -l
	assert_output_is "'-l' -> '-t' (was 'old')"
	assert_stderr_is ""
	[ "$(readlink -- -l)" = -t ]
	no_temps
}

# --- on a tmpfs -----------------------------------------------------------------

@test "lnatomic: on a tmpfs, replaces a symlink" {
	mount_tmpfs
	mkdir -p mnt/releases/41 mnt/releases/42
	command ln -s releases/41 mnt/current
	run -0 --separate-stderr lb lnatomic -sv releases/42 mnt/current
	assert_output_is "'mnt/current' -> 'releases/42' (was 'releases/41')"
	assert_stderr_is ""
	[ "$(readlink mnt/current)" = releases/42 ]
	no_temps mnt
}

@test "lnatomic: on a tmpfs, replaces a file with a hard link" {
	mount_tmpfs
	echo new >mnt/t
	echo old >mnt/l
	run -0 --separate-stderr lb lnatomic mnt/t mnt/l
	assert_output_is ""
	assert_stderr_is ""
	[ mnt/t -ef mnt/l ]
	no_temps mnt
}

@test "lnatomic: on a tmpfs, --replace-dir replaces a directory" {
	mount_tmpfs
	mkdir -p mnt/new mnt/conf/sub
	touch mnt/conf/sub/f
	run -0 --separate-stderr lb lnatomic -s --replace-dir new mnt/conf
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink mnt/conf)" = new ]
	[ "$(ls -A mnt)" = $'conf\nnew' ]
	no_temps mnt
}

@test "lnatomic: a hard link to another filesystem fails" {
	mount_tmpfs
	touch t
	run -1 --separate-stderr lb lnatomic t mnt/l
	assert_output_is ""
	assert_stderr_starts "lnatomic: cannot make 'mnt/l' a link to 't': "
	one_line
	[ -z "$(ls -A mnt)" ]
}

# --- --help, --version ---------------------------------------------------------

@test "lnatomic: --help prints the usage with every option" {
	run -0 --separate-stderr lb lnatomic --help
	assert_stderr_is ""
	[ "${lines[0]}" = "Usage: lnatomic [OPTION]... TARGET LINK_NAME" ]
	for o in --symbolic --relative --verbose --sync --expect=OLD \
		--no-replace --replace-dir --keep-dir=NAME \
		--unchanged-status=N --cleanup --help --version; do
		[[ $output == *"$o"* ]] || { echo "no $o" >&2; false; }
	done
}

@test "lnatomic: --version prints the name and the version" {
	v=$(lb linkbox --version)
	run -0 --separate-stderr lb lnatomic --version
	assert_output_is "lnatomic (linkbox) ${v#linkbox }"
	assert_stderr_is ""
}
