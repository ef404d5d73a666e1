#!/usr/bin/env bats
load helpers

# Race and fault-injection proof for lnatomic and safeswap: a reader
# (tests/race/reader.c) looks the names up in a tight loop while a bounded
# loop of the applet replaces or exchanges them (tests/race/driver), and
# strace injects EIO or SIGKILL at every call that changes the tree
# (tests/race/inject).  The figures go to the TAP output as "# ..." lines.
#
#   RACE_N          runs per race (default 10000 for a build named
#                   *static*, 2000 for the slower glibc and ASan builds)
#   RACE_FS_N       runs per race on the loop-mounted ext4/xfs (2000)
#   RACE_CONTROL_N  runs per control (200)
#   RACE_SECONDS    time bound of each race loop (60)

RACE=$BATS_TEST_DIRNAME/race

setup() {
	need_slow "races and faults of lnatomic and safeswap"
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown_file() {
	local fs
	for fs in ext4 xfs; do
		if mountpoint -q "$BATS_FILE_TMPDIR/$fs"; then
			umount "$BATS_FILE_TMPDIR/$fs" ||
				umount -l "$BATS_FILE_TMPDIR/$fs"
		fi
	done
}

# need_fs TYPE: a fresh TYPE filesystem loop-mounted at $FS (once per
# file; teardown_file unmounts it), and FS_DIR, an empty directory in it
# for this test.  Skips with the reason where that cannot be done.
need_fs() {
	local fs=$1 img=$BATS_FILE_TMPDIR/$1.img size=64M opts=-q
	FS=$BATS_FILE_TMPDIR/$fs
	if ! mountpoint -q "$FS"; then
		[ "$(id -u)" -eq 0 ] || skip "$fs: not root, cannot loop-mount"
		command -v "mkfs.$fs" >/dev/null ||
			skip "$fs: mkfs.$fs is not installed"
		# mkfs.xfs refuses filesystems under 300 MB; the image is sparse.
		[ "$fs" = xfs ] && size=320M
		[ "$fs" = ext4 ] && opts="-q -F"
		truncate -s "$size" "$img" && "mkfs.$fs" $opts "$img" \
			>/dev/null 2>&1 || skip "$fs: mkfs.$fs failed"
		mkdir -p "$FS"
		mount -o loop "$img" "$FS" 2>/dev/null ||
			skip "$fs: loop mount refused"
	fi
	FS_DIR=$FS/$BATS_TEST_NUMBER
	rm -rf "$FS_DIR"
	mkdir "$FS_DIR"
}

# race SCENARIO [DIR]: run the driver in DIR (default: here), show its
# figures, and set runs, failed, iterations, misses and same from them.
race() {
	need_reader
	cd "${2:-.}" || return 1
	run -0 --separate-stderr "$RACE/driver" "$1" "$READER" "$LB_BIN"
	printf '# %s\n' "${lines[@]}" >&3
	read -r _ runs _ failed _ iterations _ misses _ same _ \
		<<<"${lines[-1]}"
	[ "$runs" -gt 0 ] && [ "$iterations" -gt "$runs" ]
}

# race_on FS SCENARIO: race on a loop-mounted FS, with fewer runs.
race_on() {
	need_fs "$1"
	local n=${RACE_FS_N:-2000}
	[ -z "${RACE_N:-}" ] || [ "$RACE_N" -ge "$n" ] || n=$RACE_N
	RACE_N=$n RACE_WHY="on $1, RACE_FS_N" race "$2" "$FS_DIR"
}

# inject SCENARIO [DIR]: every injection point of SCENARIO, in DIR.
inject() {
	need_strace
	run --separate-stderr "$RACE/inject" "$1" "${2:-$BATS_TEST_TMPDIR}"
	[ ${#lines[@]} -eq 0 ] || printf '# %s\n' "${lines[-1]}" >&3
	[ -z "$stderr" ] || printf '%s\n' "$stderr" >&2
	grep '^VIOLATION' <<<"$output" || true	# shown when the test fails
	[ "$status" -eq 0 ]
}

inject_on() {
	need_fs "$1"
	inject "$2" "$FS_DIR"
}

@test "lnatomic: a symlink replaced N times is never missing" {
	race symlink
	[ "$failed" -eq 0 ]
	[ "$misses" -eq 0 ]
}

@test "lnatomic: a hard link replaced N times is never missing" {
	race hardlink
	[ "$failed" -eq 0 ]
	[ "$misses" -eq 0 ]
}

@test "safeswap: two files exchanged N times are never missing nor torn" {
	race swap
	[ "$failed" -eq 0 ]
	[ "$misses" -eq 0 ]
	[ "$same" -eq 0 ]
}

@test "lnatomic: control: rm + ln -s is seen missing by the same reader" {
	race control-symlink
	[ "$misses" -gt 0 ] ||
		skip "the control run saw no miss (a sanity check only)"
}

@test "safeswap: control: three mv renames are seen missing by the reader" {
	race control-swap
	[ "$misses" -gt 0 ] ||
		skip "the control run saw no miss (a sanity check only)"
}

@test "lnatomic: faults: -s over a symlink leaves the old or the new one" {
	inject sym
}

@test "lnatomic: faults: a hard link over a file leaves the old or new" {
	inject hard
}

@test "lnatomic: faults: --replace-dir over a tree leaves the tree or link" {
	inject replace-dir
}

@test "lnatomic: faults: --keep-dir=old leaves the dir or link, tree kept" {
	inject keep-dir
}

@test "safeswap: faults: the exchange leaves {A,B} or {B,A}" {
	inject swap
}

@test "safeswap: faults: the hard-link fallback never loses a name" {
	inject swap-fallback
}

@test "lnatomic: a symlink replaced N times is never missing, on ext4" {
	race_on ext4 symlink
	[ "$failed" -eq 0 ]
	[ "$misses" -eq 0 ]
}

@test "lnatomic: a hard link replaced N times is never missing, on ext4" {
	race_on ext4 hardlink
	[ "$failed" -eq 0 ]
	[ "$misses" -eq 0 ]
}

@test "safeswap: two files exchanged N times are never missing, on ext4" {
	race_on ext4 swap
	[ "$failed" -eq 0 ]
	[ "$misses" -eq 0 ]
	[ "$same" -eq 0 ]
}

@test "lnatomic: faults: -s over a symlink, on ext4" {
	inject_on ext4 sym
}

@test "lnatomic: faults: a hard link over a file, on ext4" {
	inject_on ext4 hard
}

@test "lnatomic: faults: --replace-dir over a tree, on ext4" {
	inject_on ext4 replace-dir
}

@test "lnatomic: faults: --keep-dir=old over a directory, on ext4" {
	inject_on ext4 keep-dir
}

@test "safeswap: faults: the exchange, on ext4" {
	inject_on ext4 swap
}

@test "safeswap: faults: the hard-link fallback, on ext4" {
	inject_on ext4 swap-fallback
}

@test "lnatomic: a symlink replaced N times is never missing, on xfs" {
	race_on xfs symlink
	[ "$failed" -eq 0 ]
	[ "$misses" -eq 0 ]
}

@test "lnatomic: a hard link replaced N times is never missing, on xfs" {
	race_on xfs hardlink
	[ "$failed" -eq 0 ]
	[ "$misses" -eq 0 ]
}

@test "safeswap: two files exchanged N times are never missing, on xfs" {
	race_on xfs swap
	[ "$failed" -eq 0 ]
	[ "$misses" -eq 0 ]
	[ "$same" -eq 0 ]
}

@test "lnatomic: faults: -s over a symlink, on xfs" {
	inject_on xfs sym
}

@test "lnatomic: faults: a hard link over a file, on xfs" {
	inject_on xfs hard
}

@test "lnatomic: faults: --replace-dir over a tree, on xfs" {
	inject_on xfs replace-dir
}

@test "lnatomic: faults: --keep-dir=old over a directory, on xfs" {
	inject_on xfs keep-dir
}

@test "safeswap: faults: the exchange, on xfs" {
	inject_on xfs swap
}

@test "safeswap: faults: the hard-link fallback, on xfs" {
	inject_on xfs swap-fallback
}
