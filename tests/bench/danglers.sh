#!/bin/sh
# danglers.sh: listing the dangling symlinks of a big tree, GNU find
# -xtype l against linkbox's danglers, and fd when it is installed.
#
# Builds one tree with tests/bench/mktree (SIZE entries, SEED), walks it
# once to warm the cache, and checks that every variant lists the same
# links as find -xtype l plus the loops that find reports as ELOOP errors
# (a variant that does not is not timed).  Then times each variant over
# ROUNDS rounds, the variants rotated in each round so that they share the
# machine's noise, each round RUNS runs after 2 warm-up runs.  The table
# shows the median run, find's median over it, the spread between rounds'
# medians, and the peak RSS of one more run.
#
# fd has no -xtype: `fd -HI -L -t l . T` lists the symlinks it cannot
# follow, but it also follows the symlinks to directories, so it walks
# (and lists) more than the others; its row says how many it found.  fd
# runs on several threads, the others on one.
#
# Usage: tests/bench/danglers.sh    (normally through tests/bench/run)
# Environment: LINKBOX (the binary under test; ./linkbox and
# ./linkbox-static are timed too when built), SIZE (200000 entries),
# SEED (1), ROUNDS (2), RUNS (10), BENCH_TIMER (hyperfine or date),
# FIND (find; must be GNU find), CC (cc, to build mktree).

SIZE=${SIZE:-200000}
SEED=${SEED:-1}
ROUNDS=${ROUNDS:-2}
RUNS=${RUNS:-10}
FIND=${FIND:-find}
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

need_numbers SIZE SEED ROUNDS RUNS
if [ "$SIZE" -lt 100 ] || [ "$ROUNDS" -lt 1 ] || [ "$RUNS" -lt 1 ]; then
	echo "danglers.sh: need SIZE >= 100, ROUNDS >= 1, RUNS >= 1" >&2
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
# without blanks, run from here), KEY/label its row in the table,
# KEY/found how many links it listed, KEY/times.R its runs in round R, in
# nanoseconds, and KEY/rss its peak RSS in KiB.
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
# it runs as a hard link named danglers (a copy across file systems).
add_linkbox() {
	mkdir -p "$1" || exit 2
	ln "$3" "$1/danglers" 2>/dev/null || cp "$3" "$1/danglers" || exit 2
	add "$1" "$2" "$1/danglers T"
}

add find "find -xtype l" "$FIND T -xtype l"
fd=
for f in fd fdfind; do
	if "$f" --version 2>/dev/null | grep -Eq '^fd(find)? '; then
		fd=$f
		break
	fi
done
if [ -n "$fd" ]; then
	add fd "$fd -L -t l" "$fd -HI -L -t l . T"
else
	notes="$notes
fd: skipped, neither fd nor fdfind is installed"
fi
[ -x "$repo/linkbox" ] && add_linkbox glibc "danglers (glibc)" "$repo/linkbox"
[ -x "$repo/linkbox-static" ] &&
	add_linkbox static "danglers (static)" "$repo/linkbox-static"
# The binary under test gets its own row unless it is one of those builds.
if ! cmp -s "$LINKBOX" "$repo/linkbox" &&
	! cmp -s "$LINKBOX" "$repo/linkbox-static"; then
	add_linkbox lbox "danglers (${LINKBOX##*/})" "$LINKBOX"
fi

# Warm the cache: one walk over everything.
"$FIND" T >/dev/null

# What every variant must list: find's matches, and the links that find
# could not follow because they loop (an error to find, not a match).
# (loops_of: lib.sh)
"$FIND" T -xtype l >find.list 2>find.err
loops_of find.err >find.loops
grep -v 'Too many levels of symbolic links$' find.err >find.other
cat find.list find.loops | sort >expected
echo "find -xtype l: $(wc -l <find.list) listed + $(wc -l <find.loops)" \
	"loops reported as errors = $(wc -l <expected) dangling"
if [ -s find.other ]; then
	notes="$notes
find: other errors: $(head -n 3 find.other)"
fi
for k in lbox static glibc; do
	[ -x "$k/danglers" ] || continue
	echo "danglers -l, by cause: $("$k/danglers" -l T | cut -f 1 | sort |
		uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }')"
	break
done

# verify KEY: run it once; say why its list is not the expected one.
verify() {
	read -r cmd <"$1/cmd"
	# shellcheck disable=SC2086 # a command line of plain words
	$cmd >"$1/out" 2>"$1/err"
	rc=$?
	# find lists loops as errors; count them as found.
	if [ "$1" = find ]; then
		loops_of "$1/err" >>"$1/out"
	fi
	sort "$1/out" >"$1/list"
	wc -l <"$1/list" | tr -d ' ' >"$1/found"
	case $1:$rc in
	find:[01] | fd:[01]) ;;
	*:1) ;;
	*:0)
		if [ -s expected ]; then
			echo "exit status 0, as if it found none"
			return 1
		fi ;;
	*) echo "exit status $rc: $(head -n 1 "$1/err")"; return 1 ;;
	esac
	if ! cmp -s "$1/list" expected; then
		echo "$(comm -13 expected "$1/list" | wc -l) listed wrongly," \
			"$(comm -23 expected "$1/list" | wc -l) missed"
		return 1
	fi
}

broken=0
ok=
for k in $variants; do
	if why=$(verify "$k"); then
		ok="$ok $k"
	elif [ "$k" = fd ]; then
		# fd -L follows symlinks to directories: a different list is
		# expected; time it all the same and say how it differs.
		ok="$ok $k"
		notes="$notes
$(cat "$k/label"): lists other paths than find: $why"
	else
		notes="$notes
$(cat "$k/label"): BROKEN, not timed: $why"
		broken=1
	fi
done
variants=$ok

# shellcheck disable=SC2086 # the keys are plain words
time_rounds danglers.sh 2 $variants

# Peak RSS, in KiB: GNU time's %M, else the same number (ru_maxrss) from
# a tiny wait4() wrapper, else n/a.
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	rss_how=/usr/bin/time
else
	rss_how=
	cat >maxrss.c <<'EOF'
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage ru;
	FILE *fp;
	int status;
	pid_t pid;

	if (argc < 3 || (pid = fork()) == -1)
		return 2;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1 ||
	    !(fp = fopen(argv[1], "w")))
		return 2;
	fprintf(fp, "%ld\n", ru.ru_maxrss);
	return fclose(fp) != 0;
}
EOF
	"${CC:-cc}" -O2 -o maxrss maxrss.c 2>/dev/null && rss_how=./maxrss
fi
for k in $variants; do
	read -r cmd <"$k/cmd"
	case $rss_how in
	/usr/bin/time)
		# shellcheck disable=SC2086 # plain words
		/usr/bin/time -f %M -o "$k/rss.out" $cmd >/dev/null 2>&1
		tail -n 1 "$k/rss.out" >"$k/rss" ;;
	./maxrss)
		# shellcheck disable=SC2086 # plain words
		./maxrss "$k/rss" $cmd >/dev/null 2>&1 ;;
	*) echo n/a >"$k/rss" ;;
	esac
done

echo "dangling symlinks in a tree of $SIZE entries (seed $SEED): median" \
	"of $ROUNDS x $RUNS runs (timer: $BENCH_TIMER)"
printf '%-22s %7s %10s %9s %8s %9s\n' "variant" "found" "median ms" \
	"find/this" "spread" "peak KiB"
base=
case " $variants " in *" find "*) base=$(median find/times.*) ;; esac
for k in $variants; do
	for f in "$k"/times.*; do
		median "$f"
	done | sort -n | awk -v label="$(cat "$k/label")" \
		-v found="$(cat "$k/found")" -v med="$(median "$k"/times.*)" \
		-v base="$base" -v rss="$(cat "$k/rss" 2>/dev/null)" '
		NR == 1 { lo = $1 } { hi = $1 }
		END {
			ratio = base == "" ? "-" : sprintf("%.2f", base / med)
			printf "%-22s %7s %10.1f %9s %7.1f%% %9s\n", label,
				found, med / 1e6, ratio, 100 * (hi - lo) / med,
				rss == "" ? "n/a" : rss
		}'
done
echo "(spread: slowest minus fastest round's median, over the median)"
echo "load average at end: $(loadavg); took $(($(date +%s) - start)) s"
[ -z "$notes" ] || printf '%s\n' "$notes" | sed '/^$/d'
exit "$broken"
