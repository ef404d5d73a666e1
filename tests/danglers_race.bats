#!/usr/bin/env bats
load helpers

# danglers -d against a tree that changes under it (applets/danglers.c,
# core/walk.c).  strace slows the calls that open each race window:
#   (a) a dangling symlink and a regular file trade names while -d runs;
#       the file's content must never be lost and no temporary name left;
#   (b) a directory of the walked tree trades places with a symlink to a
#       tree outside; nothing outside may be listed or removed.
# Bounded: at most ROUNDS runs or MAX_SECONDS per race.

ROUNDS=400
MAX_SECONDS=20
ESCAPE_ROUNDS=150
ESCAPE_SECONDS=15

setup() {
	need_slow "races of danglers"
	skip_unless_applet danglers
	need_strace
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w"
}

teardown() {
	[ -n "${SWAPPER:-}" ] || return 0
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$SWAPPER" 2>/dev/null
}

# swapper A B: in the background until $BATS_TEST_TMPDIR/stop exists,
# exchange A and B over and over: atomically with safeswap
# (renameat2 RENAME_EXCHANGE) when built, else by three renames that
# never replace a name.  Sets SWAPPER.
swapper() {
	local a=$1 b=$2 stop=$BATS_TEST_TMPDIR/stop

	rm -f "$stop"
	if has_applet safeswap; then
		while [ ! -e "$stop" ]; do
			# Fails while -d holds one name aside: go on.
			"$LB_BIN/safeswap" "$a" "$b" 2>/dev/null || true
		done &
	else
		# -n (RENAME_NOREPLACE): the swapper itself never clobbers.
		while [ ! -e "$stop" ]; do
			mv -n -T "$a" "$a.swap" 2>/dev/null &&
				mv -n -T "$b" "$a" 2>/dev/null &&
				mv -n -T "$a.swap" "$b" 2>/dev/null || true
		done &
	fi
	SWAPPER=$!
}

stop_swapper() {
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$SWAPPER" || true
	SWAPPER=
}

# count PATTERN FILE: how many lines of FILE match (0 is no failure).
count() {
	grep -c -- "$1" "$2" || true
}

# slow CALLS USEC ARGS: lb danglers ARGS with CALLS delayed USEC
# microseconds on entry.
slow() {
	local calls=$1 usec=$2
	shift 2
	strace -f -o /dev/null -e "inject=$calls:delay_enter=$usec" \
		"$LB_BIN/danglers" "$@"
}

@test "danglers: -d never removes a regular file swapped in for the link" {
	local i n end=$((SECONDS + MAX_SECONDS)) removed=0 caught=0 lost=0
	local rounds=0 files left ino status crashed=0

	printf 'precious\n' >x.file
	# Exchanges move inodes between names: the file is known by its inode.
	ino=$(stat -c %i x.file)
	command ln -s nope x
	swapper x x.file
	for ((i = 0; i < ROUNDS && SECONDS < end; i++)); do
		# The window: from the check (newfstatat) to renameat2.
		status=0
		slow renameat2 20000 -dv . >out 2>err || status=$?
		rounds=$((rounds + 1))
		# 0: the swap hid the link; 1: removed; 2: a swap caught and
		# put back.  Nothing else (a crash, a signal).
		if [ "$status" -gt 2 ]; then
			crashed=$((crashed + 1))
			printf 'round %d: status %d\n' "$i" "$status" >&2
			cat err >&2
		fi
		removed=$((removed + $(count '^removed ' out)))
		caught=$((caught + $(count 'changed while being removed' err)))
		# The regular file is still there, under one name or another.
		files=$(find . -maxdepth 1 -inum "$ino" -type f -printf '%p ')
		if [ -z "$files" ]; then
			lost=$((lost + 1))
			printf 'round %d: the regular file is gone\n' "$i" >&2
			cat err >&2
			break
		fi
		# Give the swapper its symlink back when -d removed it (symlink(2)
		# never replaces a name, so this is safe against the swaps).
		for n in x x.file; do
			command ln -s nope "$n" 2>/dev/null || true
		done
	done
	stop_swapper
	left=$(find . -name '.x*.danglers.*')
	echo "# $rounds rounds: $removed links removed, $caught swaps" \
		"caught and put back, $lost regular files lost," \
		"leftovers: [${left}]" >&3
	[ "$lost" -eq 0 ]
	[ "$crashed" -eq 0 ]
	files=$(find . -inum "$ino" -type f)
	[ "$(cat $files)" = precious ]
	# Exchanges never take a name while -d holds it aside, so putting
	# back cannot fail; three renames can, and then leave a temporary.
	if has_applet safeswap; then
		[ -z "$left" ]
	fi
	# Too few rounds prove nothing.
	[ "$rounds" -ge 50 ]
	[ "$removed" -gt 0 ]
}

# An outside tree of dangling links and files, and a walked tree whose
# directory "sub" (36 levels deep, more than the walker keeps open)
# trades places with "sub.lnk", a symlink to the outside.
make_escape() {
	local p i

	mkdir -p outside tree/sub
	p=outside
	for i in $(seq 5); do
		p=$p/d
		mkdir "$p"
		command ln -s nope "$p/ESCAPED$i"
		echo data >"$p/file$i"
	done
	command ln -s nope outside/ESCAPED0
	p=tree/sub
	for i in $(seq 36); do
		p=$p/d
		mkdir "$p"
		command ln -s nope "$p/inside$i"
	done
	command ln -s ../outside tree/sub.lnk
}

# escape_race ARGS: run lb danglers ARGS on tree repeatedly, each openat
# (the window from reading a directory's entry to opening it) slowed, while sub and sub.lnk trade places; fail when
# anything outside is listed or changed.
escape_race() {
	local i end=$((SECONDS + ESCAPE_SECONDS)) before rounds=0 refused=0
	local status bad=0

	make_escape
	before=$(cd outside && find . -printf '%p %y %l %i %s\n' | sort)
	swapper tree/sub tree/sub.lnk
	for ((i = 0; i < ESCAPE_ROUNDS && SECONDS < end; i++)); do
		status=0
		slow openat 3000 "$@" tree >out 2>err || status=$?
		rounds=$((rounds + 1))
		refused=$((refused + $(count 'cannot read directory' err)))
		if [ "$status" -gt 2 ] || grep -q ESCAPED out err ||
			[ -n "$(find outside -name '.*.danglers.*')" ]; then
			bad=1
			printf 'round %d: status %d\n' "$i" "$status" >&2
			cat out err >&2
			break
		fi
	done
	stop_swapper
	echo "# danglers $*: $rounds rounds, $refused swapped-in symlinks" \
		"refused, escape: $bad" >&3
	[ "$bad" -eq 0 ]
	[ "$(cd outside && find . -printf '%p %y %l %i %s\n' | sort)" = \
		"$before" ]
	[ "$rounds" -ge 20 ]
}

@test "danglers: a directory swapped for a symlink is not followed" {
	escape_race -l
}

@test "danglers: -d removes nothing outside a directory swapped for a symlink" {
	escape_race -dv --notdir
}
