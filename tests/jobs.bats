#!/usr/bin/env bats
load helpers

# -j N, --jobs=N and LINKBOX_JOBS: the read-ahead helpers of the tree walker
# (core/ahead.c, processes) in danglers, findlinks, linkcount, orphans,
# symlinks, dedup and snapshot.  The helpers only read, so whatever N an applet
# prints, byte for byte, what -j 1 (the plain walk) prints, on stdout and on
# stderr, and exits with the same status.
#
# The trees are made once for the file: SEEDS trees of SIZE entries by
# tests/bench/mktree, DUP_SEEDS trees of duplicates by tests/bench/mkdups,
# and a tree DEEP levels deep for the descriptor limit.  A tree that
# changes during the walk is changed by tests/jobs/churn.c.  They, and the
# directory each test works in, are on tmpfs (/dev/shm) when there is one,
# where a benchmark dropping the caches beside does not slow them down:
# JOBS_TMPDIR overrides.

SEEDS="1 2 3"
SIZE=4000
DUP_SEEDS="1 2"
DUP_COUNT=1500
DEEP=120
JOBS="default 2 8 64"		# each compared with -j 1
CHURN_RUNS=16			# runs of each applet on the changing tree

# helpers.bash's setup_file, which makes $LB_BIN, kept under another name.
eval "helpers_$(declare -f setup_file)"

setup_file() {
	local s i p

	helpers_setup_file
	unset LINKBOX_JOBS
	export SCRATCH=${JOBS_TMPDIR:-}
	if [ -z "$SCRATCH" ]; then
		SCRATCH=$BATS_FILE_TMPDIR
		[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
			[ -w /dev/shm ] &&
			SCRATCH=$(mktemp -d /dev/shm/linkbox-jobs.XXXXXX)
	else
		SCRATCH=$(mktemp -d "$SCRATCH/linkbox-jobs.XXXXXX")
	fi
	export TREES=$SCRATCH/trees CHURN=
	mkdir "$TREES"
	command -v "${CC:-cc}" >/dev/null || return 0
	for s in $SEEDS; do
		"$BATS_TEST_DIRNAME/bench/mktree" -q "$s" "$SIZE" "$TREES/t$s"
	done
	for s in $DUP_SEEDS; do
		"$BATS_TEST_DIRNAME/bench/mkdups" -q -m 4 "$s" "$DUP_COUNT" \
			"$TREES/dups$s"
	done
	"${CC:-cc}" -O2 -o "$BATS_FILE_TMPDIR/churn" \
		"$BATS_TEST_DIRNAME/jobs/churn.c" &&
		CHURN=$BATS_FILE_TMPDIR/churn
	# DEEP levels of d, each with a dangling link, a file holding its
	# level modulo 5 (duplicates for dedup), a second name of it one level
	# up (findlinks, linkcount), a relative link to it, every tenth an
	# absolute one (symlinks), and a side directory w with two files (work
	# for the helpers while the walk is deep).
	local -a side=()
	p=$TREES/deep
	mkdir -p "$p/$(printf 'd/%.0s' $(seq "$DEEP"))"
	for ((i = 1; i <= DEEP; i++)); do
		p=$p/d
		echo $((i % 5)) >"$p/f$i"
		command ln "$p/f$i" "${p%/d}/h$i"
		command ln -s nope "$p/x$i"
		command ln -s "f$i" "$p/s$i"
		[ $((i % 10)) -ne 0 ] || command ln -s "$p/f$i" "$p/a$i"
		side+=("$p/w")
	done
	mkdir "${side[@]}"
	touch "${side[@]/%//a}" "${side[@]/%//b}"
}

teardown_file() {
	[ "$SCRATCH" = "$BATS_FILE_TMPDIR" ] || rm -rf "$SCRATCH"
}

# Each test works in a directory W of its own on SCRATCH.  Under qemu-user
# (LINKBOX_EMU) only the option's own tests run: qemu has no openat2(2),
# so the helpers stop at once and there is no read-ahead to compare.
setup() {
	unset LINKBOX_JOBS
	if [ -n "${LINKBOX_EMU:-}" ] && [[ $BATS_TEST_DESCRIPTION != \
		*@(usage error|accepted|wins over)* ]]; then
		skip "$LINKBOX_EMU has no openat2: no read-ahead to compare"
	fi
	W=$SCRATCH/test$BATS_TEST_NUMBER
	mkdir "$W" && cd "$W" || return 1
	CHURNER= BIN= AS=() STDOUT=
}

teardown() {
	if [ -n "${CHURNER:-}" ]; then
		touch "$W/stop"
		wait "$CHURNER" || true
	fi
	if [ -n "${PUB:-}" ]; then
		chmod -R u+rwx "$PUB" 2>/dev/null
		rm -rf "$PUB"
	fi
	rm -rf "$W"
}

# need_trees: the trees of setup_file, made with a C compiler.
need_trees() {
	[ -d "$TREES/t1" ] || skip "no C compiler for tests/bench/mktree"
}

# jrun J APPLET ARG...: APPLET -j J ARG... (J "default": no -j), under a
# timeout, from $BIN (default $LB_BIN) and as the command prefix AS says
# (setpriv, for an unprivileged user); stdout, stderr and exit status in
# out.J, err.J and rc.J; with STDOUT=full or closed, stdout is /dev/full
# or closed instead.
jrun() {
	local j=$1 applet=$2 rc=0
	local -a opt=()
	shift 2
	[ "$j" = default ] || opt=(-j "$j")
	set -- timeout -k 5 30 "${AS[@]}" "${BIN:-$LB_BIN}/$applet" \
		"${opt[@]}" "$@"
	case ${STDOUT:-} in
	full) "$@" >/dev/full 2>"err.$j" || rc=$? ;;
	closed) "$@" >&- 2>"err.$j" || rc=$? ;;
	*) "$@" >"out.$j" 2>"err.$j" || rc=$? ;;
	esac
	echo "$rc" >"rc.$j"
}

# differs J WHAT: tell how run J differs from -j 1.
differs() {
	printf -- '-j %s: %s differs from -j 1 (%s):\n' "$1" "$2" "$RUN" >&2
	diff "$2.1" "$2.$1" | head -20 >&2
	return 1
}

# same_output STATUS APPLET ARG...: APPLET ARG... exits with STATUS with
# -j 1 and prints something (nothing would prove nothing); with each of
# JOBS it prints the same, byte for byte, and exits with the same status.
same_output() {
	local want=$1 j f bad=0
	shift
	RUN="$*"
	jrun 1 "$@"
	if [ "$(cat rc.1)" != "$want" ]; then
		printf -- '-j 1: status %s, not %s (%s)\n' "$(cat rc.1)" \
			"$want" "$RUN" >&2
		head -5 err.1 >&2
		return 1
	fi
	[ -s out.1 ] || { echo "-j 1 printed nothing ($RUN)" >&2; return 1; }
	for j in $JOBS; do
		jrun "$j" "$@"
		for f in rc out err; do
			cmp -s "$f.1" "$f.$j" || differs "$j" "$f" || bad=1
		done
	done
	return "$bad"
}

# several_links TREE: a regular file of TREE with 3 or more names.
several_links() {
	find "$1" -type f -links +2 -print -quit
}

# --- the output does not depend on N -----------------------------------------

@test "jobs: danglers: any N prints what -j 1 prints" {
	need_trees
	for s in $SEEDS; do
		same_output 1 danglers "$TREES/t$s"
		same_output 1 danglers -l "$TREES/t$s"
		same_output 1 danglers --json-lines "$TREES/t$s"
	done
}

@test "jobs: findlinks -a: any N prints what -j 1 prints" {
	need_trees
	for s in $SEEDS; do
		same_output 0 findlinks -a "$TREES/t$s"
		same_output 0 findlinks -a -1 "$TREES/t$s"
		same_output 0 findlinks -a --json-lines "$TREES/t$s"
	done
}

@test "jobs: findlinks FILE: any N prints what -j 1 prints" {
	need_trees
	local f g
	for s in $SEEDS; do
		f=$(several_links "$TREES/t$s")
		[ -n "$f" ]
		same_output 0 findlinks "$f" "$TREES/t$s"
		same_output 0 findlinks --json-lines "$f" "$TREES/t$s"
		# --all-paths walks the whole tree, not up to the last name.
		same_output 0 findlinks --all-paths "$f" "$TREES/t$s"
		g=$(find "$TREES/t$s" -type f -links 2 -print -quit)
		same_output 0 findlinks -f "$f" -f "$g" "$TREES/t$s"
	done
}

# split_names TREE: "FILE<TAB>DIR": a file of TREE with several names and a
# directory holding one of them but not FILE.
split_names() {
	find "$1" -type f -links +1 -printf '%i %p\n' | LC_ALL=C sort -n |
		awk '$1 != ino { ino = $1; file = $2; next }
		{
			dir = $2; sub("/[^/]*$", "", dir)
			if (index(file, dir "/") == 1)
				next
			print file "\t" dir
			exit
		}'
}

@test "jobs: findlinks FILE with names outside the PATHs: any N reports what -j 1 does" {
	need_trees
	local f dir
	for s in $SEEDS; do
		IFS=$'\t' read -r f dir < <(split_names "$TREES/t$s")
		[ -n "$dir" ]
		same_output 1 findlinks "$f" "$dir"
		grep -q 'outside the searched paths' err.1
	done
}

@test "jobs: linkcount -r: any N prints what -j 1 prints" {
	need_trees
	for s in $SEEDS; do
		same_output 0 linkcount -r "$TREES/t$s"
		same_output 0 linkcount -r -m 2 "$TREES/t$s"
		same_output 0 linkcount -r --summary --each "$TREES/t$s" \
			"$TREES/t$s"/*/
		same_output 0 linkcount -r --json-lines "$TREES/t$s"
	done
}

@test "jobs: orphans: any N prints what -j 1 prints" {
	need_trees
	for s in $SEEDS; do
		same_output 1 orphans "$TREES/t$s"
		same_output 1 orphans -n "$TREES/t$s"
		same_output 1 orphans --json-lines "$TREES/t$s"
	done
}

@test "jobs: symlinks -r: any N prints what -j 1 prints" {
	need_trees
	for s in $SEEDS; do
		same_output 1 symlinks -r "$TREES/t$s"
		same_output 1 symlinks -rv "$TREES/t$s"
		same_output 1 symlinks -rsvt -c "$TREES/t$s"
		same_output 1 symlinks -rv --json-lines "$TREES/t$s"
	done
}

@test "jobs: dedup -l and -n: any N prints what -j 1 prints" {
	need_trees
	for s in $DUP_SEEDS; do
		same_output 0 dedup -l "$TREES/dups$s"
		same_output 0 dedup -n "$TREES/dups$s"
		same_output 0 dedup -l --json-lines "$TREES/dups$s"
		same_output 0 dedup -n --json-lines "$TREES/dups$s"
	done
}

# More directories than the helpers keep waiting, and more entries than
# they read ahead of the walk (AHEAD_ITEMS and AHEAD_WINDOW, core/ahead.c).
@test "jobs: a tree beyond the helpers' bounds: any N prints what -j 1 prints" {
	need_trees
	"$BATS_TEST_DIRNAME/bench/mktree" -q 7 80000 big
	[ "$(find big -type d | wc -l)" -gt 4096 ]
	JOBS="default 8"
	same_output 1 danglers -l big
	same_output 0 findlinks -a big
	same_output 0 linkcount -r big
	rm -rf big
}

# snap_fixture SEED: src, a copy of tree SEED, and repo, with a snapshot s1
# of it made by -j 1; then 12 files of src changed and one added.
snap_fixture() {
	cp -a "$TREES/t$1" src
	lb snapshot -j 1 -q --no-sync --name=s1 src repo
	find src -type f | head -12 | while IFS= read -r f; do
		echo changed >>"$f"
	done
	echo new >src/new
}

@test "jobs: snapshot -n -v: any N prints what -j 1 prints" {
	need_trees
	for s in $SEEDS; do
		snap_fixture "$s"
		same_output 0 snapshot -n -v --name=s2 src repo
		[ -s err.1 ] # the summary
		same_output 0 snapshot -n -v --json-lines --name=s2 src repo
		same_output 0 snapshot --list repo
		rm -rf src repo
	done
}

# listing DIR: every entry under DIR with type, link count, size and link
# text, and which of them are names of one inode (the first name of each
# inode in sorted order stands for it).
listing() {
	(cd "$1" && find . -printf '%i %p %y %n %s %l\n' | LC_ALL=C sort -k2 |
		awk '{ if (!($1 in first)) first[$1] = $2
			$1 = first[$1]; print }')
}

# changes_same STATUS APPLET ARG...: APPLET ARG... run on fresh copies of
# ORIGIN (at the path work) with -j 1 and each of JOBS: the same output
# and status, and the same tree after.
changes_same() {
	local want=$1 j f bad=0
	shift
	RUN="$*"
	for j in 1 $JOBS; do
		cp -a "$ORIGIN" work
		jrun "$j" "$@"
		listing work >"tree.$j"
		rm -rf work
		[ "$j" != 1 ] || continue
		for f in rc out err tree; do
			cmp -s "$f.1" "$f.$j" || differs "$j" "$f" || bad=1
		done
	done
	[ "$(cat rc.1)" = "$want" ] ||
		{ echo "-j 1: status $(cat rc.1), not $want" >&2; bad=1; }
	[ -s out.1 ] || { echo "-j 1 printed nothing ($RUN)" >&2; bad=1; }
	return "$bad"
}

@test "jobs: danglers -d, orphans -d, dedup, symlinks -cd: any N changes what -j 1 changes" {
	need_trees
	JOBS=8
	ORIGIN=$TREES/t1
	changes_same 1 danglers -d -v --notdir work
	changes_same 0 orphans -d -v work
	changes_same 1 symlinks -r -c -d work
	ORIGIN=$TREES/dups1
	changes_same 0 dedup -v work
}

@test "jobs: snapshot: any N makes the snapshot -j 1 makes" {
	need_trees
	local j bad=0
	snap_fixture 2
	for j in 1 $JOBS; do
		cp -a repo "repo.$j"
		jrun "$j" snapshot -v --no-sync --name=s2 src "repo.$j"
		listing "repo.$j/s2" >"tree.$j"
		sed -i "s/repo\.$j/repo/g" "out.$j" "err.$j"
		[ "$j" != 1 ] || continue
		for f in rc out err tree; do
			cmp -s "$f.1" "$f.$j" || differs "$j" "$f" || bad=1
		done
	done
	[ "$(cat rc.1)" = 0 ]
	[ "$bad" = 0 ]
}

# same_failure STATUS APPLET ARG...: as same_output, for a run that
# prints nothing on stdout (STDOUT=full or closed), but says why.
same_failure() {
	local want=$1 j f bad=0
	shift
	RUN="$* >$STDOUT"
	for j in 1 $JOBS; do
		jrun "$j" "$@"
		[ "$j" != 1 ] || continue
		for f in rc err; do
			cmp -s "$f.1" "$f.$j" || differs "$j" "$f" || bad=1
		done
	done
	if [ "$(cat rc.1)" != "$want" ]; then
		echo "-j 1: status $(cat rc.1), not $want ($RUN)" >&2
		bad=1
	fi
	grep -q ': write error: ' err.1 ||
		{ echo "-j 1 says no write error ($RUN)" >&2; bad=1; }
	return "$bad"
}

@test "jobs: stdout on /dev/full or closed: any N fails as -j 1 does" {
	need_trees
	local t=$TREES/t1
	for STDOUT in full closed; do
		same_failure 2 danglers -l "$t"
		same_failure 2 findlinks -a "$t"
		same_failure 1 linkcount -r "$t"	# 1: its own rule
		same_failure 2 orphans "$t"
		same_failure 2 symlinks -rv "$t"
		same_failure 2 dedup -l "$TREES/dups1"
	done
}

@test "jobs: a missing PATH among trees: any N reports what -j 1 does" {
	need_trees
	local t=$TREES
	same_output 2 danglers -l "$t/t1" nothere "$t/t2"
	same_output 2 findlinks -a "$t/t1" nothere "$t/t2"
	# 1: linkcount's own rule for a PATH it cannot examine.
	same_output 1 linkcount -r "$t/t1" nothere "$t/t2"
	same_output 2 orphans "$t/t1" nothere "$t/t2"
	same_output 2 symlinks -rv "$t/t1" nothere "$t/t2"
	same_output 2 dedup -l "$t/dups1" nothere "$t/dups2"
	grep -q nothere err.1
}

@test "jobs: unreadable directories in the tree: any N reports what -j 1 does" {
	need_trees
	need_unpriv
	"$BATS_TEST_DIRNAME/bench/mktree" -q 4 2000 tree
	chmod -R a+rX tree
	# Every third directory closed, and a whole branch.
	find tree -mindepth 2 -type d | awk 'NR % 3 == 0' |
		xargs -d '\n' chmod 000
	chmod 000 "$(find tree -mindepth 1 -maxdepth 1 -type d | head -1)"
	BIN=$PUB/bin
	[ "$(id -u)" -ne 0 ] ||
		AS=(setpriv --reuid=nobody --regid="$(id -g nobody)"
			--clear-groups)
	same_output 2 danglers -l tree
	same_output 2 findlinks -a tree
	same_output 1 linkcount -r tree
	same_output 2 orphans tree
	same_output 2 symlinks -rv tree
	grep -q 'Permission denied' err.1
}

# host_stats APPLET ARG...: the stat calls of APPLET -j 8 ARG..., under
# strace -f, that found host/file (31337 bytes, the only file of that
# size): "st_size=31337" in their results.
host_stats() {
	strace -f -o trace -e trace="$STATS" "$LB_BIN/$1" -j 8 "${@:2}" \
		>/dev/null 2>&1 || true
	grep -c 'st_size=31337' trace || true
}

@test "jobs: --root: no helper follows a link of the image out of it" {
	STATS=$(known_calls newfstatat fstatat64 statx stat lstat stat64 \
		lstat64)
	need_strace -e trace="$STATS"
	local i
	mkdir host
	truncate -s 31337 host/file
	# 40 directories of the image, each with 30 files and a link to the
	# file of the host, which the image lacks.
	for i in $(seq 40); do
		mkdir -p "img/d$i"
		touch "img/d$i/"f{1..30}
		command ln -s "$PWD/host/file" "img/d$i/out"
	done
	[ "$(host_stats danglers --root img)" = 0 ]
	[ "$(host_stats symlinks -r --root img img)" = 0 ]
	# Without --root they are followed: the check sees it.
	[ "$(host_stats danglers img)" -gt 0 ]
}

# --- a tree that changes during the walk -------------------------------------

# churn_start: tests/jobs/churn changing r until the test ends, swapping
# r/jsw with r/jsl (a link to /) and r/jso (a link to out, whose names
# begin with OUT); begins once it has filled r for a moment.
churn_start() {
	[ -n "$CHURN" ] || skip "no C compiler for tests/jobs/churn.c"
	mkdir r out out/OUTd
	echo x >out/OUTf
	command ln out/OUTf out/OUThl
	command ln -s nope out/OUTdangling
	command ln -s nope out/OUTd/OUTdangling
	"$CHURN" r "$PWD/out" stop 60 >churn.log &
	CHURNER=$!
	until [ -L r/jso ] || [ -L r/jsw ] || [ -L r/jsl ]; do
		sleep 0.05
	done
	sleep 0.5
}

# paths APPLET J: the paths in out.J, as APPLET prints them; a line that
# is not in APPLET's form is printed as "BAD: LINE".
paths() {
	case $1 in
	danglers) cat "out.$2" ;;
	linkcount) sed -E 's/^[0-9]+\t//; t; s/^/BAD: /' "out.$2" ;;
	findlinks)
		sed -E '/^[0-9]+:[0-9]+: [0-9]+ links?, [0-9]+ found$/d
			s/^\t//; t; s/^/BAD: /' "out.$2"
		;;
	esac
}

# churned APPLET ARG...: CHURN_RUNS runs of APPLET -j 4 ARG... r (every
# fourth -j 64) while churn changes r: none hangs or dies of a signal,
# each exits 0, 1 or 2, with every stderr line "APPLET: ...", and prints
# only paths below r made of churn's names (no name of /, nor of out).
churned() {
	local applet=$1 i j rc bad=0 lines=0
	churn_start
	for ((i = 1; i <= CHURN_RUNS; i++)); do
		j=4
		[ $((i % 4)) -ne 0 ] || j=64
		jrun "$j" "$@" r
		rc=$(cat "rc.$j")
		RUN="run $i: $applet -j $j ${*:2} r"
		case $rc in
		0 | 1 | 2) ;;
		124) echo "$RUN: hung" >&2; bad=1 ;;
		*) echo "$RUN: status $rc" >&2; bad=1 ;;
		esac
		if grep -qv "^$applet: " "err.$j"; then
			echo "$RUN: stderr not in the form '$applet: ...':" >&2
			grep -v "^$applet: " "err.$j" | head -3 >&2
			bad=1
		fi
		if paths "$applet" "$j" | grep -qvE '^r(/j[^/]*)*$'; then
			echo "$RUN: a path not below r, or not churn's:" >&2
			paths "$applet" "$j" | grep -vE '^r(/j[^/]*)*$' |
				head -3 >&2
			bad=1
		fi
		lines=$((lines + $(wc -l <"out.$j")))
	done
	touch stop
	wait "$CHURNER" || true
	CHURNER=
	note "$applet: $CHURN_RUNS runs, $lines lines;" \
		"churn: $(cat churn.log)"
	return "$bad"
}

@test "jobs: danglers -j 4 on a tree that changes: no escape, no crash" {
	churned danglers
}

@test "jobs: findlinks -a -j 4 on a tree that changes: no escape, no crash" {
	churned findlinks -a
}

@test "jobs: linkcount -r -j 4 on a tree that changes: no escape, no crash" {
	churned linkcount -r
}

# --- the option and the variable ---------------------------------------------

# The tree applets, each with arguments for a walk of . (or of src).
TREE_RUNS=("danglers ." "findlinks -a ." "linkcount -r ." "orphans ."
	"symlinks -r ." "dedup -l ." "snapshot -n src repo")

@test "jobs: -j 0, -j x, -j 65, -j '' and --jobs= are usage errors" {
	local r bad
	for r in "${TREE_RUNS[@]}"; do
		USAGE_APPLET=${r%% *}
		for bad in 0 x 65 -1 2x ''; do
			run -2 --separate-stderr \
				lb "$USAGE_APPLET" -j "$bad" ${r#* }
			assert_output_is ""
			assert_stderr_is \
				"$(usage_error "invalid job count: '$bad'")"
		done
		run -2 --separate-stderr lb "$USAGE_APPLET" --jobs= ${r#* }
		assert_output_is ""
		assert_stderr_is "$(usage_error "invalid job count: ''")"
	done
}

@test "jobs: -j without a number is a usage error" {
	USAGE_APPLET=danglers
	run -2 --separate-stderr lb danglers -j
	assert_output_is ""
	assert_stderr_is "$(usage_error "option requires an argument -- 'j'")"
	USAGE_APPLET=linkcount
	run -2 --separate-stderr lb linkcount -r --jobs
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--jobs' requires an argument")"
}

@test "jobs: a LINKBOX_JOBS that is not a job count is a usage error" {
	local r bad
	for r in "${TREE_RUNS[@]}"; do
		USAGE_APPLET=${r%% *}
		for bad in bad 0 65; do
			LINKBOX_JOBS=$bad run -2 --separate-stderr \
				lb "$USAGE_APPLET" ${r#* }
			assert_output_is ""
			assert_stderr_is "$(usage_error \
				"invalid LINKBOX_JOBS: '$bad'")"
		done
	done
}

@test "jobs: -j 1, -j 64, --jobs=N and -jN are accepted by every tree applet" {
	local r j
	mkdir src
	command ln -s nope src/x
	for r in "${TREE_RUNS[@]}"; do
		for j in "-j 1" "-j 64" --jobs=3 -j2; do
			run --separate-stderr lb ${r%% *} $j ${r#* }
			if [ "$status" -gt 1 ]; then
				echo "$r $j: status $status: $stderr" >&2
				false
			fi
		done
	done
}

@test "jobs: -j wins over LINKBOX_JOBS" {
	need_trees
	local want
	LINKBOX_JOBS=1 run -1 --separate-stderr lb danglers -j 3 "$TREES/t1"
	want=$output
	run -1 --separate-stderr lb danglers -j 1 "$TREES/t1"
	assert_output_is "$want"
	assert_stderr_is ""
}

# helpers ARG...: how many helpers ARG... (an applet and its arguments,
# with environment assignments before it) starts: its clone(2) calls of a
# process (flags=SIGCHLD), under strace -f.
helpers() {
	local -a env=()
	while [[ $1 == *=* ]]; do
		env+=("$1")
		shift
	done
	clones "${env[@]}" "$LB_BIN/$1" "${@:2}"
}

# need_counts: strace can count the clone calls.
need_counts() {
	need_strace -e trace=clone,clone3
}

# clones [VAR=VALUE...] CMD...: the clone(2) calls of CMD that make a
# process (fork's, flags=SIGCHLD).
clones() {
	(
		while [[ $1 == *=* ]]; do
			export "$1"
			shift
		done
		strace -f -o trace -e trace=clone,clone3 "$@" >/dev/null 2>&1
	)
	grep -c 'clone(.*flags=SIGCHLD' trace || true
}

@test "jobs: -j N starts N - 1 helpers; -j 1 none" {
	need_trees
	need_counts
	[ "$(helpers danglers -j 1 "$TREES/t1")" = 0 ]
	[ "$(helpers danglers -j 2 "$TREES/t1")" = 1 ]
	[ "$(helpers findlinks -a --jobs=5 "$TREES/t1")" = 4 ]
	[ "$(helpers linkcount -r -j8 "$TREES/t1")" = 7 ]
	[ "$(helpers symlinks -r -j 64 "$TREES/t1")" = 63 ]
}

@test "jobs: N comes from -j, else LINKBOX_JOBS, else the CPUs it may use (8 at most)" {
	need_trees
	need_counts
	local cpus
	cpus=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
	[ "$cpus" -le 8 ] || cpus=8
	[ "$(helpers LINKBOX_JOBS=3 danglers "$TREES/t1")" = 2 ]
	[ "$(helpers LINKBOX_JOBS=3 danglers -j 2 "$TREES/t1")" = 1 ]
	[ "$(helpers LINKBOX_JOBS=1 orphans -j 3 "$TREES/t1")" = 2 ]
	[ "$(helpers danglers "$TREES/t1")" = $((cpus - 1)) ]
	! command -v taskset >/dev/null ||
		[ "$(clones taskset -c 0 "$LB_BIN/danglers" "$TREES/t1")" = 0 ]
}

# --- the descriptor limit ----------------------------------------------------

# limit N: AS, the command prefix for jrun, runs the applet under
# ulimit -n N with only descriptors 0, 1 and 2 open (those bats keeps
# open would take numbers below the limit).
limit() {
	AS=(bash -c 'for fd in $(ls /proc/$$/fd); do
		[ "$fd" -le 2 ] || eval "exec $fd>&-"
	done
	ulimit -n '"$1"' && exec "$@"' limited)
}

# limited_same STATUS APPLET ARG...: same_output under the limit of AS,
# and -j 1 prints the same without it.
limited_same() {
	local -a as=("${AS[@]}")
	same_output "$@" || return
	mv out.1 out.limited
	mv err.1 err.limited
	AS=()
	jrun 1 "${@:2}"
	AS=("${as[@]}")
	cmp -s out.1 out.limited && cmp -s err.1 err.limited && return
	echo "-j 1 under the limit differs from -j 1 without it ($*)" >&2
	diff out.1 out.limited | head >&2
	diff err.1 err.limited | head >&2
	return 1
}

@test "jobs: ulimit -n 16: the default and -j 8 print what -j 1 prints" {
	need_trees
	skip_under_valgrind
	JOBS="default 8"
	limit 16
	local t
	for t in "$TREES/deep" "$TREES/t1"; do
		limited_same 1 danglers -l "$t"
		limited_same 0 findlinks -a "$t"
		limited_same 0 linkcount -r "$t"
		limited_same 1 orphans --links=2 "$t"
		limited_same 1 symlinks -rv "$t"
	done
	limited_same 0 findlinks "$TREES/deep/d/h2" "$TREES/deep"
	limited_same 0 dedup -l "$TREES/deep"
}

@test "jobs: descriptor limits near where read-ahead starts: -j 2 and -j 64 print what -j 1 prints" {
	need_trees
	skip_under_valgrind
	JOBS="2 64"
	local n
	# No helper below 128 + 1 (-j 2) and 128 + 63 (-j 64).
	for n in 100 128 129 191 192 256; do
		limit "$n"
		limited_same 1 danglers -l "$TREES/deep"
		limited_same 0 findlinks -a "$TREES/t2"
		limited_same 0 linkcount -r "$TREES/deep"
		limited_same 1 symlinks -rv "$TREES/t3"
		limited_same 0 dedup -l "$TREES/dups1"
	done
}

@test "jobs: ulimit -n 16 starts no helper" {
	need_trees
	need_counts
	skip_under_valgrind
	[ "$(clones bash -c 'ulimit -n 16 && exec "$0" -j 8 "$1"' \
		"$LB_BIN/danglers" "$TREES/deep")" = 0 ]
}
