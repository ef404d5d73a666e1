#!/usr/bin/env bats
load helpers
USAGE_APPLET=orphans # for usage_error

# orphans: list, and with -d remove race-free, the regular files of a pool
# that nothing else links to (applets/orphans.c).  Fixtures are made and
# checked with the host's tools (ln, stat, [ -ef ]); the walk follows the
# directory's own order, so tests with more than one name compare the
# lines in any order.  Races and fault injection are in
# tests/orphans_race.bats.

# Each test works in w/ of its scratch directory: bats keeps files of its
# own (the stderr of run --separate-stderr) in the scratch directory.
setup() {
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w" || return 1
	skip_unless_applet orphans
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

# make_pool: a content pool of four files, two backups linking some:
# pool/a and pool/d are linked from nowhere, pool/b from backups/1,
# pool/c from both backups.
make_pool() {
	mkdir -p pool/sub backups/1 backups/2
	echo a >pool/a
	echo bb >pool/b
	echo ccc >pool/c
	echo dddd >pool/sub/d
	command ln pool/b backups/1/b
	command ln pool/c backups/1/c
	command ln pool/c backups/2/c
}

# bytes_of NAME...: the space the files take (st_blocks * 512), summed.
bytes_of() {
	local total=0 f
	for f; do
		total=$((total + $(stat -c '%b * %B' -- "$f")))
	done
	echo "$total"
}

# summary N BYTES, dry_summary N BYTES: the line -d and -n end with.
summary() {
	printf 'orphans: %s files removed, %s bytes freed' "$1" "$2"
}

dry_summary() {
	printf 'orphans: %s files would be removed, %s bytes would be freed' \
		"$1" "$2"
}

# snapshot [DIR]: everything about the tree that -d could change.
snapshot() {
	find "${1:-.}" -printf '%p %i %n %s %T@ %y\n' | LC_ALL=C sort
}

# no_quarantine [DIR]: no quarantine names (.NAME.orphans.XXXXXX) left.
no_quarantine() {
	local left
	left=$(find "${1:-.}" -name '.*.orphans.*')
	if [ -n "$left" ]; then
		printf 'quarantine names left: %s\n' "$left" >&2
		return 1
	fi
}

# --- what is listed ---------------------------------------------------------

@test "orphans: lists the pool files no backup links, and only those" {
	make_pool
	run -1 --separate-stderr lb orphans pool
	assert_lines_are pool/a pool/sub/d
	assert_stderr_is ""
}

@test "orphans: lists nothing and exits 0 when every file is linked" {
	mkdir pool backup
	echo x >pool/x
	command ln pool/x backup/x
	run -0 --separate-stderr lb orphans pool
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: lists nothing in an empty directory" {
	mkdir pool
	run -0 --separate-stderr lb orphans pool
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: deleting a backup tree makes orphans of the files only it linked" {
	make_pool
	rm -rf backups/1
	run -1 --separate-stderr lb orphans pool
	assert_lines_are pool/a pool/b pool/sub/d
	assert_stderr_is ""
}

@test "orphans: directories, symlinks and fifos are never listed" {
	mkdir -p pool/dir
	command ln -s nope pool/dangling
	mkfifo pool/fifo
	run -0 --separate-stderr lb orphans pool
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: a symlink to an orphan is not listed" {
	mkdir pool outside
	echo o >outside/o
	command ln -s ../outside/o pool/link
	run -0 --separate-stderr lb orphans pool
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: a PATH that is a symlink to a directory is not walked" {
	mkdir pool
	echo o >pool/o
	command ln -s pool via
	run -0 --separate-stderr lb orphans via
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: a PATH that is a symlink to an orphan is not listed" {
	echo o >o
	command ln -s o via
	run -0 --separate-stderr lb orphans via
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: never follows symlinks to directories inside the tree" {
	mkdir pool outside
	echo o >outside/o
	command ln -s ../outside pool/rel
	command ln -s "$PWD/outside" pool/abs
	run -0 --separate-stderr lb orphans pool
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: a PATH that is an orphan file is listed itself" {
	echo o >o
	run -1 --separate-stderr lb orphans o
	assert_output_is "o"
	assert_stderr_is ""
}

@test "orphans: paths are spelled from the PATH given" {
	mkdir -p a/b
	echo x >a/b/x
	run -1 --separate-stderr lb orphans a//b/
	assert_output_is "a//b/x"
	assert_stderr_is ""
}

@test "orphans: walks several PATHs in the order given" {
	mkdir one two three
	echo x >one/x
	echo y >two/y
	echo z >three/z
	run -1 --separate-stderr lb orphans two three one
	assert_output_is $'two/y\nthree/z\none/x'
	assert_stderr_is ""
}

@test "orphans: a PATH that does not exist is an error (2)" {
	run -2 --separate-stderr lb orphans nothere
	assert_output_is ""
	assert_stderr_starts "orphans: 'nothere': "
}

@test "orphans: one missing PATH among good ones: the others are walked" {
	mkdir a b
	echo x >a/x
	echo y >b/y
	run -2 --separate-stderr lb orphans a nothere b
	assert_output_is $'a/x\nb/y'
	assert_stderr_starts "orphans: 'nothere': "
	one_line
}

@test "orphans: no PATH is a usage error (2)" {
	echo x >x
	run -2 --separate-stderr lb orphans
	assert_output_is ""
	assert_stderr_is "$(usage_error "missing operand")"
}

@test "orphans: a PATH with a leading '-' after --" {
	mkdir -- -d
	echo x >-d/-x
	run -1 --separate-stderr lb orphans -- -d
	assert_output_is "-d/-x"
	assert_stderr_is ""
}

@test "orphans: -d removes a name with a leading '-' and spaces" {
	local freed
	mkdir pool
	echo x >'pool/-x  y '
	freed=$(bytes_of 'pool/-x  y ')
	run -0 --separate-stderr lb orphans -dv -- pool
	assert_output_is "removed 'pool/-x  y '"
	assert_stderr_is "$(summary 1 "$freed")"
	[ ! -e 'pool/-x  y ' ]
}

@test "orphans: a name with a newline is listed raw" {
	mkdir pool
	echo x >pool/$'a\nb'
	run -1 --separate-stderr to_file out lb orphans pool
	assert_stderr_is ""
	printf 'pool/a\nb\n' | cmp out -
}

# --- --links ----------------------------------------------------------------

# make_indexed: a pool where each file has a second name of its own in
# idx/ (2 links); x is linked from a backup too (3 links), y is not.
make_indexed() {
	mkdir -p pool/data pool/idx backup
	echo x >pool/data/x
	echo yy >pool/data/y
	command ln pool/data/x pool/idx/x
	command ln pool/data/y pool/idx/y
	command ln pool/data/x backup/x
}

@test "orphans: --links 2 lists files with a second index name of their own" {
	make_indexed
	run -1 --separate-stderr lb orphans --links 2 pool
	assert_lines_are pool/data/y pool/idx/y
	assert_stderr_is ""
}

@test "orphans: without --links a file with an index name is no orphan" {
	make_indexed
	run -0 --separate-stderr lb orphans pool
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: --links=N takes the = form" {
	make_indexed
	run -1 --separate-stderr lb orphans --links=3 pool/data
	assert_lines_are pool/data/x pool/data/y
	assert_stderr_is ""
}

@test "orphans: -d --links 2 removes both names and frees the blocks once" {
	local freed
	make_indexed
	freed=$(bytes_of pool/data/y)
	run -0 --separate-stderr lb orphans -d --links 2 pool
	assert_output_is ""
	assert_stderr_is "$(summary 2 "$freed")"
	[ ! -e pool/data/y ] && [ ! -e pool/idx/y ]
	[ pool/data/x -ef backup/x ] && [ pool/idx/x -ef backup/x ]
}

@test "orphans: -n --links 2 counts the blocks of a file once, when all its names are met" {
	local freed
	make_indexed
	freed=$(bytes_of pool/data/y)
	run -1 --separate-stderr lb orphans -n --links 2 pool
	assert_lines_are "would remove 'pool/data/y'" "would remove 'pool/idx/y'"
	assert_stderr_is "$(dry_summary 2 "$freed")"
}

@test "orphans: -n --links 2 frees nothing when the other name is outside the PATHs" {
	make_indexed
	run -1 --separate-stderr lb orphans -n --links 2 pool/data
	assert_output_is "would remove 'pool/data/y'"
	assert_stderr_is "$(dry_summary 1 0)"
}

@test "orphans: --links 0 is a usage error (2)" {
	echo x >x
	run -2 --separate-stderr lb orphans --links 0 x
	assert_output_is ""
	assert_stderr_is "$(usage_error "--links must be at least 1")"
}

@test "orphans: --links with a bad number is a usage error (2)" {
	local bad
	echo x >x
	for bad in abc -1 1.5 '' 2x 99999999999999999999999; do
		run -2 --separate-stderr lb orphans --links="$bad" x
		assert_output_is ""
		assert_stderr_is "$(usage_error "invalid link count: '$bad'")"
	done
}

@test "orphans: --links without a value is a usage error (2)" {
	run -2 --separate-stderr lb orphans --links
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--links' requires an argument")"
}

# --- --older-than -----------------------------------------------------------

@test "orphans: --older-than spares a file just added to the pool" {
	mkdir pool
	echo x >pool/new
	run -0 --separate-stderr lb orphans --older-than=1h pool
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: --older-than spares an old mtime with a fresh ctime" {
	mkdir pool
	echo x >pool/f
	touch -d '3 days ago' pool/f
	# The mtime is old; touch made the ctime now.
	[ "$(stat -c %Y pool/f)" -lt "$(($(date +%s) - 2 * 86400))" ]
	run -0 --separate-stderr lb orphans --older-than=1d pool
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: --older-than spares an old ctime with a fresh mtime" {
	mkdir pool
	echo x >pool/old
	echo y >pool/ahead
	touch -d '+1 day' pool/ahead
	sleep 2
	# Both ctimes are now 2 s old; pool/ahead's mtime is in the future.
	run -1 --separate-stderr lb orphans --older-than=1 pool
	assert_output_is "pool/old"
	assert_stderr_is ""
}

# Without --older-than no time is checked: a file whose mtime is ahead
# (a clock that ran fast, an archive unpacked with its times) is an
# orphan like any other.
@test "orphans: without --older-than a file with an mtime ahead is listed" {
	mkdir pool
	echo x >pool/ahead
	touch -d '+1 day' pool/ahead
	run -1 --separate-stderr lb orphans pool
	assert_output_is "pool/ahead"
	assert_stderr_is ""
}

@test "orphans: --older-than spares a file whose other name was just removed" {
	mkdir pool backup
	echo x >pool/f
	command ln pool/f backup/f
	sleep 2
	# Removing the last other name changes the pool file's ctime.
	rm backup/f
	run -0 --separate-stderr lb orphans --older-than=1 pool
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: --older-than takes plain seconds" {
	mkdir pool
	echo x >pool/f
	sleep 2
	run -1 --separate-stderr lb orphans --older-than=1 pool
	assert_output_is "pool/f"
	run -0 --separate-stderr lb orphans --older-than=100 pool
	assert_output_is ""
	assert_stderr_is ""
}

@test "orphans: --older-than scales s, m, h and d" {
	local age
	mkdir pool
	echo x >pool/f
	sleep 2
	run -1 --separate-stderr lb orphans --older-than=1s pool
	assert_output_is "pool/f"
	# Taken as seconds, each of these would list the file.
	for age in 1m 1h 1d 90s 30m 12h 7d; do
		run -0 --separate-stderr lb orphans --older-than="$age" pool
		assert_output_is ""
		assert_stderr_is ""
	done
}

@test "orphans: -d --older-than removes only the old enough" {
	mkdir pool
	echo x >pool/old
	sleep 2
	echo y >pool/new
	run -0 --separate-stderr lb orphans -dv --older-than=1 pool
	assert_output_is "removed 'pool/old'"
	[ ! -e pool/old ] && [ -e pool/new ]
}

@test "orphans: --older-than with a bad age is a usage error (2)" {
	local bad
	echo x >x
	for bad in 5y '' -1 1.5h d 1dd ' 1' 99999999999999; do
		run -2 --separate-stderr lb orphans --older-than="$bad" x
		assert_output_is ""
		assert_stderr_is "$(usage_error "invalid age: '$bad'")"
	done
}

# --- --min-size -------------------------------------------------------------

@test "orphans: --min-size spares files smaller than N bytes" {
	mkdir pool
	head -c 100 /dev/zero >pool/big
	head -c 99 /dev/zero >pool/small
	run -1 --separate-stderr lb orphans --min-size=100 pool
	assert_output_is "pool/big"
	assert_stderr_is ""
}

@test "orphans: --min-size takes K, M and G as powers of 1024" {
	local s
	mkdir pool
	head -c 1024 /dev/zero >pool/k
	head -c 1023 /dev/zero >pool/under
	run -1 --separate-stderr lb orphans --min-size 1K pool
	assert_output_is "pool/k"
	for s in 1M 1G; do
		run -0 --separate-stderr lb orphans --min-size "$s" pool
		assert_output_is ""
		assert_stderr_is ""
	done
}

@test "orphans: --min-size with a bad size is a usage error (2)" {
	local bad
	echo x >x
	for bad in 1T 1k -1 '' K 1.5M 99999999999999999999999; do
		run -2 --separate-stderr lb orphans --min-size="$bad" x
		assert_output_is ""
		assert_stderr_is "$(usage_error "invalid size: '$bad'")"
	done
}

# --- --exclude --------------------------------------------------------------

@test "orphans: --exclude skips the names matching PATTERN" {
	mkdir pool
	echo x >pool/a.tmp
	echo x >pool/b.dat
	run -1 --separate-stderr lb orphans --exclude='*.tmp' pool
	assert_output_is "pool/b.dat"
	assert_stderr_is ""
}

@test "orphans: --exclude prunes a directory of that name" {
	mkdir -p pool/keep/deep pool/other
	echo x >pool/keep/x
	echo y >pool/keep/deep/y
	echo z >pool/other/z
	run -1 --separate-stderr lb orphans --exclude keep pool
	assert_output_is "pool/other/z"
	assert_stderr_is ""
}

@test "orphans: --exclude matches names, not paths" {
	mkdir -p pool/sub
	echo x >pool/sub/x
	run -1 --separate-stderr lb orphans --exclude='sub/x' pool
	assert_output_is "pool/sub/x"
	assert_stderr_is ""
}

@test "orphans: --exclude given twice skips both" {
	mkdir pool
	echo x >pool/a
	echo x >pool/b
	echo x >pool/c
	run -1 --separate-stderr lb orphans --exclude=a --exclude=b pool
	assert_output_is "pool/c"
	assert_stderr_is ""
}

@test "orphans: --exclude never excludes the PATH itself" {
	mkdir pool
	echo x >pool/x
	run -1 --separate-stderr lb orphans --exclude=pool pool
	assert_output_is "pool/x"
	assert_stderr_is ""
}

@test "orphans: -d --exclude leaves the excluded orphans" {
	mkdir pool
	echo x >pool/keep.part
	echo y >pool/y
	run -0 --separate-stderr lb orphans -d --exclude='*.part' pool
	assert_output_is ""
	[ -e pool/keep.part ] && [ ! -e pool/y ]
}

# --- -d, -n, -v -------------------------------------------------------------

@test "orphans: -d removes the orphans, prints the summary, exits 0" {
	local freed
	make_pool
	freed=$(bytes_of pool/a pool/sub/d)
	run -0 --separate-stderr lb orphans -d pool
	assert_output_is ""
	assert_stderr_is "$(summary 2 "$freed")"
	[ ! -e pool/a ] && [ ! -e pool/sub/d ]
}

@test "orphans: -d leaves the files that have other links, the same inodes" {
	local b c
	make_pool
	b=$(inode pool/b)
	c=$(inode pool/c)
	run -0 --separate-stderr lb orphans -d pool
	[ "$(inode pool/b)" = "$b" ] && [ pool/b -ef backups/1/b ]
	[ "$(inode pool/c)" = "$c" ] && [ pool/c -ef backups/2/c ]
	[ "$(stat -c %h pool/c)" = 3 ]
	run ls -A pool pool/sub
	assert_output_is $'pool:\nb\nc\nsub\n\npool/sub:'
}

@test "orphans: --delete is -d" {
	mkdir pool
	echo x >pool/x
	run -0 --separate-stderr lb orphans --delete pool
	assert_output_is ""
	[ ! -e pool/x ]
}

@test "orphans: -d with nothing to remove says 0 and exits 0" {
	mkdir pool backup
	echo x >pool/x
	command ln pool/x backup/x
	run -0 --separate-stderr lb orphans -d pool
	assert_output_is ""
	assert_stderr_is "$(summary 0 0)"
	[ pool/x -ef backup/x ]
}

@test "orphans: -d leaves no quarantine names" {
	local i freed
	mkdir pool
	for i in $(seq 50); do
		echo "$i" >"pool/f$i"
	done
	freed=$(bytes_of pool/f*)
	run -0 --separate-stderr lb orphans -d pool
	assert_stderr_is "$(summary 50 "$freed")"
	no_quarantine
	run ls -A pool
	assert_output_is ""
}

@test "orphans: -d removes an orphan given as PATH" {
	mkdir sub
	echo x >sub/x
	run -0 --separate-stderr lb orphans -dv sub/x
	assert_output_is "removed 'sub/x'"
	[ ! -e sub/x ] && [ -d sub ]
}

@test "orphans: -d after deleting a backup removes the files only it linked" {
	local freed
	make_pool
	rm -rf backups/1
	freed=$(bytes_of pool/a pool/b pool/sub/d)
	run -0 --separate-stderr lb orphans -dv pool
	assert_lines_are "removed 'pool/a'" "removed 'pool/b'" \
		"removed 'pool/sub/d'"
	assert_stderr_is "$(summary 3 "$freed")"
	[ pool/c -ef backups/2/c ]
}

@test "orphans: -v with -d names each file removed" {
	make_pool
	run -0 --separate-stderr lb orphans -d -v pool
	assert_lines_are "removed 'pool/a'" "removed 'pool/sub/d'"
}

@test "orphans: --verbose is -v" {
	mkdir pool
	echo x >pool/x
	run -0 --separate-stderr lb orphans -d --verbose pool
	assert_output_is "removed 'pool/x'"
}

@test "orphans: -v without -d lists as usual" {
	mkdir pool
	echo x >pool/x
	run -1 --separate-stderr lb orphans -v pool
	assert_output_is "pool/x"
	assert_stderr_is ""
	[ -e pool/x ]
}

@test "orphans: -n says what -d would remove and free, and changes nothing" {
	local before freed
	make_pool
	before=$(snapshot)
	freed=$(bytes_of pool/a pool/sub/d)
	run -1 --separate-stderr lb orphans -n pool
	assert_lines_are "would remove 'pool/a'" "would remove 'pool/sub/d'"
	assert_stderr_is "$(dry_summary 2 "$freed")"
	[ "$(snapshot)" = "$before" ]
}

@test "orphans: --dry-run is -n" {
	local before
	mkdir pool
	echo x >pool/x
	before=$(snapshot)
	run -1 --separate-stderr lb orphans --dry-run pool
	assert_output_is "would remove 'pool/x'"
	assert_stderr_is "$(dry_summary 1 "$(bytes_of pool/x)")"
	[ "$(snapshot)" = "$before" ]
}

@test "orphans: -d -n changes nothing" {
	local before freed
	make_pool
	before=$(snapshot)
	freed=$(bytes_of pool/a pool/sub/d)
	run -1 --separate-stderr lb orphans -d -n -v pool
	assert_lines_are "would remove 'pool/a'" "would remove 'pool/sub/d'"
	assert_stderr_is "$(dry_summary 2 "$freed")"
	[ "$(snapshot)" = "$before" ]
}

@test "orphans: -n with nothing to remove exits 0" {
	mkdir pool
	run -0 --separate-stderr lb orphans -n pool
	assert_output_is ""
	assert_stderr_is "$(dry_summary 0 0)"
}

@test "orphans: -d: one missing PATH among good ones, the others cleaned (2)" {
	local freed
	mkdir a b
	echo x >a/x
	echo y >b/y
	freed=$(bytes_of a/x b/y)
	run -2 --separate-stderr lb orphans -d a nothere b
	assert_output_is ""
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "orphans: 'nothere': "* ]]
	[ "${stderr_lines[1]}" = "$(summary 2 "$freed")" ]
	[ ! -e a/x ] && [ ! -e b/y ]
}

# --- -h ---------------------------------------------------------------------

@test "orphans: -h prints the bytes freed as 1.0M" {
	mkdir pool
	head -c 1048576 /dev/urandom >pool/m
	[ "$(bytes_of pool/m)" = 1048576 ] ||
		skip "this filesystem allocates $(bytes_of pool/m) bytes for 1 MiB"
	run -0 --separate-stderr lb orphans -d -h pool
	assert_output_is ""
	assert_stderr_is "$(summary 1 1.0M)"
}

@test "orphans: --human-readable is -h" {
	mkdir pool
	head -c 1048576 /dev/urandom >pool/m
	[ "$(bytes_of pool/m)" = 1048576 ] ||
		skip "this filesystem allocates $(bytes_of pool/m) bytes for 1 MiB"
	run -1 --separate-stderr lb orphans -n --human-readable pool
	assert_output_is "would remove 'pool/m'"
	assert_stderr_is "$(dry_summary 1 1.0M)"
}

@test "orphans: -h leaves a count under 1024 bytes plain" {
	mkdir pool
	: >pool/empty
	run -0 --separate-stderr lb orphans -d -h pool
	assert_stderr_is "$(summary 1 0)"
}

# --- -0 ---------------------------------------------------------------------

@test "orphans: -0 ends each path with NUL, a newline in a name raw" {
	mkdir pool
	echo x >pool/$'a\nb'
	echo x >pool/c
	run -1 --separate-stderr to_file out lb orphans -0 pool
	assert_stderr_is ""
	printf 'pool/a\nb\0pool/c\0' >want
	LC_ALL=C sort -z out | cmp - want
}

@test "orphans: --null is -0" {
	mkdir pool
	echo x >pool/x
	run -1 --separate-stderr to_file out lb orphans --null pool
	assert_stderr_is ""
	printf 'pool/x\0' | cmp out -
}

@test "orphans: -0 -n ends every would-remove line with NUL" {
	mkdir pool
	echo x >pool/$'a\nb'
	echo x >'pool/c d'
	run -1 --separate-stderr to_file out lb orphans -0 -n pool
	assert_stderr_is "$(dry_summary 2 "$(bytes_of pool/$'a\nb' 'pool/c d')")"
	printf '%s\0' "would remove 'pool/a'\$'\\n''b'" "would remove 'pool/c d'" \
		>want
	LC_ALL=C sort -z out | cmp - want
	[ -e pool/$'a\nb' ] && [ -e 'pool/c d' ]
}

@test "orphans: -0 -dv ends every removed line with NUL" {
	mkdir pool
	echo x >pool/$'a\nb'
	run -0 --separate-stderr to_file out lb orphans -0 -dv pool
	printf '%s\0' "removed 'pool/a'\$'\\n''b'" | cmp out -
	[ ! -e pool/$'a\nb' ]
}

# A write error is trouble (2): 1 would read as "found".
@test "orphans: a write error on stdout is a failure (2)" {
	mkdir pool
	echo x >pool/x
	run -2 --separate-stderr to_full lb orphans pool
	assert_output_is ""
	assert_stderr_starts "orphans: write error: "
}

# --- --prune-dirs -----------------------------------------------------------

@test "orphans: --prune-dirs removes the directories the removals emptied" {
	local freed
	mkdir -p pool/a/b pool/c
	echo x >pool/a/b/x
	echo y >pool/c/y
	freed=$(bytes_of pool/a/b/x pool/c/y)
	run -0 --separate-stderr lb orphans -dv --prune-dirs pool
	assert_lines_are "removed 'pool/a/b/x'" "removed 'pool/a/b'" \
		"removed 'pool/a'" "removed 'pool/c/y'" "removed 'pool/c'"
	# Directories are not counted among the files.
	assert_stderr_is "$(summary 2 "$freed")"
	run ls -A pool
	assert_output_is ""
}

@test "orphans: --prune-dirs keeps empty directories that had nothing removed" {
	mkdir -p pool/empty pool/a/empty pool/b
	echo x >pool/b/x
	run -0 --separate-stderr lb orphans -d --prune-dirs pool
	[ -d pool/empty ] && [ -d pool/a/empty ] && [ ! -e pool/b ]
}

@test "orphans: --prune-dirs keeps a directory where a linked file stays" {
	mkdir -p pool/d backup
	echo x >pool/d/x
	echo y >pool/d/y
	command ln pool/d/y backup/y
	run -0 --separate-stderr lb orphans -d --prune-dirs pool
	run ls -A pool/d
	assert_output_is "y"
}

@test "orphans: --prune-dirs keeps a directory where an empty one stays" {
	mkdir -p pool/d/empty
	echo x >pool/d/x
	run -0 --separate-stderr lb orphans -d --prune-dirs pool
	[ -d pool/d/empty ] && [ ! -e pool/d/x ]
}

@test "orphans: --prune-dirs never removes the PATH itself" {
	mkdir pool
	echo x >pool/x
	run -0 --separate-stderr lb orphans -dv --prune-dirs pool
	assert_output_is "removed 'pool/x'"
	[ -d pool ]
}

@test "orphans: -n --prune-dirs changes nothing" {
	local before
	mkdir -p pool/a
	echo x >pool/a/x
	before=$(snapshot)
	run -1 --separate-stderr lb orphans -n --prune-dirs pool
	assert_output_is "would remove 'pool/a/x'"
	[ "$(snapshot)" = "$before" ]
}

@test "orphans: --prune-dirs without -d is a usage error (2)" {
	mkdir -p pool/a
	echo x >pool/a/x
	run -2 --separate-stderr lb orphans --prune-dirs pool
	assert_output_is ""
	assert_stderr_is "$(usage_error "--prune-dirs goes with -d")"
	[ -e pool/a/x ]
}

# --- quarantine names a killed run left -------------------------------------

@test "orphans: -d finishes a quarantine name whose file has one link" {
	local freed
	mkdir pool
	echo x >pool/.f.orphans.AbC123
	freed=$(bytes_of pool/.f.orphans.AbC123)
	run -0 --separate-stderr lb orphans -dv pool
	assert_output_is "removed 'pool/.f.orphans.AbC123'"
	assert_stderr_is "$(summary 1 "$freed")"
	run ls -A pool
	assert_output_is ""
}

@test "orphans: -n says it would remove a quarantine name with one link" {
	local before
	mkdir pool
	echo x >pool/.f.orphans.AbC123
	before=$(snapshot)
	run -1 --separate-stderr lb orphans -n pool
	assert_output_is "would remove 'pool/.f.orphans.AbC123'"
	assert_stderr_is "$(dry_summary 1 "$(bytes_of pool/.f.orphans.AbC123)")"
	[ "$(snapshot)" = "$before" ]
}

@test "orphans: -d restores a quarantine name whose file gained a link" {
	mkdir pool backup
	echo x >pool/.f.orphans.AbC123
	command ln pool/.f.orphans.AbC123 backup/f
	run -0 --separate-stderr lb orphans -dv pool
	assert_output_is "restored 'pool/.f.orphans.AbC123' as 'f'"
	assert_stderr_is "$(summary 0 0)"
	[ pool/f -ef backup/f ]
	no_quarantine pool
}

@test "orphans: -d restores quietly without -v" {
	mkdir pool backup
	echo x >pool/.f.orphans.AbC123
	command ln pool/.f.orphans.AbC123 backup/f
	run -0 --separate-stderr lb orphans -d pool
	assert_output_is ""
	[ pool/f -ef backup/f ]
}

@test "orphans: -n says it would restore, and changes nothing" {
	local before
	mkdir pool backup
	echo x >pool/.f.orphans.AbC123
	command ln pool/.f.orphans.AbC123 backup/f
	before=$(snapshot)
	run -0 --separate-stderr lb orphans -n pool
	assert_output_is "would restore 'pool/.f.orphans.AbC123' as 'f'"
	assert_stderr_is "$(dry_summary 0 0)"
	[ "$(snapshot)" = "$before" ]
}

@test "orphans: -d never restores over a name taken meanwhile (2)" {
	mkdir pool backup
	echo old >pool/.f.orphans.AbC123
	command ln pool/.f.orphans.AbC123 backup/f
	echo new >pool/f
	command ln pool/f backup/g
	run -2 --separate-stderr lb orphans -d pool
	assert_output_is ""
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "orphans: cannot restore 'pool/.f.orphans.AbC123' as 'f': "* ]]
	[ "${stderr_lines[1]}" = "$(summary 0 0)" ]
	[ "$(cat pool/f)" = new ] && [ pool/f -ef backup/g ]
	[ pool/.f.orphans.AbC123 -ef backup/f ]
}

@test "orphans: --links counts for a quarantine name too" {
	mkdir pool backup
	echo x >pool/.f.orphans.AbC123
	command ln pool/.f.orphans.AbC123 backup/f
	run -0 --separate-stderr lb orphans -dv --links 2 pool
	assert_output_is "removed 'pool/.f.orphans.AbC123'"
	[ ! -e pool/f ] && [ -e backup/f ]
}

@test "orphans: names like quarantine names but not quite are ordinary files" {
	mkdir pool
	echo x >pool/.f.orphans.AbC12
	echo x >pool/.f.orphans.AbC1234
	echo x >pool/.f.dedup.AbC123
	echo x >pool/f.orphans.AbC123
	echo x >pool/.f.orphans.AbC-12
	echo x >pool/.orphans.AbC123
	run -1 --separate-stderr lb orphans pool
	assert_lines_are pool/.f.orphans.AbC12 pool/.f.orphans.AbC1234 \
		pool/.f.dedup.AbC123 pool/f.orphans.AbC123 \
		pool/.f.orphans.AbC-12 pool/.orphans.AbC123
	assert_stderr_is ""
}

@test "orphans: -d removes look-alike names as orphans, never restores them" {
	mkdir pool backup
	echo x >pool/.f.orphans.AbC12
	echo x >pool/.g.orphans.AbC1234
	echo x >pool/.h.dedup.AbC123
	command ln pool/.h.dedup.AbC123 backup/h
	run -0 --separate-stderr lb orphans -dv pool
	assert_lines_are "removed 'pool/.f.orphans.AbC12'" \
		"removed 'pool/.g.orphans.AbC1234'"
	run ls -A pool
	assert_output_is ".h.dedup.AbC123"
	[ ! -e pool/h ]
}

@test "orphans: listing ignores quarantine names" {
	mkdir pool backup
	echo x >pool/.f.orphans.AbC123
	echo y >pool/.g.orphans.XyZ789
	command ln pool/.g.orphans.XyZ789 backup/g
	run -0 --separate-stderr lb orphans pool
	assert_output_is ""
	assert_stderr_is ""
	[ -e pool/.f.orphans.AbC123 ] && [ -e pool/.g.orphans.XyZ789 ]
}

# --- walking ----------------------------------------------------------------

@test "orphans: -x does not descend into another filesystem" {
	mkdir -p pool/mnt
	mount_tmpfs pool/mnt
	echo x >pool/mnt/inner
	echo y >pool/outer
	run -1 --separate-stderr lb orphans -x pool
	assert_output_is "pool/outer"
	assert_stderr_is ""
	run -1 --separate-stderr lb orphans pool
	assert_lines_are pool/mnt/inner pool/outer
}

@test "orphans: --one-file-system is -x, with -d too" {
	mkdir -p pool/mnt
	mount_tmpfs pool/mnt
	echo x >pool/mnt/inner
	echo y >pool/outer
	run -0 --separate-stderr lb orphans -dv --one-file-system pool
	assert_output_is "removed 'pool/outer'"
	[ -e pool/mnt/inner ]
}

@test "orphans: an unreadable directory is reported (2), the rest listed" {
	need_unpriv
	mkdir pool pool/locked
	echo x >pool/locked/hidden
	echo y >pool/y
	chmod 700 pool/locked
	[ "$(id -u)" -eq 0 ] || chmod 000 pool/locked
	run -2 --separate-stderr lb_unpriv orphans pool
	assert_output_is "pool/y"
	assert_stderr_starts "orphans: cannot read directory 'pool/locked': "
	one_line
}

@test "orphans: -d: an unreadable directory is reported (2), the rest removed" {
	need_unpriv
	mkdir pool pool/locked
	echo x >pool/locked/hidden
	echo y >pool/y
	chmod 700 pool/locked
	[ "$(id -u)" -eq 0 ] || chmod 000 pool/locked
	chmod 777 pool
	run -2 --separate-stderr lb_unpriv orphans -d pool
	assert_output_is ""
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "orphans: cannot read directory 'pool/locked': "* ]]
	[[ ${stderr_lines[1]} == "orphans: 1 files removed, "* ]]
	[ ! -e pool/y ] && [ -e pool/locked/hidden ]
}

@test "orphans: -d: a file in a directory it cannot write stays (2), the rest removed" {
	need_unpriv
	mkdir -p pool/ro
	echo x >pool/ro/x
	echo y >pool/y
	chmod 777 pool
	chmod 755 pool/ro
	chmod 644 pool/ro/x pool/y
	run -2 --separate-stderr lb_unpriv orphans -d pool
	assert_output_is ""
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "orphans: cannot move 'pool/ro/x' aside to remove it: "* ]]
	[[ ${stderr_lines[1]} == "orphans: 1 files removed, "* ]]
	[ -e pool/ro/x ] && [ ! -e pool/y ]
	no_quarantine
}

# --- options ----------------------------------------------------------------

@test "orphans: an unknown option is a usage error (2)" {
	run -2 --separate-stderr lb orphans -z pool
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid option -- 'z'")"
}

@test "orphans: --help prints the usage and exits 0" {
	run -0 --separate-stderr lb orphans --help
	[ "${lines[0]}" = "Usage: orphans [OPTION]... PATH..." ]
	assert_stderr_is ""
}

@test "orphans: --version prints orphans (linkbox) VERSION" {
	local v
	v=$(lb linkbox --version)
	run -0 --separate-stderr lb orphans --version
	assert_output_is "orphans (linkbox) ${v#linkbox }"
	assert_stderr_is ""
}
