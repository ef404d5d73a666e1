#!/usr/bin/env bats
load helpers
load snapshot/lib
USAGE_APPLET=snapshot # for usage_error

# snapshot --list, --prune and --delete (applets/snapshot/repo.c): the
# snapshots of a REPO, seen and expired.  Making snapshots is in
# tests/snapshot.bats.  The fixtures are snapshots made by the applet
# (each verified against its source), named by chosen UTC times; what
# --list counts and what a deletion frees is computed with find.

# snaps NAME...: snapshots of src/ named NAME..., made in that order, each
# with a file of its own (src/own, given a time of its own so that it is
# never taken for unchanged).  latest is the last.
snaps() {
	local n
	mkdir -p src
	[ -e src/common ] || echo common >src/common
	for n; do
		echo "$n" >src/own
		touch -d "@$((1000000000 + ${#SNAPS_MADE}))" src/own
		SNAPS_MADE+=x
		snap "$n"
	done
}

# left: the snapshots in repo (its directories), one a line, sorted.
left() {
	find repo -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | LC_ALL=C sort
}

# assert_left NAME...: exactly these snapshots are in repo.
assert_left() {
	local got want
	got=$(left)
	want=$(printf '%s\n' "$@" | LC_ALL=C sort)
	if [ "$got" != "$want" ]; then
		printf 'expected left: [%s]\nleft:          [%s]\n' \
			"$want" "$got" >&2
		return 1
	fi
}

# usage_of DIR: FILES, BYTES and EXCLUSIVE of the snapshot DIR, as --list
# must count them: the non-directory inodes, once each; st_blocks * 512
# of its inodes, directories included; the bytes of the inodes all of
# whose names are inside DIR (the link count says how many there are).
usage_of() {
	find "$1" -printf '%i %n %b %y\n' | awk '
		$4 == "d" { bytes += $3 * 512; excl += $3 * 512; next }
		!($1 in seen) {
			files++; bytes += $3 * 512; b[$1] = $3; n[$1] = $2
		}
		{ seen[$1]++ }
		END {
			for (i in seen)
				if (seen[i] == n[i])
					excl += b[i] * 512
			printf "%d\t%d\t%d\n", files, bytes, excl
		}'
}

# freed_by DIR...: the bytes deleting all of DIR... frees: directories,
# and the inodes whose every name is inside them.
freed_by() {
	find "$@" -printf '%i %n %b %y\n' | awk '
		$4 == "d" { freed += $3 * 512; next }
		{ seen[$1]++; b[$1] = $3; n[$1] = $2 }
		END {
			for (i in seen)
				if (seen[i] == n[i])
					freed += b[i] * 512
			printf "%d\n", freed
		}'
}

# --- --list -----------------------------------------------------------------

@test "snapshot: --list: one line per snapshot, oldest first, with FILES, BYTES and EXCLUSIVE as find counts them" {
	mkdir -p src/d
	head -c 10000 /dev/urandom >src/big
	echo a >src/a
	command ln src/a src/d/a2
	snaps 20260103T000000Z
	head -c 20000 /dev/urandom >src/changed
	snaps 20260101T000000Z
	rm src/big
	# A group of two names, both in the last snapshot only: exclusive.
	touch -d 2020-01-01 src/a
	snaps 20260102T000000Z
	[ "$(stat -c %h repo/20260102T000000Z/a)" = 2 ]
	run -0 --separate-stderr lb snapshot --list repo
	assert_stderr_is ""
	want=()
	for n in 20260101T000000Z 20260102T000000Z 20260103T000000Z; do
		want+=("$n	complete	$(usage_of "repo/$n")")
	done
	assert_output_is "$(printf '%s\n' "${want[@]}")"
}

@test "snapshot: --list: partial and deleting snapshots say so; latest, .lock and other entries are not listed" {
	snaps 20260101T000000Z
	mkdir repo/.20260102T000000Z.partial repo/.20251231T000000Z.deleting
	echo p >repo/.20260102T000000Z.partial/p
	echo d >repo/.20251231T000000Z.deleting/d
	mkdir repo/.hidden
	echo f >repo/file
	command ln -s 20260101T000000Z repo/alias
	run -0 --separate-stderr lb snapshot --list repo
	d=.20251231T000000Z.deleting
	p=.20260102T000000Z.partial
	assert_output_is "$(printf '%s\t%s\t%s\n' \
		20251231T000000Z deleting "$(usage_of "repo/$d")" \
		20260101T000000Z complete "$(usage_of repo/20260101T000000Z)" \
		20260102T000000Z partial "$(usage_of "repo/$p")")"
	assert_stderr_is ""
}

@test "snapshot: --list -0 ends each record with NUL" {
	snaps 20260101T000000Z 20260102T000000Z
	to_file out lb snapshot --list -0 repo
	printf '%s\tcomplete\t%s\0' \
		20260101T000000Z "$(usage_of repo/20260101T000000Z)" \
		20260102T000000Z "$(usage_of repo/20260102T000000Z)" >want
	cmp out want
}

@test "snapshot: --list -h gives the sizes as du -h does" {
	mkdir src
	head -c 100000 /dev/urandom >src/big
	snaps 20260101T000000Z
	read -r files bytes excl < <(usage_of repo/20260101T000000Z)
	run -0 --separate-stderr lb snapshot --list -h repo
	assert_output_is "$(printf '20260101T000000Z\tcomplete\t%s\t%s\t%s' \
		"$files" "$(numfmt --to=iec --round=up "$bytes")" \
		"$(numfmt --to=iec --round=up "$excl")")"
}

@test "snapshot: --list takes no lock" {
	snaps 20260101T000000Z
	hold_lock repo/.lock
	run -0 --separate-stderr lb snapshot --list repo
	[[ $output == 20260101T000000Z$'\t'complete$'\t'* ]]
}

@test "snapshot: --list of a missing REPO: 2" {
	run -2 --separate-stderr lb snapshot --list nosuch
	assert_output_is ""
	assert_stderr_starts "snapshot: 'nosuch': "
}

# --- --prune: the rules -----------------------------------------------------

@test "snapshot: --prune --keep-last=2 keeps the 2 newest" {
	snaps 20260101T000000Z 20260102T000000Z 20260103T000000Z \
		20260104T000000Z 20260105T000000Z
	run -0 --separate-stderr lb snapshot --prune -q --keep-last=2 repo
	assert_left 20260104T000000Z 20260105T000000Z
}

@test "snapshot: --prune --keep-hourly=2 keeps the newest of the 2 newest hours" {
	snaps 20260101T100000Z 20260101T101500Z 20260101T110000Z \
		20260101T115959Z 20260101T120000Z
	run -0 --separate-stderr lb snapshot --prune -q --keep-hourly=2 repo
	assert_left 20260101T115959Z 20260101T120000Z
}

@test "snapshot: --prune --keep-daily=2 keeps the newest of the 2 newest UTC days" {
	snaps 20260101T080000Z 20260101T200000Z 20260102T100000Z \
		20260103T090000Z 20260103T235959Z
	# In UTC+14 the days would be others.
	TZ=Pacific/Kiritimati run -0 --separate-stderr \
		lb snapshot --prune -q --keep-daily=2 repo
	assert_left 20260102T100000Z 20260103T235959Z
}

@test "snapshot: --prune --keep-weekly=2: weeks begin on Monday" {
	# Thursday, Sunday, Monday, Sunday, Monday.
	snaps 20260101T000000Z 20260104T000000Z 20260105T000000Z \
		20260111T000000Z 20260112T000000Z
	run -0 --separate-stderr lb snapshot --prune -q --keep-weekly=2 repo
	assert_left 20260111T000000Z 20260112T000000Z
}

@test "snapshot: --prune --keep-monthly=3 keeps the newest of the 3 newest months" {
	snaps 20260115T000000Z 20260131T235959Z 20260201T000000Z \
		20260228T120000Z 20260301T000000Z
	run -0 --separate-stderr lb snapshot --prune -q --keep-monthly=3 repo
	assert_left 20260131T235959Z 20260228T120000Z 20260301T000000Z
}

@test "snapshot: --prune --keep-yearly=2 keeps the newest of the 2 newest years" {
	snaps 20241231T235959Z 20250101T000000Z 20250601T000000Z \
		20260101T000000Z
	run -0 --separate-stderr lb snapshot --prune -q --keep-yearly=2 repo
	assert_left 20250601T000000Z 20260101T000000Z
}

@test "snapshot: --prune: a snapshot is kept when any rule keeps it" {
	snaps 20241201T000000Z 20250601T000000Z 20251201T000000Z \
		20260101T000000Z 20260102T000000Z
	run -0 --separate-stderr lb snapshot --prune -q --keep-last=2 \
		--keep-yearly=2 repo
	assert_left 20251201T000000Z 20260101T000000Z 20260102T000000Z
}

# --- --prune: what is never pruned ------------------------------------------

@test "snapshot: --prune never deletes the snapshot latest points to" {
	snaps 20260102T000000Z 20260103T000000Z 20260101T000000Z
	[ "$(readlink repo/latest)" = 20260101T000000Z ]
	run -0 --separate-stderr lb snapshot --prune -q --keep-last=1 repo
	assert_left 20260101T000000Z 20260103T000000Z
}

@test "snapshot: --prune never deletes a snapshot not named by its time, and says so" {
	snaps mine 20261340T256161Z 20260101T000000Z 20260102T000000Z
	run -0 --separate-stderr lb snapshot --prune -q --keep-last=1 repo
	assert_left mine 20261340T256161Z 20260102T000000Z
	output=$stderr
	never=": not named by its time (YYYYMMDDTHHMMSSZ): never pruned"
	assert_lines_are "snapshot: 'mine'$never" \
		"snapshot: '20261340T256161Z'$never"
}

@test "snapshot: --prune leaves partial snapshots for the next run" {
	snaps 20260101T000000Z 20260102T000000Z
	mkdir repo/.20250101T000000Z.partial
	run -0 --separate-stderr lb snapshot --prune -q --keep-last=1 repo
	assert_left .20250101T000000Z.partial 20260102T000000Z
}

# --- --prune: -n, -v, the summary -------------------------------------------

@test "snapshot: --prune -n changes nothing, and says what would be deleted" {
	snaps 20260101T000000Z 20260102T000000Z 20260103T000000Z
	before=$(state repo)
	run -0 --separate-stderr lb snapshot --prune -n --keep-last=1 repo
	assert_lines_are "would delete '20260101T000000Z'" \
		"would delete '20260102T000000Z'"
	assert_stderr_is "snapshot: would delete 2 snapshots"
	[ "$(state repo)" = "$before" ]
}

@test "snapshot: --prune -v names each snapshot deleted" {
	snaps 20260101T000000Z 20260102T000000Z 20260103T000000Z
	run -0 --separate-stderr lb snapshot --prune -v -q --keep-last=1 repo
	assert_lines_are "deleted '20260101T000000Z'" \
		"deleted '20260102T000000Z'"
	assert_stderr_is ""
	assert_left 20260103T000000Z
}

@test "snapshot: --prune's summary: the snapshots deleted, and the bytes whose last name went" {
	mkdir src
	head -c 30000 /dev/urandom >src/shared
	snaps 20260101T000000Z
	head -c 50000 /dev/urandom >src/later
	snaps 20260102T000000Z 20260103T000000Z
	freed=$(freed_by repo/20260101T000000Z repo/20260102T000000Z)
	run -0 --separate-stderr lb snapshot --prune --keep-last=1 repo
	assert_output_is ""
	assert_stderr_is "snapshot: deleted 2 snapshots, $freed freed"
	assert_left 20260103T000000Z
}

@test "snapshot: --prune -h gives the bytes freed as du -h does" {
	mkdir src
	head -c 100000 /dev/urandom >src/big
	snaps 20260101T000000Z
	echo other >src/big
	snaps 20260102T000000Z
	freed=$(freed_by repo/20260101T000000Z)
	run -0 --separate-stderr lb snapshot --prune -h --keep-last=1 repo
	human=$(numfmt --to=iec --round=up "$freed")
	assert_stderr_is "snapshot: deleted 1 snapshot, $human freed"
}

@test "snapshot: --prune finishes a deletion a killed run left" {
	snaps 20260101T000000Z
	mkdir -p repo/.20250101T000000Z.deleting/d
	echo x >repo/.20250101T000000Z.deleting/d/x
	chmod 500 repo/.20250101T000000Z.deleting/d
	run -0 --separate-stderr lb snapshot --prune -v --keep-last=1 repo
	assert_output_is "deleted '20250101T000000Z'"
	assert_left 20260101T000000Z
}

@test "snapshot: --prune and --delete delete a snapshot holding a read-only directory" {
	need_unpriv
	mkdir -p src/ro/sub
	echo x >src/ro/x
	echo y >src/ro/sub/y
	chown -R "$(id -u nobody):$(id -g nobody)" src 2>/dev/null || true
	chmod 500 src/ro/sub src/ro
	chmod 777 .
	for n in 20260101T000000Z 20260102T000000Z 20260103T000000Z; do
		lb_unpriv snapshot -q --no-sync --name="$n" src repo
		verify src "repo/$n"
	done
	run -0 --separate-stderr lb_unpriv snapshot --prune -q --keep-last=2 \
		repo
	assert_stderr_is ""
	run -0 --separate-stderr lb_unpriv snapshot --delete -q \
		20260102T000000Z repo
	assert_stderr_is ""
	assert_left 20260103T000000Z
}

@test "snapshot: --prune waits for nobody: 2 at once while REPO is locked" {
	snaps 20260101T000000Z 20260102T000000Z
	hold_lock repo/.lock
	run -2 --separate-stderr lb snapshot --prune --keep-last=1 repo
	assert_stderr_starts "snapshot: 'repo': "
	assert_left 20260101T000000Z 20260102T000000Z
}

@test "snapshot: --prune --wait queues behind the lock" {
	snaps 20260101T000000Z 20260102T000000Z
	hold_lock repo/.lock
	lb snapshot --prune -q --wait --keep-last=1 repo 3>&- &
	waiter=$!
	BACKGROUND+=" $waiter"
	sleep 0.3
	kill -0 "$waiter"
	assert_left 20260101T000000Z 20260102T000000Z
	kill "$HOLDER"
	wait "$waiter"
	assert_left 20260102T000000Z
}

# --- --delete ---------------------------------------------------------------

@test "snapshot: --delete deletes the snapshots named, saying what it freed" {
	mkdir src
	head -c 40000 /dev/urandom >src/first
	snaps 20260101T000000Z
	rm src/first
	snaps 20260102T000000Z 20260103T000000Z
	freed=$(freed_by repo/20260101T000000Z repo/20260102T000000Z)
	run -0 --separate-stderr lb snapshot --delete -v 20260102T000000Z \
		20260101T000000Z repo
	assert_lines_are "deleted '20260101T000000Z'" \
		"deleted '20260102T000000Z'"
	assert_stderr_is "snapshot: deleted 2 snapshots, $freed freed"
	assert_left 20260103T000000Z
}

@test "snapshot: --delete of a name not in REPO: 2, nothing deleted" {
	snaps 20260101T000000Z 20260102T000000Z
	before=$(state repo)
	run -2 --separate-stderr lb snapshot --delete 20260101T000000Z nosuch \
		repo
	assert_output_is ""
	assert_stderr_is "snapshot: 'nosuch': no such snapshot in 'repo'"
	[ "$(state repo)" = "$before" ]
}

@test "snapshot: --delete of the snapshot latest points to: 2, nothing deleted" {
	snaps 20260101T000000Z 20260102T000000Z
	before=$(state repo)
	run -2 --separate-stderr lb snapshot --delete 20260101T000000Z \
		20260102T000000Z repo
	assert_output_is ""
	assert_stderr_is \
		"snapshot: '20260102T000000Z': latest points to it: not deleted"
	[ "$(state repo)" = "$before" ]
}

@test "snapshot: --delete -n changes nothing, and says what would be deleted" {
	snaps 20260101T000000Z 20260102T000000Z
	before=$(state repo)
	run -0 --separate-stderr lb snapshot --delete -n 20260101T000000Z repo
	assert_output_is "would delete '20260101T000000Z'"
	assert_stderr_is "snapshot: would delete 1 snapshot"
	[ "$(state repo)" = "$before" ]
}

@test "snapshot: --delete finishes a deletion a killed run left" {
	snaps 20260101T000000Z 20260102T000000Z
	mkdir repo/.20250101T000000Z.deleting
	echo x >repo/.20250101T000000Z.deleting/x
	run -0 --separate-stderr lb snapshot --delete -q 20260101T000000Z repo
	assert_left 20260102T000000Z
}

@test "snapshot: --delete never follows a symlink out of the snapshot" {
	mkdir -p src outside/dir
	echo o >outside/dir/o
	command ln -s "$PWD/outside/dir" src/abs
	command ln -s ../../outside src/rel
	snaps 20260101T000000Z 20260102T000000Z
	before=$(state outside)
	run -0 --separate-stderr lb snapshot --delete -q 20260101T000000Z repo
	assert_left 20260102T000000Z
	[ "$(state outside)" = "$before" ]
}

@test "snapshot: --delete waits for nobody: 2 at once while REPO is locked" {
	snaps 20260101T000000Z 20260102T000000Z
	hold_lock repo/.lock
	run -2 --separate-stderr lb snapshot --delete 20260101T000000Z repo
	assert_stderr_starts "snapshot: 'repo': "
	assert_left 20260101T000000Z 20260102T000000Z
}

# --- usage errors -----------------------------------------------------------

@test "snapshot: --prune without a --keep-RULE: usage error (2)" {
	snaps 20260101T000000Z
	run -2 --separate-stderr lb snapshot --prune repo
	assert_stderr_is \
		"$(usage_error "--prune needs a --keep-RULE=N above 0")"
}

@test "snapshot: --list with -n: usage error (2)" {
	snaps 20260101T000000Z
	run -2 --separate-stderr lb snapshot --list -n repo
	assert_output_is ""
	assert_stderr_is "$(usage_error "--list takes -0, -h and --json only")"
}

@test "snapshot: --list and --delete together: usage error (2)" {
	snaps 20260101T000000Z 20260102T000000Z
	run -2 --separate-stderr lb snapshot --list --delete 20260101T000000Z \
		repo
	assert_stderr_is \
		"$(usage_error "--list, --prune and --delete exclude each other")"
	assert_left 20260101T000000Z 20260102T000000Z
}

@test "snapshot: --delete without a NAME: usage error (2)" {
	snaps 20260101T000000Z
	run -2 --separate-stderr lb snapshot --delete repo
	assert_stderr_is "$(usage_error "missing operand")"
}

@test "snapshot: --prune with a --name: usage error (2)" {
	snaps 20260101T000000Z
	run -2 --separate-stderr lb snapshot --prune --keep-last=1 --name=x repo
	assert_stderr_is "$(usage_error "--prune makes no snapshot")"
}

@test "snapshot: --keep-last=x: usage error (2)" {
	snaps 20260101T000000Z
	run -2 --separate-stderr lb snapshot --prune --keep-last=x repo
	assert_stderr_is "$(usage_error "invalid count: 'x'")"
}
