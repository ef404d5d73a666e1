#!/usr/bin/env bats
load helpers

# The fault-injection matrix of every applet that changes the tree
# (tests/faults/matrix): each call a scenario makes to a syscall that
# changes a directory fails in turn (strace -e inject=SYSCALL:error=ERRNO:
# when=N), or the applet is killed entering it; every name must then be in
# its old or its new state with its bytes, an injected error must fail the
# run, and no temporary may be left except after SIGKILL.  The matrix runs
# here, then on loop-mounted ext4, xfs, btrfs and a tmpfs, and the paths
# for filesystems without RENAME_EXCHANGE and RENAME_NOREPLACE run for
# real on FUSE (bindfs).  The figures go to the TAP output as "# ..." lines.
#
#   FAULTS_FULL=1   every errno: EIO ENOSPC EXDEV EMLINK EPERM EROFS
#                   ENAMETOOLONG, and SIGKILL (a few minutes)
#   default         the quick matrix: EIO and SIGKILL (FAULTS_QUICK=1)
#
# Needs strace (skips without it, or where ptrace is refused); the
# filesystem tests need root, loop devices, mkfs.xfs (xfsprogs),
# mkfs.btrfs (btrfs-progs) and bindfs with /dev/fuse, and skip with the
# reason where any is missing.

MATRIX=$BATS_TEST_DIRNAME/faults/matrix

setup() {
	need_slow "fault matrix"
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown_file() {
	local m
	for m in "$BATS_FILE_TMPDIR"/mnt/*; do
		[ -d "$m" ] && mountpoint -q "$m" || continue
		umount "$m" 2>/dev/null || umount -l "$m"
	done
}

# faults SCENARIO [DIR]: the matrix of SCENARIO, run in DIR (default:
# here); quick unless FAULTS_FULL=1.  Its summary goes to the TAP output;
# its violations and trouble show when the test fails.
faults() {
	local quick=1
	case $1 in
	install | control) ;;
	*) skip_unless_applet "${1%%-*}" ;;
	esac
	need_inject
	[ "${FAULTS_FULL:-0}" != 1 ] || quick=0
	run --separate-stderr env FAULTS_QUICK=$quick "$MATRIX" \
		"${2:-$BATS_TEST_TMPDIR}" "$1"
	[ ${#lines[@]} -eq 0 ] || printf '# %s\n' "${lines[-1]}" >&3
	[ -z "$output" ] || printf '%s\n' "$output" >&2
	[ -z "$stderr" ] || printf '%s\n' "$stderr" >&2
	[ "$status" -eq 0 ]
}

# --- the matrix, here -------------------------------------------------------

@test "ln: fault matrix: -f over a hard link leaves the old or the new one" {
	faults ln-hard
}

@test "ln: fault matrix: -sf over a symlink leaves the old or the new one" {
	faults ln-sym
}

@test "ln: fault matrix: -sfb leaves the link old or new, backup if new" {
	faults ln-backup
}

@test "lnatomic: fault matrix: -s over a symlink leaves the old or the new" {
	faults lnatomic-sym
}

@test "lnatomic: fault matrix: a hard link over a file leaves it or the new" {
	faults lnatomic-hard
}

@test "lnatomic: fault matrix: -s --replace-dir leaves the tree or the link" {
	faults lnatomic-replace-dir
}

@test "safeswap: fault matrix: two files end as {A,B} or {B,A}" {
	faults safeswap
}

@test "safeswap: fault matrix: the hard-link fallback (renameat2 EINVAL)" {
	faults safeswap-fallback
}

@test "danglers: fault matrix: -d removes dangling links and nothing else" {
	faults danglers
}

@test "dedup: fault matrix: identical files and a decoy keep their bytes" {
	faults dedup
}

@test "linkbox: fault matrix: --install over an existing install" {
	faults install
}

@test "faults: control: the matrix catches rm then ln -s losing the name" {
	need_inject
	command -v ln >/dev/null || skip "no host ln"
	run --separate-stderr env FAULTS_QUICK=1 "$MATRIX" "$BATS_TEST_TMPDIR" \
		control
	printf '%s\n' "$output" "$stderr" >&2
	[ "$status" -eq 1 ]
	grep -q '^VIOLATION: control: symlinkat when=1 SIGKILL: link is miss' \
		<<<"$output"
	grep -q '^VIOLATION: control: symlinkat when=1 EIO: link is miss' \
		<<<"$output"
}

# --- the quick matrix on other filesystems ----------------------------------

# need_fs TYPE: TYPE (ext4, xfs, btrfs, tmpfs) mounted at $FS once per
# file (teardown_file unmounts it), and FS_DIR, an empty directory there
# for this test.  Skips with the reason where that cannot be done; the
# reason is kept, so later tests skip at once.
need_fs() {
	local fs=$1 why
	FS=$BATS_FILE_TMPDIR/mnt/$fs
	[ ! -e "$FS.skip" ] || skip "$(cat "$FS.skip")"
	if ! mountpoint -q "$FS" 2>/dev/null; then
		mkdir -p "$FS"
		if ! mount_fs "$fs" "$BATS_FILE_TMPDIR/$fs.img"; then
			echo "$fs: $why" >"$FS.skip"
			skip "$fs: $why"
		fi
	fi
	FS_DIR=$FS/$BATS_TEST_NUMBER
	rm -rf "$FS_DIR"
	mkdir "$FS_DIR"
}

# mount_fs TYPE IMAGE: make and mount it at $FS, or set why.
mount_fs() {
	local fs=$1 img=$2 size=64M opts=(-q)
	if [ "$(id -u)" -ne 0 ]; then
		why="not root, cannot mount"
		return 1
	fi
	command -v mountpoint >/dev/null ||
		{ why="mountpoint (util-linux) is not installed"; return 1; }
	if [ "$fs" = tmpfs ]; then
		mount -t tmpfs -o size=32m tmpfs "$FS" 2>/dev/null ||
			{ why="mount -t tmpfs refused"; return 1; }
		return 0
	fi
	command -v "mkfs.$fs" >/dev/null ||
		{ why="mkfs.$fs is not installed"; return 1; }
	case $fs in
	ext4) opts=(-q -F) ;;
	xfs) size=320M opts=(-q -f) ;;	# mkfs.xfs: 300 MB at least
	btrfs) size=128M opts=(-q -f) ;;	# mkfs.btrfs: 114 MiB at least
	esac
	# The images are sparse.
	truncate -s "$size" "$img" && "mkfs.$fs" "${opts[@]}" "$img" \
		>/dev/null 2>&1 || { why="mkfs.$fs failed"; return 1; }
	mount -o loop "$img" "$FS" 2>/dev/null ||
		{ why="loop mount refused"; return 1; }
}

faults_on() {
	need_fs "$1"
	faults "$2" "$FS_DIR"
}

@test "ln: fault matrix: -sf over a symlink, on ext4" {
	faults_on ext4 ln-sym
}

@test "lnatomic: fault matrix: -s over a symlink, on ext4" {
	faults_on ext4 lnatomic-sym
}

@test "safeswap: fault matrix: two files, on ext4" {
	faults_on ext4 safeswap
}

@test "dedup: fault matrix: identical files and a decoy, on ext4" {
	faults_on ext4 dedup
}

@test "ln: fault matrix: -sf over a symlink, on xfs" {
	faults_on xfs ln-sym
}

@test "lnatomic: fault matrix: -s over a symlink, on xfs" {
	faults_on xfs lnatomic-sym
}

@test "safeswap: fault matrix: two files, on xfs" {
	faults_on xfs safeswap
}

@test "dedup: fault matrix: identical files and a decoy, on xfs" {
	faults_on xfs dedup
}

@test "ln: fault matrix: -sf over a symlink, on btrfs" {
	faults_on btrfs ln-sym
}

@test "lnatomic: fault matrix: -s over a symlink, on btrfs" {
	faults_on btrfs lnatomic-sym
}

@test "safeswap: fault matrix: two files, on btrfs" {
	faults_on btrfs safeswap
}

@test "dedup: fault matrix: identical files and a decoy, on btrfs" {
	faults_on btrfs dedup
}

@test "ln: fault matrix: -sf over a symlink, on tmpfs" {
	faults_on tmpfs ln-sym
}

@test "lnatomic: fault matrix: -s over a symlink, on tmpfs" {
	faults_on tmpfs lnatomic-sym
}

@test "safeswap: fault matrix: two files, on tmpfs" {
	faults_on tmpfs safeswap
}

@test "dedup: fault matrix: identical files and a decoy, on tmpfs" {
	faults_on tmpfs dedup
}

# --- FUSE: no RENAME_EXCHANGE, no RENAME_NOREPLACE, for real ----------------

# need_fuse: a bindfs mount at $FS of a directory of this file, and
# FS_DIR, an empty directory in it, with the current directory there.
# Skips with the reason where bindfs or FUSE is unavailable (CI installs
# the bindfs package: .ci/run).
need_fuse() {
	local src=$BATS_FILE_TMPDIR/fuse-src
	FS=$BATS_FILE_TMPDIR/mnt/fuse
	[ ! -e "$FS.skip" ] || skip "$(cat "$FS.skip")"
	if ! mountpoint -q "$FS" 2>/dev/null; then
		mkdir -p "$FS" "$src"
		if [ "$(id -u)" -ne 0 ]; then
			echo "FUSE: not root, cannot mount" >"$FS.skip"
		elif ! command -v bindfs >/dev/null; then
			echo "FUSE: bindfs is not installed" \
				"(apt-get install bindfs)" >"$FS.skip"
		elif [ ! -c /dev/fuse ]; then
			echo "FUSE: no /dev/fuse" >"$FS.skip"
		elif ! bindfs "$src" "$FS" 2>/dev/null; then
			echo "FUSE: bindfs could not mount" >"$FS.skip"
		fi
		[ ! -e "$FS.skip" ] || skip "$(cat "$FS.skip")"
	fi
	FS_DIR=$FS/$BATS_TEST_NUMBER
	rm -rf "$FS_DIR"
	mkdir "$FS_DIR"
	cd "$FS_DIR" || return 1
}

# traced FILE CMD...: run CMD, under strace writing the calls that change
# names to FILE where strace works here and traces linkbox itself (not
# qemu: LINKBOX_EMU); else FILE stays empty.
# LeakSanitizer cannot run under ptrace: off for an ASan build.
traced() {
	local log=$1 asan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	shift
	: >"$log"
	if [ -z "${LINKBOX_EMU:-}" ] && command -v strace >/dev/null &&
		strace -f -o /dev/null true 2>/dev/null; then
		ASAN_OPTIONS=$asan strace -f -qq -o "$log" \
			-e trace=renameat,renameat2,rename,linkat,unlinkat "$@"
	else
		"$@"
	fi
}

# no_temps_here: no temporary of any applet below the current directory.
no_temps_here() {
	local left
	local tags='(ln|lnatomic|safeswap|danglers|dedup|linkbox)'
	left=$(find . -regextype posix-extended \
		-regex ".*/\\.[^/]*\\.$tags\\.[A-Za-z0-9]{6}")
	[ -z "$left" ] || { echo "temporaries left: $left" >&2; return 1; }
}

# listing: the tree below the current directory, with the files' bytes.
listing() {
	find . -mindepth 1 -printf '%y %p %l\n' | sort
	find . -type f -exec cksum {} + | sort
}

@test "safeswap: on FUSE, two files are swapped through hard links" {
	skip_unless_applet safeswap
	need_fuse
	echo A >fA
	echo B >fB
	run -0 --separate-stderr lb safeswap -v fA fB
	assert_output_is "'fA' <-> 'fB': swapped through hard links (no atomic exchange here)"
	assert_stderr_is ""
	[ "$(cat fA)" = B ]
	[ "$(cat fB)" = A ]
	no_temps_here
}

@test "safeswap: on FUSE, two directories are refused (no --non-atomic-dirs)" {
	skip_unless_applet safeswap
	need_fuse
	mkdir dA dB
	echo a >dA/f
	echo b >dB/g
	before=$(listing)
	run -1 --separate-stderr lb safeswap dA dB
	assert_output_is ""
	assert_stderr_is "safeswap: cannot swap 'dA' and 'dB': this filesystem cannot exchange atomically, and a directory cannot be swapped through hard links (see --non-atomic-dirs)"
	[ "$(listing)" = "$before" ]
	no_temps_here
}

@test "lnatomic: on FUSE, --replace-dir is refused: no atomic replacement" {
	skip_unless_applet lnatomic
	need_fuse
	echo B >tB
	mkdir -p link/sub
	echo 1 >link/sub/f
	before=$(listing)
	run -1 --separate-stderr lb lnatomic -s --replace-dir tB link
	assert_output_is ""
	assert_stderr_starts "lnatomic: 'link': cannot replace a directory atomically here: "
	[ "$(listing)" = "$before" ]
	no_temps_here
}

@test "danglers: on FUSE, -d removes the dangling links through the fallback" {
	skip_unless_applet danglers
	need_fuse
	mkdir -p t/sub
	echo x >t/f
	ln -s f t/good
	ln -s nope t/bad
	ln -s ../nope t/sub/bad2
	ln -s f/x t/notdir
	run -1 --separate-stderr traced "$BATS_TEST_TMPDIR/log" \
		"$LB_BIN/danglers" -d -v t
	assert_stderr_is ""
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^removed ')" -eq 2 ]
	[ ! -L t/bad ]
	[ ! -L t/sub/bad2 ]
	[ "$(readlink t/good)" = f ]
	[ "$(readlink t/notdir)" = f/x ]
	[ "$(cat t/f)" = x ]
	no_temps_here
	if [ -s "$BATS_TEST_TMPDIR/log" ]; then
		# The real refusal, then the plain rename after a look.
		grep -q 'renameat2(.*RENAME_NOREPLACE) = -1 EINVAL' \
			"$BATS_TEST_TMPDIR/log"
		grep -q '^[0-9]* *renameat(.*\.bad\.danglers\.' \
			"$BATS_TEST_TMPDIR/log"
	fi
}

@test "dedup: on FUSE, falls back to check-then-rename" {
	skip_unless_applet dedup
	need_fuse
	mkdir d1 d2
	printf 'identical 0001\n' >d1/a
	cp d1/a d1/b
	cp d1/a d2/c
	printf 'identical 0002\n' >d2/decoy
	run -0 --separate-stderr traced "$BATS_TEST_TMPDIR/log" \
		"$LB_BIN/dedup" -q .
	assert_stderr_is ""
	[ d1/a -ef d1/b ]
	[ d1/a -ef d2/c ]
	[ ! d2/decoy -ef d1/a ]
	for f in d1/a d1/b d2/c; do
		[ "$(cat "$f")" = "identical 0001" ]
	done
	[ "$(cat d2/decoy)" = "identical 0002" ]
	no_temps_here
	if [ -s "$BATS_TEST_TMPDIR/log" ]; then
		grep -q 'renameat2(.*RENAME_EXCHANGE) = -1 EINVAL' \
			"$BATS_TEST_TMPDIR/log"
		[ "$(grep -c '^[0-9]* *renameat(.*\.dedup\..* = 0' \
			"$BATS_TEST_TMPDIR/log")" -eq 2 ]
	fi
}

@test "danglers: fault matrix on FUSE (rename aside without NOREPLACE)" {
	skip_unless_applet danglers
	need_fuse
	faults danglers "$FS_DIR"
}

@test "dedup: fault matrix on FUSE (check-then-rename)" {
	skip_unless_applet dedup
	need_fuse
	faults dedup "$FS_DIR"
}
