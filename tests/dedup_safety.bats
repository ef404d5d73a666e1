#!/usr/bin/env bats
load helpers

# dedup's safety claims (applets/dedup/, docs/dedup.1 "THE SAFETY
# MODEL"), checked against a concurrent reader, SIGKILL at every mutating
# system call, injected errors, a writer racing the replacement, and
# SIGINT/SIGTERM.  Faults and delays come from strace -e inject.  Every
# loop is bounded in count and time; the whole file takes well under
# 90 s.  Each test prints its figures as "# ..." lines on the TAP stream.
#
#   DEDUP_RACE_N        dedup runs beside the reader (300)
#   DEDUP_RACE_SECONDS  ... or this many seconds, whichever comes first (20)
#   DEDUP_WRITES        lost-write attempts per path (5)

setup() {
	need_slow "races and faults of dedup"
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w" || return 1
	skip_unless_applet dedup
}

CHANGED="dedup: 'k/b' changed since it was compared; left alone"

# The mutating system calls to enumerate, as far as this strace knows them
# (musl's open(3) is open(2), glibc's is openat(2)).
mutating_calls() {
	known_calls linkat renameat renameat2 unlinkat symlinkat openat open \
		rename link unlink
}

# fixture: k/ holds a, b, c (identical; a the oldest, so kept) and the
# decoy d, of the same size, differing in its last byte; ../orig keeps a
# copy of each to compare with.
fixture() {
	rm -rf k
	mkdir k
	printf 'the same sixteen bytes of data.\n' >k/a
	cp k/a k/b
	cp k/a k/c
	printf 'the same sixteen bytes of data!\n' >k/d
	touch -d 2001-01-01 k/a
	if [ ! -d ../orig ]; then
		mkdir ../orig
		cp k/a k/b k/c k/d ../orig/
	fi
}

# intact: every name of the fixture is there, a regular file, with its
# original bytes.
intact() {
	local n
	for n in a b c d; do
		if [ ! -f "k/$n" ] || [ -L "k/$n" ]; then
			echo "k/$n is missing"
			return 1
		fi
		if ! cmp -s "k/$n" "../orig/$n"; then
			echo "k/$n does not hold its original bytes"
			return 1
		fi
	done
}

# temps_sound: each temporary left in k/ is a regular file holding the
# bytes of the duplicates (the kept file or a displaced duplicate), so
# nothing is lost.  Prints how many there are.
temps_sound() {
	local t n=0
	for t in k/.*.dedup.??????; do
		[ -e "$t" ] || continue
		if [ ! -f "$t" ] || ! cmp -s "$t" ../orig/a; then
			echo "temporary $t does not hold the bytes" >&2
			return 1
		fi
		n=$((n + 1))
	done
	echo "$n"
}

# dedup_traced STRACE_OPTION... -- DEDUP_ARG...: dedup under strace.
dedup_traced() {
	strace_applet dedup -o /dev/null "$@"
}

# wait_for_temp NAME: busy-wait (at most 5 s) until the temporary of NAME
# in k/ exists; false if it never does.
wait_for_temp() {
	local end=$((SECONDS + 5))
	while ((SECONDS < end)); do
		compgen -G "k/.$1.dedup.??????" >/dev/null && return 0
	done
	return 1
}

# --- (a) a reader never misses a name ----------------------------------------

@test "dedup: a concurrent reader never finds a name missing or wrong" {
	need_reader
	local n=${DEDUP_RACE_N:-300} limit=${DEDUP_RACE_SECONDS:-20}
	local runs=0 failed=0 linked=0 start i f result
	mkdir k
	printf 'one line of duplicated data\n' >orig
	printf 'one line of duplicated date\n' >decoy
	for i in 1 2 3 4; do
		cp orig "k/n$i"
	done
	cp decoy k/x
	touch -d 2001-01-01 k/n1
	"$READER" read orig k/n1 k/n2 k/n3 k/n4 stop >reader.out 3>&- &
	local reader=$!
	for ((i = 0; i < 500; i++)); do
		[ -e stop.ready ] && break
		sleep 0.01
	done
	[ -e stop.ready ] || { touch stop; wait "$reader"; false; }
	start=$SECONDS
	while ((runs < n && SECONDS - start < limit)); do
		# Separate inodes again, each name replaced by rename(2) so
		# that the reader never sees it missing.
		for f in n2 n3 n4; do
			cp orig k/.fresh && mv -f k/.fresh "k/$f"
		done
		"$LB_BIN/dedup" -q k >/dev/null 2>>dedup.err ||
			failed=$((failed + 1))
		runs=$((runs + 1))
		[ k/n1 -ef k/n2 ] && [ k/n1 -ef k/n3 ] && [ k/n1 -ef k/n4 ] &&
			linked=$((linked + 1))
	done
	touch stop
	wait "$reader"
	result=$(cat reader.out)
	note "reader: $runs dedup runs in $((SECONDS - start)) s," \
		"$linked linked all four names; $result"
	[ "$failed" = 0 ] || { cat dedup.err >&2; false; }
	[ "$linked" = "$runs" ]
	[[ $result =~ ^iterations\ ([0-9]+)\ misses\ 0\ .*\ wrong\ 0$ ]]
	((BASH_REMATCH[1] > runs))
	cmp k/x decoy
	no_temps k
}

# --- (b) SIGKILL at every mutating system call -------------------------------

# kill_everywhere MODE: enumerate the mutating calls of one run on the
# fixture, then kill dedup on entering each occurrence of each, in turn.
# MODE exchange: as it is; fallback: with renameat2 failing with EINVAL,
# so that the check-then-rename(2) path runs.
kill_everywhere() {
	local mode=$1 extra=() calls s count n st left points=0 kept=0 bad=0
	local -a seen
	[ "$mode" = fallback ] && extra=(-e inject=renameat2:error=EINVAL)
	calls=$(mutating_calls)
	fixture
	strace -f -o trace.log -e trace="$calls" "${extra[@]}" \
		"$LB_BIN/dedup" -q k >/dev/null
	if ! one_file_abc; then
		echo "the enumeration run did not link" >&2
		return 1
	fi
	mapfile -t seen < <(occurrences trace.log)
	for s in "${seen[@]}"; do
		count=${s#* }
		s=${s% *}
		[ "$mode" = fallback ] && [ "$s" = renameat2 ] && continue
		for ((n = 1; n <= count; n++)); do
			fixture
			dedup_traced "${extra[@]}" \
				-e inject="$s:signal=SIGKILL:when=$n" -- \
				-q k >/dev/null 2>&1 && st=0 || st=$?
			points=$((points + 1))
			if [ "$st" != 137 ]; then
				echo "$s #$n: not killed (status $st)" >&2
				bad=$((bad + 1))
			fi
			if ! intact >&2; then
				echo "  after SIGKILL at $s #$n" >&2
				bad=$((bad + 1))
			fi
			if ! left=$(temps_sound); then
				bad=$((bad + 1))
				continue
			fi
			[ "$left" -gt 0 ] && kept=$((kept + 1))
			# A later run finishes the job and removes the
			# temporaries: each holds the bytes of its name.
			if ! "$LB_BIN/dedup" -q k >/dev/null; then
				echo "rerun after $s #$n failed" >&2
				bad=$((bad + 1))
			fi
			if [ "$(temps_sound)" != 0 ]; then
				echo "rerun after $s #$n left a temporary" >&2
				bad=$((bad + 1))
			fi
			one_file_abc || bad=$((bad + 1))
			intact >&2 || bad=$((bad + 1))
		done
	done
	note "$mode: $points kill points (${seen[*]}), $bad violations," \
		"$kept left a temporary"
	[ "$points" -gt 0 ] && [ "$bad" = 0 ]
}

one_file_abc() {
	[ k/a -ef k/b ] && [ k/a -ef k/c ] && ! [ k/a -ef k/d ]
}

@test "dedup: SIGKILL at any mutating system call loses no name and no byte" {
	need_inject linkat
	kill_everywhere exchange
}

@test "dedup: SIGKILL at any mutating system call, rename(2) fallback" {
	need_inject linkat
	kill_everywhere fallback
}

@test "dedup: SIGKILL before the exchange back leaves the newer bytes at the temporary" {
	need_inject linkat
	rm -rf k
	mkdir k
	printf 'a line both files hold\n' >k/a
	cp k/a k/b
	touch -d 2001-01-01 k/a
	# The link is held 0.3 s after it is made; the writer appends to b;
	# the exchange shows the change, and dedup dies entering the
	# exchange back.
	(wait_for_temp b && echo appended >>k/b) 3>&- &
	local writer=$! t found=
	run -137 dedup_traced -e inject=linkat:delay_exit=300000 \
		-e inject=renameat2:signal=SIGKILL:when=2 -- -q k
	wait "$writer"
	[ -f k/b ]
	for t in k/b k/.b.dedup.??????; do
		[ -f "$t" ] && [ "$(tail -n 1 "$t")" = appended ] && found=$t
	done
	note "killed before the exchange back: the appended line is in $found"
	[ -n "$found" ]
	# A rerun leaves the temporary alone when it holds other bytes.
	if [ "$found" != k/b ]; then
		run -1 --separate-stderr "$LB_BIN/dedup" -q k
		assert_stderr_is "dedup: '$found' is left from an interrupted \
dedup and differs from 'k/b': left alone"
		[ "$(tail -n 1 "$found")" = appended ]
	fi
}

# --- (c) injected errors -----------------------------------------------------

# inject_error SYSCALL ERRNO [STRACE_OPTION...]: run on a fresh fixture
# with every call of SYSCALL failing; the names must be intact, nothing
# left, nothing linked.
inject_error() {
	local s=$1 e=$2
	shift 2
	fixture
	run --separate-stderr dedup_traced "$@" -e inject="$s:error=$e" -- k
	intact
	no_temps k
	! [ k/a -ef k/b ] && ! [ k/a -ef k/c ] && ! [ k/b -ef k/c ]
}

# Each line of $stderr, two in all, starts with one of "$1'k/b'$2" and
# "$1'k/c'$2".
assert_two_messages() {
	local line
	if [ "${#stderr_lines[@]}" != 2 ]; then
		printf 'expected 2 messages, got: [%s]\n' "$stderr" >&2
		return 1
	fi
	for line in "${stderr_lines[@]}"; do
		case $line in
		"$1'k/b'$2"* | "$1'k/c'$2"*) ;;
		*)
			printf 'unexpected message: [%s]\n' "$line" >&2
			return 1
			;;
		esac
	done
	[ "${stderr_lines[0]}" != "${stderr_lines[1]}" ]
}

@test "dedup: linkat failing (EXDEV, ENOSPC, EPERM): reported, status 1" {
	need_inject linkat
	local e
	local statuses=
	for e in EXDEV ENOSPC EPERM; do
		inject_error linkat "$e"
		statuses+="$status "
		assert_two_messages "dedup: cannot link " " to 'k/a': "
		[[ $output == *"not linked because of errors: 2"* ]]
	done
	note "linkat EXDEV, ENOSPC, EPERM: statuses $statuses"
	[ "$statuses" = "1 1 1 " ]
}

@test "dedup: linkat failing with EMLINK starts a new kept file, no error" {
	need_inject linkat
	# Every file says it is full: each one is kept, none linked.
	inject_error linkat EMLINK
	[ "$status" = 0 ]
	assert_stderr_is ""
	[[ $output == *"not linked because of errors: 0"* ]]
	# Only the second link is refused: a new kept file from then on.
	fixture
	run -0 --separate-stderr dedup_traced \
		-e inject=linkat:error=EMLINK:when=2 -- k
	assert_stderr_is ""
	intact
	no_temps k
	{ [ k/a -ef k/b ] && ! [ k/a -ef k/c ]; } ||
		{ [ k/a -ef k/c ] && ! [ k/a -ef k/b ]; }
}

@test "dedup: the exchange failing (EMLINK, EXDEV, ENOSPC, EPERM): reported, status 1" {
	need_inject linkat
	local e
	local statuses=
	for e in EMLINK EXDEV ENOSPC EPERM; do
		inject_error renameat2 "$e"
		statuses+="$status "
		assert_two_messages "dedup: cannot replace " ": "
		[[ $output == *"not linked because of errors: 2"* ]]
	done
	note "renameat2 EMLINK, EXDEV, ENOSPC, EPERM: statuses $statuses"
	[ "$statuses" = "1 1 1 1 " ]
}

@test "dedup: rename(2) failing in the fallback (EMLINK, EXDEV, ENOSPC, EPERM): reported, status 1" {
	need_inject linkat
	local e
	local statuses=
	for e in EMLINK EXDEV ENOSPC EPERM; do
		inject_error renameat "$e" -e inject=renameat2:error=EINVAL
		statuses+="$status "
		assert_two_messages "dedup: cannot replace " ": "
		[[ $output == *"not linked because of errors: 2"* ]]
	done
	note "fallback renameat EMLINK, EXDEV, ENOSPC, EPERM: statuses" \
		"$statuses"
	[ "$statuses" = "1 1 1 1 " ]
}

@test "dedup: where the exchange is unsupported the fallback links" {
	need_inject linkat
	local e
	for e in EINVAL ENOSYS EOPNOTSUPP; do
		fixture
		run -0 --separate-stderr dedup_traced \
			-e inject="renameat2:error=$e" -- k
		assert_stderr_is ""
		[[ $output == *"names relinked: 2"* ]]
		one_file_abc
		intact
		no_temps k
	done
}

@test "dedup: a temporary that cannot be removed is named with its directory" {
	need_inject linkat
	fixture
	run --separate-stderr dedup_traced -e inject=unlinkat:error=EIO -- k
	intact
	[ "${#stderr_lines[@]}" = 2 ]
	local line temp="'k/."[bc]".dedup."??????"'"
	for line in "${stderr_lines[@]}"; do
		[[ $line == "dedup: cannot remove "$temp": "* ]] ||
			{ echo "unexpected message: [$line]" >&2; return 1; }
	done
	[ "$status" = 1 ]
}

@test "dedup: a temporary left after a failed exchange is reported" {
	need_inject linkat
	fixture
	# The exchange fails, and so does the removal of the temporary.
	run --separate-stderr dedup_traced \
		-e inject=renameat2:error=EPERM \
		-e inject=unlinkat:error=EIO -- k
	intact
	# Two failures a name: the exchange, then the temporary's removal.
	[ "${#stderr_lines[@]}" = 4 ]
	local line
	for line in "${stderr_lines[@]}"; do
		[[ $line == "dedup: cannot replace 'k/"[bc]"': "* ||
		    $line == "dedup: cannot remove 'k/."[bc]".dedup."??????"': "* ]] ||
			{ echo "unexpected message: [$line]" >&2; return 1; }
	done
	local t
	for t in k/.*.dedup.??????; do
		[ -e "$t" ] || continue
		[[ $stderr == *"${t##*/}"* ]] ||
			{ echo "$t left without a word" >&2; return 1; }
	done
	[ "$status" = 1 ]
}

# --- (d) a write racing the replacement --------------------------------------

# race_write DELAY_AT_TEMP STRACE_OPTION...: on a fixture of k/a (kept)
# and k/b, append a line to k/b once the temporary for b exists (plus
# DELAY_AT_TEMP seconds), while strace holds dedup in a delay.  Sets
# status, stderr, and LOST (1 when the line is gone from k/b).
race_write() {
	local pause=$1 writer
	shift
	rm -rf k
	mkdir k
	printf 'a line both files hold\n' >k/a
	cp k/a k/b
	touch -d 2001-01-01 k/a
	INO=$(stat -c %i k/b)
	(wait_for_temp b && sleep "$pause" && echo appended >>k/b) 3>&- &
	writer=$!
	run --separate-stderr dedup_traced "$@" -- -q k
	if ! wait "$writer"; then
		echo "the writer never saw the temporary" >&2
		return 1
	fi
	LOST=1
	[ "$(tail -n 1 k/b)" = appended ] && LOST=0
	cmp -s k/a <(printf 'a line both files hold\n') ||
		{ echo "k/a changed" >&2; return 1; }
	return 0
}

@test "dedup: a write to a duplicate just before the exchange is not lost" {
	need_inject linkat
	local try n=${DEDUP_WRITES:-5} caught=0 statuses=
	# (not i: bats's run sets a global i)
	for ((try = 0; try < n; try++)); do
		race_write 0 -e inject=renameat2:delay_enter=300000
		statuses+="$status "
		if [ "$LOST" = 0 ] && ! [ k/a -ef k/b ] &&
			[ "$(stat -c %i k/b)" = "$INO" ] &&
			[ "$stderr" = "$CHANGED" ]; then
			caught=$((caught + 1))
		fi
		no_temps k
	done
	note "exchange: $caught of $n writes detected and kept" \
		"(exchanged back), statuses: $statuses"
	[ "$caught" = "$n" ]
	[ "$statuses" = "$(printf '1 %.0s' $(seq "$n"))" ]
}

@test "dedup: fallback: a write before the check is not lost" {
	need_inject linkat
	local try n=${DEDUP_WRITES:-5} caught=0 statuses=
	# (not i: bats's run sets a global i)
	for ((try = 0; try < n; try++)); do
		# The failed exchange is held 0.3 s: the write lands before
		# the check that precedes rename(2).
		race_write 0 \
			-e inject=renameat2:error=EINVAL:delay_enter=300000
		statuses+="$status "
		if [ "$LOST" = 0 ] && ! [ k/a -ef k/b ] &&
			[ "$stderr" = "$CHANGED" ]; then
			caught=$((caught + 1))
		fi
		no_temps k
	done
	note "fallback, write before the check: $caught of $n detected," \
		"statuses: $statuses"
	[ "$caught" = "$n" ]
	[ "$statuses" = "$(printf '1 %.0s' $(seq "$n"))" ]
}

@test "dedup: fallback: a write between the check and rename(2) (the documented window)" {
	need_inject linkat
	local try n=3 lost=0
	for ((try = 0; try < n; try++)); do
		# rename(2) is held 0.3 s after the check passed; the write
		# lands in the window.  What the fallback still guarantees:
		# the name is never missing and holds whole bytes of one
		# version; the write went to the displaced inode.
		race_write 0.1 -e inject=renameat2:error=EINVAL \
			-e inject=renameat:delay_enter=300000
		[ -f k/b ]
		cmp -s k/b k/a || [ "$LOST" = 0 ]
		no_temps k
		lost=$((lost + LOST))
	done
	note "fallback window: $lost of $n writes made after the check were" \
		"lost from the name (as documented)"
}

# --- (e) SIGINT and SIGTERM --------------------------------------------------

# interrupt SIGNAL STATUS: 20 duplicates, each link held 0.1 s by strace;
# SIGNAL once the second link has begun.  dedup must finish the name under way, print the
# summary so far, leave no temporary, and die of SIGNAL.
interrupt() {
	local sig=$1 want=$2 i tracer st relinked f
	mkdir k
	printf 'twenty copies of this\n' >k/a
	for ((i = 1; i <= 20; i++)); do
		cp k/a "k/f$i"
	done
	touch -d 2001-01-01 k/a
	cp k/a ../orig
	strace -f -o trace.log -e trace=linkat \
		-e inject=linkat:delay_enter=100000 \
		sh -c 'echo $$ >pid; exec "$0" "$@"' "$LB_BIN/dedup" k \
		>out 2>err 3>&- &
	tracer=$!
	for ((i = 0; i < 200; i++)); do
		[ -s pid ] && break
		sleep 0.01
	done
	# Signal once the second link is under way, however loaded the
	# machine: each is held 0.1 s, so the run is then mid-way.
	for ((i = 0; i < 1000; i++)); do
		[ "$(grep -c '^[0-9]* *linkat(' trace.log 2>/dev/null)" -ge 2 ] &&
			break
		sleep 0.01
	done
	kill -s "$sig" "$(cat pid)"
	wait "$tracer" && st=0 || st=$?
	relinked=$(sed -n 's/^names relinked: //p' out)
	note "$sig: status $st, $relinked of 20 names relinked before stopping"
	[ "$st" = "$want" ]
	grep -q "+++ killed by $sig +++" trace.log
	[ "$(wc -l <out)" = 7 ]
	[ "$(head -n 1 out)" = "files scanned: 21" ]
	[ -n "$relinked" ] && ((relinked > 0 && relinked < 20))
	[ "$(stat -c %h k/a)" = $((relinked + 1)) ]
	# Nothing from dedup (a shell may say "Terminated" of the strace job).
	! grep -q "^dedup:" err || { cat err >&2; false; }
	no_temps k
	for f in k/a k/f*; do
		cmp "$f" ../orig
	done
}

@test "dedup: SIGINT finishes the name under way, prints the summary, exits 130" {
	need_inject linkat
	interrupt SIGINT 130
}

@test "dedup: SIGTERM finishes the name under way, prints the summary, exits 143" {
	need_inject linkat
	interrupt SIGTERM 143
}
