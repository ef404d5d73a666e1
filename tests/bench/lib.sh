# Shared by the benchmarks tests/bench/*.sh, sourced from the top of the
# repository after their own defaults: the timer and binary defaults,
# and the helpers their timing and tables have in common.  POSIX sh.
# shellcheck shell=sh

# BENCH_TIMER: hyperfine when installed, else date.  LINKBOX: the binary
# under test, ./linkbox-static if built, else ./linkbox; made absolute.
if [ -z "${BENCH_TIMER:-}" ]; then
	BENCH_TIMER='date'
	command -v hyperfine >/dev/null 2>&1 && BENCH_TIMER=hyperfine
fi
if [ -z "${LINKBOX:-}" ]; then
	LINKBOX=./linkbox
	[ -x ./linkbox-static ] && LINKBOX=./linkbox-static
fi
LINKBOX=$(realpath "$LINKBOX") || exit 2

# need_date_ns NAME: with BENCH_TIMER=date, exit 2 unless date +%s%N
# counts nanoseconds (NAME is the benchmark's, for the message).
need_date_ns() {
	[ "$BENCH_TIMER" = date ] || return 0
	case $(date +%s%N) in
	*[!0-9]*)
		echo "$1: date +%s%N unsupported; install hyperfine" >&2
		exit 2
		;;
	esac
}

# loadavg: the 1, 5 and 15 minute load averages, or ?.
loadavg() {
	cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'
}

# hf_times R: from hyperfine's round.json, append each command's run
# times in nanoseconds to KEY/times.R (the commands are named by their
# keys with -n KEY).  The JSON lists each command, then its times in
# seconds, one a line.
hf_times() {
	awk -v r="$1" '
	/"command":/ {
		c = $0; sub(/^[^:]*: *"/, "", c); sub(/",?$/, "", c)
	}
	/"times": *\[/ { t = 1; next }
	t && /\]/ { t = 0; next }
	t { v = $1; sub(/,$/, "", v)
		printf "%.0f\n", v * 1e9 >>(c "/times." r) }
	' round.json
}

# median FILE...: the median of the numbers in the FILEs.
median() {
	sort -n "$@" | awk '{ t[NR] = $1 } END {
		if (NR % 2) print t[(NR + 1) / 2]
		else printf "%.0f\n", (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}
