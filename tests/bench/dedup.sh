#!/bin/sh
# dedup.sh: finding the duplicate files of a big tree, linkbox's dedup -n
# (the dry run: compares everything, links nothing) against jdupes,
# util-linux hardlink, rdfind, and fdupes on small trees.
#
# Builds one tree with tests/bench/mkdups (SIZE files, SEED, about MIB MiB
# of data: duplicate groups of 2-20 copies, decoys differing in one byte,
# hard links), reads all of it once to warm the cache, and checks that
# dedup -l finds the same duplicate sets as jdupes -r and as the generator
# made (a build that does not is not timed).  Then one run of each variant
# under a small wrapper gives its bytes read (rchar of /proc/PID/io, read
# from the zombie before it is reaped) and peak RSS (ru_maxrss from
# wait4); a variant whose run takes over SLOW seconds is timed by that run
# alone.  The others are timed over ROUNDS rounds, the variants rotated in
# each round so that they share the machine's noise, each round RUNS runs
# after one warm-up run.  The table shows the median run, the fastest
# peer's median over it, the spread between rounds' medians, the MiB read
# and the peak RSS.
#
# The peers, each asked for the same job as dedup -n: jdupes -r -q (lists
# the sets), hardlink -n -q -t (-t: dedup ignores mtimes too), rdfind
# -dryrun true (writes results.txt in the scratch directory), fdupes -r
# -q -n (-n: no empty files; run only when SIZE <= 20000 or FDUPES=1).
# A missing one is skipped with a line saying so; nothing is installed.
# All skip empty files, look at file contents only (the tree's files
# share owner and mode), and run on one thread.
#
# Usage: tests/bench/dedup.sh    (normally through tests/bench/run)
# Environment: LINKBOX (the binary under test; ./linkbox and
# ./linkbox-static are timed too when built), SIZE (170000 files), SEED
# (1), MIB (512), ROUNDS (2), RUNS (3), SLOW (30), FDUPES (1: time
# fdupes at any SIZE), BENCH_TIMER (hyperfine or date), CC (cc, to build
# mkdups and the wrapper), MKDUPS (tests/bench/mkdups).

SIZE=${SIZE:-170000}
SEED=${SEED:-1}
MIB=${MIB:-512}
ROUNDS=${ROUNDS:-2}
RUNS=${RUNS:-3}
SLOW=${SLOW:-30}
FDUPES=${FDUPES:-}
MKDUPS=${MKDUPS:-tests/bench/mkdups}
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
MKDUPS=$(realpath "$MKDUPS") || exit 2

need_numbers SIZE SEED MIB ROUNDS RUNS SLOW
if [ "$SIZE" -lt 100 ] || [ "$ROUNDS" -lt 1 ] || [ "$RUNS" -lt 1 ]; then
	echo "dedup.sh: need SIZE >= 100, ROUNDS >= 1, RUNS >= 1" >&2
	exit 2
fi
need_date_ns

bench_start

make_scratch
# Removing the tree can take longer than making it (a file system mounted
# with discard, on a thin disk): files go in inode order, which frees
# their blocks in about the order they were allocated, and the time is
# shown.
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	t=$(date +%s)
	if [ -d "$scratch/T" ]; then
		find "$scratch/T" -type f -printf '%i %p\n' | sort -n |
			cut -d' ' -f 2- | xargs -d '\n' rm -f --
		echo "(tree removed in $(($(date +%s) - t)) s)"
	fi
	rm -rf "$scratch"
}
cd "$scratch" || exit 2

# The wrapper: run a command as a child, wait for it to exit without
# reaping it (waitid WNOWAIT), read the zombie's rchar from /proc/PID/io
# (its own reads and those of the children it reaped), then reap it with
# wait4 for ru_maxrss.  Writes "wall-ns rchar maxrss-KiB status" to OUT.
cat >runio.c <<'EOF'
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char path[64], line[256], rchar[32] = "n/a";
	struct timespec t0, t1;
	struct rusage ru;
	siginfo_t si;
	FILE *fp;
	int status;
	pid_t pid;

	if (argc < 3)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1)
		return 2;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == -1)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	if ((fp = fopen(path, "r"))) {
		while (fgets(line, sizeof(line), fp))
			if (sscanf(line, "rchar: %31s", rchar) == 1)
				break;
		fclose(fp);
	}
	if (wait4(pid, &status, 0, &ru) == -1 || !(fp = fopen(argv[1], "w")))
		return 2;
	fprintf(fp, "%lld %s %ld %d\n", (long long)(t1.tv_sec - t0.tv_sec) *
	    1000000000 + t1.tv_nsec - t0.tv_nsec, rchar, ru.ru_maxrss,
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return fclose(fp) != 0;
}
EOF
if ! "${CC:-cc}" -O2 -Wall -Wextra -o runio runio.c; then
	echo "dedup.sh: cannot build the wrapper runio.c" >&2
	exit 2
fi

t0=$(date +%s)
"$MKDUPS" -e mkdups.l -m "$MIB" "$SEED" "$SIZE" T || exit 2
echo "(built in $(($(date +%s) - t0)) s)"

# Warm the cache: read every file once (not tar cf /dev/null: GNU tar
# reads nothing when it writes to /dev/null).
t0=$(date +%s)
warm=$(find T -type f -exec cat -- {} + | wc -c)
echo "(cache warmed: $((warm >> 20)) MiB read in $(($(date +%s) - t0)) s)"

# Each variant KEY lives in ./KEY: KEY/cmd is its command line (words
# without blanks, run from here), KEY/label its row in the table,
# KEY/times.R its runs in round R, in nanoseconds, KEY/io the wrapper's
# line for its measured run, KEY/slow when that run alone times it.
variants=
notes=

# add KEY LABEL COMMAND
add() {
	mkdir -p "$1" || exit 2
	printf '%s\n' "$3" >"$1/cmd"
	printf '%s\n' "$2" >"$1/label"
	variants="$variants $1"
}

# add_linkbox KEY LABEL BINARY: linkbox picks its applet by argv[0], so
# it runs as a hard link named dedup (a copy across file systems).
add_linkbox() {
	mkdir -p "$1" || exit 2
	ln "$3" "$1/dedup" 2>/dev/null || cp "$3" "$1/dedup" || exit 2
	add "$1" "$2" "$1/dedup -n T"
}

# skip TOOL WHY: a visible line, now and in the notes under the table.
skip() {
	echo "$1: skipped, $2"
	notes="$notes
$1: skipped, $2"
}

ours=
[ -x "$repo/linkbox" ] && add_linkbox glibc "dedup -n (glibc)" \
	"$repo/linkbox" && ours="$ours glibc"
[ -x "$repo/linkbox-static" ] && add_linkbox static "dedup -n (static)" \
	"$repo/linkbox-static" && ours="$ours static"
# The binary under test gets its own row unless it is one of those builds.
if ! cmp -s "$LINKBOX" "$repo/linkbox" &&
	! cmp -s "$LINKBOX" "$repo/linkbox-static"; then
	add_linkbox lbox "dedup -n (${LINKBOX##*/})" "$LINKBOX"
	ours="lbox$ours"
fi
if command -v jdupes >/dev/null 2>&1; then
	add jdupes "jdupes -r" "jdupes -r -q T"
else
	skip jdupes "not installed (Debian package jdupes)"
fi
if hardlink --version 2>/dev/null | grep -q util-linux; then
	q=
	hardlink --help 2>/dev/null | grep -q -- --quiet && q=-q
	add hardlink "hardlink -n -t" "hardlink -n $q -t T"
else
	skip hardlink "util-linux hardlink not installed"
fi
if command -v rdfind >/dev/null 2>&1; then
	add rdfind "rdfind -dryrun" "rdfind -dryrun true T"
else
	skip rdfind "not installed (Debian package rdfind)"
fi
if ! command -v fdupes >/dev/null 2>&1; then
	skip fdupes "not installed (Debian package fdupes)"
elif [ "$SIZE" -le 20000 ] || [ "$FDUPES" = 1 ]; then
	add fdupes "fdupes -r" "fdupes -r -q -n T"
else
	skip fdupes "slow at SIZE=$SIZE (FDUPES=1 to time it)"
fi

# The duplicate sets, as "FIRST<tab>NAME" lines sorted, FIRST the
# smallest name of NAME's set, so that equal sets give equal lines.
# canon GROUPS [expand]: GROUPS lists the sets, a blank line after each;
# with expand, a set also gets the other names of its files' inodes
# (inodes.map: "INODE<tab>NAME" for every file).
canon() {
	awk -F '\t' -v expand="${2:-}" '
	function flush(i, j, k, m, first, set) {
		if (!n)
			return
		for (i = 1; i <= n; i++) {
			set[g[i]] = 1
			if (!expand || !(g[i] in ino))
				continue
			m = split(names[ino[g[i]]], k, "\t")
			for (j = 2; j <= m; j++)
				set[k[j]] = 1
		}
		first = ""
		for (i in set)
			if (first == "" || i < first)
				first = i
		for (i in set)
			print first "\t" i
		n = 0
	}
	FILENAME == "inodes.map" {
		ino[$2] = $1
		names[$1] = names[$1] "\t" $2
		next
	}
	NF == 0 { flush(); next }
	{ g[++n] = $0 }
	END { flush() }
	' inodes.map "$1" | sort
}

# sets FILE: "G sets of N names" for a canon FILE.
sets() {
	echo "$(cut -f 1 "$1" | uniq | wc -l) sets of $(wc -l <"$1") names"
}

find T -type f -printf '%i\t%p\n' >inodes.map
canon mkdups.l >mkdups.sets
cut -f 2 mkdups.sets | sort >mkdups.sets.names
echo "mkdups made: $(sets mkdups.sets)"
peer=
if [ -d jdupes ]; then
	jdupes -r -q T >jdupes/list 2>jdupes/err ||
		notes="$notes
jdupes -r: exit status $?: $(head -n 1 jdupes/err)"
	canon jdupes/list >jdupes/raw.sets
	canon jdupes/list expand >jdupes/sets
	peer=jdupes
	cut -f 2 jdupes/sets | sort >jdupes/sets.names
	echo "jdupes -r: $(sets jdupes/sets), $(($(wc -l <jdupes/sets) -
		$(wc -l <jdupes/raw.sets))) of the names not listed but" \
		"hard links of listed ones (jdupes lists those with -H)"
	if ! cmp -s jdupes/sets mkdups.sets; then
		notes="$notes
jdupes: its sets differ from mkdups's in $(comm -3 jdupes/sets \
			mkdups.sets | wc -l) lines"
	fi
fi

# verify KEY: dedup -l must list the sets that jdupes and mkdups found;
# say how it differs when not.
verify() {
	"$1/dedup" -l T >"$1/list" 2>"$1/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "dedup -l: exit status $rc: $(head -n 1 "$1/err")"
		return 1
	fi
	canon "$1/list" >"$1/sets"
	cut -f 2 "$1/sets" | sort >"$1/sets.names"
	why=
	for want in ${peer:+jdupes/sets} mkdups.sets; do
		cmp -s "$1/sets" "$want" && continue
		who=${want%%[/.]*}
		why="$why${why:+; }vs $who: $(comm -23 "$1/sets.names" \
			"$want.names" | wc -l) names only in dedup, $(comm -13 \
			"$1/sets.names" "$want.names" | wc -l) only in $who,"
		why="$why $(comm -3 "$1/sets" "$want" | wc -l) lines"
		why="$why of the sets differ"
	done
	[ -z "$why" ] || { echo "$why"; return 1; }
}

broken=0
ok=
for k in $variants; do
	case " $ours " in *" $k "*) ;; *) ok="$ok $k"; continue ;; esac
	if why=$(verify "$k"); then
		ok="$ok $k"
		echo "$(cat "$k/label"): dedup -l lists $(sets "$k/sets"):" \
			"the same as ${peer:+jdupes and }mkdups"
	else
		notes="$notes
$(cat "$k/label"): BROKEN, not timed: $why"
		broken=1
	fi
done
variants=$ok

# One measured run of each: bytes read, peak RSS, and its time; it must
# end well (1 is dedup's "some names not linked").
summary=
ok=
for k in $variants; do
	read -r cmd <"$k/cmd"
	# shellcheck disable=SC2086 # a command line of plain words
	if ! ./runio "$k/io" $cmd >"$k/out" 2>"$k/err"; then
		echo "dedup.sh: runio failed on $cmd" >&2
		exit 2
	fi
	read -r ns _ _ rc <"$k/io"
	case $rc in
	0) ;;
	1) case " $ours " in *" $k "*) ;; *) rc=bad ;; esac ;;
	*) rc=bad ;;
	esac
	if [ "$rc" = bad ]; then
		notes="$notes
$(cat "$k/label"): BROKEN, not timed: exit status $(cut -d' ' -f4 \
			"$k/io"): $(head -n 1 "$k/err")"
		broken=1
		continue
	fi
	ok="$ok $k"
	if [ "$ns" -gt $((SLOW * 1000000000)) ]; then
		echo "$ns" >"$k/times.slow"
		: >"$k/slow"
		notes="$notes
$(cat "$k/label"): over ${SLOW} s, timed by one run"
	fi
	case " $ours " in
	*" $k "*)
		if [ -z "$summary" ]; then
			summary=$(awk -F': ' '
			/^duplicate groups/ { g = $2 }
			/^names that would be relinked/ { n = $2 }
			/^bytes that would be freed/ { b = $2 }
			END { printf "%s groups, %s names to relink, " \
			    "%.1f MiB to free", g, n, b / 1048576 }' \
				"$k/out")
			echo "dedup -n: $summary"
		fi ;;
	esac
done
variants=$ok

timed=
for k in $variants; do
	[ -e "$k/slow" ] || timed="$timed $k"
done
# shellcheck disable=SC2086 # the keys are plain words
time_rounds dedup.sh 1 $timed

echo "duplicates in a tree of $SIZE files, $((warm >> 20)) MiB (seed" \
	"$SEED): median of $ROUNDS x $RUNS runs (timer: $BENCH_TIMER)"
printf '%-20s %10s %10s %8s %9s %9s\n' "variant" "median ms" \
	"peer/this" "spread" "MiB read" "peak KiB"
best=
for k in $variants; do
	case " $ours " in *" $k "*) continue ;; esac
	m=$(median "$k"/times.*)
	if [ -z "$best" ] || [ "$m" -lt "$best" ]; then
		best=$m
	fi
done
for k in $variants; do
	for f in "$k"/times.*; do
		median "$f"
	done | sort -n | awk -v label="$(cat "$k/label")" \
		-v med="$(median "$k"/times.*)" -v best="$best" \
		-v slow="$([ -e "$k/slow" ] && echo 1)" -v io="$(cat "$k/io")" '
		NR == 1 { lo = $1 } { hi = $1 }
		END {
			split(io, f, " ")
			ratio = best == "" ? "-" : sprintf("%.2f", best / med)
			spread = slow ? "1 run" : sprintf("%.1f%%",
			    100 * (hi - lo) / med)
			read = f[2] ~ /^[0-9]+$/ ? sprintf("%.1f",
			    f[2] / 1048576) : "n/a"
			printf "%-20s %10.1f %10s %8s %9s %9s\n", label,
			    med / 1e6, ratio, spread, read, f[3]
		}'
done
echo "(peer/this: the fastest peer's median over this one's; spread:" \
	"slowest minus"
echo "fastest round's median, over the median; MiB read: rchar of one run)"
echo "load average at end: $(loadavg); took $(($(date +%s) - start)) s"
[ -z "$notes" ] || printf '%s\n' "$notes" | sed '/^$/d'
exit "$broken"
