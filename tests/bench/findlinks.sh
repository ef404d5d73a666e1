#!/bin/sh
# findlinks.sh: finding the names of files in a big tree, linkbox's
# findlinks and linkcount against GNU find, sort and du.
#
# Four comparisons on one tree of SIZE entries (tests/bench/mktree, or a
# plain generator below when mktree cannot run):
#   early    findlinks FILE T  vs  find T -samefile FILE, for a FILE whose
#            names come first in the walk: findlinks stops there
#   late     the same for a FILE whose last name comes last in the walk
#   all      findlinks -a T  vs
#            sh -c 'find T -type f -links +1 -printf "%D:%i %p\n" | sort'
#   summary  linkcount -r --summary T  vs  sh -c 'du -s T; find T ! -type d
#            -links +1 -printf "%D:%i\n" | sort -u | wc -l'
# The walk order is the file system's, read once with linkcount -r; FILE
# early and late are picked from it.  The cache is warmed by one walk,
# and each variant's output is checked against its peer's (with host
# tools) before it is timed; a variant that disagrees is not timed.
# Then ROUNDS rounds, the variants rotated in each round so that they
# share the machine's noise, each round RUNS runs after one warm-up run.
# The table shows the median run, the peer's median over it, the spread
# between the rounds' medians and, where /usr/bin/time exists, the peak
# RSS of one more run (of the largest process, for a pipeline).
#
# Usage: tests/bench/findlinks.sh    (normally through tests/bench/run)
# Environment: LINKBOX (the binary under test), SIZE (200000 entries),
# SEED (1), ROUNDS (2), RUNS (3), BENCH_TIMER (hyperfine or date), FIND
# (find; must be GNU find), MKTREE (tests/bench/mktree).

SIZE=${SIZE:-200000}
SEED=${SEED:-1}
ROUNDS=${ROUNDS:-2}
RUNS=${RUNS:-3}
FIND=${FIND:-find}
MKTREE=${MKTREE:-tests/bench/mktree}
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

need_numbers SIZE SEED ROUNDS RUNS
if [ "$SIZE" -lt 1000 ] || [ "$ROUNDS" -lt 1 ] || [ "$RUNS" -lt 1 ]; then
	echo "findlinks.sh: need SIZE >= 1000, ROUNDS >= 1, RUNS >= 1" >&2
	exit 2
fi
need_date_ns
need_gnu "$FIND" findutils find

bench_start

make_scratch

# gen_tree SIZE DIR: the fallback tree, about SIZE entries: directories
# nested at random, files, and 6% extra hard-link names of random files
# in random directories.  Names are plain words, for xargs.
gen_tree() {
	mkdir "$2" || return 1
	awk -v n="$1" -v seed="$SEED" -v dir="$2" 'BEGIN {
		srand(seed)
		nd = int(n / 12); nh = int(n * 6 / 100); nf = n - nd - nh
		path[0] = "."
		for (i = 1; i <= nd; i++) {
			path[i] = path[int(rand() * i)] "/d" i
			print path[i] >(dir ".dirs")
		}
		for (i = 0; i < nf; i++) {
			file[i] = path[int(rand() * (nd + 1))] "/f" i
			print file[i] >(dir ".files")
		}
		for (i = 0; i < nh; i++)
			print file[int(rand() * nf)],
			    path[int(rand() * (nd + 1))] "/h" i >(dir ".links")
	}' || return 1
	(cd "$2" && xargs mkdir -p <"../$2.dirs" &&
		xargs touch <"../$2.files" && xargs -n 2 ln <"../$2.links")
}

case $MKTREE in
/*) ;;
*) MKTREE=$(pwd)/$MKTREE ;;
esac
cd "$scratch" || exit 2
t0=$(date +%s)
if ! "$MKTREE" "$SEED" "$SIZE" T 2>mktree.err; then
	echo "findlinks.sh: mktree failed ($(head -n 1 mktree.err));" \
		"using the plain generator"
	rm -rf T
	gen_tree "$SIZE" T || exit 2
fi
echo "(built in $(($(date +%s) - t0)) s)"

mkdir bin || exit 2
for a in findlinks linkcount; do
	ln "$LINKBOX" "bin/$a" 2>/dev/null || cp "$LINKBOX" "bin/$a" || exit 2
done

# Warm the cache: one walk over everything.
"$FIND" T >/dev/null
du -s T >/dev/null

# The walk order: every non-directory, in order (linkcount -r walks as
# findlinks does).  FILE early: the file whose last name comes first;
# FILE late: the one whose last name comes last.
bin/linkcount -r T >walk || exit 2
"$FIND" T ! -type d -links +1 -printf '%D:%i\t%p\n' >ids
total=$(wc -l <walk)
awk -F '\t' '
	NR == FNR { id[$2] = $1; next }
	$1 > 1 && ($2 in id) { last[id[$2]] = FNR; name[id[$2]] = $2 }
	END {
		for (i in last) {
			if (lo == "" || last[i] < last[lo]) lo = i
			if (hi == "" || last[i] > last[hi]) hi = i
		}
		print last[lo] "\t" name[lo]
		print last[hi] "\t" name[hi]
	}' ids walk >picked
early=$(sed -n '1s/^[^	]*	//p' picked)
late=$(sed -n '2s/^[^	]*	//p' picked)
if [ -z "$early" ] || [ -z "$late" ]; then
	echo "findlinks.sh: no multiply-linked files in the tree" >&2
	exit 2
fi
awk -F '\t' -v total="$total" '{
	printf "FILE %s: its last name is entry %d of %d (%.1f%%): %s\n",
	    NR == 1 ? "early" : "late", $1, total, 100 * $1 / total, $2 }' \
	picked

# Each variant KEY lives in ./KEY: KEY/argv its command, one argument a
# line (none may hold a newline; run from here), KEY/label its row in the
# table, KEY/group the comparison it belongs to, KEY/times.R its runs in
# round R, in nanoseconds, and KEY/rss its peak RSS in KiB.  The first
# variant of a group is the peer the others are compared with.
variants=
notes=

# add KEY GROUP LABEL ARG...
add() {
	mkdir -p "$1" || exit 2
	printf '%s\n' "$2" >"$1/group"
	printf '%s\n' "$3" >"$1/label"
	k=$1
	shift 3
	printf '%s\n' "$@" >"$k/argv"
	variants="$variants $k"
}

add find_early early "find -samefile" "$FIND" T -samefile "$early"
add fl_early early "findlinks" bin/findlinks "$early" T
add find_late late "find -samefile" "$FIND" T -samefile "$late"
add fl_late late "findlinks" bin/findlinks "$late" T
add find_all all "find -links +1|sort" sh -c \
	"$FIND T -type f -links +1 -printf \"%D:%i %p\\n\" | sort"
add fl_all all "findlinks -a" bin/findlinks -a T
peer="du -s T; $FIND T ! -type d -links +1 -printf \"%D:%i\\n\""
add peer_sum summary "du -s; find|sort -u" sh -c "$peer | sort -u | wc -l"
add lc_sum summary "linkcount --summary" bin/linkcount -r --summary T

# variant_run KEY, variant_text KEY: KEY's command from KEY/argv (lib.sh).
variant_run() { argv_run "$1"; }
variant_text() { argv_text "$1"; }

# verify KEY: run it once and compare with its peer; say why it differs.
verify() {
	variant_run "$1" >"$1/out" 2>"$1/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "exit status $rc: $(head -n 1 "$1/err")"
		return 1
	fi
	case $1 in
	find_* | peer_sum) return 0 ;;
	fl_early | fl_late)
		sort "$1/out" >"$1/got"
		sort "find_${1#fl_}/out" >"$1/want" ;;
	fl_all)
		# Groups to "DEV:INO PATH" lines, as find prints them.
		awk '/^\t/ { print id " " substr($0, 2); next }
			{ id = $1; sub(/:$/, "", id) }' "$1/out" | sort >"$1/got"
		cp find_all/out "$1/want" ;;
	lc_sum)
		# du's KiB are the bytes of every file once, rounded up;
		# find counts the files with several names.
		awk -F ': ' '/^files with several names/ { m = $2 }
			/^bytes/ { b += $2 }
			END { printf "%d\n%d\n", (b + 1023) / 1024, m }' \
			"$1/out" >"$1/got"
		awk 'NR == 1 { print $1; next } { print }' peer_sum/out \
			>"$1/want" ;;
	esac
	if ! cmp -s "$1/got" "$1/want"; then
		echo "output differs from its peer's: $(diff "$1/want" \
			"$1/got" | sed -n 2p)"
		return 1
	fi
}

broken=0
ok=
for k in $variants; do
	if why=$(verify "$k"); then
		ok="$ok $k"
	else
		notes="$notes
$(cat "$k/group") $(cat "$k/label"): BROKEN, not timed: $why"
		broken=1
	fi
done
variants=$ok
echo "checked: findlinks early/late = find -samefile ($(wc -l \
	<fl_early/out 2>/dev/null) and $(wc -l <fl_late/out 2>/dev/null)" \
	"names), findlinks -a = find ($(wc -l <find_all/out) names)," \
	"--summary = du + find"

# shellcheck disable=SC2086 # the keys are plain words
time_rounds findlinks.sh 1 $variants

# Peak RSS in KiB, from GNU time's %M.
rss=n/a
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	rss=/usr/bin/time
fi
for k in $variants; do
	if [ "$rss" = n/a ]; then
		echo n/a >"$k/rss"
		continue
	fi
	(
		set --
		while IFS= read -r a; do
			set -- "$@" "$a"
		done <"$k/argv"
		/usr/bin/time -f %M -o "$k/rss.out" "$@" >/dev/null 2>&1
	)
	tail -n 1 "$k/rss.out" >"$k/rss"
done

echo "tree of $SIZE entries (seed $SEED): median of $ROUNDS x $RUNS runs" \
	"(timer: $BENCH_TIMER)"
printf '%-8s %-22s %10s %9s %8s %9s\n' "case" "variant" "median ms" \
	"peer/this" "spread" "peak KiB"
group=
base=
for k in $variants; do
	g=$(cat "$k/group")
	if [ "$g" != "$group" ]; then
		group=$g
		base=$(median "$k"/times.*)
	fi
	for f in "$k"/times.*; do
		median "$f"
	done | sort -n | awk -v group="$g" -v label="$(cat "$k/label")" \
		-v med="$(median "$k"/times.*)" -v base="$base" \
		-v rss="$(cat "$k/rss" 2>/dev/null)" '
		NR == 1 { lo = $1 } { hi = $1 }
		END {
			printf "%-8s %-22s %10.1f %9.2f %7.1f%% %9s\n", group,
				label, med / 1e6, base / med,
				100 * (hi - lo) / med, rss == "" ? "n/a" : rss
		}'
done
echo "(peer/this: the first row of the case over this row; spread:" \
	"slowest minus fastest round's median, over the median)"
echo "load average at end: $(loadavg); took $(($(date +%s) - start)) s"
[ -z "$notes" ] || printf '%s\n' "$notes" | sed '/^$/d'
exit "$broken"
