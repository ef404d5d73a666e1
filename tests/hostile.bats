#!/usr/bin/env bats
load helpers

# Hostile inputs for every applet.  Each (applet, input class) is one test,
# "hostile: APPLET: input".  Every run goes through hostile(), which checks
# what must hold whatever the input: the applet completes, or fails with
# one line of its own ("APPLET: ...") and a non-zero status; it never dies
# of a signal, never runs past 30 s, and never touches anything outside
# its operands (a snapshot of the scratch directory and of a sentinel
# directory outside the operands, before and after).  The tests add what
# the result must be.
#
# Classes: newline, tab, leading '-' and invalid UTF-8 in names; 255- and
# 256-byte components; paths over 4096 bytes; a tree 10000 levels deep;
# 100000 entries in one directory; ulimit -n 16; ulimit -v 32 MiB; stdout
# to /dev/full, closed; stdin closed; unreadable directories (run as
# nobody when root); symlink loops; and, for the tree applets, a directory
# swapped for a symlink to the sentinel while the walk is slowed by strace.
#
# The deep tree and the 100000-entry directory are made once for the file
# (tests/hostile/tool.c), on tmpfs (/dev/shm) when there is one, where they
# take a second rather than half a minute: HOSTILE_TMPDIR overrides.

LIMIT=30			# seconds for any one run
DEEP_LEVELS=10000
BIG_ENTRIES=100000
SWAP_SECONDS=8			# per tree applet, at least 2 rounds

# helpers.bash's setup_file, which makes $LB_BIN, kept under another name.
eval "helpers_$(declare -f setup_file)"

setup_file() {
	local tmp

	helpers_setup_file
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	export TOOL=$BATS_FILE_TMPDIR/tool
	"${CC:-cc}" -O2 -o "$TOOL" "$BATS_TEST_DIRNAME/hostile/tool.c" ||
		TOOL=
	tmp=${HOSTILE_TMPDIR:-}
	if [ -z "$tmp" ]; then
		tmp=$BATS_FILE_TMPDIR
		[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
			[ -w /dev/shm ] && tmp=/dev/shm
	fi
	export FIX DEEP BIG DEEP_PATH PUB= VMEM=
	FIX=$(mktemp -d "$tmp/linkbox-hostile.XXXXXX")
	DEEP=$FIX/deep BIG=$FIX/big
	DEEP_PATH=deep$(printf '/d%.0s' $(seq "$DEEP_LEVELS"))
	if [ -n "$TOOL" ]; then
		mkdir "$DEEP" "$BIG" &&
			"$TOOL" deep "$DEEP" "$DEEP_LEVELS" &&
			"$TOOL" files "$BIG" "$BIG_ENTRIES" || return 1
	fi
	# Root reads every directory: the unreadable ones are tried as nobody,
	# in a directory nobody can reach ($BATS_FILE_TMPDIR is 0700).
	if [ "$(id -u)" = 0 ] && setpriv --reuid=nobody --regid=nogroup \
		--clear-groups true 2>/dev/null; then
		PUB=$(mktemp -d /tmp/linkbox-hostile-pub.XXXXXX)
		chmod 755 "$PUB" && mkdir "$PUB/bin" &&
			cp "$LINKBOX" "$PUB/bin/linkbox" || return 1
		for tmp in $("$LINKBOX" --list); do
			command ln "$PUB/bin/linkbox" "$PUB/bin/$tmp"
		done
	fi
	# ASan reserves terabytes of address space, qemu-user 128 MiB for its
	# translated code before the guest starts: no ulimit -v there.  (An
	# if, not &&: a false probe must not fail setup_file.)
	case ${LINKBOX##*/} in
	*asan*) ;;
	*)
		if [ -z "${LINKBOX_EMU:-}" ] &&
			(ulimit -v 32768 && "$LINKBOX" --version) \
			>/dev/null 2>&1; then
			VMEM=yes
		fi
		;;
	esac
}

teardown_file() {
	# rm -rf walks with openat: 10000 levels are no trouble.
	[ -z "${FIX:-}" ] || rm -rf "$FIX"
	[ -z "${PUB:-}" ] || rm -rf "$PUB"
}

setup() {
	local applet=${BATS_TEST_DESCRIPTION#hostile: }
	applet=${applet%%:*}
	case $applet in
	*' '*) ;;
	*) skip_unless_applet "$applet" ;;
	esac
	T=$BATS_TEST_TMPDIR
	SENTINEL=$T/sentinel
	mk_sentinel "$SENTINEL"
	mkdir "$T/s" && cd "$T/s" || return 1
	H_ROOTS=(.) H_MAY=() H_PRE= H_IN= H_OUT= H_WRAP= H_AS= H_LINES=1
	SWAPPER= X=
}

teardown() {
	if [ -n "${SWAPPER:-}" ]; then
		touch "$T/stop"
		wait "$SWAPPER" || true
	fi
	cd "$T" || return 1
	[ -z "${X:-}" ] || deep_in . rm -rf x	# the deep tree's fixture
	[ -z "${W:-}" ] || rm -rf "$W"
	chmod -R u+rwX "$T" 2>/dev/null || true
}

# mk_sentinel DIR: what must never change.  Its names say ESCAPED, so that
# any of them in an output means a walk got out; hl/file are hard links
# (findlinks, linkcount), dup is a duplicate of the scratch files (dedup).
mk_sentinel() {
	mkdir -p "$1/sub" &&
		printf 'sentinel\n' >"$1/ESCAPED-file" &&
		printf 'same\n' >"$1/ESCAPED-dup" &&
		command ln "$1/ESCAPED-file" "$1/ESCAPED-hl" &&
		command ln -s nope "$1/ESCAPED-dangling" &&
		command ln -s nope "$1/sub/ESCAPED-dangling"
}

# snap ROOT: one line per entry under ROOT, find -printf
# '%p %y %i %n %s %l' (directories without %s, which grows with unrelated
# entries), sorted; newlines in names show as \036.  The paths in H_MAY
# (find -path patterns, or -name without a '/') are left out: the run may
# change them.  The deep tree is shown as depth and name: its %p would
# weigh 100 MB (and -path on such paths is slow: its tests use -name).
snap() {
	local fmt='%p %y %i %n %s %l\0' dfmt='%p d %i %n\0' may=() p
	if [ "$1" = "$DEEP" ]; then
		fmt='%d %f %y %i %n %s %l\0' dfmt='%d %f d %i %n\0'
	fi
	for p in "${H_MAY[@]}"; do
		case $p in
		*/*) may+=(${may[0]+-o} -path "$p") ;;
		*) may+=(${may[0]+-o} -name "$p") ;;
		esac
	done
	[ "${#may[@]}" -eq 0 ] || may=(\( "${may[@]}" \) -prune -o)
	(cd "$1" && LC_ALL=C find . "${may[@]}" \( -type d -printf "$dfmt" \) \
		-o -printf "$fmt" 2>/dev/null) | LC_ALL=C sort -z | tr '\n\0' '\036\n'
}

snap_all() {
	local root
	for root in "${H_ROOTS[@]}" "$SENTINEL"; do
		printf '== %s\n' "$root"
		snap "$root"
	done
}

# hfail TEXT: report a broken rule with the run that broke it.
hfail() {
	{
		printf 'hostile: %s\n' "$1"
		printf '  run: %s\n' "$HCMD" | cut -c1-400
		printf '  status: %s\n' "$status"
		printf '  stderr: %s\n' "$stderr" | head -5 | cut -c1-400
		printf '  stdout: %s\n' "$output" | head -5 | cut -c1-400
	} >&2
	return 1
}

# status_is SPEC: $status matches SPEC: "0", "1|2", "!0" (a failure) or
# "*" (anything the rules allow).
status_is() {
	case $1 in
	'*') return 0 ;;
	'!0') [ "$status" -ne 0 ] ;;
	*) [[ "|$1|" == *"|$status|"* ]] ;;
	esac
}

# hostile APPLET STATUS ARG...: run APPLET ARG... once under timeout, with
#   H_PRE    shell commands run first (ulimit, export)
#   H_IN, H_OUT  redirections of stdin and stdout ("<&-", ">/dev/full")
#   H_WRAP   a command prefix (strace)
#   H_AS     a user to run as (nobody), from $PUB/bin
# and check: not hung (124), no signal (>= 125); the status as STATUS says;
# every stderr line "APPLET: ...", at most H_LINES of them, none cut off at
# 8 KiB (the cut takes the reason with it); a failure says why (danglers'
# 1, "found", is silent); the snapshot of H_ROOTS (but H_MAY) and of the
# sentinel unchanged.  Sets status, output, stderr like run.
hostile() {
	local applet=$1 want=$2 bin=$LB_BIN before after line script
	local -a as=() errs=()
	shift 2
	if [ -n "$H_AS" ]; then
		as=(setpriv --reuid="$H_AS" --regid=nogroup --clear-groups)
		bin=$PUB/bin
	fi
	HCMD="${H_PRE:+$H_PRE; }$H_WRAP $applet$(printf ' %q' "$@") $H_IN $H_OUT"
	# Descriptors bats keeps open would count against ulimit -n: closed.
	# (No redirection on the loop: bash would keep its saved stderr in
	# a descriptor the loop closes.)
	script='for fd in $(ls /proc/$$/fd); do
		[ "$fd" -le 2 ] || eval "exec $fd>&-"
	done
	'"$H_PRE"'
	exec '"$H_WRAP"' "$0" "$@" '"$H_IN $H_OUT"
	before=$(snap_all)
	run --separate-stderr timeout -k 5 "$LIMIT" "${as[@]}" bash -c "$script" \
		"$bin/$applet" "$@"
	after=$(snap_all)
	if [ "$status" -eq 124 ]; then
		hfail "hung: killed after $LIMIT s"
	elif [ "$status" -ge 125 ]; then
		hfail "died: status $status (a signal, or could not run)"
	fi
	status_is "$want" || hfail "status $status, expected $want"
	[ -z "$stderr" ] || mapfile -t errs <<<"$stderr"
	[ "${#errs[@]}" -le "$H_LINES" ] ||
		hfail "${#errs[@]} lines on stderr, at most $H_LINES expected"
	for line in "${errs[@]}"; do
		[[ $line == "$applet: "?* ]] || hfail "stderr line not '$applet: '"
		# A long name must not push the reason out of its message.
		[ "${#line}" -lt 8180 ] || [[ $line == *"': "?* ]] ||
			hfail "long message without its reason: ...${line: -40}"
	done
	if [ "$status" -ne 0 ] && [ "${#errs[@]}" -eq 0 ] &&
		! { [ "$applet" = danglers ] && [ "$status" -eq 1 ]; }; then
		hfail "status $status without a message"
	fi
	if [ "$before" != "$after" ]; then
		diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") |
			head -20 | cut -c1-300 >&2
		hfail "touched something outside its operands (diff above)"
	fi
}

# stdout_one_line: stdout is one line; names in it are quoted.
stdout_one_line() {
	[[ $output != *$'\n'* ]] || hfail "stdout is not one line"
}

# stderr_starts TEXT
stderr_starts() {
	[[ $stderr == "$1"* ]] || hfail "stderr does not start '$1'"
}

need_tool() {
	[ -n "$TOOL" ] || skip "no C compiler to build tests/hostile/tool.c"
}

# Each name class runs the applet's case with one hostile name N: success
# where names are plain data, then a failing operand named after N, whose
# message must stay on one line.

names_ln() {
	local n=$1
	printf 'data\n' >"$n"
	H_MAY=("./$n.sym" "./$n.hard" "./$n")
	hostile ln 0 -sv -- "$n" "$n.sym"
	[ "$(readlink -- "$n.sym")" = "$n" ]
	stdout_one_line
	hostile ln 0 -- "$n" "$n.hard"
	[ "$n" -ef "$n.hard" ]
	H_MAY=()
	hostile ln 1 -s -- "$n" "$n.sym"
}

names_lnatomic() {
	local n=$1
	printf 'data\n' >"$n"
	H_MAY=("./$n.sym")
	hostile lnatomic 0 -sv -- "$n" "$n.sym"
	[ "$(readlink -- "$n.sym")" = "$n" ]
	stdout_one_line
	hostile lnatomic 0 -s -- "$n.new" "$n.sym"
	[ "$(readlink -- "$n.sym")" = "$n.new" ]
	H_MAY=()
	hostile lnatomic 3 -s --no-replace -- "$n" "$n.sym"
}

names_safeswap() {
	local n=$1
	printf 'A\n' >"$n"
	printf 'B\n' >"$n.b"
	H_MAY=("./$n" "./$n.b")
	hostile safeswap 0 -v -- "$n" "$n.b"
	[ "$(cat -- "$n")" = B ] && [ "$(cat -- "$n.b")" = A ]
	stdout_one_line
	H_MAY=()
	hostile safeswap '!0' -- "$n" "$n.missing"
}

names_linkcount() {
	local n=$1
	printf 'data\n' >"$n"
	command ln -- "$n" "$n.2"
	H_OUT=">$T/out"
	hostile linkcount 0 -0 -- "$n" "$n.2"
	printf '2\t%s\0' "$n" "$n.2" | cmp - "$T/out"
	H_OUT=
	hostile linkcount 1 -- "$n.missing"
}

names_findlinks() {
	local n=$1
	mkdir -- "$n.d"
	printf 'data\n' >"$n.d/$n"
	command ln -- "$n.d/$n" "$n.d/$n.2"
	command ln -s -- "$SENTINEL" "$n.d/out"
	H_OUT=">$T/out"
	hostile findlinks 0 -0 -- "$n.d/$n" "$n.d"
	LC_ALL=C sort -z "$T/out" |
		cmp - <(printf '%s\0' "$n.d/$n" "$n.d/$n.2" | LC_ALL=C sort -z)
	# Both names are outside an empty PATH: said on one line, quoted.
	mkdir -- "$n.d/empty"
	H_OUT=
	hostile findlinks 1 -- "$n.d/$n" "$n.d/empty"
	hostile findlinks 2 -- "$n.missing" "$n.d"
}

names_danglers() {
	local n=$1
	mkdir -- "$n.d"
	command ln -s -- nope "$n.d/$n"
	command ln -s -- "$SENTINEL" "$n.d/out"
	H_OUT=">$T/out"
	hostile danglers 1 -0 -- "$n.d"
	printf '%s\0' "$n.d/$n" | cmp - "$T/out"
	H_MAY=("./$n.d/$n")
	hostile danglers 0 -d -- "$n.d"
	[ ! -L "$n.d/$n" ]
	H_MAY=() H_OUT=
	hostile danglers 2 -- "$n.missing"
}

names_dedup() {
	local n=$1 line
	mkdir -- "$n.d"
	printf 'same\n' >"$n.d/$n"
	printf 'same\n' >"$n.d/$n.2"
	command ln -s -- "$SENTINEL" "$n.d/out"
	H_MAY=("./$n.d/$n" "./$n.d/$n.2")
	hostile dedup 0 -v -- "$n.d"
	[ "$n.d/$n" -ef "$n.d/$n.2" ]
	# One "'NAME' => 'KEPT'" line, names quoted; the rest is the summary.
	while IFS= read -r line; do
		[[ $line == *' => '* || $line =~ ^[a-z,\ ]+:\ [0-9]+$ ]] ||
			hfail "stdout line split: [$line]"
	done <<<"$output"
	H_MAY=()
	hostile dedup '!0' -- "$n.missing"
}

# --- newline ---------------------------------------------------------------

@test "hostile: ln: newline in names" { names_ln $'new\nline'; }
@test "hostile: lnatomic: newline in names" { names_lnatomic $'new\nline'; }
@test "hostile: safeswap: newline in names" { names_safeswap $'new\nline'; }
@test "hostile: linkcount: newline in names" { names_linkcount $'new\nline'; }
@test "hostile: findlinks: newline in names" { names_findlinks $'new\nline'; }
@test "hostile: danglers: newline in names" { names_danglers $'new\nline'; }
@test "hostile: dedup: newline in names" { names_dedup $'new\nline'; }

# --- tab -------------------------------------------------------------------

@test "hostile: ln: tab in names" { names_ln $'a\ttab'; }
@test "hostile: lnatomic: tab in names" { names_lnatomic $'a\ttab'; }
@test "hostile: safeswap: tab in names" { names_safeswap $'a\ttab'; }
@test "hostile: linkcount: tab in names" { names_linkcount $'a\ttab'; }
@test "hostile: findlinks: tab in names" { names_findlinks $'a\ttab'; }
@test "hostile: danglers: tab in names" { names_danglers $'a\ttab'; }
@test "hostile: dedup: tab in names" { names_dedup $'a\ttab'; }

# --- leading '-', after -- -------------------------------------------------

@test "hostile: ln: leading '-' after --" { names_ln -f; }
@test "hostile: lnatomic: leading '-' after --" { names_lnatomic -s; }
@test "hostile: safeswap: leading '-' after --" { names_safeswap -n; }
@test "hostile: linkcount: leading '-' after --" { names_linkcount -r; }
@test "hostile: findlinks: leading '-' after --" { names_findlinks -a; }
@test "hostile: danglers: leading '-' after --" { names_danglers -d; }
@test "hostile: dedup: leading '-' after --" { names_dedup -n; }

# --- invalid UTF-8, in a UTF-8 locale (the quoting trusts LC_*) ------------

BAD=$'bad\xff\xfe\xc3(\xe2\x82'

@test "hostile: ln: invalid UTF-8 in names" {
	H_PRE='export LC_ALL=C.UTF-8'
	names_ln "$BAD"
}
@test "hostile: lnatomic: invalid UTF-8 in names" {
	H_PRE='export LC_ALL=C.UTF-8'
	names_lnatomic "$BAD"
}
@test "hostile: safeswap: invalid UTF-8 in names" {
	H_PRE='export LC_ALL=C.UTF-8'
	names_safeswap "$BAD"
}
@test "hostile: linkcount: invalid UTF-8 in names" {
	H_PRE='export LC_ALL=C.UTF-8'
	names_linkcount "$BAD"
}
@test "hostile: findlinks: invalid UTF-8 in names" {
	H_PRE='export LC_ALL=C.UTF-8'
	names_findlinks "$BAD"
}
@test "hostile: danglers: invalid UTF-8 in names" {
	H_PRE='export LC_ALL=C.UTF-8'
	names_danglers "$BAD"
}
@test "hostile: dedup: invalid UTF-8 in names" {
	H_PRE='export LC_ALL=C.UTF-8'
	names_dedup "$BAD"
}

# --- 255-byte components: the most a name may be, so no room for a
# temporary name built from it --------------------------------------------

N255=$(printf '%0255d' 0 | tr 0 a)
M255=$(printf '%0255d' 0 | tr 0 b)
N256=$(printf '%0256d' 0 | tr 0 a)

@test "hostile: ln: 255-byte component" {
	printf 't\n' >t
	printf 'u\n' >u
	H_MAY=("./$N255" ./t)
	hostile ln 0 -s t "$N255"
	[ "$(readlink "$N255")" = t ]
	hostile ln 0 -sf u "$N255"
	[ "$(readlink "$N255")" = u ]
	hostile ln 0 -f t "$N255"
	[ t -ef "$N255" ]
	# The backup name would be 256 bytes: refused, nothing changed.
	H_MAY=()
	hostile ln 1 -sfb u "$N255"
	[ t -ef "$N255" ]
	H_MAY=(./long)
	hostile ln 0 -s "$N255/$N255" long
	[ "$(readlink long)" = "$N255/$N255" ]
}

@test "hostile: lnatomic: 255-byte component" {
	printf 't\n' >t
	printf 'u\n' >u
	H_MAY=("./$N255" ./t)
	hostile lnatomic 0 -s t "$N255"
	[ "$(readlink "$N255")" = t ]
	hostile lnatomic 0 -s u "$N255"
	[ "$(readlink "$N255")" = u ]
	hostile lnatomic 0 t "$N255"
	[ t -ef "$N255" ]
	H_MAY=()
	hostile lnatomic 0 --cleanup .
}

@test "hostile: safeswap: 255-byte component" {
	printf 'A\n' >"$N255"
	mkdir "$M255"
	H_MAY=("./$N255" "./$M255")
	hostile safeswap 0 "$N255" "$M255"
	[ -d "$N255" ] && [ "$(cat "$M255")" = A ]
}

@test "hostile: linkcount: 255-byte component" {
	mkdir d
	printf 'x\n' >"d/$N255"
	command ln "d/$N255" "d/$M255"
	hostile linkcount 0 "d/$N255"
	[ "$output" = "2	d/$N255" ]
	hostile linkcount 0 -r d
	[ "$(sort <<<"$output")" = "2	d/$N255
2	d/$M255" ]
}

@test "hostile: findlinks: 255-byte component" {
	mkdir d
	printf 'x\n' >"d/$N255"
	command ln "d/$N255" "d/$M255"
	hostile findlinks 0 "d/$N255" d
	[ "$(sort <<<"$output")" = "d/$N255
d/$M255" ]
}

@test "hostile: danglers: 255-byte component" {
	mkdir d
	command ln -s nope "d/$N255"
	hostile danglers 1 d
	[ "$output" = "d/$N255" ]
	# -d renames the link aside first: its private name must fit too.
	H_MAY=("./d/$N255")
	hostile danglers 0 -d d
	[ ! -L "d/$N255" ]
}

@test "hostile: dedup: 255-byte component" {
	mkdir d
	printf 'same\n' >"d/$N255"
	printf 'same\n' >"d/$M255"
	H_MAY=("./d/$N255" "./d/$M255")
	hostile dedup 0 -q d
	[ "d/$N255" -ef "d/$M255" ]
}

# --- 256-byte component: ENAMETOOLONG --------------------------------------

@test "hostile: ln: 256-byte component" {
	printf 't\n' >t
	hostile ln 1 -s t "$N256"
	hostile ln 1 t "$N256"
	# As link text it is only data.
	H_MAY=(./l)
	hostile ln 0 -s "$N256" l
	[ "$(readlink l)" = "$N256" ]
}

@test "hostile: lnatomic: 256-byte component" {
	printf 't\n' >t
	hostile lnatomic '!0' -s t "$N256"
	hostile lnatomic '!0' "$N256" l
}

@test "hostile: safeswap: 256-byte component" {
	printf 't\n' >t
	hostile safeswap '!0' t "$N256"
	hostile safeswap '!0' "$N256" t
}

@test "hostile: linkcount: 256-byte component" {
	printf 't\n' >t
	hostile linkcount 1 t "$N256"
	[ "$output" = "1	t" ]
	hostile linkcount 1 -r "$N256"
}

@test "hostile: findlinks: 256-byte component" {
	printf 't\n' >t
	hostile findlinks 2 "$N256" .
	# Two facts, a line each: the PATH failed, so t's name was not found.
	H_LINES=2
	hostile findlinks 2 t "$N256"
}

@test "hostile: danglers: 256-byte component" {
	hostile danglers 2 "$N256"
}

@test "hostile: dedup: 256-byte component" {
	hostile dedup '!0' "$N256"
}

# --- paths over 4096 bytes -------------------------------------------------

# mklong CMD...: make long/C/C/.../C, 25 components of 200 bytes (5029
# bytes in all) in relative steps of 5, run CMD at its bottom, set LONGP.
mklong() {
	local comp i
	comp=$(printf '%0200d' 0 | tr 0 p)
	LONG_CHUNK=$comp/$comp/$comp/$comp/$comp
	LONGP=long/$LONG_CHUNK/$LONG_CHUNK/$LONG_CHUNK/$LONG_CHUNK/$LONG_CHUNK
	mkdir long
	at_long "$@"
}

# at_long CMD...: CMD at the bottom of long/ (made as needed).
at_long() {
	(
		cd long || exit 1
		for i in 1 2 3 4 5; do
			mkdir -p "$LONG_CHUNK" && cd "$LONG_CHUNK" || exit 1
		done
		"$@"
	)
}

long_fixture() {
	printf 't\n' >t
	printf 'A\n' >a
	printf 'B\n' >b
	printf 'same\n' >f
	command ln f f2
	printf 'dup\n' >dup1
	printf 'dup\n' >dup2
	command ln -s nope dangle
}

@test "hostile: ln: path over 4096 bytes" {
	mklong long_fixture
	H_MAY=("./$LONGP/l" ./l "./$LONGP/t")
	hostile ln '*' -s t "$LONGP/l"
	[ "$status" -ne 0 ] || [ "$(at_long readlink l)" = t ]
	hostile ln '*' "$LONGP/t" l
	[ "$status" -ne 0 ] || [ "$(cat l)" = t ]
	hostile ln '*' -s "$LONGP/t" l
	[ "$status" -ne 0 ] || [ "$(readlink l)" = "$LONGP/t" ]
}

@test "hostile: lnatomic: path over 4096 bytes" {
	mklong long_fixture
	H_MAY=("./$LONGP/l" ./l "./$LONGP/t")
	hostile lnatomic '*' -s t "$LONGP/l"
	[ "$status" -ne 0 ] || [ "$(at_long readlink l)" = t ]
	hostile lnatomic '*' "$LONGP/t" l
	[ "$status" -ne 0 ] || [ "$(cat l)" = t ]
	hostile lnatomic '*' --cleanup "$LONGP"
}

@test "hostile: safeswap: path over 4096 bytes" {
	mklong long_fixture
	H_MAY=("./$LONGP/a" "./$LONGP/b")
	hostile safeswap '*' "$LONGP/a" "$LONGP/b"
	[ "$status" -ne 0 ] || [ "$(at_long cat a)" = B ]
}

# The walkers are fd-relative: a tree whose paths pass PATH_MAX walks
# completely (core/walk.c); an operand that long may fail, cleanly.
@test "hostile: linkcount: path over 4096 bytes" {
	mklong long_fixture
	hostile linkcount 0 -r -c 2 long
	[ "$(sort <<<"$output")" = "2	$LONGP/f
2	$LONGP/f2" ]
	hostile linkcount '*' "$LONGP/f"
	[ "$status" -ne 0 ] || [ "$output" = "2	$LONGP/f" ]
}

@test "hostile: findlinks: path over 4096 bytes" {
	mklong long_fixture
	hostile findlinks 0 -a long
	[[ ${output%%$'\n'*} =~ ^[0-9]+:[0-9]+:\ 2\ links,\ 2\ found$ ]]
	[ "$(sed 1d <<<"$output" | sort)" = "	$LONGP/f
	$LONGP/f2" ]
	hostile findlinks '*' "$LONGP/f" long
	[ "$status" -ne 0 ] || [ "$(sort <<<"$output")" = "$LONGP/f
$LONGP/f2" ]
}

@test "hostile: danglers: path over 4096 bytes" {
	mklong long_fixture
	hostile danglers 1 long
	[ "$output" = "$LONGP/dangle" ]
	hostile danglers '*' "$LONGP"
	[ "$status" -eq 2 ] || [ "$output" = "$LONGP/dangle" ]
}

@test "hostile: dedup: path over 4096 bytes" {
	mklong long_fixture
	H_MAY=("./$LONGP/dup1" "./$LONGP/dup2" "./$LONGP/f" "./$LONGP/f2")
	# Done, or a line for each of the 5 candidates it could not read.
	H_LINES=5
	hostile dedup '*' -q long
	[ "$status" -ne 0 ] || at_long test dup1 -ef dup2
	hostile dedup '*' -q "$LONGP"
}

# --- a tree 10000 levels deep ----------------------------------------------
# The fixture is x/ at the bottom, made and removed per test; the runs
# there start through tool in (chdir one level at a time): a shell's cd
# that deep takes seconds (getcwd fails, and its fallback walks "..").

need_deep() {
	need_tool
	H_ROOTS=("$DEEP")
}

# deep_in SUB CMD...: CMD in the directory SUB at the bottom.
deep_in() {
	"$TOOL" in "$DEEP" "$DEEP_LEVELS" "$@"
}

deep_fixture() {
	deep_in . mkdir x &&
		deep_in x bash -c "$(declare -f long_fixture); long_fixture" &&
		X=yes
}

@test "hostile: ln: tree 10000 levels deep" {
	need_deep
	deep_fixture
	H_WRAP="$TOOL in $DEEP $DEEP_LEVELS x"
	H_MAY=(rel hard t)
	# -r needs where the link is: getcwd fails this deep.
	hostile ln '*' -sr t rel
	[ "$status" -ne 0 ] || [ "$(deep_in x readlink rel)" = t ]
	hostile ln 0 t hard
	deep_in x test t -ef hard
}

@test "hostile: lnatomic: tree 10000 levels deep" {
	need_deep
	deep_fixture
	H_WRAP="$TOOL in $DEEP $DEEP_LEVELS x"
	H_MAY=(rel hard t)
	hostile lnatomic '*' -s -r t rel
	[ "$status" -ne 0 ] || [ "$(deep_in x readlink rel)" = t ]
	hostile lnatomic 0 t hard
	deep_in x test t -ef hard
}

@test "hostile: safeswap: tree 10000 levels deep" {
	need_deep
	deep_fixture
	H_WRAP="$TOOL in $DEEP $DEEP_LEVELS x"
	H_MAY=(a b)
	hostile safeswap 0 a b
	[ "$(deep_in x cat a)" = B ] && [ "$(deep_in x cat b)" = A ]
}

@test "hostile: linkcount: tree 10000 levels deep" {
	need_deep
	deep_fixture
	cd "$FIX"
	hostile linkcount 0 -r -c 2 deep
	[ "$(sort <<<"$output")" = "2	$DEEP_PATH/x/f
2	$DEEP_PATH/x/f2" ]
}

@test "hostile: findlinks: tree 10000 levels deep" {
	need_deep
	deep_fixture
	cd "$FIX"
	hostile findlinks 0 -a deep
	[[ ${output%%$'\n'*} =~ ^[0-9]+:[0-9]+:\ 2\ links,\ 2\ found$ ]]
	[ "$(sed 1d <<<"$output" | sort)" = "	$DEEP_PATH/x/f
	$DEEP_PATH/x/f2" ]
}

@test "hostile: danglers: tree 10000 levels deep" {
	need_deep
	deep_fixture
	cd "$FIX"
	hostile danglers 1 deep
	[ "$output" = "$DEEP_PATH/x/dangle" ]
	H_MAY=(dangle)
	hostile danglers 0 -d deep
	[ "$output" = "$DEEP_PATH/x/dangle" ]
	deep_in x test ! -L dangle
}

@test "hostile: dedup: tree 10000 levels deep" {
	need_deep
	deep_fixture
	cd "$FIX"
	H_MAY=(dup1 dup2 f f2)
	# Done, or a line for each of the 5 candidates it could not read.
	H_LINES=5
	hostile dedup '*' -q deep
	[ "$status" -ne 0 ] || deep_in x test dup1 -ef dup2
}

# --- 100000 entries in one directory ---------------------------------------
# $BIG holds the empty files 1 .. 100000; a test that changes one puts
# it back.

need_big() {
	need_tool
	H_ROOTS=(. "$BIG")
}

@test "hostile: ln: 100000 entries in one directory" {
	need_big
	printf 't\n' >t
	H_MAY=(./50000)
	hostile ln 0 -sf "$PWD/t" "$BIG/50000"
	[ "$(readlink "$BIG/50000")" = "$PWD/t" ]
	rm "$BIG/50000" && : >"$BIG/50000"
	H_MAY=()
	hostile ln 1 -s t "$BIG/99999"
}

@test "hostile: lnatomic: 100000 entries in one directory" {
	need_big
	hostile lnatomic 0 --cleanup "$BIG"
	printf 't\n' >t
	H_MAY=(./60000)
	hostile lnatomic 0 -s "$PWD/t" "$BIG/60000"
	[ "$(readlink "$BIG/60000")" = "$PWD/t" ]
	rm "$BIG/60000" && : >"$BIG/60000"
}

@test "hostile: safeswap: 100000 entries in one directory" {
	need_big
	local i1 i2
	i1=$(stat -c %i "$BIG/1") i2=$(stat -c %i "$BIG/100000")
	H_MAY=(./1 ./100000)
	hostile safeswap 0 "$BIG/1" "$BIG/100000"
	[ "$(stat -c %i "$BIG/1")" = "$i2" ]
	[ "$(stat -c %i "$BIG/100000")" = "$i1" ]
}

@test "hostile: linkcount: 100000 entries in one directory" {
	need_big
	H_OUT=">$T/out"
	hostile linkcount 0 -r "$BIG"
	[ "$(wc -l <"$T/out")" -eq "$BIG_ENTRIES" ]
	[ "$(grep -c "^1	$BIG/[0-9]*\$" "$T/out")" -eq "$BIG_ENTRIES" ]
}

@test "hostile: findlinks: 100000 entries in one directory" {
	need_big
	hostile findlinks 0 -a "$BIG"
	[ -z "$output" ]
	hostile findlinks 0 "$BIG/99999" "$BIG"
	[ "$output" = "$BIG/99999" ]
}

@test "hostile: danglers: 100000 entries in one directory" {
	need_big
	hostile danglers 0 "$BIG"
	[ -z "$output" ]
	command ln -s nope "$BIG/zz-dangling"
	hostile danglers 1 "$BIG"
	rm "$BIG/zz-dangling"
	[ "$output" = "$BIG/zz-dangling" ]
}

@test "hostile: dedup: 100000 entries in one directory" {
	need_big
	# One group of 100000 empty files: more than can be open at once.
	H_OUT=">$T/out"
	hostile dedup 0 -z -n -q "$BIG"
	grep -qx 'names that would be relinked: 99999' "$T/out"
}

# --- ulimit -n 16 ----------------------------------------------------------

# mk40 KIND: tree/l/l/... 40 levels (more than the walker keeps open),
# at each level I: f$I and f$I.2 (hard links), or dangling dl$I, or a
# duplicate dup$I.
mk40() {
	local i p=tree
	mkdir tree
	for ((i = 1; i <= 40; i++)); do
		p=$p/l
		mkdir "$p"
		case $1 in
		links) printf 'x%d\n' "$i" >"$p/f$i" && command ln "$p/f$i" "$p/f$i.2" ;;
		dangling) command ln -s nope "$p/dl$i" ;;
		dups) printf 'same\n' >"$p/dup$i" ;;
		esac
	done
}

@test "hostile: ln: ulimit -n 16" {
	mkdir dir
	H_PRE='ulimit -n 16'
	H_MAY=('./dir/*')
	hostile ln 0 -s -t dir -- $(seq 40)
	[ "$(find dir -type l | wc -l)" -eq 40 ]
}

@test "hostile: lnatomic: ulimit -n 16" {
	printf 't\n' >t
	command ln -s old l
	H_PRE='ulimit -n 16'
	H_MAY=(./l)
	hostile lnatomic 0 --sync -s t l
	[ "$(readlink l)" = t ]
}

@test "hostile: safeswap: ulimit -n 16" {
	printf 'A\n' >a
	mkdir b
	H_PRE='ulimit -n 16'
	H_MAY=(./a ./b)
	hostile safeswap 0 --sync a b
	[ -d a ] && [ "$(cat b)" = A ]
}

@test "hostile: linkcount: ulimit -n 16" {
	mk40 links
	H_PRE='ulimit -n 16'
	hostile linkcount 0 -r tree
	[ "$(grep -c '^2	tree/' <<<"$output")" -eq 80 ]
	[ "$(wc -l <<<"$output")" -eq 80 ]
}

@test "hostile: findlinks: ulimit -n 16" {
	mk40 links
	H_PRE='ulimit -n 16'
	hostile findlinks 0 -a tree
	[ "$(grep -c ': 2 links, 2 found$' <<<"$output")" -eq 40 ]
	[ "$(grep -c '^	tree/' <<<"$output")" -eq 80 ]
	local f
	f=$(find tree -name f40)
	hostile findlinks 0 "$f" tree
	[ "$(sort <<<"$output")" = "$f
$f.2" ]
}

@test "hostile: danglers: ulimit -n 16" {
	mk40 dangling
	H_PRE='ulimit -n 16'
	hostile danglers 1 tree
	[ "$(grep -c '^tree/.*/dl[0-9]*$' <<<"$output")" -eq 40 ]
}

@test "hostile: dedup: ulimit -n 16" {
	mk40 dups
	H_PRE='ulimit -n 16'
	H_MAY=('./tree/*/dup*')
	# 40 duplicates to compare with 16 descriptors: done, or said why.
	hostile dedup '*' -q tree
	[ "$status" -ne 0 ] ||
		[ "$(find tree -type f -printf '%i\n' | sort -u | wc -l)" -eq 1 ]
}

# --- ulimit -v 32 MiB: success, or a clean "out of memory" -----------------

need_vmem() {
	[ -n "$VMEM" ] ||
		skip "ASan build, qemu, or $LINKBOX cannot start in 32 MiB"
	H_PRE='ulimit -v 32768'
}

@test "hostile: ln: ulimit -v 32 MiB" {
	need_vmem
	printf 't\n' >t
	H_MAY=(./l ./h ./t)
	hostile ln 0 -s t l
	hostile ln 0 t h
	[ "$(readlink l)" = t ] && [ t -ef h ]
}

@test "hostile: lnatomic: ulimit -v 32 MiB" {
	need_vmem
	printf 't\n' >t
	H_MAY=(./l)
	hostile lnatomic 0 -s t l
	[ "$(readlink l)" = t ]
}

@test "hostile: safeswap: ulimit -v 32 MiB" {
	need_vmem
	printf 'A\n' >a
	printf 'B\n' >b
	H_MAY=(./a ./b)
	hostile safeswap 0 a b
	[ "$(cat a)" = B ]
}

@test "hostile: linkcount: ulimit -v 32 MiB" {
	need_vmem
	need_big
	H_OUT=">$T/out"
	hostile linkcount '*' -r --summary "$BIG"
	hostile linkcount '*' -r "$BIG"
	[ "$status" -ne 0 ] || [ "$(wc -l <"$T/out")" -eq "$BIG_ENTRIES" ]
}

@test "hostile: findlinks: ulimit -v 32 MiB" {
	need_vmem
	need_big
	hostile findlinks '*' -a -s "$BIG"
	hostile findlinks '*' "$BIG/77777" "$BIG"
	[ "$status" -ne 0 ] || [ "$output" = "$BIG/77777" ]
}

@test "hostile: danglers: ulimit -v 32 MiB" {
	need_vmem
	need_big
	hostile danglers '0|2' -l "$BIG"
	[ -z "$output" ]
}

@test "hostile: dedup: ulimit -v 32 MiB" {
	need_vmem
	need_big
	H_OUT=">$T/out"
	hostile dedup '*' -z -n -q "$BIG"
	[ "$status" -ne 0 ] ||
		grep -qx 'names that would be relinked: 99999' "$T/out"
	# 8 MiB, where the binary can start at all: out of memory, cleanly.
	(ulimit -v 8192 && "$LINKBOX" --version) >/dev/null 2>&1 ||
		return 0
	H_PRE='ulimit -v 8192'
	hostile dedup '*' -z -n -q "$BIG"
}

# --- stdout is /dev/full: "APPLET: write error", non-zero, once ------------

@test "hostile: ln: stdout is /dev/full" {
	printf 't\n' >t
	H_OUT='>/dev/full'
	H_MAY=(./l)
	hostile ln 1 -sv t l
	stderr_starts 'ln: write error'
	[ "$(readlink l)" = t ]
}

@test "hostile: lnatomic: stdout is /dev/full" {
	printf 't\n' >t
	H_OUT='>/dev/full'
	H_MAY=(./l)
	hostile lnatomic '!0' -sv t l
	stderr_starts 'lnatomic: write error'
}

@test "hostile: safeswap: stdout is /dev/full" {
	printf 'A\n' >a
	printf 'B\n' >b
	H_OUT='>/dev/full'
	hostile safeswap '!0' -n a b
	stderr_starts 'safeswap: write error'
	H_MAY=(./a ./b)
	hostile safeswap '!0' -v a b
	stderr_starts 'safeswap: write error'
}

@test "hostile: linkcount: stdout is /dev/full" {
	need_tool
	mkdir many && "$TOOL" files many 3000
	H_OUT='>/dev/full'
	hostile linkcount 1 -r many
	stderr_starts 'linkcount: write error'
}

@test "hostile: findlinks: stdout is /dev/full" {
	need_tool
	mkdir many && "$TOOL" files many 3000 && "$TOOL" links many 3000
	H_OUT='>/dev/full'
	hostile findlinks 2 -a many
	stderr_starts 'findlinks: write error'
	hostile findlinks 2 many/1 many
	stderr_starts 'findlinks: write error'
}

@test "hostile: danglers: stdout is /dev/full" {
	need_tool
	mkdir many && "$TOOL" symlinks many 3000
	H_OUT='>/dev/full'
	hostile danglers 2 -l many
	stderr_starts 'danglers: write error'
}

@test "hostile: dedup: stdout is /dev/full" {
	need_tool
	mkdir many && "$TOOL" files many 3000 same
	H_OUT='>/dev/full'
	hostile dedup '!0' -l many
	stderr_starts 'dedup: write error'
}

# --- stdin closed ----------------------------------------------------------

@test "hostile: ln: stdin closed" {
	# t says yes: were a file ln opens to take the closed fd 0 and be
	# read for the answer, l would be replaced.
	printf 'y\n' >t
	command ln -s old l
	H_IN='<&-'
	# -i reads no answer: that is "no", so l stays; declined is status 1
	# in linkbox (tests/ln.bats), and the prompt is the one line.
	hostile ln 1 -si t l
	[ "$(readlink l)" = old ]
	[[ $stderr == "ln: replace 'l'?"* ]]
	hostile ln 1 -i t l
	[ "$(readlink l)" = old ]
}

@test "hostile: lnatomic: stdin closed" {
	printf 't\n' >t
	H_IN='<&-'
	H_MAY=(./l)
	hostile lnatomic 0 -s t l
	[ "$(readlink l)" = t ]
}

@test "hostile: safeswap: stdin closed" {
	printf 'A\n' >a
	printf 'B\n' >b
	H_IN='<&-'
	H_MAY=(./a ./b)
	hostile safeswap 0 a b
	[ "$(cat a)" = B ]
}

@test "hostile: linkcount: stdin closed" {
	printf 't\n' >t
	command ln t t2
	H_IN='<&-'
	hostile linkcount 0 -r .
	[ "$(sort <<<"$output")" = "2	./t
2	./t2" ]
}

@test "hostile: findlinks: stdin closed" {
	printf 't\n' >t
	command ln t t2
	H_IN='<&-'
	hostile findlinks 0 t .
	[ "$(sort <<<"$output")" = "./t
./t2" ]
}

@test "hostile: danglers: stdin closed" {
	command ln -s nope dl
	H_IN='<&-'
	hostile danglers 1 .
	[ "$output" = ./dl ]
}

@test "hostile: dedup: stdin closed" {
	printf 'same\n' >a
	printf 'same\n' >b
	H_IN='<&-'
	H_MAY=(./a ./b)
	hostile dedup 0 -q .
	[ a -ef b ]
}

# --- stdout closed: the output cannot be written: a failure, said once -----

@test "hostile: ln: stdout closed" {
	printf 't\n' >t
	H_OUT='>&-'
	H_MAY=(./l)
	hostile ln 1 -sv t l
	stderr_starts 'ln: write error'
	[ "$(readlink l)" = t ]
}

@test "hostile: lnatomic: stdout closed" {
	printf 't\n' >t
	H_OUT='>&-'
	H_MAY=(./l)
	hostile lnatomic '!0' -sv t l
	stderr_starts 'lnatomic: write error'
}

@test "hostile: safeswap: stdout closed" {
	printf 'A\n' >a
	printf 'B\n' >b
	H_OUT='>&-'
	H_MAY=(./a ./b)
	hostile safeswap '!0' -v a b
	stderr_starts 'safeswap: write error'
}

@test "hostile: linkcount: stdout closed" {
	printf 't\n' >t
	H_OUT='>&-'
	hostile linkcount 1 t
	stderr_starts 'linkcount: write error'
	hostile linkcount 1 -r .
	stderr_starts 'linkcount: write error'
}

@test "hostile: findlinks: stdout closed" {
	printf 't\n' >t
	command ln t t2
	H_OUT='>&-'
	hostile findlinks 2 t .
	stderr_starts 'findlinks: write error'
}

@test "hostile: danglers: stdout closed" {
	command ln -s nope dl
	H_OUT='>&-'
	hostile danglers 2 .
	stderr_starts 'danglers: write error'
}

@test "hostile: dedup: stdout closed" {
	printf 'same\n' >a
	printf 'same\n' >b
	H_OUT='>&-'
	hostile dedup '!0' -l .
	stderr_starts 'dedup: write error'
}

# --- unreadable directories ------------------------------------------------

# as_nobody: root reads any directory, so the case runs as nobody, in a
# scratch directory of $PUB that nobody owns; as another user, as is.
# Then lock DIR... (mode 000) once the fixture is made.
as_nobody() {
	[ "$(id -u)" = 0 ] || return 0
	[ -n "$PUB" ] || skip "root, and setpriv cannot switch to nobody"
	W=$PUB/t$BATS_TEST_NUMBER
	mkdir -m 755 "$W"
	SENTINEL=$W/sentinel
	mk_sentinel "$SENTINEL"
	mkdir "$W/s" && cd "$W/s" && H_AS=nobody
}

# lock MODE DIR...: chown the scratch to nobody (as root), then chmod.
lock() {
	local mode=$1
	shift
	[ "$(id -u)" != 0 ] || chown -R nobody:nogroup .
	chmod "$mode" "$@"
}

@test "hostile: ln: unreadable directory" {
	as_nobody
	printf 't\n' >t
	mkdir locked wonly
	lock 000 locked
	lock 300 wonly
	hostile ln 1 -s t locked/l
	H_MAY=(./wonly/l)
	hostile ln 0 -s t wonly/l
	[ "$(readlink wonly/l)" = t ]
}

@test "hostile: lnatomic: unreadable directory" {
	as_nobody
	printf 't\n' >t
	mkdir locked wonly
	lock 000 locked
	lock 300 wonly
	hostile lnatomic '!0' -s t locked/l
	hostile lnatomic '!0' --cleanup wonly
	H_MAY=(./wonly/l)
	hostile lnatomic 0 -s t wonly/l
	[ "$(readlink wonly/l)" = t ]
}

@test "hostile: safeswap: unreadable directory" {
	as_nobody
	mkdir locked wonly
	printf 'A\n' >locked/a
	printf 'B\n' >wonly/b
	printf 'C\n' >wonly/c
	lock 000 locked
	lock 300 wonly
	hostile safeswap '!0' locked/a wonly/b
	H_MAY=(./wonly/b ./wonly/c)
	hostile safeswap 0 wonly/b wonly/c
	chmod 700 wonly
	[ "$(cat wonly/b)" = C ]
}

@test "hostile: linkcount: unreadable directory" {
	as_nobody
	mkdir -p tree/locked tree/ok
	printf 'x\n' >tree/ok/f
	command ln tree/ok/f tree/ok/f2
	printf 'y\n' >tree/locked/hidden
	lock 000 tree/locked
	hostile linkcount 1 -r tree
	[ "$(sort <<<"$output")" = "2	tree/ok/f
2	tree/ok/f2" ]
}

@test "hostile: findlinks: unreadable directory" {
	as_nobody
	mkdir -p tree/locked tree/ok
	printf 'x\n' >tree/ok/f
	command ln tree/ok/f tree/ok/f2
	lock 000 tree/locked
	hostile findlinks 2 -a tree
	[ "$(grep -c '^	tree/ok/f2\{0,1\}$' <<<"$output")" -eq 2 ]
}

@test "hostile: danglers: unreadable directory" {
	as_nobody
	mkdir -p tree/locked tree/ok
	command ln -s nope tree/ok/missing
	command ln -s ../locked/x tree/ok/denied
	lock 000 tree/locked
	hostile danglers 2 -l tree
	[ "$(sort <<<"$output")" = "denied	tree/ok/denied	../locked/x
missing	tree/ok/missing	nope" ]
}

@test "hostile: dedup: unreadable directory" {
	as_nobody
	mkdir -p tree/locked tree/ok
	printf 'same\n' >tree/ok/a
	printf 'same\n' >tree/ok/b
	printf 'same\n' >tree/ok/unreadable
	printf 'same\n' >tree/locked/c
	lock 000 tree/locked tree/ok/unreadable
	H_MAY=(./tree/ok/a ./tree/ok/b)
	H_LINES=2
	# --any-mode: the unreadable file is a candidate, not another group.
	hostile dedup '!0' -q --any-mode tree
	[ tree/ok/a -ef tree/ok/b ]
}

# --- symlink loops: a -> b -> a, and d/self -> . (its own directory) -------

mk_loops() {
	command ln -s b a
	command ln -s a b
	mkdir d
	command ln -s . d/self
	command ln -s ../d d/up
	command ln -s "$SENTINEL" d/out
}

@test "hostile: ln: symlink loops" {
	mk_loops
	printf 't\n' >t
	hostile ln 1 -L a x
	H_MAY=(./a ./d/l)
	hostile ln 0 -sfn t a
	[ "$(readlink a)" = t ]
	hostile ln 0 -s ../t d/self/self/self/up/self/l
	[ "$(readlink d/l)" = ../t ]
}

@test "hostile: lnatomic: symlink loops" {
	mk_loops
	printf 't\n' >t
	H_MAY=(./a ./d/self)
	# LINK_NAME is the name itself: the loop, or the link to its own
	# directory, is replaced, never followed.
	hostile lnatomic 0 -s t a
	[ "$(readlink a)" = t ] && [ "$(readlink b)" = a ]
	hostile lnatomic 0 -s ../t d/self
	[ "$(readlink d/self)" = ../t ]
	# A hard link to a loop: to the symlink itself, or refused.
	H_MAY=(./x ./b)
	hostile lnatomic '*' b x
}

@test "hostile: safeswap: symlink loops" {
	mk_loops
	H_MAY=(./a ./d/self)
	hostile safeswap 0 a d/self
	[ "$(readlink a)" = . ] && [ "$(readlink d/self)" = b ]
}

@test "hostile: linkcount: symlink loops" {
	mk_loops
	hostile linkcount 0 a
	[ "$output" = "1	a" ]
	hostile linkcount 1 -L a
	hostile linkcount 0 -r d
	[ "$(sort <<<"$output")" = "1	d/out
1	d/self
1	d/up" ]
	# -L follows each link once to count it: a and b, a line each.
	H_LINES=2
	hostile linkcount 1 -r -L .
}

@test "hostile: findlinks: symlink loops" {
	mk_loops
	printf 'x\n' >d/f
	command ln d/f d/f2
	hostile findlinks 0 -a d
	[ "$(sed 1d <<<"$output" | sort)" = "	d/f
	d/f2" ]
	hostile findlinks '*' a .
	[ "$status" -eq 2 ] || [ "$output" = ./a ]
}

@test "hostile: danglers: symlink loops" {
	mk_loops
	hostile danglers 1 -l .
	[ "$(sort <<<"$output")" = "loop	./a	b
loop	./b	a" ]
	# Under --root the way out (d/out, absolute) resolves inside: missing.
	hostile danglers 1 -l --root=. .
	[ "$(sort <<<"$output")" = "loop	./a	b
loop	./b	a
missing	./d/out	$SENTINEL" ]
}

@test "hostile: dedup: symlink loops" {
	mk_loops
	printf 'same\n' >d/f
	printf 'same\n' >d/g
	H_MAY=(./d/f ./d/g)
	hostile dedup 0 -q .
	[ d/f -ef d/g ]
}

# --- a directory swapped for a symlink to the sentinel mid-walk ------------
# tree/sub (36 levels, more than the walker keeps open) trades places with
# tree/sub.lnk -> $SENTINEL/mirror while strace slows each getdents64 by
# 20 ms.  The mirror has the same names as tree/sub, so that an applet
# that goes back to a name by its path lands there; but its files have 5
# links (3 named ESCAPED) and its dangling links say ESCAPED: any of that
# in an output means the walk got out.  The sentinel must not change.

# mk_level DIR I TEXT: level I of the tree, or of the mirror.
mk_level() {
	command ln -s "$3" "$1/inside-dangling$2"
	printf 'same\n' >"$1/inside$2"
	command ln "$1/inside$2" "$1/inside-hl$2"
}

swap_rounds() {
	local applet=$1 end=$((SECONDS + SWAP_SECONDS)) rounds=0 seen=0 i p q p2
	shift
	need_strace -e inject=getdents64:delay_enter=1
	need_tool
	p=tpl/sub q=$SENTINEL/mirror
	mkdir -p "$p" "$q"
	for ((i = 1; i <= 36; i++)); do
		p=$p/d q=$q/d
		mkdir "$p" "$q"
		mk_level "$p" "$i" nope
		mk_level "$q" "$i" ESCAPED
		for p2 in a b c; do
			command ln "$q/inside$i" "$q/ESCAPED-$p2$i"
		done
	done
	command ln -s "$SENTINEL/mirror" tpl/sub.lnk
	# The tree changes under the run by design: snapshot the template
	# and the sentinel only.  A name that vanished under the walk may be
	# reported, a line each.
	H_ROOTS=("$PWD/tpl")
	H_LINES=200
	H_WRAP='strace -f -o /dev/null -e inject=getdents64:delay_enter=20000'
	# LeakSanitizer cannot work under ptrace (ASan builds).  One job:
	# strace delaying the calls of several processes at once prints
	# errors of its own ("dispatch_event: ... delayed wait data"); the
	# read-ahead helpers meet a changing tree in jobs.bats.
	H_PRE='export LINKBOX_JOBS=1 '
	H_PRE+='ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}'
	while [ "$rounds" -lt 2 ] || [ "$SECONDS" -lt "$end" ]; do
		rm -rf tree && cp -a tpl tree
		rm -f "$T/stop"
		"$TOOL" swap tree/sub tree/sub.lnk "$T/stop" 3>&- &
		SWAPPER=$!
		hostile "$applet" '0|1|2' "$@" tree
		touch "$T/stop"
		wait "$SWAPPER"
		SWAPPER=
		[[ $output != *ESCAPED* && $stderr != *ESCAPED* ]] ||
			hfail "listed the sentinel's names: the walk got out"
		! grep -q -e '^5	' -e ': 5 links' <<<"$output" ||
			hfail "listed the sentinel's files: the walk got out"
		rounds=$((rounds + 1))
		# Evidence the swap hit the walk: sub.lnk walked as the
		# directory, or names vanished under it.
		[[ $output != *sub.lnk/* && -z $stderr ]] || seen=$((seen + 1))
	done
	echo "# $applet: $rounds rounds, $seen saw the swap" >&3
}

@test "hostile: linkcount: directory swapped for a symlink mid-walk" {
	swap_rounds linkcount -r
}

@test "hostile: findlinks: directory swapped for a symlink mid-walk" {
	swap_rounds findlinks -a
}

@test "hostile: danglers: directory swapped for a symlink mid-walk" {
	swap_rounds danglers -l -d
}

@test "hostile: dedup: directory swapped for a symlink mid-walk" {
	swap_rounds dedup -q
}

# --- the count ---------------------------------------------------------------

@test "hostile cases per applet" {
	local a n line=
	for a in ln lnatomic safeswap linkcount findlinks danglers dedup; do
		n=$(grep -c "^@test \"hostile: $a: " "$BATS_TEST_FILENAME")
		line+=" $a $n,"
	done
	printf '# hostile cases per applet:%s\n' "${line%,}" >&3
}
