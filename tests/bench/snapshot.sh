#!/bin/sh
# snapshot.sh: hard-link backup snapshots, linkbox's snapshot against
# rsync -aH --link-dest and cp -al (the second snapshot), cp -a (the
# first), and rm -rf (deleting one).
#
# One tree of SIZE entries made by tests/bench/mktree (directories, files
# with one name and with 2 to 4, symlinks, dangling ones).  Three cases:
#   first   the first, full snapshot: snapshot --no-sync T F, and the
#           default (flushed with syncfs), against cp -a T C
#   second  after 1% of the regular files changed (every 100th name in
#           sorted order gets one more byte, so a new size and mtime):
#           snapshot --no-sync T R, whose latest is the first snapshot
#           R/s1, and the default, against rsync -aH --link-dest=R/s1 T/
#           N/ and cp -al R/s1 N (which does less: it links everything
#           and checks nothing)
#   delete  removing a snapshot of the tree (a cp -al copy of R/s1, so
#           its files are shared, as an old snapshot's are): snapshot
#           --prune --keep-last=1 P and snapshot --delete NAME P, against
#           rm -rf P/NAME
# Every timed run gets fresh targets from a preparation outside the
# timing (hyperfine --prepare, or the date loop): F, C, N and R/s2 moved
# aside into trash/ (removed at the end) and R/latest pointed back at
# s1; the snapshot to delete made again with cp -al; then sync, so that
# no run pays for the writeback of the one before.  Moved, not removed:
# ext4 without a journal will not reuse an inode freed in the last
# minute (5 more while its inode table block is dirty), and scans past
# each such free inode, reading its block, at every inode it allocates
# (find_inode_bit, recently_deleted): a run right after rm -rf of the
# last one's 47,000 new inodes took 2-3 times as long, and the more so
# the more inodes a variant makes (cp -al makes none for symlinks).
# snapshot runs as a hard link named snapshot to
# LINKBOX, the binary under test (make static: ./linkbox-static; only
# that build is timed: rsync's runs are long).
#
# The issue's goals (#13): the second snapshot at least 3.5x faster than
# rsync and within 1.5x of cp -al (timed with --no-sync, since neither
# peer flushes; the default's time is shown too); the first snapshot no
# slower than cp -a; --prune (and --delete) no slower than rm -rf; peak
# memory independent of the number of files, but for the source inodes
# with several names (a table entry and a path each): the peak RSS of
# each variant at SIZE and at SMALL entries, another tree made the same
# way, is shown side by side, with the growth per added entry and per
# added hard-linked source inode.  The memory goal counts as met when
# each snapshot run grows by at most 512 bytes per added hard-linked
# source inode.
#
# Each variant is run once first and checked with host tools: every
# snapshot (and cp -a's copy, and rsync's) equals the source (find
# -printf of path, type, mode, owner, group, size but of directories,
# mtime in ns and link text; the hard-link groups; md5sum of every
# file); after the second, every regular file unchanged since the first
# shares its inode with R/s1 and every changed one does not; cp -al's
# copy is R/s1's inodes under the same names; --prune and --delete leave
# only the newer snapshot, rm -rf's tree, and R/s1 with its link counts
# as before.  That run under /usr/bin/time gives the peak RSS (rsync:
# the largest of its three processes) and its time: a variant slower
# than SLOW seconds (rsync, here) gets one run per round instead of
# RUNS.  Then ROUNDS rounds, the variants of a case rotated in each round
# so that they share the machine's noise.  The table shows the median
# run, the spread between the rounds' medians, the peak RSS and the
# ratios the goals are about; the last lines say whether each goal
# holds.
#
# Usage: tests/bench/snapshot.sh    (normally through tests/bench/run)
# Environment: LINKBOX (the binary under test), SIZE (200000 entries),
# SMALL (50000: the second size for peak memory; 0: none), SEED (1),
# ROUNDS (2), RUNS (3), SLOW (30), CASES ("first second delete": the
# cases timed; the first snapshot is made and checked in any case),
# BENCH_TIMER (hyperfine or date), RSYNC
# (rsync; its rows are left out, with a line, when missing), CC (cc, to
# build mktree).  find and cp must be GNU's.

SIZE=${SIZE:-200000}
SMALL=${SMALL-50000}
SEED=${SEED:-1}
ROUNDS=${ROUNDS:-2}
RUNS=${RUNS:-3}
SLOW=${SLOW:-30}
RSYNC=${RSYNC:-rsync}
CASES=${CASES:-first second delete}
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

need_numbers SIZE SMALL SEED ROUNDS RUNS SLOW
for c in $CASES; do
	case $c in
	first | second | delete) ;;
	*)
		echo "snapshot.sh: CASES: first, second or delete, not $c" >&2
		exit 2
		;;
	esac
done
# timed CASE: whether CASES names it.
timed() {
	for c in $CASES; do
		[ "$c" != "$1" ] || return 0
	done
	return 1
}
if [ "$SIZE" -lt 100 ] || [ "$ROUNDS" -lt 1 ] || [ "$RUNS" -lt 1 ] ||
	{ [ "$SMALL" -ne 0 ] && [ "$SMALL" -lt 100 ]; }; then
	echo "snapshot.sh: need SIZE >= 100, SMALL 0 or >= 100, ROUNDS >= 1," \
		"RUNS >= 1" >&2
	exit 2
fi
need_date_ns
need_gnu find findutils find
need_gnu cp coreutils cp
if ! command -v "$RSYNC" >/dev/null 2>&1; then
	echo "snapshot.sh: $RSYNC not found: no rsync rows" \
		"(apt-get install rsync)"
	RSYNC=
fi
TIMEV=
[ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1 &&
	TIMEV=/usr/bin/time

bench_start

make_scratch

t0=$(date +%s)
tests/bench/mktree "$SEED" "$SIZE" "$scratch/T" || exit 2
echo "(built in $(($(date +%s) - t0)) s)"
cd "$scratch" || exit 2
mkdir bin || exit 2
ln "$LINKBOX" bin/snapshot 2>/dev/null || cp "$LINKBOX" bin/snapshot ||
	exit 2
echo "snapshot: $LINKBOX"

# Each variant KEY lives in ./KEY: KEY/cmd its command line (words
# without blanks, run from here), KEY/label its row, KEY/prep the sh
# command that makes its targets fresh, KEY/runs its runs per round,
# KEY/times.R its runs in round R (ns), KEY/rss its peak RSS (KiB) and
# KEY/rss.small the same at SMALL entries.  The last variant of a case
# is the peer its ratios are taken over (second: rsync and cp -al).
first=
second=
delete=
notes=

# add CASE KEY LABEL PREP COMMAND
add() {
	mkdir -p "$2" || exit 2
	printf '%s\n' "$5" >"$2/cmd"
	printf '%s\n' "$3" >"$2/label"
	printf '%s\n' "$4" >"$2/prep"
	printf '%s\n' "$1" >"$2/case"
	echo "$RUNS" >"$2/runs"
	case $1 in
	first) first="$first $2" ;;
	second) second="$second $2" ;;
	delete) delete="$delete $2" ;;
	esac
}

OLD=20000101T000000Z	# the snapshot deleted, in P
NEW=20000102T000000Z	# the one kept, latest
# aside PATH...: each PATH that exists moved into trash/, a new name.
cat >aside <<'EOF'
mkdir -p trash || exit 1
for p; do
	[ ! -e "$p" ] || mv "$p" "trash/$(date +%s%N)" || exit 1
done
EOF
p_first='sh aside F C && sync'
p_second='sh aside N R/s2 && ln -sfn s1 R/latest && sync'
p_delete="rm -rf P/$OLD && cp -al R/s1 P/$OLD && sync"
add first snap1 "snapshot --no-sync" "$p_first" \
	"bin/snapshot --no-sync --name=s1 T F"
add first snap1s "snapshot (syncs)" "$p_first" "bin/snapshot --name=s1 T F"
add first cpa "cp -a" "$p_first" "cp -a T C"
add second snap2 "snapshot --no-sync" "$p_second" \
	"bin/snapshot --no-sync --name=s2 T R"
add second snap2s "snapshot (syncs)" "$p_second" \
	"bin/snapshot --name=s2 T R"
[ -z "$RSYNC" ] || add second rsync "rsync -aH --link-dest" "$p_second" \
	"$RSYNC -aH --link-dest=$scratch/R/s1 T/ N/"
add second cpal "cp -al" "$p_second" "cp -al R/s1 N"
add delete prune "snapshot --prune" "$p_delete" \
	"bin/snapshot --prune --keep-last=1 P"
add delete del "snapshot --delete" "$p_delete" "bin/snapshot --delete $OLD P"
add delete rmrf "rm -rf" "$p_delete" "rm -rf P/$OLD"

# measured KEY [SUFFIX]: one run of KEY after its preparation, its peak
# RSS to KEY/rss$SUFFIX and its time in ns to KEY/check.ns; false when
# it failed (its stderr in KEY/err).
measured() {
	sh -c "$(cat "$1/prep")" || return 1
	read -r cmd <"$1/cmd"
	m0=$(date +%s%N)
	if [ -n "$TIMEV" ]; then
		# shellcheck disable=SC2086 # a command line of plain words
		$TIMEV -f %M -o "$1/rss.out" $cmd >/dev/null 2>"$1/err"
	else
		# shellcheck disable=SC2086 # a command line of plain words
		$cmd >/dev/null 2>"$1/err"
	fi
	rc=$?
	m1=$(date +%s%N)
	echo $((m1 - m0)) >"$1/check.ns"
	if [ -n "$TIMEV" ]; then
		tail -n 1 "$1/rss.out" >"$1/rss${2:-}"
	else
		echo n/a >"$1/rss${2:-}"
	fi
	[ "$rc" -eq 0 ] || {
		echo "exit status $rc: $(head -n 1 "$1/err")"
		return 1
	}
}

# describe DIR OUT: what a copy of DIR must have, in OUT.list (path,
# type, mode, owner, group, size but of directories, mtime, link text),
# OUT.links (each regular file's path and the first path of its inode:
# the hard-link groups) and OUT.md5 (every file's).  mktree's names have
# no blanks.
describe() {
	find "$1" \( -type d -printf '%P %y %M %U %G %T@\n' \) -o \
		-printf '%P %y %M %U %G %s %T@ %l\n' | sort >"$2.list"
	find "$1" -type f -printf '%P %i\n' | sort | awk '
		!($2 in first) { first[$2] = $1 } { print $1, first[$2] }' \
		>"$2.links"
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 md5sum) \
		>"$2.md5"
}

# same_as DIR REF: DIR is a copy of the tree described in REF.*; else
# say how it differs.
same_as() {
	describe "$1" got
	for x in list links md5; do
		if ! cmp -s got.$x "$2.$x"; then
			echo "$1 differs from the source ($x: $(diff "$2.$x" \
				got.$x | sed -n 2p))"
			return 1
		fi
	done
}

# inodes DIR: each regular file's path and inode.
inodes() {
	find "$1" -type f -printf '%P %i\n' | sort
}

# shares DIR: the regular files of DIR unchanged since R/s1 (same size
# and mtime in T as in R/s1) are R/s1's inodes, the others are not; else
# say which differs.  The counts go to shared.
shares() {
	find T -type f -printf '%P %s %T@\n' | sort >t.state
	find R/s1 -type f -printf '%P %s %T@ %i\n' | sort >s1.state
	inodes "$1" >got.inodes
	awk '
	FILENAME == "t.state" { t[$1] = $2 " " $3; next }
	FILENAME == "s1.state" { s[$1] = $2 " " $3; ino[$1] = $4; next }
	{
		same = ($1 in s) && t[$1] == s[$1]
		if (same != ($2 == ino[$1])) {
			why = same ? "unchanged but not linked" : \
			    "changed but linked"
			print $1 " " why
			bad = 1
			exit
		}
		linked += same
		copied += !same
	}
	END { if (!bad) print linked " " copied >"shared"; exit bad }
	' t.state s1.state got.inodes
}

# Warm the cache: one walk over everything.
find T >/dev/null
describe T pre
echo "the tree: $(grep -c ' f ' pre.list) regular files ($(find T -type f \
	-links +1 -printf '%i\n' | sort -u | wc -l) inodes with 2-4 names)," \
	"$(grep -c ' d ' pre.list) directories, $(grep -c ' l ' pre.list)" \
	"symlinks"

# check KEY: its run, measured, and the check of what it made.
check() {
	measured "$1" || return 1
	case $1 in
	snap1 | snap1s)
		same_as F/s1 pre || return 1
		if [ "$(readlink F/latest)" != s1 ] || [ -n "$(find F \
			-maxdepth 1 -name '.*.partial')" ]; then
			echo "F/latest is not s1, or a partial is left"
			return 1
		fi
		# The first snapshot checked is R's, the later ones' reference.
		[ "$1" != snap1 ] || mv F R || return 1
		;;
	cpa)
		same_as C pre
		;;
	snap2 | snap2s | rsync)
		dir=N
		[ "$1" = rsync ] || dir=R/s2
		same_as "$dir" post || return 1
		shares "$dir" || return 1
		if [ "$1" != rsync ] && { [ "$(readlink R/latest)" != s2 ] ||
			[ -n "$(find R -maxdepth 1 -name '.*.partial')" ]; }; then
			echo "R/latest is not s2, or a partial is left"
			return 1
		fi
		;;
	cpal)
		if ! inodes N | cmp -s - s1.inodes; then
			echo "N is not R/s1's inodes under R/s1's names"
			return 1
		fi
		same_as N pre
		;;
	prune | del | rmrf)
		left=$(cd P && find . -mindepth 1 -maxdepth 1 ! -name .lock |
			sort | tr '\n' ' ')
		if [ "$left" != "./$NEW ./latest " ]; then
			echo "P holds $left, not just $NEW and latest"
			return 1
		fi
		if ! find R/s1 -printf '%P %i %n\n' | sort |
			cmp -s - s1.nlink; then
			echo "R/s1's link counts differ from before"
			return 1
		fi
		;;
	esac
}

# verify KEYS: check each, and leave out (from the variable named by the
# case, with a note) those that fail.
verify() {
	for k; do
		if ! why=$(check "$k"); then
			notes="$notes
$(cat "$k/label") ($(cat "$k/case")): BROKEN, not timed: $why"
			broken=1
			c=$(cat "$k/case")
			eval "$c=\$(echo \" \$$c \" | sed 's/ $k / /')"
			continue
		fi
		ns=$(cat "$k/check.ns")
		if [ "$ns" -gt $((SLOW * 1000000000)) ]; then
			echo 1 >"$k/runs"
			notes="$notes
$(cat "$k/label"): over $SLOW s ($((ns / 1000000000)) s), one run per round"
		fi
	done
}

broken=0
# shellcheck disable=SC2086 # the keys are plain words
if timed first; then
	verify $first
else
	verify snap1
	first=
fi
if ! [ -d R/s1 ]; then
	echo "snapshot.sh: no first snapshot to go on from:$notes" >&2
	exit 1
fi
if [ -n "$first" ]; then
	echo "checked: the first snapshots and cp -a's copy equal the source"
else
	echo "checked: the first snapshot equals the source"
fi

# change DIR: one more byte in every 100th regular file by name (all
# names of its inode see it); how many names to stdout.
change() {
	# shellcheck disable=SC2016 # the inner sh expands them
	find "$1" -type f -print0 | sort -z | sed -z -n '0~100p' |
		xargs -0 sh -c 'for f; do printf x >>"$f"; done; echo $#' sh |
		awk '{ n += $1 } END { print n + 0 }'
}

# time_prepared_round R KEY...: the KEYs, each its runs (KEY/runs) after
# its preparation (KEY/prep), not timed; ns appended to KEY/times.R.
time_prepared_round() {
	r=$1
	shift
	for k; do
		if [ "$BENCH_TIMER" = hyperfine ]; then
			if ! hyperfine -N --runs "$(cat "$k/runs")" --style none \
				--prepare "sh -c '$(cat "$k/prep")'" \
				--export-json round.json -n "$k" \
				"$(variant_text "$k")" >/dev/null 2>hf.err; then
				cat hf.err >&2
				return 1
			fi
			hf_times "$r"
		else
			i=0
			while [ "$i" -lt "$(cat "$k/runs")" ]; do
				sh -c "$(cat "$k/prep")" || return 1
				t0=$(date +%s%N)
				variant_run "$k" >/dev/null 2>&1 || return 1
				t1=$(date +%s%N)
				echo $((t1 - t0)) >>"$k/times.$r"
				i=$((i + 1))
			done
		fi
	done
}


# shellcheck disable=SC2086 # the keys are plain words
rotated_rounds snapshot.sh first time_prepared_round $first
sh aside F C

echo "changed: $(change T) regular file names (1%)"
describe T post
inodes R/s1 >s1.inodes
if timed second; then
	# shellcheck disable=SC2086 # the keys are plain words
	verify $second
	echo "checked: every second snapshot equals the changed source," \
		"$(cut -d' ' -f1 shared 2>/dev/null) unchanged names linked to" \
		"R/s1's inodes, $(cut -d' ' -f2 shared 2>/dev/null) changed" \
		"names copied; cp -al's copy is R/s1's inodes"
	# shellcheck disable=SC2086 # the keys are plain words
	rotated_rounds snapshot.sh second time_prepared_round $second
	sh aside N R/s2 && ln -sfn s1 R/latest
else
	second=
fi

mkdir -p P/$NEW && ln -s $NEW P/latest || exit 2
if timed delete; then
	find R/s1 -printf '%P %i %n\n' | sort >s1.nlink
	# shellcheck disable=SC2086 # the keys are plain words
	verify $delete
	echo "checked: --prune, --delete and rm -rf leave P with $NEW alone," \
		"and R/s1 as it was"
	# shellcheck disable=SC2086 # the keys are plain words
	rotated_rounds snapshot.sh delete time_prepared_round $delete
	rm -rf "P/$OLD"
else
	delete=
fi

# Peak memory at SMALL entries: each variant once more, on a second tree
# made the same way, in S (its own T, R, F, C, N and P), unchecked.
if [ "$SMALL" -gt 0 ] && [ -n "$TIMEV" ]; then
	t0=$(date +%s)
	mkdir -p S/bin S/P/$NEW && ln -s $NEW S/P/latest &&
		ln bin/snapshot S/bin/snapshot && cp aside S/ || exit 2
	tests_mktree=$repo/tests/bench/mktree
	cd S || exit 2
	"$tests_mktree" -q "$SEED" "$SMALL" T || exit 2
	find T >/dev/null
	# small KEY: its run here, the peak RSS to ../KEY/rss.small.
	small() {
		mkdir -p "$1" || exit 2
		sed "s|$scratch/|$scratch/S/|" ../"$1"/cmd >"$1"/cmd
		cp ../"$1"/prep "$1"/ || exit 2
		if measured "$1" >/dev/null; then
			cp "$1"/rss ../"$1"/rss.small
		else
			echo failed >../"$1"/rss.small
		fi
	}
	# The first snapshot at least: it makes R.
	for k in ${first:-snap1}; do
		small "$k"
		[ "$k" != snap1 ] || [ ! -d F ] || mv F R || exit 2
	done
	sh aside F C
	change T >/dev/null
	for k in $second $delete; do
		small "$k"
	done
	small_hl=$(find T -type f -links +1 -printf '%i\n' | sort -u | wc -l)
	cd .. || exit 2
	rm -rf S
	echo "(peak memory at $SMALL entries measured in" \
		"$(($(date +%s) - t0)) s)"
fi

# med KEY: its median in ns.
med() {
	median "$1"/times.*
}

echo
echo "snapshot of a tree of $SIZE entries (seed $SEED), ${LINKBOX##*/}:" \
	"median of $ROUNDS rounds x $RUNS runs (timer: $BENCH_TIMER)"
printf '%-7s %-22s %9s %7s %9s  %s\n' "case" "variant" "median s" \
	"spread" "peak KiB" "ratios" | tee table
row() {
	k=$1 ratio=$2
	[ -n "$(ls "$k"/times.* 2>/dev/null)" ] || return 0
	for f in "$k"/times.*; do
		median "$f"
	done | sort -n | awk -v case="$(cat "$k/case")" \
		-v label="$(cat "$k/label")" -v med="$(med "$k")" \
		-v rss="$(cat "$k/rss" 2>/dev/null)" -v ratio="$ratio" '
		NR == 1 { lo = $1 } { hi = $1 }
		END {
			printf "%-7s %-22s %9.2f %6.1f%% %9s  %s\n", case,
			    label, med / 1e9, 100 * (hi - lo) / med,
			    rss == "" ? "n/a" : rss, ratio
		}'
}
# ratio A B: A's median over B's, or n/a.
ratio() {
	if [ -d "$1" ] && [ -d "$2" ] && ls "$1"/times.* >/dev/null 2>&1 &&
		ls "$2"/times.* >/dev/null 2>&1; then
		awk -v a="$(med "$1")" -v b="$(med "$2")" \
			'BEGIN { printf "%.2f\n", a / b }'
	else
		echo n/a
	fi
}
{
	for k in $first; do
		case $k in
		snap*) row "$k" "this/cp -a $(ratio "$k" cpa)" ;;
		*) row "$k" "" ;;
		esac
	done
	for k in $second; do
		case $k in
		snap*) row "$k" "rsync/this $(ratio rsync "$k"), this/cp -al $(
			ratio "$k" cpal)" ;;
		*) row "$k" "" ;;
		esac
	done
	for k in $delete; do
		case $k in
		prune | del) row "$k" "this/rm -rf $(ratio "$k" rmrf)" ;;
		*) row "$k" "" ;;
		esac
	done
} | tee -a table
echo "(spread: slowest minus fastest round's median, over the median;" \
	"peak KiB: of the checked run, rsync's largest process)"

# The peak RSS at both sizes.
big_hl=$(find T -type f -links +1 -printf '%i\n' | sort -u | wc -l)
if [ "$SMALL" -gt 0 ] && [ -n "$TIMEV" ]; then
	echo
	echo "peak RSS (KiB) at $SMALL and $SIZE entries ($small_hl and" \
		"$big_hl source inodes with several names):"
	printf '%-7s %-22s %9s %9s %9s %10s %9s\n' "case" "variant" "$SMALL" \
		"$SIZE" "growth" "B/entry" "B/hl-ino" | tee memory
	for k in $first $second $delete; do
		awk -v case="$(cat "$k/case")" -v label="$(cat "$k/label")" \
			-v a="$(cat "$k/rss.small" 2>/dev/null)" \
			-v b="$(cat "$k/rss" 2>/dev/null)" \
			-v de=$((SIZE - SMALL)) -v dh=$((big_hl - small_hl)) '
		BEGIN {
			if (a !~ /^[0-9]+$/ || b !~ /^[0-9]+$/) {
				printf "%-7s %-22s %9s %9s\n", case, label,
				    a == "" ? "n/a" : a, b == "" ? "n/a" : b
				exit
			}
			g = b - a
			printf "%-7s %-22s %9d %9d %9d %10.1f %9.1f\n", case,
			    label, a, b, g, g * 1024 / de,
			    (dh > 0 ? g * 1024 / dh : 0)
		}'
	done | tee -a memory
	echo "(growth: KiB more at $SIZE entries; B/entry: bytes per added" \
		"entry; B/hl-ino: per added source inode with several names)"
fi

# The goals.
echo
verdict() {
	# verdict TEXT VALUE OP LIMIT RATIO-NAME
	awk -v text="$1" -v v="$2" -v op="$3" -v lim="$4" -v name="$5" '
	BEGIN {
		if (v == "n/a") { printf "goal, %s: not measured\n", text; exit }
		ok = op == ">=" ? v >= lim : v <= lim
		printf "goal, %s: %s (%s %s)\n", text, ok ? "met" : "NOT met",
		    name, v
	}'
}
verdict "second snapshot at least 3.5x faster than rsync" \
	"$(ratio rsync snap2)" ">=" 3.5 "rsync/this"
verdict "second snapshot within 1.5x of cp -al" "$(ratio snap2 cpal)" \
	"<=" 1.5 "this/cp -al"
verdict "first snapshot no slower than cp -a" "$(ratio snap1 cpa)" \
	"<=" 1 "this/cp -a"
verdict "--prune of one snapshot no slower than rm -rf" \
	"$(ratio prune rmrf)" "<=" 1 "this/rm -rf"
verdict "--delete of one snapshot no slower than rm -rf" \
	"$(ratio del rmrf)" "<=" 1 "this/rm -rf"
if [ -f memory ]; then
	awk -v hl=$((big_hl - small_hl)) '
	$1 != "case" && $2 == "snapshot" && NF == 8 {
		if ($8 > 512) bad = bad " " $1 " " $2 " " $3 " (" $8 " B)"
		n++
	}
	$1 != "case" && $2 == "snapshot" && NF != 8 {
		bad = bad " " $1 " " $2 " " $3 " (n/a)"
	}
	END {
		printf "goal, peak memory flat but for the hard-linked source" \
		    " inodes (<= 512 B per added one): %s%s\n",
		    n && bad == "" ? "met" : "NOT met",
		    bad == "" ? "" : ":" bad
	}' memory
else
	echo "goal, peak memory flat: not measured (SMALL=0 or no" \
		"/usr/bin/time)"
fi
[ "$(ratio snap2s snap2)" = n/a ] ||
	echo "the default (flushing) second snapshot: $(awk -v a="$(med \
		snap2s)" 'BEGIN { printf "%.2f s", a / 1e9 }'), $(ratio snap2s \
		snap2)x --no-sync's"
[ "$(ratio snap1s snap1)" = n/a ] ||
	echo "the default (flushing) first snapshot: $(awk -v a="$(med \
		snap1s)" 'BEGIN { printf "%.2f s", a / 1e9 }'), $(ratio snap1s \
		snap1)x --no-sync's"
echo "load average at end: $(loadavg); took $(($(date +%s) - start)) s"
[ -z "$notes" ] || printf '%s\n' "$notes" | sed '/^$/d'
exit "$broken"
