# Shared by the benchmarks tests/bench/*.sh, sourced after their own
# defaults as
#     . "$(dirname "$0")/lib.sh"
# the preamble they have in common (to the top of the repository, the C
# locale, the timer and binary defaults, BENCH: the benchmark's name for
# messages), and the helpers their checks, timing and tables share.
# POSIX sh.
# shellcheck shell=sh

cd "$(dirname "$0")/../.." || exit 2
LC_ALL=C
export LC_ALL
BENCH=${0##*/}

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

# need_numbers VAR...: exit 2 unless each VAR holds a number (digits).
# (POSIX sh has no locals: the names start with _nn_.)
need_numbers() {
	_nn_i=0 _nn_bad='' _nn_names='' _nn_val=''
	for _nn_v; do
		_nn_i=$((_nn_i + 1))
		eval "_nn_val=\${$_nn_v}"
		case $_nn_val in '' | *[!0-9]*) _nn_bad=1 ;; esac
		if [ "$_nn_i" -eq 1 ]; then
			_nn_names=$_nn_v
		elif [ "$_nn_i" -eq $# ]; then
			_nn_names="$_nn_names and $_nn_v"
		else
			_nn_names="$_nn_names, $_nn_v"
		fi
	done
	if [ -n "$_nn_bad" ]; then
		echo "$BENCH: $_nn_names must be numbers" >&2
		exit 2
	fi
}

# need_date_ns: with BENCH_TIMER=date, exit 2 unless date +%s%N counts
# nanoseconds.
need_date_ns() {
	[ "$BENCH_TIMER" = date ] || return 0
	case $(date +%s%N) in
	*[!0-9]*)
		echo "$BENCH: date +%s%N unsupported; install hyperfine" >&2
		exit 2
		;;
	esac
}

# need_gnu PROGRAM PACKAGE NAME: exit 0 (skipped, with a line saying so)
# unless PROGRAM --version names GNU PACKAGE (NAME: how the line calls it).
need_gnu() {
	if ! "$1" --version 2>/dev/null | grep -q "GNU $2"; then
		echo "$BENCH: skipped: $1 is not GNU $3"
		exit 0
	fi
}

# bench_start: start (the time, for the last line), and a line with the
# load average and the number of CPUs.
bench_start() {
	# shellcheck disable=SC2034 # read by the benchmarks
	start=$(date +%s)
	echo "load average at start: $(loadavg) ($(getconf \
		_NPROCESSORS_ONLN 2>/dev/null || echo '?') cpus)"
}

# make_scratch: scratch, a fresh directory removed on exit by cleanup (a
# benchmark may redefine cleanup), and repo, the top of the repository.
make_scratch() {
	scratch=$(mktemp -d \
		"${TMPDIR:-/tmp}/linkbox-bench-${BENCH%.sh}.XXXXXX") || exit 2
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# shellcheck disable=SC2034 # read by the benchmarks
	repo=$(pwd)
}

# loops_of FILE: the paths in GNU find's ELOOP messages in FILE (in the C
# locale): the symlinks that find -xtype l reports as errors, not matches.
loops_of() {
	sed -n "s/^[^']*: '\(.*\)': Too many levels of symbolic links\$/\1/p" \
		"$1"
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	rm -rf "$scratch"
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

# A variant KEY lives in ./KEY, its command line (plain words) in KEY/cmd;
# a benchmark whose commands need quoting redefines these two.
# variant_text KEY: the command line, as hyperfine takes it.
variant_text() {
	cat "$1/cmd"
}

# variant_run KEY: run the command.
variant_run() {
	read -r cmd <"$1/cmd"
	# shellcheck disable=SC2086 # a command line of plain words
	$cmd
}

# argv_run KEY, argv_text KEY: variant_run and variant_text for a
# benchmark whose commands need quoting, kept in KEY/argv, one argument a
# line (none may hold a newline).  Such a benchmark defines
#     variant_run() { argv_run "$1"; }
#     variant_text() { argv_text "$1"; }
argv_run() {
	_ar_file=$1/argv
	set --
	while IFS= read -r _ar_a; do
		set -- "$@" "$_ar_a"
	done <"$_ar_file"
	"$@"
}

# argv_text: each argument single-quoted (hyperfine splits its commands as
# a shell would).
argv_text() {
	sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/" "$1/argv" | tr '\n' ' '
}

# bench_prepare: empty, or a command line for sh -c (no single quotes)
# that time_round runs before each run, warm-up ones included, outside
# the timing (hyperfine --prepare): say, dropping the caches.
bench_prepare=

# time_round WARMUP R KEY...: RUNS timed runs of each variant, in this
# order, after WARMUP untimed ones; nanoseconds appended to KEY/times.R.
# hyperfine -i: the tools exit 1 when they find what they look for.
time_round() {
	warmup=$1 r=$2
	shift 2
	if [ "$BENCH_TIMER" = hyperfine ]; then
		for k; do
			shift
			set -- "$@" -n "$k" "$(variant_text "$k")"
		done
		[ -z "$bench_prepare" ] ||
			set -- --prepare "sh -c '$bench_prepare'" "$@"
		if ! hyperfine -N -i --warmup "$warmup" --runs "$RUNS" \
			--style none --export-json round.json "$@" >/dev/null \
			2>hf.err; then
			cat hf.err >&2
			return 1
		fi
		hf_times "$r"
	else
		for k; do
			i=$((-warmup))
			while [ "$i" -lt "$RUNS" ]; do
				if [ -n "$bench_prepare" ] &&
					! sh -c "$bench_prepare"; then
					echo "$BENCH: failed: $bench_prepare" >&2
					return 1
				fi
				t0=$(date +%s%N)
				variant_run "$k" >/dev/null 2>&1
				t1=$(date +%s%N)
				[ "$i" -lt 0 ] || echo $((t1 - t0)) >>"$k/times.$r"
				i=$((i + 1))
			done
		done
	fi
}

# rotated_rounds NAME LABEL ROUND KEY...: ROUNDS rounds of "ROUND R
# KEY...", the keys rotated by one place each round so that they share the
# machine's noise; exit 1 (NAME: the benchmark's) when a round fails.
# LABEL names the rounds in the progress lines ("" for none).
rotated_rounds() {
	name=$1 label=$2 round=$3
	shift 3
	keys=$*
	r=0
	while [ "$r" -lt "$ROUNDS" ] && [ -n "$keys" ]; do
		# shellcheck disable=SC2086 # the keys are plain words
		set -- $keys
		i=0
		while [ "$i" -lt $((r % $#)) ]; do
			k=$1
			shift
			set -- "$@" "$k"
			i=$((i + 1))
		done
		if ! "$round" "$r" "$@"; then
			echo "$name: a timed run failed" >&2
			exit 1
		fi
		echo "(${label:+$label }round $((r + 1)) of $ROUNDS done;" \
			"load average $(loadavg))"
		r=$((r + 1))
	done
}

# time_rounds NAME WARMUP KEY...: rotated rounds of time_round.
time_rounds() {
	tr_name=$1 warmup=$2
	shift 2
	rotated_rounds "$tr_name" "" warm_round "$@"
}

warm_round() {
	time_round "$warmup" "$@"
}
