#!/bin/sh
# orphans.sh: the regular files of a big tree that nothing else links to,
# linkbox's orphans against GNU find: listing them, and removing them.
#
# Two comparisons on one tree of SIZE entries made by tests/bench/mktree
# (files with one name, and files with 2 to 4 hard-linked names):
#   list    orphans T  vs  find T -type f -links 1
#   delete  orphans -d C  vs  find C -type f -links 1 -delete, where C is
#           a fresh copy of T (cp -a, which keeps the hard links) made
#           before each run, outside the timing (hyperfine --prepare, or
#           the date loop)
# The issue's goals: listing at least as fast as find (find/this >= 1),
# removing within 1.3 times find -delete (find/this >= 0.77); the last
# lines say whether each build meets them.  The cache is warmed by one
# walk, and every variant is checked once with host tools before it is
# timed: the lists equal find's (NUL-separated, sorted), and after each
# removal the copy holds the same names with the same link counts as
# after find's, and no quarantine name.  Then ROUNDS rounds, the variants
# rotated in each round so that they share the machine's noise, RUNS runs
# each (list: after 2 warm-up runs).  The table shows the median run,
# find's median over it, the spread between the rounds' medians, and the
# peak RSS of one more run.
#
# orphans -d renames each orphan aside, checks it there and unlinks it
# (three calls where find -delete makes one, plus the check): the
# price of not racing a backup that links the file meanwhile
# (tests/orphans_race.bats shows find losing such files).
#
# Usage: tests/bench/orphans.sh    (normally through tests/bench/run)
# Environment: LINKBOX (the binary under test; ./linkbox and
# ./linkbox-static are timed too when built), SIZE (200000 entries),
# SEED (1), ROUNDS (2), RUNS (3), BENCH_TIMER (hyperfine or date), FIND
# (find; must be GNU find), CC (cc, to build mktree).

SIZE=${SIZE:-200000}
SEED=${SEED:-1}
ROUNDS=${ROUNDS:-2}
RUNS=${RUNS:-3}
FIND=${FIND:-find}
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

need_numbers SIZE SEED ROUNDS RUNS
if [ "$SIZE" -lt 100 ] || [ "$ROUNDS" -lt 1 ] || [ "$RUNS" -lt 1 ]; then
	echo "orphans.sh: need SIZE >= 100, ROUNDS >= 1, RUNS >= 1" >&2
	exit 2
fi
need_date_ns
need_gnu "$FIND" findutils find

bench_start

make_scratch

t0=$(date +%s)
tests/bench/mktree "$SEED" "$SIZE" "$scratch/T" || exit 2
echo "(built in $(($(date +%s) - t0)) s)"
cd "$scratch" || exit 2

# Each variant KEY lives in ./KEY: KEY/cmd is its command line (words
# without blanks, run from here), KEY/label its row, KEY/group list or
# delete, KEY/found how many files it listed or removed, KEY/times.R its
# runs in round R, in nanoseconds, and KEY/rss its peak RSS in KiB.  The
# first variant of a group is find, the peer.
list=
delete=
notes=

# add GROUP KEY LABEL COMMAND
add() {
	mkdir -p "$2" || exit 2
	printf '%s\n' "$4" >"$2/cmd"
	printf '%s\n' "$3" >"$2/label"
	printf '%s\n' "$1" >"$2/group"
	if [ "$1" = list ]; then
		list="$list $2"
	else
		delete="$delete $2"
	fi
}

# add_linkbox KEY LABEL BINARY: the binary as a hard link named orphans
# (a copy across file systems), listing T and removing from C.
add_linkbox() {
	mkdir -p "$1" || exit 2
	ln "$3" "$1/orphans" 2>/dev/null || cp "$3" "$1/orphans" || exit 2
	add list "$1" "orphans ($2)" "$1/orphans T"
	add delete "$1.d" "orphans -d ($2)" "$1/orphans -d C"
}

add list find "find -links 1" "$FIND T -type f -links 1"
add delete find.d "find -links 1 -delete" "$FIND C -type f -links 1 -delete"
[ -x "$repo/linkbox" ] && add_linkbox glibc glibc "$repo/linkbox"
[ -x "$repo/linkbox-static" ] &&
	add_linkbox static static "$repo/linkbox-static"
# The binary under test gets its own rows unless it is one of those builds.
if ! cmp -s "$LINKBOX" "$repo/linkbox" &&
	! cmp -s "$LINKBOX" "$repo/linkbox-static"; then
	add_linkbox lbox "${LINKBOX##*/}" "$LINKBOX"
fi

# fresh_copy: C, a copy of T with its hard links (outside any timing).
fresh_copy() {
	rm -rf C && cp -a T C
}

# Warm the cache: one walk over everything.
"$FIND" T >/dev/null
"$FIND" T -type f -links 1 -print0 | sort -z >expected
echo "find -type f -links 1: $(tr -dc '\0' <expected | wc -c) of" \
	"$("$FIND" T -type f | wc -l) regular files have one name"

# verify KEY: run it once and check it; say why it is wrong.
verify() {
	read -r cmd <"$1/cmd"
	case $(cat "$1/group") in
	list)
		# shellcheck disable=SC2086 # a command line of plain words
		$cmd >/dev/null 2>"$1/err"
		rc=$?
		# orphans lists the same paths with -0; find's list is the
		# expected one.
		case $1 in
		find) sort -z <expected >"$1/list" ;;
		*) "$1/orphans" -0 T 2>/dev/null | sort -z >"$1/list" ;;
		esac
		tr -dc '\0' <"$1/list" | wc -c | tr -d ' ' >"$1/found"
		case $1:$rc in
		find:0 | *:1) ;;
		*) echo "exit status $rc: $(head -n 1 "$1/err")"; return 1 ;;
		esac
		if ! cmp -s "$1/list" expected; then
			echo "its list differs from find's"
			return 1
		fi
		;;
	delete)
		fresh_copy || return 1
		before=$("$FIND" C -type f | wc -l)
		# shellcheck disable=SC2086 # a command line of plain words
		$cmd >/dev/null 2>"$1/err"
		rc=$?
		echo $((before - $("$FIND" C -type f | wc -l))) >"$1/found"
		"$FIND" C -printf '%P %y %n\n' | sort >"$1/left"
		if [ "$rc" -ne 0 ]; then
			echo "exit status $rc: $(head -n 1 "$1/err")"
			return 1
		fi
		if [ -n "$("$FIND" C -name '.*.orphans.*')" ]; then
			echo "quarantine names left"
			return 1
		fi
		if [ "$1" != find.d ] && ! cmp -s "$1/left" find.d/left; then
			echo "leaves another tree than find -delete: $(diff \
				find.d/left "$1/left" | sed -n 2p)"
			return 1
		fi
		;;
	esac
}

broken=0
for k in $list $delete; do
	if ! why=$(verify "$k"); then
		notes="$notes
$(cat "$k/label"): BROKEN, not timed: $why"
		broken=1
		list=$(echo "$list" | sed "s/ $k\$//; s/ $k / /")
		delete=$(echo "$delete" | sed "s| $k\$||; s| $k | |")
	fi
done
echo "checked: every list equals find's ($(cat find/found) files); every" \
	"-d leaves the tree find -delete leaves ($(cat find.d/found) removed)"

# shellcheck disable=SC2086 # the keys are plain words
time_rounds orphans.sh 2 $list

# time_delete_round R KEY...: RUNS timed runs of each variant, each on a
# fresh copy made before it and not timed; nanoseconds to KEY/times.R.
time_delete_round() {
	r=$1
	shift
	if [ "$BENCH_TIMER" = hyperfine ]; then
		for k; do
			shift
			set -- "$@" -n "$k" "$(variant_text "$k")"
		done
		if ! hyperfine -N -i --runs "$RUNS" --style none \
			--prepare "sh -c 'rm -rf C && cp -a T C'" \
			--export-json round.json "$@" >/dev/null 2>hf.err; then
			cat hf.err >&2
			return 1
		fi
		hf_times "$r"
	else
		for k; do
			i=0
			while [ "$i" -lt "$RUNS" ]; do
				fresh_copy || return 1
				t0=$(date +%s%N)
				variant_run "$k" >/dev/null 2>&1
				t1=$(date +%s%N)
				echo $((t1 - t0)) >>"$k/times.$r"
				i=$((i + 1))
			done
		done
	fi
}

# The delete rounds, rotated as time_rounds does.
rotated_rounds orphans.sh delete time_delete_round $delete

# Peak RSS in KiB, from GNU time's %M (delete: on a fresh copy).
for k in $list $delete; do
	if ! [ -x /usr/bin/time ] ||
		! /usr/bin/time -f %M true >/dev/null 2>&1; then
		echo n/a >"$k/rss"
		continue
	fi
	[ "$(cat "$k/group")" = list ] || fresh_copy
	read -r cmd <"$k/cmd"
	# shellcheck disable=SC2086 # plain words
	/usr/bin/time -f %M -o "$k/rss.out" $cmd >/dev/null 2>&1
	tail -n 1 "$k/rss.out" >"$k/rss"
done

echo "orphans in a tree of $SIZE entries (seed $SEED): median of" \
	"$ROUNDS x $RUNS runs (timer: $BENCH_TIMER)"
printf '%-7s %-26s %7s %10s %9s %8s %9s\n' "case" "variant" "found" \
	"median ms" "find/this" "spread" "peak KiB" | tee table
for k in $list $delete; do
	[ "$k" = find ] || [ "$k" = find.d ] && base=$(median "$k"/times.*)
	for f in "$k"/times.*; do
		median "$f"
	done | sort -n | awk -v group="$(cat "$k/group")" \
		-v label="$(cat "$k/label")" -v found="$(cat "$k/found")" \
		-v med="$(median "$k"/times.*)" -v base="$base" \
		-v rss="$(cat "$k/rss" 2>/dev/null)" '
		NR == 1 { lo = $1 } { hi = $1 }
		END {
			printf "%-7s %-26s %7s %10.1f %9.2f %7.1f%% %9s\n",
			    group, label, found, med / 1e6, base / med,
			    100 * (hi - lo) / med, rss == "" ? "n/a" : rss
		}'
done | tee -a table
echo "(find/this: find's median over this row's; spread: slowest minus" \
	"fastest round's median, over the median)"
# The goals, per build.
awk '
	$1 == "list" && $2 == "orphans" {
		printf "goal, list at least as fast as find: %s %s (find/this" \
		    " %s)\n", $3, ($6 >= 1 ? "met" : "NOT met"), $6
	}
	$1 == "delete" && $2 == "orphans" {
		printf "goal, -d within 1.3x find -delete: %s %s (this/find" \
		    " %.2f)\n", $4, (1 / $7 <= 1.3 ? "met" : "NOT met"), 1 / $7
	}' table
echo "load average at end: $(loadavg); took $(($(date +%s) - start)) s"
[ -z "$notes" ] || printf '%s\n' "$notes" | sed '/^$/d'
exit "$broken"
