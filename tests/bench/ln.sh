#!/bin/sh
# ln.sh: the per-call cost of `ln -sf TARGET LINK` replacing a symlink,
# GNU ln against linkbox's ln, with a floor: a tiny static program that
# does only symlink(2) to a temporary name and rename(2) over LINK.
#
# Each variant makes N calls from a sh loop, alternating two targets so
# that every call replaces the link.  ROUNDS rounds, the variants rotated
# in each round so that they share the machine's noise; the table shows
# the median round.  Before timing, each variant must create and replace
# the link (checked with the host's readlink), so a broken one cannot win.
#
# Usage: tests/bench/ln.sh    (normally through tests/bench/run)
# Environment: LINKBOX (the binary under test; ./linkbox and
# ./linkbox-static are timed too when built), N (2000), ROUNDS (5),
# BENCH_TIMER (hyperfine or date), GNU_LN (/usr/bin/ln), MUSL_CC (musl-gcc).

N=${N:-2000}
ROUNDS=${ROUNDS:-5}
GNU_LN=${GNU_LN:-/usr/bin/ln}
MUSL_CC=${MUSL_CC:-musl-gcc}
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

need_numbers N ROUNDS
if [ "$N" -lt 2 ] || [ "$ROUNDS" -lt 1 ]; then
	echo "ln.sh: need N >= 2 and ROUNDS >= 1" >&2
	exit 2
fi
need_date_ns
need_gnu "$GNU_LN" coreutils ln

make_scratch
cd "$scratch" || exit 2

# Each variant KEY lives in ./KEY: KEY/prog names the program to run,
# KEY/label its row in the table, KEY/work is where it makes links, and
# KEY/times.R holds the total of round R, in nanoseconds.
variants=
notes=

# add KEY LABEL PROGRAM
add() {
	mkdir -p "$1/work" || exit 2
	printf '%s\n' "$3" >"$1/prog"
	printf '%s\n' "$2" >"$1/label"
	: >"$1/work/target-a"
	: >"$1/work/target-b"
	variants="$variants $1"
}

# add_linkbox KEY LABEL BINARY: linkbox picks its applet by argv[0], so
# it runs as a hard link named ln (a copy across file systems).
add_linkbox() {
	mkdir -p "$1/bin" || exit 2
	ln "$3" "$1/bin/ln" 2>/dev/null || cp "$3" "$1/bin/ln" || exit 2
	add "$1" "$2" "$scratch/$1/bin/ln"
}

add gnu "GNU ln" "$GNU_LN"
[ -x "$repo/linkbox" ] && add_linkbox glibc "linkbox (glibc)" "$repo/linkbox"
[ -x "$repo/linkbox-static" ] &&
	add_linkbox static "linkbox (static)" "$repo/linkbox-static"
# The binary under test gets its own row unless it is one of those builds.
if ! cmp -s "$LINKBOX" "$repo/linkbox" &&
	! cmp -s "$LINKBOX" "$repo/linkbox-static"; then
	add_linkbox lbox "${LINKBOX##*/}" "$LINKBOX"
fi

# The floor: what any ln -sf must at least do, from a static binary.
cat >floor.c <<'EOF'
#include <string.h>
#include <unistd.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	char tmp[4096];
	size_t n;

	if (argc != 4 || (n = strlen(argv[3])) + 5 > sizeof tmp)
		return 2;
	memcpy(tmp, argv[3], n);
	memcpy(tmp + n, ".tmp", 5);
	if (symlink(argv[2], tmp) == -1 || rename(tmp, argv[3]) == -1)
		return 1;
	return 0;
}
EOF
if ! command -v "$MUSL_CC" >/dev/null 2>&1; then
	notes="$notes
floor: skipped, no $MUSL_CC"
elif mkdir floor && "$MUSL_CC" -static -Os -o floor/ln floor.c; then
	add floor "floor (static)" "$scratch/floor/ln"
else
	notes="$notes
floor: skipped, $MUSL_CC -static failed"
fi

# The timed loop, run as `sh loop.sh KEY N` from the scratch directory.
cat >loop.sh <<'EOF'
IFS= read -r prog <"$1/prog"
cd "$1/work" || exit 1
i=0
while [ "$i" -lt "$2" ]; do
	"$prog" -sf target-a link || exit 1
	i=$((i + 1))
	[ "$i" -lt "$2" ] || break
	"$prog" -sf target-b link || exit 1
	i=$((i + 1))
done
EOF

# check_state KEY: KEY/work holds the link to one of the targets and
# nothing else (no temporary names left behind).
check_state() {
	got=$(readlink "$1/work/link" 2>/dev/null)
	case $got in
	target-a | target-b) ;;
	*) echo "link points to '$got'"; return 1 ;;
	esac
	# shellcheck disable=SC2012 # our own names, listed for a message
	left=$(ls -A "$1/work" | tr '\n' ' ')
	if [ "$left" != "link target-a target-b " ]; then
		echo "left in the directory: $left"
		return 1
	fi
}

# verify KEY: create the link, then replace it; print why not.
verify() {
	IFS= read -r prog <"$1/prog"
	for t in target-a target-b; do
		if ! err=$(cd "$1/work" && "$prog" -sf "$t" link 2>&1); then
			echo "ln -sf $t link failed: $err"
			return 1
		fi
		got=$(readlink "$1/work/link" 2>/dev/null)
		if [ "$got" != "$t" ]; then
			echo "after ln -sf $t link, link points to '$got'"
			return 1
		fi
	done
	check_state "$1"
}

broken=0
ok=
for k in $variants; do
	if why=$(verify "$k"); then
		ok="$ok $k"
	else
		notes="$notes
$(cat "$k/label"): BROKEN, not timed: $why"
		broken=1
	fi
done
variants=$ok

# One timed run of each variant a round: its whole loop of N calls
# (broken runs show in check_state below).
variant_text() {
	echo "sh loop.sh $1 $N"
}

variant_run() {
	sh loop.sh "$1" "$N"
}

RUNS=1
# shellcheck disable=SC2086 # the keys are plain words
time_rounds ln.sh 0 $variants
for k in $variants; do
	if ! why=$(check_state "$k"); then
		notes="$notes
$(cat "$k/label"): BROKEN after timing: $why"
		broken=1
	fi
done

echo "ln -sf replacing a symlink: $N calls from a sh loop, median of" \
	"$ROUNDS rounds (timer: $BENCH_TIMER)"
printf '%-18s %10s %9s %9s %8s\n' "ln -sf x$N" "median ms" "us/call" \
	"GNU/this" "spread"
gnu=
case " $variants " in *" gnu "*) gnu=$(median gnu/times.*) ;; esac
for k in $variants; do
	cat "$k"/times.* | sort -n | awk -v label="$(cat "$k/label")" -v n="$N" \
		-v med="$(median "$k"/times.*)" -v gnu="$gnu" '
		NR == 1 { lo = $1 } { hi = $1 }
		END {
			ratio = gnu == "" ? "-" : sprintf("%.2f", gnu / med)
			printf "%-18s %10.1f %9.1f %9s %7.1f%%\n", label,
				med / 1e6, med / n / 1e3, ratio,
				100 * (hi - lo) / med
		}'
done
echo "(spread: slowest minus fastest round, over the median)"
[ -z "$notes" ] || printf '%s\n' "$notes" | sed '/^$/d'
exit "$broken"
