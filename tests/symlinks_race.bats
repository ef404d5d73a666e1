#!/usr/bin/env bats
load helpers

# symlinks -c replaces each link by a temporary link renamed over it
# (applets/symlinks.c, replace): (a) a reader lstat()ing one of thousands
# of absolute links in a tight loop (tests/race/reader.c) never finds it
# missing while symlinks -rc converts them, where Debian's symlinks(8)
# (unlink + symlink: the positive control) must be seen; (b) with EIO or
# SIGKILL injected by strace at each symlinkat, renameat(2), unlinkat and
# readlinkat of a run, each link is the old or the new one, an error
# leaves no temporary .NAME.symlinks.XXXXXX, and a kill at most one,
# which lnatomic --cleanup removes.  Figures go out as "# ..." lines.
#
#   SYMLINKS_RACE_LINKS    links in the tmpfs (2000)
#   SYMLINKS_RACE_ROUNDS   conversions there and back per race (40)
#   SYMLINKS_RACE_SECONDS  time bound of each race and control (20)

THEIRS=/usr/bin/symlinks
CALLS=symlinkat,renameat,renameat2,unlinkat,readlinkat

setup() {
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w" || return 1
	skip_unless_applet symlinks
	need_slow "races and faults of symlinks"
}

# --- (a) the reader ----------------------------------------------------------

# many_links: MNT/d holds SYMLINKS_RACE_LINKS absolute links to MNT/tgt;
# WATCH is the one in the middle.
many_links() {
	local i n=${SYMLINKS_RACE_LINKS:-2000}
	mount_tmpfs mnt
	mkdir "$MNT/d"
	echo content >"$MNT/tgt"
	for ((i = 0; i < n; i++)); do
		command ln -s "$MNT/tgt" "$MNT/d/l$i"
	done
	WATCH=$MNT/d/l$((n / 2))
}

# race PROGRAM STOP_AT_MISS: while the reader lstat()s WATCH, PROGRAM -rc
# makes the links relative and ours -rc --absolute makes them absolute
# again (atomic, ours), round after round, up to SYMLINKS_RACE_ROUNDS
# rounds (STOP_AT_MISS: until the reader has missed, in batches of 5) or
# SYMLINKS_RACE_SECONDS.  Sets rounds, lookups, misses, other, and
# unchanged (rounds where WATCH was not converted both ways).
race() {
	local prog=$1 until_miss=$2 end pid i batch n l m o
	local max=${SYMLINKS_RACE_ROUNDS:-40}
	end=$((SECONDS + ${SYMLINKS_RACE_SECONDS:-20}))
	rounds=0 lookups=0 misses=0 other=0 unchanged=0
	[ "$until_miss" = 0 ] || max=100000
	while ((rounds < max && SECONDS < end)); do
		rm -f stop stop.ready
		"$READER" -t 60 lstat "$WATCH" stop >counts 3>&- &
		pid=$!
		for ((i = 0; i < 1000 && ! -e stop.ready; i++)); do
			sleep 0.01
		done
		batch=$max
		[ "$until_miss" = 0 ] || batch=5
		for ((n = 0; n < batch && rounds < max && SECONDS < end; n++)); do
			"$prog" -rc "$MNT/d" >/dev/null 2>>errors || true
			[ "$(readlink "$WATCH")" = ../tgt ] ||
				unchanged=$((unchanged + 1))
			lb symlinks -rc --absolute "$MNT/d" >/dev/null 2>>errors
			[ "$(readlink "$WATCH")" = "$MNT/tgt" ] ||
				unchanged=$((unchanged + 1))
			rounds=$((rounds + 1))
		done
		touch stop
		wait "$pid"
		read -r _ l _ m _ _ _ o _ <counts
		lookups=$((lookups + l)) misses=$((misses + m)) other=$((other + o))
		[ "$until_miss" = 0 ] || [ "$misses" = 0 ] || break
	done
}

@test "symlinks: -rc over thousands of links: a reader never finds one missing" {
	need_reader
	many_links
	race "$LB_BIN/symlinks" 0
	note "symlinks -rc: $misses misses ($other other errors) in $lookups" \
		"lookups of one of $(ls "$MNT/d" | wc -l) links, $rounds rounds" \
		"there and back, $unchanged conversions missing"
	[ -z "$(cat errors)" ] || { cat errors >&2; return 1; }
	[ "$rounds" -gt 0 ] && [ "$lookups" -gt 0 ]
	[ "$unchanged" = 0 ]
	[ "$misses" = 0 ] && [ "$other" = 0 ]
	no_temps "$MNT"
}

@test "symlinks: race control: symlinks(8) -rc (unlink + symlink) is seen" {
	[ -x "$THEIRS" ] || skip "no $THEIRS (Debian package symlinks)"
	need_reader
	many_links
	race "$THEIRS" 1
	note "control, symlinks(8) -rc: $misses misses ($other other errors)" \
		"in $lookups lookups, $rounds rounds there and back"
	[ "$unchanged" = 0 ]
	if [ "$misses" = 0 ]; then
		echo "the reader saw no miss of symlinks(8) in $rounds rounds:" \
			"the race test is not sensitive here (raise" \
			"SYMLINKS_RACE_SECONDS)" >&2
		return 1
	fi
}

# --- (b) faults --------------------------------------------------------------

# fixture: k/s holds abs (absolute, made relative), messy (..//f, made
# ../f), rel (../f, left); all lead to k/f.
fixture() {
	rm -rf k
	mkdir -p k/s
	echo f >k/f
	command ln -s "$PWD/k/f" k/s/abs
	command ln -s ..//f k/s/messy
	command ln -s ../f k/s/rel
	OLD_abs=$PWD/k/f OLD_messy=..//f OLD_rel=../f
}

# sound: each link reads its old text or ../f, and leads to k/f.
sound() {
	local l old
	for l in abs messy rel; do
		old=OLD_$l
		if [ ! -L "k/s/$l" ]; then
			echo "k/s/$l is missing"
			return 1
		fi
		case $(readlink "k/s/$l") in
		"${!old}" | ../f) ;;
		*)
			echo "k/s/$l -> $(readlink "k/s/$l")"
			return 1
			;;
		esac
		[ "k/s/$l" -ef k/f ] || { echo "k/s/$l does not lead to k/f"; return 1; }
	done
}

# temps: how many temporaries symlinks left in k/s.
temps() {
	local t n=0
	for t in k/s/.*.symlinks.??????; do
		[ -L "$t" ] && n=$((n + 1))
	done
	echo "$n"
}

# fault_everywhere: at each occurrence of each of CALLS in a run (and of
# unlinkat in a run whose renameat fails, where the temporary goes),
# inject EIO, then SIGKILL, each on a fresh fixture, and check.
fault_everywhere() {
	local s count n extra st left points=0 bad=0 kept=0 cleaned=0 how
	local -a seen
	fixture
	strace -f -o trace.log -e trace="$CALLS" "$LB_BIN/symlinks" -rc k \
		>/dev/null
	fixture
	strace -f -o trace2.log -e trace=unlinkat,renameat \
		-e inject=renameat:error=EIO "$LB_BIN/symlinks" -rc k \
		>/dev/null 2>&1 || true
	mapfile -t seen < <(occurrences trace.log
		occurrences trace2.log | sed -n 's/^unlinkat /unlinkat-after-rename /p')
	for s in "${seen[@]}"; do
		count=${s#* }
		s=${s% *}
		extra=()
		if [ "$s" = unlinkat-after-rename ]; then
			s=unlinkat
			extra=(-e inject=renameat:error=EIO)
		fi
		for ((n = 1; n <= count; n++)); do
			for how in error=EIO signal=SIGKILL; do
				fixture
				strace_applet symlinks -o /dev/null "${extra[@]}" \
					-e inject="$s:$how:when=$n" -- -rc k \
					>/dev/null 2>err && st=0 || st=$?
				points=$((points + 1))
				if ! sound >&2; then
					echo "  after $how at $s #$n ${extra[*]}" >&2
					bad=$((bad + 1))
				fi
				left=$(temps)
				case $how in
				error=EIO)
					# Said, and not 0 (2: a warning; the
					# header says 1 for a failed change).
					[ "$st" = 1 ] || [ "$st" = 2 ] || {
						echo "$s #$n EIO: status $st" >&2
						bad=$((bad + 1))
					}
					# Only a failed removal of the temporary
					# leaves it, and says so.
					[ -s err ] || {
						echo "$s #$n EIO: nothing said" >&2
						bad=$((bad + 1))
					}
					if [ "$left" != 0 ] && ! { [ "$s" = unlinkat ] &&
						grep -q 'cannot remove the temporary' err; }; then
						echo "$s #$n EIO: $left temporaries left" >&2
						bad=$((bad + 1))
					fi
					;;
				*)
					[ "$st" = 137 ] || {
						echo "$s #$n: not killed ($st)" >&2
						bad=$((bad + 1))
					}
					if [ "$left" -gt 1 ]; then
						echo "$s #$n KILL: $left temporaries" >&2
						bad=$((bad + 1))
					fi
					if [ "$left" = 1 ]; then
						kept=$((kept + 1))
						lb lnatomic --cleanup k/s >&2 ||
							bad=$((bad + 1))
						[ "$(temps)" = 0 ] &&
							cleaned=$((cleaned + 1)) ||
							bad=$((bad + 1))
						sound >&2 || bad=$((bad + 1))
					fi
					;;
				esac
			done
		done
	done
	note "faults: $points injection points (EIO and SIGKILL at" \
		"$(echo "${seen[@]}" | tr ' ' :)), $bad violations; after" \
		"SIGKILL $kept left a temporary, $cleaned removed by lnatomic" \
		"--cleanup"
	[ "$points" -gt 0 ] && [ "$bad" = 0 ]
}

@test "symlinks: faults: EIO or SIGKILL at any call leaves old or new links" {
	need_inject symlinkat
	need_inject readlinkat
	fault_everywhere
}
