#!/bin/sh
# cold.sh: the tree walk on a cold cache (issue #17): danglers and
# findlinks -a, on one thread and on several (-j), against GNU find and
# the minimal walk, tests/bench/minwalk.c, the floor.
#
# Two jobs on one tree of SIZE entries made by tests/bench/mktree:
#   dangling  find T -xtype l (its ELOOP errors count as found), danglers
#             T (default jobs), danglers -j 1 T, danglers -j 2 T, minwalk
#             -t 1 dangling T, minwalk -t 2 dangling T
#   links     find T -type f -links +1 -printf '%D:%i %p\n', findlinks -a
#             T (default jobs), findlinks -a -j 1 T, findlinks -a -j 2 T,
#             minwalk -t 1 links T, minwalk -t 2 links T
# The -j variants are left out, with a line saying so, while the applet's
# --help names no --jobs.  Every variant is checked once on a warm cache:
# its sorted list equals find's (for findlinks -a, the paths of its
# groups equal find's paths); a variant that differs is not timed, and
# the benchmark exits 1.
#
# Two modes, a table for each job in each: cold (COLD=1, the default; it
# needs root, and is skipped with a line saying so without), where
# `sync; echo 3 >/proc/sys/vm/drop_caches` runs before every timed run,
# outside the timing (hyperfine --prepare); and warm, after 2 warm-up
# runs, as danglers.sh.  ROUNDS rounds of RUNS runs, the variants
# rotated in each round so that they share the machine's noise.  The
# tables show the median run, find's median over it, its median over
# minwalk -t 2's, the spread between the rounds' medians, and the goals'
# verdicts: on a cold cache danglers at least 3 times as fast as find
# -xtype l and findlinks -a at least 1.6 times as fast as find; each
# linkbox default within 1.15 times minwalk -t 2 (this/minwalk2 <= 1.15).
# Numbers only: no time fails the benchmark.
#
# A cold run pays for loading its program too (find, its libraries and
# the binary under test are dropped from the cache with the tree), and on
# a virtual machine the host may still cache the disk image: cold here
# means the guest's caches, not the disk.
#
# Usage: tests/bench/cold.sh    (normally through tests/bench/run)
# Environment: LINKBOX (the binary under test), SIZE (200000 entries),
# SEED (1), COLD (1: cold and warm; 0: warm only), ROUNDS (2), RUNS (cold
# 5, warm 10), BENCH_TIMER (hyperfine or date), FIND (find; must be GNU
# find), CC (cc, to build mktree and minwalk).

SIZE=${SIZE:-200000}
SEED=${SEED:-1}
ROUNDS=${ROUNDS:-2}
FIND=${FIND:-find}
CC=${CC:-cc}
COLD=${COLD:-1}
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

need_numbers SIZE SEED ROUNDS
[ -z "${RUNS:-}" ] || need_numbers RUNS
if [ "$SIZE" -lt 100 ] || [ "$ROUNDS" -lt 1 ] || [ "${RUNS:-1}" -lt 1 ]; then
	echo "cold.sh: need SIZE >= 100, ROUNDS >= 1, RUNS >= 1" >&2
	exit 2
fi
case $COLD in
0 | 1) ;;
*)
	echo "cold.sh: COLD must be 0 or 1" >&2
	exit 2
	;;
esac
cold_runs=${RUNS:-5}
warm_runs=${RUNS:-10}
need_date_ns
need_gnu "$FIND" findutils find

bench_start

drop='sync; echo 3 >/proc/sys/vm/drop_caches'
modes=warm
if [ "$COLD" = 0 ]; then
	echo "cold: skipped (COLD=0)"
elif [ "$(id -u)" -ne 0 ]; then
	echo "cold: skipped (not root)"
elif ! sh -c "$drop" 2>/dev/null; then
	echo "cold: skipped (cannot write /proc/sys/vm/drop_caches)"
else
	modes="cold warm"
fi

make_scratch

t0=$(date +%s)
tests/bench/mktree "$SEED" "$SIZE" "$scratch/T" || exit 2
echo "(built in $(($(date +%s) - t0)) s)"
"$CC" -O2 -pthread -Wall -Wextra -o "$scratch/minwalk" \
	tests/bench/minwalk.c || exit 2
cd "$scratch" || exit 2

# The applets run as hard links named after them (copies across file
# systems): linkbox picks its applet by argv[0].
mkdir bin || exit 2
for a in danglers findlinks; do
	ln "$LINKBOX" "bin/$a" 2>/dev/null || cp "$LINKBOX" "bin/$a" || exit 2
done

# Each variant KEY (JOB.NAME) lives in ./KEY: KEY/argv its command, one
# argument a line (run from here), KEY/label its row, KEY/found how many
# paths it listed, KEY/MODE/times.R its runs in round R of MODE, in
# nanoseconds.  The first variant of a job is find, the peer.
dangling=
links=
notes=

# add KEY LABEL ARG...
add() {
	mkdir -p "$1" || exit 2
	printf '%s\n' "$2" >"$1/label"
	k=$1
	shift 2
	printf '%s\n' "$@" >"$k/argv"
	case $k in
	dangling.*) dangling="$dangling $k" ;;
	*) links="$links $k" ;;
	esac
}

variant_run() {
	argv_run "$1"
}

# shellcheck disable=SC2317 # run by time_round
variant_text() {
	argv_text "$1"
}

add dangling.find "find -xtype l" "$FIND" T -xtype l
add dangling.lb "danglers" bin/danglers T
if bin/danglers --help 2>/dev/null | grep -q jobs; then
	add dangling.lb1 "danglers -j 1" bin/danglers -j 1 T
	add dangling.lb2 "danglers -j 2" bin/danglers -j 2 T
else
	notes="$notes
danglers -j 1, -j 2: skipped, danglers has no -j yet (no jobs in --help)"
fi
add dangling.mw1 "minwalk -t 1" ./minwalk -t 1 dangling T
add dangling.mw2 "minwalk -t 2" ./minwalk -t 2 dangling T

add links.find "find -links +1" "$FIND" T -type f -links +1 \
	-printf '%D:%i %p\n'
add links.lb "findlinks -a" bin/findlinks -a T
if bin/findlinks --help 2>/dev/null | grep -q jobs; then
	add links.lb1 "findlinks -a -j 1" bin/findlinks -a -j 1 T
	add links.lb2 "findlinks -a -j 2" bin/findlinks -a -j 2 T
else
	notes="$notes
findlinks -a -j 1, -j 2: skipped, findlinks has no -j yet (no jobs in --help)"
fi
add links.mw1 "minwalk -t 1" ./minwalk -t 1 links T
add links.mw2 "minwalk -t 2" ./minwalk -t 2 links T

# Warm the cache: one walk over everything.
"$FIND" T >/dev/null

# verify KEY: run it once, warm, and compare its sorted list with find's
# (the first variant of its job, which sets the expected lists); say why
# it differs.
verify() {
	variant_run "$1" >"$1/out" 2>"$1/err"
	rc=$?
	case $1 in
	dangling.find)
		# find lists loops as errors; count them as found.
		loops_of "$1/err" >>"$1/out"
		sort "$1/out" >dangling.expected
		grep -v 'Too many levels of symbolic links$' "$1/err" \
			>"$1/other" ;;
	links.find)
		sort "$1/out" >links.expected
		sed 's/^[^ ]* //' links.expected | sort >links.paths
		cp "$1/err" "$1/other" ;;
	esac
	case $1 in
	dangling.*)
		want=dangling.expected
		sort "$1/out" >"$1/list" ;;
	links.lb*)
		# findlinks -a: a header line per file, then its names each
		# after a tab; its paths against find's.
		want=links.paths
		sed -n 's/^\t//p' "$1/out" | sort >"$1/list" ;;
	links.*)
		want=links.expected
		sort "$1/out" >"$1/list" ;;
	esac
	wc -l <"$1/list" | tr -d ' ' >"$1/found"
	case $1:$rc in
	*.find:[01]) ;;
	dangling.lb*:0)
		if [ -s dangling.expected ]; then
			echo "exit status 0, as if it found none"
			return 1
		fi ;;
	dangling.lb*:1 | links.lb*:0 | *.mw*:0) ;;
	*) echo "exit status $rc: $(head -n 1 "$1/err")"; return 1 ;;
	esac
	if ! cmp -s "$1/list" "$want"; then
		echo "$(comm -13 "$want" "$1/list" | wc -l) listed wrongly," \
			"$(comm -23 "$want" "$1/list" | wc -l) missed"
		return 1
	fi
}

# check KEY...: verify each; print the keys that pass.
broken=0
check() {
	for k; do
		if why=$(verify "$k"); then
			printf ' %s' "$k"
		else
			printf '%s: BROKEN, not timed: %s\n' \
				"$(cat "$k/label")" "$why" >>broken.list
		fi
	done
}
# shellcheck disable=SC2086 # the keys are plain words
dangling=$(check $dangling)
# shellcheck disable=SC2086
links=$(check $links)
if [ -s broken.list ]; then
	notes="$notes
$(cat broken.list)"
	broken=1
fi
for k in dangling.find links.find; do
	if [ -s "$k/other" ]; then
		notes="$notes
$(cat "$k/label"): other errors: $(head -n 3 "$k/other")"
	fi
done
echo "checked: $(wc -l <dangling.expected | tr -d ' ') dangling symlinks" \
	"(find -xtype l: $(wc -l <dangling.find/out | tr -d ' ') with" \
	"$(loops_of dangling.find/err | wc -l | tr -d ' ') loops)," \
	"$(wc -l <links.expected | tr -d ' ') names of multiply-linked files"

# The rounds of each mode, for rotated_rounds.
# shellcheck disable=SC2317 # run by rotated_rounds
round_cold() {
	time_round 0 "$@"
}

# shellcheck disable=SC2317 # run by rotated_rounds
round_warm() {
	time_round 2 "$@"
}

# stash MODE KEY...: move the runs just timed to KEY/MODE/.
stash() {
	stash_mode=$1
	shift
	for k; do
		mkdir -p "$k/$stash_mode" &&
			mv "$k"/times.* "$k/$stash_mode/" || exit 2
	done
}

# table MODE JOB FIND_GOAL KEY...: the table of JOB's variants in MODE
# and the goals' verdicts (FIND_GOAL: the least find/this for linkbox's
# default, or "" for none).
table() {
	t_mode=$1 t_job=$2 t_goal=$3
	shift 3
	t_base=$(times_median "$t_job.find" "$t_mode" "$@")
	t_floor=$(times_median "$t_job.mw2" "$t_mode" "$@")
	t_lb=$(times_median "$t_job.lb" "$t_mode" "$@")
	t_one=$(times_median "$t_job.lb1" "$t_mode" "$@")
	case $t_job in
	dangling) what="dangling symlinks" ;;
	*) what="names of multiply-linked files" ;;
	esac
	case $t_mode in
	cold) how="caches dropped before each" ;;
	*) how="after 2 warm-up runs" ;;
	esac
	echo
	echo "$t_mode cache, $what ($(wc -l <"$t_job.expected" |
		tr -d ' ')) in a tree of $SIZE entries (seed $SEED):" \
		"median of $ROUNDS x $RUNS runs, $how (timer: $BENCH_TIMER)"
	printf '%-20s %7s %10s %9s %9s %8s\n' "variant" "found" "median ms" \
		"find/this" "this/mw2" "spread"
	for k; do
		for f in "$k/$t_mode"/times.*; do
			median "$f"
		done | sort -n | awk -v label="$(cat "$k/label")" \
			-v found="$(cat "$k/found")" \
			-v med="$(median "$k/$t_mode"/times.*)" \
			-v base="$t_base" -v floor="$t_floor" '
			NR == 1 { lo = $1 } { hi = $1 }
			END {
				vs_find = base == "" ? "-" : \
				    sprintf("%.2f", base / med)
				vs_floor = floor == "" ? "-" : \
				    sprintf("%.2f", med / floor)
				printf "%-20s %7s %10.1f %9s %9s %7.1f%%\n",
				    label, found, med / 1e6, vs_find, vs_floor,
				    100 * (hi - lo) / med
			}'
	done
	echo "(find/this: find's median over this row's; this/mw2: this" \
		"row's over minwalk -t 2's; spread: slowest minus fastest" \
		"round's median, over the median)"
	# The verdicts on the ratios as printed, to two places.
	awk -v lb="$t_lb" -v base="$t_base" -v floor="$t_floor" -v one="$t_one" \
		-v goal="$t_goal" -v mode="$t_mode" \
		-v label="$(cat "$t_job.lb/label")" \
		-v peer="$(cat "$t_job.find/label")" '
	# verdict(GOAL, NUM, DEN, NAME, LIMIT, MIN): "GOAL: NAME NUM/DEN, met"
	# when that ratio is at least LIMIT (MIN) or at most LIMIT (not MIN).
	function verdict(what, num, den, name, limit, min,	r, met) {
		printf "goal, %s: ", what
		if (num == "" || den == "") {
			print "not measured"
			return
		}
		r = sprintf("%.2f", num / den)
		met = min ? r + 0 >= limit + 0 : r + 0 <= limit + 0
		printf "%s %s, %s\n", name, r, met ? "met" : "NOT met"
	}
	BEGIN {
		if (goal != "")
			verdict(sprintf("%s (default jobs) on a cold cache >= " \
			    "%sx %s", label, goal, peer), base, lb, "find/this",
			    goal, 1)
		if (mode != "cold")
			# Warm, the goal is today: no slower than -j 1.
			verdict(sprintf("%s (default jobs) warm no slower " \
			    "than -j 1 (within 5%%)", label), lb, one,
			    "this/-j 1", 1.05, 0)
		else
			verdict(sprintf("%s (default jobs) within 1.15x " \
			    "minwalk -t 2 (%s cache)", label, mode), lb, floor,
			    "this/mw2", 1.15, 0)
	}'
}

# times_median KEY MODE KEY...: the median of KEY's runs in MODE, or
# nothing when KEY is not among the KEYs (not timed).
times_median() {
	tm_key=$1 tm_mode=$2
	shift 2
	case " $* " in
	*" $tm_key "*) median "$tm_key/$tm_mode"/times.* ;;
	esac
}

for mode in $modes; do
	if [ "$mode" = cold ]; then
		bench_prepare=$drop
		RUNS=$cold_runs
	else
		bench_prepare=
		RUNS=$warm_runs
	fi
	for job in dangling links; do
		eval "keys=\$$job"
		# shellcheck disable=SC2086 # the keys are plain words
		rotated_rounds cold.sh "$mode $job" "round_$mode" $keys
		# shellcheck disable=SC2086
		stash "$mode" $keys
	done
done
bench_prepare=

for mode in $modes; do
	RUNS=$cold_runs
	[ "$mode" = warm ] && RUNS=$warm_runs
	goal_d='' goal_l=''
	[ "$mode" = cold ] && goal_d=3 goal_l=1.6
	# shellcheck disable=SC2086 # the keys are plain words
	table "$mode" dangling "$goal_d" $dangling
	# shellcheck disable=SC2086
	table "$mode" links "$goal_l" $links
done
echo
echo "load average at end: $(loadavg); took $(($(date +%s) - start)) s"
[ -z "$notes" ] || printf '%s\n' "$notes" | sed '/^$/d'
exit "$broken"
