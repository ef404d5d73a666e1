#!/usr/bin/env bats
load helpers

# snapshot under faults, kills and link limits (applets/snapshot/; the
# contract: issue 13).  The claims: a run killed at any moment leaves every
# complete snapshot and REPO/latest as they were, and the next run
# succeeds, consuming what the killed one left; a write that fails
# publishes nothing (exit 2); a --delete or --prune killed half way never
# leaves a tree that looks complete, and the next one finishes it; a
# killed writer's lock dies with it; a file at the link limit is copied
# and counted, never left out.
#   (a) faults: each call that changes REPO (mkdir, openat with O_CREAT,
#       flock, mkdirat, linkat, symlinkat, mknodat, copy_file_range,
#       pwrite64, ftruncate, fchown, fchmod, utimensat, fchownat,
#       fchmodat, syncfs, renameat2, renameat, fsync, unlinkat), found in
#       the strace log of a plain run, is in turn made to kill the run on
#       entry (SIGKILL) or to fail with EIO; at the first call of each
#       syscall also with ENOSPC where it writes data or makes a name, and
#       with EACCES where it opens or makes a directory (strace -e
#       inject=SYSCALL:...:when=N).  Runs: a snapshot into a REPO holding
#       one; one reusing two partials that killed runs left; one copying
#       with pread/pwrite (copy_file_range failing ENOSYS); --delete;
#       --prune.  After each run, and after the next plain one: every
#       complete snapshot (a directory of REPO whose name does not start
#       with ".") is one the test knows, and equals it; latest names a
#       complete one; the next run's snapshot equals the source, latest
#       names it, and nothing hidden is left but .lock (and .NAME.deleting,
#       which the next --prune finishes).
#   (b) the lock: a holder (stopped by an injected SIGSTOP, then killed
#       with SIGKILL) releases it at once, for a snapshot run and for a
#       --prune; a run queued with --wait goes on.
#   (c) EMLINK: --max-links 3, linkat failing EMLINK (strace), and ext4's
#       own limit (65,000 links) on a loop-mounted image (root).
# Trees are compared as host tools list them (find -printf, md5sum: see
# tree_list).  As root the matrices run on a tmpfs, where syncfs is free.
# Figures go to the TAP output as "# ..." lines.  The file takes about two
# minutes.
#
#   SNAPSHOT_FAULTS_MAX  occurrences of one syscall tried per run, at most
#                        (4 in a snapshot run, 16 in a delete; 2 when not
#                        root): the first, the last and some evenly between

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	skip_unless_applet snapshot
	need_slow "faults of snapshot"
}

teardown() {
	stop_holder
	unmount_all
	# The read-only directories of the fixtures, for bats to remove.
	chmod -R u+rwX "$BATS_TEST_TMPDIR" 2>/dev/null || true
}

# --- trees as host tools see them ---------------------------------------------

# What find prints of each entry.
FORMAT='%P\t%y\t%m\t%U:%G\t%s\t%T@\t%l\t%i\n'

# LISTING: awk turning find's FORMAT lines (sorted; tops: each top
# directory a tree of its own) and md5sum's lines (the file SUMS, paths
# PREFIX bytes longer) into one line per entry of each tree: path in the
# tree (the tree itself "."), type, mode, owner:group, size (not of a
# directory), mtime to the nanosecond, symlink text, MD5 of the contents,
# and the first path of its inode in the tree, which compares the hard
# links inside a tree ("-" when NOLINKS).  Link counts and inode numbers
# are left out: links from other trees change them.  got[TOP] is a tree's
# listing, tops[1..ntop] the trees; with INREPO, $1 == "" (FORMAT's hidden
# line) is a hidden name and "latest" a symlink.
LISTING='
BEGIN {
	FS = OFS = "\t"
	while ((getline l <sums) > 0)
		sum[substr(l, 35 + prefix)] = substr(l, 1, 32)
	close(sums)
}
inrepo && $1 == "" {
	if ($2 != ".lock")
		hidden = hidden (hidden == "" ? "" : " ") $2
	next
}
{
	top = ""
	rel = $1 == "" ? "." : $1
	if (inrepo) {
		top = $1
		sub(/\/.*/, "", top)
		if ($1 == top) {
			if ($1 == "latest" && $2 == "l")
				latest = $7
			if ($2 != "d")
				next
			tops[++ntop] = top
			rel = "."
		} else
			rel = substr($1, length(top) + 2)
	}
	key = top SUBSEP $8
	if (!(key in first))
		first[key] = rel
	got[top] = got[top] rel OFS $2 OFS $3 OFS $4 OFS \
	    ($2 == "d" ? "-" : $5) OFS $6 OFS $7 OFS \
	    ($2 == "f" ? sum[$1] : "-") OFS (nolinks ? "-" : first[key]) "\n"
}'

# tree_list DIR [nolinks]: DIR as LISTING lists it.
tree_list() {
	find "$1" -type f -exec md5sum -- {} + >md5s.list || return 1
	find "$1" -printf "$FORMAT" | LC_ALL=C sort |
		awk -v sums=md5s.list -v prefix="$((${#1} + 1))" \
		-v nolinks="$([ "${2:-}" = nolinks ] && echo 1)" \
		"$LISTING"' END { printf "%s", got[""] }'
}

# same_tree WHERE DIR EXPECTED [nolinks]: DIR lists as the file EXPECTED
# does; else the difference, and false.
same_tree() {
	local d
	if ! d=$(tree_list "$2" "${4:-}" | diff "$3" - 2>&1); then
		printf '%s: %s differs from what it was:\n%s\n' "$1" "$2" "$d"
		return 1
	fi
}

# repo_state WHERE REQUIRED...: repo in one pass (find, md5sum, sort,
# awk: each of hundreds of runs is checked twice): LATEST, the text of
# repo/latest; COMPLETE, " NAME ... ", its complete snapshots (directories
# whose names do not start with "."); HIDDEN, its hidden names but .lock.
# Each complete snapshot must be one that exp/ has a listing of
# (tree_list's), and equal it; those REQUIRED must be there; latest must
# name one.  Says what is wrong, and fails.
repo_state() {
	local where=$1
	local -a state
	shift
	find repo -mindepth 1 \
		\( -path 'repo/.*' -fprintf list '\t%P\n' -prune \) -o \
		\( -fprintf list "$FORMAT" -type f -exec md5sum -- {} + \) \
		>md5s || return 1
	mapfile -t state < <(LC_ALL=C sort list | awk -v sums=md5s -v prefix=5 \
		-v inrepo=1 -v where="$where" -v required="$*" "$LISTING"'
		END {
			print latest
			for (i = 1; i <= ntop; i++)
				names = names (i > 1 ? " " : "") tops[i]
			print names
			print hidden
			for (i = 1; i <= ntop; i++) {
				t = tops[i]
				have[t] = 1
				f = "exp/" t
				want = ""
				while ((getline l <f) > 0)
					want = want l "\n"
				close(f)
				if (want == "")
					print where ": repo/" t \
					    " looks complete and is no snapshot"
				else if (want != got[t])
					print where ": repo/" t " differs: " \
					    diff(want, got[t])
			}
			n = split(required, req, " ")
			for (i = 1; i <= n; i++)
				if (!(req[i] in have))
					print where ": repo/" req[i] " is gone"
			if (!(latest in have))
				print where ": repo/latest names \"" latest \
				    "\", no complete snapshot"
		}
		function diff(a, b,   x, y, n, m, i) {
			n = split(a, x, "\n")
			m = split(b, y, "\n")
			for (i = 1; i <= n || i <= m; i++)
				if (x[i] != y[i])
					return "was [" x[i] "], is [" y[i] "]"
		}')
	LATEST=${state[0]} COMPLETE=" ${state[1]} " HIDDEN=${state[2]}
	[ "${#state[@]}" -gt 3 ] || return 0
	printf '%s\n' "${state[@]:3}"
	return 1
}

# The source: files, a pair of hard links, a symlink, a FIFO, a sparse
# file, a read-only directory, an empty one.
make_src() {
	mkdir -p src/sub/deep src/empty src/ro
	echo alpha >src/a
	echo beta >src/b
	chmod 640 src/b
	echo c >src/sub/c
	echo d >src/sub/deep/d
	echo pair >src/hl1
	command ln src/hl1 src/sub/hl2
	command ln -s a src/sym
	mkfifo src/fifo
	truncate -s 1M src/sparse
	printf x | dd of=src/sparse bs=1 seek=524288 conv=notrunc 2>/dev/null
	head -c 100000 /dev/urandom >src/big
	echo r >src/ro/r
	chmod 555 src/ro
	chmod 750 src/empty
}

# change_src: a changed, sub/new new, sub/deep/d gone, b's mode changed
# (a metadata change: b is copied, not linked).
change_src() {
	echo more >>src/a
	echo new >src/sub/new
	rm src/sub/deep/d
	chmod 600 src/b
}

# scratch: as root, cd into a fresh tmpfs, where syncfs costs nothing
# (on a disk each run's takes the better part of a second); else into a
# directory here, and try fewer occurrences of each call.
scratch() {
	mkdir "$BATS_TEST_TMPDIR/t"
	if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64m none \
		"$BATS_TEST_TMPDIR/t" 2>/dev/null; then
		MOUNTS+=("$BATS_TEST_TMPDIR/t")
	else
		: "${SNAPSHOT_FAULTS_MAX:=2}"
		note "not on a tmpfs (not root): each syncfs is paid;" \
			"$SNAPSHOT_FAULTS_MAX occurrences of each call at most"
	fi
	cd "$BATS_TEST_TMPDIR/t" || return 1
}

# restore: repo made afresh from the fixture.
restore() {
	rm -rf repo
	cp -a fixture repo
}

# --- (a) the fault matrix -----------------------------------------------------

# calls_of LOG: LOG's lines (strace -f) without the pid.
calls_of() {
	sed -E 's/^[0-9]+ +//' "$1"
}

# points LOG: the calls of LOG that change REPO, as "SYSCALL N LINE" (the
# Nth call of SYSCALL in the run, on line LINE of LOG), those matching
# $ONLY; of a syscall met more than MAX times, the first, the last and
# some evenly between.  Writes to stdout and stderr (the
# summary) are not points.
points() {
	calls_of "$1" | awk -v max="$MAX" -v only="$ONLY" '
		{ c = $0; sub(/\(.*/, "", c); n[c]++ }
		c ~ /^(mkdir|mkdirat|linkat|symlinkat|mknodat|flock)$/ ||
		    c ~ /^(copy_file_range|pwrite64|write|ftruncate)$/ ||
		    c ~ /^(fchown|fchmod|utimensat|fchownat|fchmodat)$/ ||
		    c ~ /^(renameat|renameat2|unlinkat)$/ ||
		    c ~ /^(syncfs|fsync|fdatasync)$/ ||
		    (c == "openat" && /O_CREAT/) {
			if (c == "write" && /^write\([12],/)
				next
			if (only != "" && c !~ ("^(" only ")$"))
				next
			k = ++seen[c]
			at[c, k] = n[c] " " NR
			if (k == 1)
				order[++calls] = c
		}
		END {
			for (i = 1; i <= calls; i++) {
				c = order[i]
				m = seen[c] < max ? seen[c] : max
				span = seen[c] - 1
				last = 0
				for (j = 0; j < m; j++) {
					k = m == 1 ? 1 : 1 + int(j * span / (m - 1) + .5)
					if (k != last)
						print c, at[c, k]
					last = k
				}
			}
		}'
}

# faults_of SYSCALL FIRST: the faults tried at a call of SYSCALL; more
# when FIRST (its first call in the run) is yes.
faults_of() {
	local f="signal=SIGKILL error=EIO"
	if [ "$2" = yes ]; then
		case $1 in
		copy_file_range | pwrite64 | write | ftruncate | linkat | \
			symlinkat | mknodat)
			f+=" error=ENOSPC" ;;
		openat | mkdir | mkdirat) f+=" error=ENOSPC error=EACCES" ;;
		esac
	fi
	echo "$f"
}

# matrix CHECK ARG...: snapshot ARG... run once plainly under strace on a
# fresh copy of the fixture, then once per fault at each of its points,
# each on a fresh copy, each followed by CHECK WHERE WHAT STATUS PRE,
# which says what is wrong and fails (PRE: yes for a point at or before
# the first line of the plain log that matches $PUBLISH).  EXTRA holds
# strace options for every run; MAX bounds the points of one syscall.
# Sets POINTS, RUNS, BAD, CALLS (the syscalls tried), POINT (the point
# being tried, from 1).
matrix() {
	local check=$1 p s n line what st publish pre prev= first
	local -a pts
	shift
	restore
	strace_applet snapshot -o plain.log "${EXTRA[@]}" -- "$@" \
		>/dev/null 2>plain.err ||
		{ echo "the plain run failed: $(cat plain.err)" >&2; return 1; }
	publish=$(calls_of plain.log | grep -n -m1 -E "${PUBLISH:-^$}" |
		cut -d: -f1)
	mapfile -t pts < <(points plain.log)
	POINTS=${#pts[@]} RUNS=0 BAD=0 POINT=0 CALLS=
	for p in "${pts[@]}"; do
		read -r s n line <<<"$p"
		POINT=$((POINT + 1))
		pre=no
		[ -z "$publish" ] || [ "$line" -gt "$publish" ] || pre=yes
		first=no
		[ "$s" = "$prev" ] || { first=yes; CALLS+="${CALLS:+ }$s"; }
		for what in $(faults_of "$s" "$first"); do
			restore
			strace_applet snapshot -o /dev/null "${EXTRA[@]}" \
				-e "inject=$s:$what:when=$n" -- "$@" \
				>out 2>err && st=0 || st=$?
			RUNS=$((RUNS + 1))
			"$check" "$s #$n ${what#*=}" "$what" "$st" "$pre" >&2 ||
				BAD=$((BAD + 1))
		done
		prev=$s
	done
	same_tree "after the matrix" src exp/src >&2 || BAD=$((BAD + 1))
}

# The REPO of a snapshot run: s1, a copy of the source then (cp -a), and
# latest; the source changed since.  exp/s1 lists s1; exp/s2 and exp/s3
# (the faulted run's and the next run's) list the source now.
make_fixture() {
	scratch
	make_src
	mkdir fixture exp
	cp -a src fixture/s1
	command ln -s s1 fixture/latest
	tree_list fixture/s1 >exp/s1
	change_src
	tree_list src >exp/src
	cp exp/src exp/s2
	cp exp/src exp/s3
}

# leftover_fixture: make_fixture, and two partial snapshots that killed
# runs left: .s2.partial (most of the source now, but a: of the run's own
# name, moved aside and reused) and .s0.partial (a part of it).
leftover_fixture() {
	make_fixture
	cp -a src fixture/.s2.partial
	rm -rf fixture/.s2.partial/a fixture/.s2.partial/sub/deep \
		fixture/.s2.partial/big
	mkdir fixture/.s0.partial
	cp -a src/sub fixture/.s0.partial/
}

# check_make WHERE WHAT STATUS PRE: after snapshot --name s2 src repo,
# faulted: s1 intact; s2, if complete, equal to the source; latest at a
# complete one; hidden, only partials, .NAME.deleting and the temporary
# of latest; killed: status 137; an error: a message, and status 2 with
# nothing published (s2 not complete, latest s1) where the point comes
# before the publishing rename, else either that or status 1 with s2
# published.  Then the next plain run (--name s2 again when s2 is not
# published and the point an even one, else s3) succeeds, its snapshot
# equals the source, latest names it, and it leaves nothing hidden but
# .NAME.deleting (DELETING counts those), which --prune then finishes.
check_make() {
	local where=$1 what=$2 st=$3 pre=$4 bad=0 name published=no h
	local required=(s1) deleting=no
	repo_state "$where" s1 || bad=1
	[[ $COMPLETE != *" s2 "* ]] || published=yes
	if [ "$pre" = yes ] && [ "$published" = yes ]; then
		echo "$where: s2 is complete before its publishing rename"
		bad=1
	fi
	case $what in
	signal=SIGKILL)
		[ "$st" = 137 ] ||
			{ echo "$where: not killed (status $st)"; bad=1; }
		;;
	*)
		[ -s err ] ||
			{ echo "$where: status $st, without a word"; bad=1; }
		if [ "$pre" = yes ] && [ "$st" != 2 ]; then
			echo "$where: status $st, not 2: $(cat err)"
			bad=1
		elif [ "$st" = 2 ] && { [ "$published" = yes ] ||
			[ "$LATEST" != s1 ]; }; then
			echo "$where: status 2 (nothing published), yet s2" \
				"published: $published, latest: $LATEST:" \
				"$(cat err)"
			bad=1
		elif [ "$st" = 1 ] && [ "$published" = no ]; then
			echo "$where: status 1 (published), s2 not published"
			bad=1
		elif [ "$st" != 1 ] && [ "$st" != 2 ]; then
			echo "$where: status $st: $(cat err)"
			bad=1
		fi
		;;
	esac
	for h in $HIDDEN; do
		case $h in
		.s[0-9].partial | .s[0-9].deleting | .latest.snapshot.??????) ;;
		*) echo "$where: left $h"; bad=1 ;;
		esac
	done
	# The next run.
	name=s3
	[ "$published" = yes ] || [ $((POINT % 2)) = 1 ] || name=s2
	"$LB_BIN/snapshot" -q --name "$name" src repo >rerun.out 2>rerun.err &&
		st=0 || st=$?
	where+=", then --name $name"
	if [ "$st" != 0 ] || [ -s rerun.err ]; then
		echo "$where: status $st: $(cat rerun.err)"
		bad=1
	fi
	required+=("$name")
	[ "$published" = no ] || required+=(s2)
	repo_state "$where" "${required[@]}" || bad=1
	[ "$LATEST" = "$name" ] ||
		{ echo "$where: latest names $LATEST, not $name"; bad=1; }
	for h in $HIDDEN; do
		case $h in
		.s[0-9].deleting) deleting=yes ;;
		*) echo "$where: left $h"; bad=1 ;;
		esac
	done
	[ "$deleting" = yes ] || return "$bad"
	DELETING=$((DELETING + 1))
	"$LB_BIN/snapshot" -q --prune --keep-last=1 repo >/dev/null 2>&1 &&
		st=0 || st=$?
	repo_state "$where, then --prune" "${required[@]}" || bad=1
	if [ "$st" != 0 ] || [ -n "$HIDDEN" ]; then
		echo "$where, then --prune: status $st, left: $HIDDEN"
		bad=1
	fi
	return "$bad"
}

# make_matrix LABEL: the matrix of snapshot -q --name s2 src repo, its
# figures noted; fails on any violation.
make_matrix() {
	DELETING=0
	PUBLISH='^renameat2?\(.*"s2"' MAX=${SNAPSHOT_FAULTS_MAX:-4}
	matrix check_make -q --name s2 src repo
	note "$1: $POINTS points ($CALLS), $RUNS runs, $BAD violations;" \
		"$DELETING runs left a .NAME.deleting for --prune"
	[ "$POINTS" -gt 0 ] && [ "$BAD" = 0 ]
}

@test "snapshot: faults: killed or failing at each write, the snapshots and latest stay whole" {
	need_inject linkat
	make_fixture
	EXTRA=() ONLY=
	make_matrix "snapshot over one"
}

@test "snapshot: faults: a run reusing leftover partials, killed or failing anywhere" {
	need_inject linkat
	leftover_fixture
	EXTRA=() ONLY=
	make_matrix "snapshot reusing two partials"
}

@test "snapshot: faults: copies by read and write (no copy_file_range), killed or failing" {
	need_inject copy_file_range
	make_fixture
	EXTRA=(-e inject=copy_file_range:error=ENOSYS) ONLY='pwrite64|ftruncate'
	make_matrix "snapshot with pread/pwrite"
}

@test "snapshot: faults: control: the check sees a half tree, an old snapshot changed, latest dangling" {
	make_fixture
	restore
	run repo_state fine s1
	[ "$status" -eq 0 ] && [ -z "$output" ]
	# What a killed cp -a (or rsync) under the final name leaves.
	cp -a src repo/s2
	rm repo/s2/big
	run repo_state half s1
	[ "$status" -eq 1 ]
	[[ $output == "half: repo/s2 differs: "* ]]
	# An attribute changed through an inode s1 shares (cp -al, chmod).
	rm -r repo/s2
	chmod 600 repo/s1/a
	run repo_state chmod s1
	[[ $output == "chmod: repo/s1 differs: was [a	f	644"* ]]
	chmod 644 repo/s1/a
	# A name that is no snapshot, latest at a missing one.
	mkdir repo/junk
	command ln -sfn s9 repo/latest
	run repo_state dangling s1 s9
	assert_lines_are \
		"dangling: repo/junk looks complete and is no snapshot" \
		"dangling: repo/s9 is gone" \
		'dangling: repo/latest names "s9", no complete snapshot'
}

# The REPO of --delete and --prune: three snapshots named by their time
# (A, B, C: C is latest), made with host tools as a snapshot run makes
# them: what did not change is a hard link to the one before.
A=20240101T000000Z B=20240102T000000Z C=20240103T000000Z

# fresh_copy SNAP PATH: PATH in fixture/SNAP a copy of src's, no link.
fresh_copy() {
	rm -f "fixture/$1/$2"
	cp -a "src/$2" "fixture/$1/$2"
}

delete_fixture() {
	local n
	scratch
	make_src
	mkdir fixture exp
	cp -a src "fixture/$A"
	change_src
	cp -al "fixture/$A" "fixture/$B"
	fresh_copy "$B" a
	fresh_copy "$B" b
	cp -a src/sub/new "fixture/$B/sub/new"
	rm "fixture/$B/sub/deep/d"
	cp -al "fixture/$B" "fixture/$C"
	echo again >>src/a
	fresh_copy "$C" a
	command ln -s "$C" fixture/latest
	for n in "$A" "$B" "$C"; do
		tree_list "fixture/$n" >"exp/$n"
	done
	tree_list src >exp/src
}

# check_delete WHERE WHAT STATUS: after a faulted --delete A (KIND
# delete) or --prune --keep-last=1 (KIND prune): every complete snapshot
# intact, C (and B for --delete) there, latest at C; killed: status 137;
# an error: a status other than 0, and a message; nothing hidden but
# .A.deleting and .B.deleting (LEFT counts the runs that left one).  The
# next --delete (of A and B, or of B when A is no longer complete) or
# --prune succeeds and leaves C alone, intact, and nothing hidden.
check_delete() {
	local where=$1 what=$2 st=$3 bad=0 required=("$C") rerun h
	[ "$KIND" = prune ] || required+=("$B")
	repo_state "$where" "${required[@]}" || bad=1
	[ "$LATEST" = "$C" ] || { echo "$where: latest names $LATEST"; bad=1; }
	case $what in
	signal=SIGKILL)
		[ "$st" = 137 ] ||
			{ echo "$where: not killed (status $st)"; bad=1; }
		;;
	*)
		if [ "$st" = 0 ] || [ ! -s err ]; then
			echo "$where: status $st: $(cat err)"
			bad=1
		fi
		;;
	esac
	[ -z "$HIDDEN" ] || LEFT=$((LEFT + 1))
	for h in $HIDDEN; do
		case $h in
		".$A.deleting" | ".$B.deleting") ;;
		*) echo "$where: left $h"; bad=1 ;;
		esac
	done
	if [ "$KIND" = prune ]; then
		rerun=(--prune --keep-last=1)
	elif [[ $COMPLETE == *" $A "* ]]; then
		rerun=(--delete "$A" "$B")
	else
		rerun=(--delete "$B")
	fi
	"$LB_BIN/snapshot" -q "${rerun[@]}" repo >rerun.out 2>rerun.err &&
		st=0 || st=$?
	where+=", then ${rerun[*]}"
	if [ "$st" != 0 ] || [ -s rerun.err ]; then
		echo "$where: status $st: $(cat rerun.err)"
		bad=1
	fi
	repo_state "$where" "$C" || bad=1
	if [ "$COMPLETE" != " $C " ] || [ "$LATEST" != "$C" ] ||
		[ -n "$HIDDEN" ]; then
		echo "$where: complete:$COMPLETE latest: $LATEST left: $HIDDEN"
		bad=1
	fi
	return "$bad"
}

@test "snapshot: faults: --delete killed or failing at each call leaves no half tree that looks whole" {
	need_inject unlinkat
	delete_fixture
	EXTRA=() ONLY= PUBLISH= KIND=delete LEFT=0
	MAX=${SNAPSHOT_FAULTS_MAX:-16}	# a delete is quick: every call
	matrix check_delete -q --delete "$A" repo
	note "--delete: $POINTS points ($CALLS), $RUNS runs, $BAD violations;" \
		"$LEFT left .NAME.deleting, finished by the next --delete"
	[ "$POINTS" -gt 0 ] && [ "$BAD" = 0 ]
}

@test "snapshot: faults: --prune killed or failing at each call, the next --prune finishes" {
	need_inject unlinkat
	delete_fixture
	EXTRA=() ONLY= PUBLISH= KIND=prune LEFT=0
	MAX=${SNAPSHOT_FAULTS_MAX:-16}
	matrix check_delete -q --prune --keep-last=1 repo
	note "--prune: $POINTS points ($CALLS), $RUNS runs, $BAD violations;" \
		"$LEFT left .NAME.deleting, finished by the next --prune"
	[ "$POINTS" -gt 0 ] && [ "$BAD" = 0 ]
}

@test "snapshot: faults: a --delete killed half way is finished by the same --delete again" {
	need_inject unlinkat
	delete_fixture
	restore
	run -137 strace_applet snapshot -o /dev/null \
		-e inject=unlinkat:signal=SIGKILL:when=3 -- \
		-q --delete "$A" repo
	[ -d "repo/.$A.deleting" ] && [ ! -e "repo/$A" ]
	# What a user does next: the same command.
	run --separate-stderr lb snapshot -q --delete "$A" repo
	printf 'status %s: %s\n' "$status" "$stderr" >&2
	[ ! -e "repo/.$A.deleting" ]
	[ ! -e "repo/$A" ]
	[ "$status" = 0 ]
}

# --- (b) the lock ------------------------------------------------------------

# start_holder CALL ARG...: snapshot ARG... in the background under
# strace, stopped (SIGSTOP, injected) at its first CALL, holding the lock;
# HOLDER is its pid, STRACE_PID strace's.
start_holder() {
	local call=$1 i
	shift
	# strace itself, not the helper function (a subshell): killing
	# strace would only detach the run, which would go on.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		command strace -f -o holder.log \
		-e "inject=$call:signal=SIGSTOP:when=1" \
		"$LB_BIN/snapshot" "$@" >holder.out 2>holder.err 3>&- &
	STRACE_PID=$!
	for ((i = 0; i < 1000; i++)); do
		if grep -q -- '--- stopped by SIGSTOP ---' holder.log \
			2>/dev/null; then
			HOLDER=$(pgrep -P "$STRACE_PID") && return 0
		fi
		sleep 0.01
	done
	echo "the held run did not stop: $(cat holder.err)" >&2
	return 1
}

# stop_holder: kill the held run, if any, with SIGKILL; HOLDER_STATUS is
# strace's status (137: it was killed).
stop_holder() {
	[ -n "${STRACE_PID:-}" ] || return 0
	[ -z "${HOLDER:-}" ] || kill -KILL "$HOLDER" 2>/dev/null || true
	wait "$STRACE_PID" && HOLDER_STATUS=0 || HOLDER_STATUS=$?
	STRACE_PID= HOLDER=
}

@test "snapshot: lock: a run killed while it holds the lock releases it" {
	local waiter st
	need_strace -e inject=syncfs:signal=SIGSTOP
	command -v pgrep >/dev/null || skip "no pgrep (procps)"
	make_fixture
	restore
	start_holder syncfs -q --name s2 src repo
	[ -d repo/.s2.partial ]
	# Held: other writers fail at once, --list does not need the lock.
	run --separate-stderr lb snapshot -q --name s3 src repo
	[ "$status" -eq 2 ]
	assert_stderr_starts "snapshot: 'repo': "
	[ ! -e repo/s3 ] && [ ! -e repo/.s3.partial ]
	run --separate-stderr lb snapshot -q --prune --keep-last=1 repo
	[ "$status" -eq 2 ]
	run --separate-stderr lb snapshot -q --delete s1 repo
	[ "$status" -eq 2 ]
	[ -d repo/s1 ]
	run lb snapshot --list repo
	[ "$status" -eq 0 ]
	# A queued run (--wait) goes on once the holder is killed.
	lb snapshot -q --wait --name s3 src repo >waiter.out 2>waiter.err 3>&- &
	waiter=$!
	sleep 0.3
	kill -0 "$waiter"	# still waiting
	[ ! -e repo/.s3.partial ]
	stop_holder
	[ "$HOLDER_STATUS" = 137 ]
	[ ! -e repo/s2 ]
	wait "$waiter" && st=0 || st=$?
	cat waiter.err >&2
	[ "$st" = 0 ] && [ ! -s waiter.err ]
	repo_state "after the queued run" s1 s3 >&2
	[ "$LATEST" = s3 ]
	# And a run that does not wait finds the lock free.
	run --separate-stderr lb snapshot -q --name s4 src repo
	[ "$status" -eq 0 ]
	cp exp/src exp/s4
	repo_state "after s4" s1 s3 s4 >&2
	[ "$COMPLETE" = " s1 s3 s4 " ] && [ "$LATEST" = s4 ] && [ -z "$HIDDEN" ]
}

@test "snapshot: lock: a --prune killed while deleting releases it; the next --prune finishes" {
	need_strace -e inject=unlinkat:signal=SIGSTOP
	command -v pgrep >/dev/null || skip "no pgrep (procps)"
	delete_fixture
	restore
	start_holder unlinkat -q --prune --keep-last=1 repo
	[ -d "repo/.$A.deleting" ]
	run --separate-stderr lb snapshot -q --name s9 src repo
	[ "$status" -eq 2 ]
	assert_stderr_starts "snapshot: 'repo': "
	run --separate-stderr lb snapshot -q --prune --keep-last=1 repo
	[ "$status" -eq 2 ]
	stop_holder
	[ "$HOLDER_STATUS" = 137 ]
	[ -d "repo/.$A.deleting" ]
	repo_state "after the kill" "$B" "$C" >&2
	run --separate-stderr lb snapshot -q --prune --keep-last=1 repo
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	repo_state "after the next --prune" "$C" >&2
	[ "$COMPLETE" = " $C " ] && [ "$LATEST" = "$C" ] && [ -z "$HIDDEN" ]
}

# --- (c) link limits ---------------------------------------------------------

# limit_count: N of "N copied at the link limit" in $stderr.
limit_count() {
	sed -n 's/.* \([0-9]*\) copied at the link limit.*/\1/p' <<<"$stderr"
}

# summary_count linked|copied: N of "N linked," or "N copied (" in the
# summary on $stderr.
summary_count() {
	case $1 in
	linked) sed -n 's/^snapshot: [^ ]*: \([0-9]*\) linked, .*/\1/p' ;;
	copied) sed -n 's/^snapshot: .* \([0-9]*\) copied (.*/\1/p' ;;
	esac <<<"$stderr"
}

@test "snapshot: --max-links 3: a reference with 3 links is copied, counted" {
	local n want got
	# (Not i: bats 1.8's run --separate-stderr sets it.)
	mkdir -p src/sub exp
	echo one >src/a
	echo two >src/sub/b
	tree_list src >exp/src
	for n in 1 2 3 4 5; do
		run --separate-stderr lb snapshot --max-links 3 --name "m$n" \
			src repo
		[ "$status" -eq 0 ]
		same_tree "m$n" "repo/m$n" exp/src >&2
		case $n in
		1) want="0 linked 2 copied 0" ;;
		2 | 3 | 5) want="2 linked 0 copied 0" ;;
		4) want="0 linked 2 copied 2" ;;	# m1's have 3 links
		esac
		got="$(summary_count linked) linked"
		got+=" $(summary_count copied) copied $(limit_count)"
		[ "$got" = "$want" ] ||
			{ echo "m$n: $got, not $want: $stderr" >&2; false; }
	done
	[ repo/m1/a -ef repo/m3/a ] && [ repo/m1/sub/b -ef repo/m3/sub/b ]
	[ ! repo/m4/a -ef repo/m3/a ] && [ ! repo/m4/sub/b -ef repo/m3/sub/b ]
	[ repo/m5/a -ef repo/m4/a ] && [ repo/m5/sub/b -ef repo/m4/sub/b ]
	[ "$(stat -c %h repo/m1/a repo/m1/sub/b repo/m4/a | tr '\n' ' ')" = \
		"3 3 2 " ]
}

@test "snapshot: EMLINK from linkat (injected): every file copied, counted once, exit 0" {
	need_inject linkat
	make_fixture
	restore
	# The source unchanged since s1.
	rm -rf src && cp -a fixture/s1 src
	cp exp/s1 exp/src
	# 9 names of regular files, 8 inodes: each name a link to s1 or to
	# the first name of its pair.  Every link refused: 9 copies.
	run --separate-stderr strace_applet snapshot -o /dev/null \
		-e inject=linkat:error=EMLINK -- --name s2 src repo
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	tree_list src nolinks >exp/src.nolinks
	same_tree s2 repo/s2 exp/src.nolinks nolinks >&2
	[ "$(summary_count linked)" = 0 ]
	[ "$(summary_count copied)" = 9 ]
	[ "$(limit_count)" = 9 ]
	[ "$(readlink repo/latest)" = s2 ]
	# One link refused (the first, always one to s1): one copy.
	run --separate-stderr strace_applet snapshot -o /dev/null \
		-e inject=linkat:error=EMLINK:when=1 -- --name s3 src repo
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	same_tree s3 repo/s3 exp/src >&2
	[ "$(summary_count linked)" = 7 ]
	[ "$(summary_count copied)" = 1 ]
	[ "$(limit_count)" = 1 ]
}

# link_many FILE DIR N: N more hard links to FILE, in DIR: perl where
# there is one, else cp -al of a directory of 250 of them, in a loop.
link_many() {
	local file=$1 dir=$2 n=$3 i
	mkdir "$dir"
	if command -v perl >/dev/null; then
		perl -e 'my ($f, $d, $n) = @ARGV;
			link($f, "$d/$_") or die "link $_: $!\n" for 1 .. $n' \
			"$file" "$dir" "$n"
		return
	fi
	mkdir "$dir/0"
	for ((i = 0; i < 250 && i < n; i++)); do
		command ln "$file" "$dir/0/$i"
	done
	for ((i = 1; i * 250 < n; i++)); do
		cp -al "$dir/0" "$dir/$i"
	done
	# The last batch cut to N in all.
	find "$dir" -type f | tail -n +$((n + 1)) | xargs -r rm --
}

@test "snapshot: EMLINK for real: ext4's 65,000 links, the file copied, counted" {
	need_root "mounting an ext4 image needs root"
	command -v mkfs.ext4 >/dev/null || skip "no mkfs.ext4 (e2fsprogs)"
	dd if=/dev/zero of=ext4.img bs=1M count=0 seek=64 2>/dev/null
	mkfs.ext4 -q -F ext4.img >/dev/null 2>&1 || skip "mkfs.ext4 failed"
	mkdir mnt
	mount -o loop ext4.img mnt 2>/dev/null || skip "loop mount refused"
	MOUNTS+=("$PWD/mnt")
	cd mnt
	mkdir -p src exp
	echo limit >src/f
	echo plain >src/g
	tree_list src >exp/src
	run --separate-stderr lb snapshot -q --name s1 src repo
	[ "$status" -eq 0 ]
	# s1/f at ext4's limit: 1 + 64,999 links.
	link_many repo/s1/f pad 64999
	[ "$(stat -c %h repo/s1/f)" = 65000 ]
	run command ln repo/s1/f one-more
	[ "$status" -ne 0 ] && [[ $output == *"Too many links"* ]]
	run --separate-stderr lb snapshot --name s2 src repo
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	same_tree s2 repo/s2 exp/src >&2
	[ ! repo/s2/f -ef repo/s1/f ] && [ repo/s2/g -ef repo/s1/g ]
	[ "$(summary_count linked)" = 1 ] && [ "$(summary_count copied)" = 1 ]
	[ "$(limit_count)" = 1 ]
	[ "$(readlink repo/latest)" = s2 ]
	cd "$BATS_TEST_TMPDIR"
}
