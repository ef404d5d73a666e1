#!/usr/bin/env bats
load helpers

# orphans -d against a backup that links pool files while it runs, and
# under faults (applets/orphans.c, core/atomic.c).  The claim: a pool name
# is removed only while its file has no other link, so no backup link
# ever outlives the pool name it was made from.
#   (a) race: tests/race/linker links random pool files into backup/ (by
#       their pool names: ln pool/X backup/X.N) while orphans -d pool runs
#       over and over; after each run every backup link must still be its
#       pool name's inode.  The positive control runs the same linker
#       against find -links 1 -delete and -exec rm, which must lose some.
#   (b) faults: SIGKILL and EIO (strace -e inject) at each rename, link
#       and unlink of a run on a small pool: no linked file loses its
#       name, a run leaves at most quarantine names, and the next -d
#       leaves exactly the linked files.  Also with a file linked while
#       it is aside, and with renameat2 unsupported (the fallbacks).
# Every loop is bounded in time and count; the figures go to the TAP
# output as "# ..." lines.  The whole file takes about a minute.
#
# Half the runs of the race and of the control are widened: strace holds
# each rename and unlink DELAY on entry (as tests/danglers_race.bats does),
# so that the windows a link can fall in are long enough to be hit often;
# the other half run as they are.
#
#   ORPHANS_RACE_SECONDS     time of the race against orphans -d (10)
#   ORPHANS_CONTROL_SECONDS  time of the control, at most (10)
#   ORPHANS_RACE_POOL        files in the pool (200)
#   ORPHANS_RACE_RATE        links a second while a run is on (5000)
#   ORPHANS_RACE_DELAY       microseconds each rename and unlink is held in
#                            a widened run (1000)

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	skip_unless_applet orphans
	need_slow "races and faults of orphans"
}

teardown() {
	stop_linker
	stop_watcher
	unmount_all
}

# --- (a) a backup linking while orphans -d runs ------------------------------

# need_linker: LINKER, tests/race/linker (see its header), built by make
# when missing or older than its source.
need_linker() {
	command -v make >/dev/null || skip "no make to build the linker"
	command -v "${CC:-cc}" >/dev/null ||
		skip "no C compiler (${CC:-cc}) for the linker"
	MAKEFLAGS= MFLAGS= make -s -C "$REPO" tests/race/linker >&2
	LINKER=$REPO/tests/race/linker
}

# race_start: on a fresh tmpfs (as root; else in the test's directory,
# slower), POOL_NAMES (f0 ... f<ORPHANS_RACE_POOL-1>, also one a line in
# names) in pool/, each holding its name, and the linker started, then
# stopped (SIGSTOP): round runs it only while the remover runs.
race_start() {
	need_linker
	if [ "$(id -u)" = 0 ]; then
		mount_tmpfs
		cd "$MNT" || return 1
	fi
	mkdir pool backup
	local i n=${ORPHANS_RACE_POOL:-200}
	seq -f 'f%.0f' 0 $((n - 1)) >names
	mapfile -t POOL_NAMES <names
	refill
	"$LINKER" -r "${ORPHANS_RACE_RATE:-5000}" -t 120 pool backup \
		"$BATS_TEST_TMPDIR/stop" "${POOL_NAMES[@]}" \
		>"$BATS_TEST_TMPDIR/linker.out" 3>&- &
	LINKER_PID=$!
	for ((i = 0; i < 500; i++)); do
		[ -e "$BATS_TEST_TMPDIR/stop.ready" ] && break
		sleep 0.01
	done
	kill -STOP "$LINKER_PID"
	[ -e "$BATS_TEST_TMPDIR/stop.ready" ]
	ROUNDS=0 CHECKED=0 LOST=0
	WIDEN=
	if command -v strace >/dev/null &&
		strace -f -o /dev/null -e inject=unlinkat:delay_enter=1 true \
		2>/dev/null; then
		WIDEN=$(known_calls renameat2 renameat unlinkat)
	fi
}

# widening: how widened runs are, in words.
widening() {
	if [ -n "$WIDEN" ]; then
		echo "widened (${ORPHANS_RACE_DELAY:-1000} us at each $WIDEN)"
	else
		echo "not widened (no strace)"
	fi
}

# widened COMMAND...: COMMAND with each rename and unlink held
# ORPHANS_RACE_DELAY microseconds on entry (as it is without strace).
widened() {
	if [ -z "$WIDEN" ]; then
		"$@"
		return
	fi
	strace -f -o /dev/null \
		-e "inject=$WIDEN:delay_enter=${ORPHANS_RACE_DELAY:-1000}" "$@"
}

# stop_linker: let it go on, tell it to stop, and read its figures into
# LINKS (made), REFUSED (the pool name was gone) and OTHER (other errors).
stop_linker() {
	[ -n "${LINKER_PID:-}" ] || return 0
	kill -CONT "$LINKER_PID" 2>/dev/null || true
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$LINKER_PID" || true
	LINKER_PID=
	read -r _ LINKS _ REFUSED _ OTHER <"$BATS_TEST_TMPDIR/linker.out" ||
		true
}

# refill: the pool names that are gone made again (new files).  (Loops
# over the pool run in find and awk: bats's traps slow a shell loop ten
# times.)
refill() {
	find pool -maxdepth 1 -type f -printf '%f\n' | awk '
		NR == FNR { want[$0]; next }
		{ delete want[$0] }
		END { for (x in want) { f = "pool/" x; print x >f; close(f) } }
		' names -
}

# round KIND COMMAND...: one run of COMMAND with the linker going, its
# output added to KIND.out and KIND.err; then the check: every backup
# link backup/X.N is still the file of pool/X (LOST counts those that
# are not; the first few are shown); then the backup expires (its links
# removed) and the pool is refilled.  Sets STATUS.
round() {
	local kind=$1 figures
	shift
	kill -CONT "$LINKER_PID"
	"$@" >>"$kind.out" 2>>"$kind.err" && STATUS=0 || STATUS=$?
	kill -STOP "$LINKER_PID"
	ROUNDS=$((ROUNDS + 1))
	# Nothing changes the pool now: a link the stopped linker is still
	# making is of a pool file as it is.
	figures=$({
		find pool -maxdepth 1 -type f -printf 'pool %f %i\n'
		find backup -type f -printf 'backup %f %i\n'
	} | awk -v round="$ROUNDS" -v shown="$LOST" '
		$1 == "pool" { ino[$2] = $3; next }
		{
			x = $2; sub(/\.[0-9]+$/, "", x); n++
			if (ino[x] == $3)
				next
			if (lost++ + shown >= 5)
				next
			what = (x in ino) ? "another file" : "gone"
			printf "round %d: backup/%s is linked, pool/%s is %s\n",
			    round, $2, x, what >"/dev/stderr"
		}
		END { print n + 0, lost + 0 }')
	CHECKED=$((CHECKED + ${figures% *}))
	LOST=$((LOST + ${figures#* }))
	find backup -type f -delete
	refill
}

# race_figures KIND: FIGURES, "N removed, K put back", from KIND.err;
# REMOVED and KEPT added up, anything else in UNEXPECTED.
race_figures() {
	local removed kept
	touch "$1.err"
	removed=$(sed -n 's/^orphans: \([0-9]*\) files removed, .*/\1/p' \
		"$1.err" | awk '{ n += $1 } END { print n + 0 }')
	kept=$(grep -c 'was linked while being removed; kept$' "$1.err" ||
		true)
	UNEXPECTED+=$(grep -v -e 'was linked while being removed; kept$' \
		-e '^orphans: [0-9]* files removed, ' "$1.err" || true)
	REMOVED=$((REMOVED + removed))
	KEPT=$((KEPT + kept))
	FIGURES="$removed removed, $kept linked while aside and put back"
}

@test "orphans: -d never removes a pool name while a backup links it" {
	local limit=${ORPHANS_RACE_SECONDS:-10} start bad=0 plain wide
	local before lost_plain=0 lost_wide=0 runs_plain=0 runs_wide=0
	race_start
	start=$SECONDS
	while ((SECONDS - start < limit && ROUNDS < 5000)); do
		before=$LOST
		round plain "$LB_BIN/orphans" -d pool
		lost_plain=$((lost_plain + LOST - before))
		runs_plain=$((runs_plain + 1))
		case $STATUS in 0 | 1) ;; *) bad=$((bad + 1)) ;; esac
		before=$LOST
		round wide widened "$LB_BIN/orphans" -d pool
		lost_wide=$((lost_wide + LOST - before))
		runs_wide=$((runs_wide + 1))
		case $STATUS in 0 | 1) ;; *) bad=$((bad + 1)) ;; esac
	done
	stop_linker
	REMOVED=0 KEPT=0 UNEXPECTED=
	note "$((SECONDS - start)) s, pool of ${#POOL_NAMES[@]}, linker" \
		"$LINKS links, $REFUSED refused (name gone or aside), $OTHER" \
		"other errors; $CHECKED backup links checked"
	race_figures plain
	note "orphans -d: $runs_plain runs: $FIGURES; $lost_plain backup" \
		"links lost their pool name"
	race_figures wide
	note "orphans -d, $(widening): $runs_wide runs: $FIGURES;" \
		"$lost_wide lost"
	[ -z "$UNEXPECTED" ] ||
		{ echo "unexpected messages: $UNEXPECTED" >&2; false; }
	[ "$bad" = 0 ]
	[ "$LOST" = 0 ]
	[ "$OTHER" = 0 ]
	[ -z "$(find pool -name '.*.orphans.*')" ]
	# Too little to prove anything otherwise.
	[ "$ROUNDS" -ge 10 ] && [ "$REMOVED" -gt 0 ] && [ "$LINKS" -gt 0 ]
}

@test "orphans: control: find -links 1 -delete or -exec rm loses pool names" {
	local limit=${ORPHANS_CONTROL_SECONDS:-10} start k before
	local -A lost=([delete]=0 [wide]=0 [rm]=0) runs=([delete]=0 [wide]=0 [rm]=0)
	race_start
	start=$SECONDS
	# Until each has lost 3, or the time is up.
	while ((SECONDS - start < limit && ROUNDS < 5000)) &&
		((lost[delete] < 3 || lost[wide] < 3 || lost[rm] < 3)); do
		for k in delete wide rm; do
			before=$LOST
			case $k in
			delete) round "$k" find pool -type f -links 1 -delete ;;
			wide) round "$k" widened \
				find pool -type f -links 1 -delete ;;
			rm) round "$k" find pool -type f -links 1 \
				-exec rm -f {} + ;;
			esac
			lost[$k]=$((lost[$k] + LOST - before))
			runs[$k]=$((runs[$k] + 1))
		done
	done 2>/dev/null
	stop_linker
	note "control, $((SECONDS - start)) s: pool names lost while a backup" \
		"linked them: find -links 1 -delete ${lost[delete]} in" \
		"${runs[delete]} runs, $(widening) ${lost[wide]} in" \
		"${runs[wide]}," \
		"-exec rm ${lost[rm]} in ${runs[rm]}; linker: $LINKS links;" \
		"$CHECKED backup links checked"
	# A race the control cannot lose proves nothing about orphans -d.
	[ "$LOST" -gt 0 ]
}

# --- (b) faults at every rename, link and unlink -----------------------------

# The pool: a, c and sub/d are orphans; b and sub/e are linked from keep/
# (keep/b, keep/e).
FIXTURE=(a b c sub/d sub/e)

# fixture: the pool made afresh; INO[NAME]: the inode of each NAME.
fixture() {
	local n
	declare -gA INO=()
	rm -rf pool keep
	mkdir -p pool/sub keep
	for n in "${FIXTURE[@]}"; do
		printf '%s\n' "$n" >"pool/$n"
	done
	command ln pool/b keep/b
	command ln pool/sub/e keep/e
	while read -r n ino; do
		INO[${n#pool/}]=$ino
	done < <(find pool -type f -printf '%p %i\n')
}

# pool_state: problems with the pool after a faulted run, one a line;
# fails when there are any.  Every name is a name of the fixture, or a
# quarantine name of one (.NAME.orphans.XXXXXX), of its file; b and sub/e
# are where they were; keep/late (a file linked while aside) has a name
# in the pool.
pool_state() {
	local p ino base x bad=0
	while read -r p ino; do
		p=${p#pool/}
		base=${p##*/}
		x=$p
		if [[ $base == .*.orphans.?????? ]]; then
			x=${p%"$base"}${base#.}
			x=${x%.orphans.??????}
		fi
		if [ "${INO[$x]:-}" != "$ino" ]; then
			echo "pool/$p: not a name of the fixture's $x"
			bad=1
		fi
	done < <(find pool -mindepth 1 ! -type d -printf '%p %i\n')
	[ -d pool/sub ] || { echo "pool/sub is gone"; bad=1; }
	[ pool/b -ef keep/b ] || { echo "pool/b lost its name"; bad=1; }
	[ pool/sub/e -ef keep/e ] || { echo "pool/sub/e lost its name"; bad=1; }
	if [ -e keep/late ] &&
		[ -z "$(find pool -samefile keep/late 2>/dev/null)" ]; then
		echo "keep/late (linked while aside) lost its pool name"
		bad=1
	fi
	return "$bad"
}

# quarantined: the quarantine names in the pool.
quarantined() {
	find pool -name '.*.orphans.??????'
}

# finished: after a plain orphans -d, the pool holds exactly the linked
# files (b, sub/e, and the file of keep/late) under their names.
finished() {
	local want=(b sub/e) n got
	if [ -e keep/late ]; then
		for n in a c sub/d; do
			[ "$(stat -c %i "keep/late")" = "${INO[$n]}" ] &&
				want+=("$n")
		done
	fi
	got=$(find pool -mindepth 1 ! -type d -printf '%P %i\n' | sort)
	for n in "${want[@]}"; do
		echo "$n ${INO[$n]}"
	done | sort | diff - <(printf '%s\n' "$got") >&2
}

# watcher NAME: in the background, link the first quarantine name of the
# fixture's NAME (a base name) that appears, to keep/late (at most 20 s).
# Sets WATCHER.
watcher() {
	(
		local q end=$((SECONDS + 20))
		while ((SECONDS < end)); do
			for q in "pool/.$1".orphans.?????? \
				"pool/sub/.$1".orphans.??????; do
				[ -e "$q" ] && command ln "$q" keep/late && exit 0
			done
		done
		exit 1
	) 2>/dev/null 3>&- &
	WATCHER=$!
}

stop_watcher() {
	[ -n "${WATCHER:-}" ] || return 0
	kill "$WATCHER" 2>/dev/null || true
	wait "$WATCHER" 2>/dev/null || true
	WATCHER=
}

# calls_of LOG: LOG's lines (strace -f) without the pid.
calls_of() {
	sed -E 's/^[0-9]+ +//' "$1"
}

# check_run WHERE WHAT STATUS: the pool after a run faulted at WHERE
# with WHAT (signal=SIGKILL or error=EIO), then after a plain -d; says
# what is wrong and fails.  Counts LEFT (runs that left quarantine names)
# and RESTORED (quarantine names the next -d put back).
check_run() {
	local where=$1 what=$2 st=$3 bad=0 q problems
	case $what:$st in
	signal=SIGKILL:137) ;;
	signal=SIGKILL:*) echo "$where: not killed (status $st)"; bad=1 ;;
	error=*:0) echo "$where: $what, yet status 0"; bad=1 ;;
	esac
	if ! problems=$(pool_state); then
		printf '%s: %s %s\n' "$where" "$what" "$problems"
		bad=1
	fi
	q=$(quarantined)
	[ -z "$q" ] || LEFT=$((LEFT + 1))
	# A run that was not killed leaves a quarantine name only when it
	# says so.
	if [ "$what" = error=EIO ]; then
		for q in $q; do
			grep -qF "${q##*/}" err ||
				{ echo "$where: $q left without a word"; bad=1; }
		done
	fi
	"$LB_BIN/orphans" -dv pool >rerun.out 2>rerun.err && st=0 || st=$?
	RESTORED=$((RESTORED + $(grep -c '^restored ' rerun.out || true)))
	if [ "$st" != 0 ] || grep -qv '^orphans: [0-9]* files removed' \
		rerun.err; then
		echo "$where: $what: the next -d: status $st: $(cat rerun.err)"
		bad=1
	fi
	[ -z "$(quarantined)" ] ||
		{ echo "$where: $what: the next -d left $(quarantined)"; bad=1; }
	if ! problems=$(finished 2>&1); then
		echo "$where: $what: after the next -d, the pool differs:" \
			"$problems"
		bad=1
	fi
	return "$bad"
}

# faults_everywhere MODE LATE: kill orphans -d pool (SIGKILL), or make the
# call fail (EIO), at each occurrence of each rename, link and unlink of
# a run, in turn; check the pool after it and after a plain -d.
# MODE exchange: as it is; fallback: renameat2 failing with EINVAL (where
# RENAME_NOREPLACE is unsupported: renameat and linkat instead).
# LATE yes: the first orphan is linked (keep/late) while it is aside: its
# stat there is held 0.3 s (delay_enter) while a watcher links it, and a
# run is tried again (at most 3 times) when the watcher was too late.
faults_everywhere() {
	local mode=$1 late=$2 extra=() calls s count n what st stat_call k
	local first points=0 runs=0 bad=0 misses=0 try
	local -a seen
	# The calls are counted in the trace: no read-ahead threads' among
	# them (-j 1).
	local -x LINKBOX_JOBS=1
	LEFT=0 RESTORED=0
	need_inject renameat2
	[ "$mode" = fallback ] && extra=(-e inject=renameat2:error=EINVAL)
	calls=$(known_calls renameat2 renameat rename linkat link unlinkat \
		unlink)
	# A plain run: the first orphan moved aside, and the call that
	# stats it there (newfstatat, statx...): its occurrence K is the
	# one held while the watcher links.
	fixture
	strace_applet orphans -o plain.log "${extra[@]}" -- -d pool \
		>/dev/null 2>&1 || true
	calls_of plain.log | awk '
		/^(renameat2?|rename)\(.*\.orphans\..*= 0$/ && !aside {
			aside = 1
			f = $0; sub(/^[^"]*"/, "", f); sub(/".*/, "", f)
			next
		}
		aside && /\.orphans\./ { c = $0; sub(/\(.*/, "", c); exit }
		END { print f, c }' >first
	read -r first stat_call <first
	[ -n "$stat_call" ] ||
		{ echo "no rename aside in the plain run" >&2; false; }
	k=$(calls_of plain.log | awk -v c="$stat_call" '
		index($0, c "(") == 1 { n++; if (aside && /\.orphans\./) {
			print n; exit } }
		/^(renameat2?|rename)\(.*\.orphans\..*= 0$/ { aside = 1 }')
	[ "$late" = no ] ||
		extra+=(-e "inject=$stat_call:delay_enter=300000:when=$k")
	# The run to enumerate.
	fixture
	[ "$late" = no ] || watcher "$first"
	strace_applet orphans -o trace.log "${extra[@]}" -- -d pool \
		>/dev/null 2>&1 || true
	stop_watcher
	if [ "$late" = yes ] && [ ! -e keep/late ]; then
		echo "the watcher did not link in the enumeration run" >&2
		return 1
	fi
	# (In the fallback, renameat2 only fails: no point there.)
	[ "$mode" = exchange ] || calls=${calls/renameat2,/}
	mapfile -t seen < <(occurrences trace.log |
		grep -E "^(${calls//,/|}) ")
	for s in "${seen[@]}"; do
		count=${s#* }
		s=${s% *}
		for ((n = 1; n <= count; n++)); do
			points=$((points + 1))
			for what in signal=SIGKILL error=EIO; do
				for ((try = 0; try < 3; try++)); do
					fixture
					[ "$late" = no ] || watcher "$first"
					strace_applet orphans -v -o run.log \
						"${extra[@]}" \
						-e inject="$s:$what:when=$n" \
						-- -d pool >out 2>err &&
						st=0 || st=$?
					stop_watcher
					# Too late when the stat saw one link.
					[ "$late" = yes ] && calls_of run.log |
						grep "^$stat_call(" |
						sed -n "${k}p" |
						grep -q 'nlink=1,' || break
					misses=$((misses + 1))
				done
				runs=$((runs + 1))
				check_run "$s #$n" "$what" "$st" >&2 ||
					bad=$((bad + 1))
			done
		done
	done
	local label=$mode
	[ "$late" = no ] || label="$mode, a file linked while aside"
	note "$label: $points points (${seen[*]}), $runs runs (SIGKILL, EIO)," \
		"$bad violations; $LEFT left quarantine names, the next -d" \
		"finished them ($RESTORED put back); $misses late links retried"
	[ "$points" -gt 0 ] && [ "$bad" = 0 ]
}

@test "orphans: faults: SIGKILL or EIO at any rename or unlink loses no linked name" {
	faults_everywhere exchange no
}

@test "orphans: faults: a file linked while aside is put back, whatever fails" {
	faults_everywhere exchange yes
}

@test "orphans: faults: without RENAME_NOREPLACE (renameat, linkat)" {
	faults_everywhere fallback no
}

@test "orphans: faults: without RENAME_NOREPLACE, a file linked while aside" {
	faults_everywhere fallback yes
}
