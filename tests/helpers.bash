# Shared helpers for the bats suite.  The applets under test are never on
# PATH: lb NAME ARGS runs NAME through a hard link (or copy) of $LINKBOX,
# and fixtures are built and checked with the host's own tools.

bats_require_minimum_version 1.5.0

# The top of the repository.
REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

: "${LINKBOX:?LINKBOX must name the binary under test (run via tests/run)}"

# LeakSanitizer cannot run under ptrace: an ASan build traced by strace
# keeps the other checks.  Exported, so scripts the tests run use it too.
strace() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		command strace "$@"
}
export -f strace

# One directory of applet links per test file.
setup_file() {
	export LB_BIN="$BATS_FILE_TMPDIR/bin"
	mkdir -p "$LB_BIN"
	command ln "$LINKBOX" "$LB_BIN/linkbox" 2>/dev/null ||
		cp "$LINKBOX" "$LB_BIN/linkbox"
	local a
	for a in $("$LINKBOX" --list); do
		command ln "$LB_BIN/linkbox" "$LB_BIN/$a"
	done
}

# Each test runs in its own empty scratch directory.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

lb() {
	local name=$1
	shift
	"$LB_BIN/$name" "$@"
}

# has_applet NAME: true when this build carries NAME.
has_applet() {
	[ -e "$LB_BIN/$1" ]
}

# skip_unless_applet NAME: for builds made with make APPLETS=...
skip_unless_applet() {
	has_applet "$1" || skip "applet $1 not built in"
}

# skip_under_valgrind: for tests of descriptor limits, which valgrind's
# own descriptors distort (make valgrind runs tests/valgrind-wrap).  Not
# by LINKBOX_REAL, which tests/qemu-wrap needs too: these pass under qemu.
skip_under_valgrind() {
	case ${LINKBOX##*/} in
	valgrind-wrap) skip "valgrind needs descriptors of its own" ;;
	esac
}

# inode NAME: device:inode of NAME itself (not followed).
inode() {
	stat -c '%d:%i' -- "$1"
}

# Assert that $output is exactly the given text.
assert_output_is() {
	if [ "$output" != "$1" ]; then
		printf 'expected: [%s]\nactual:   [%s]\n' "$1" "$output" >&2
		return 1
	fi
}

# Assert that $stderr is exactly the given text.
assert_stderr_is() {
	if [ "$stderr" != "$1" ]; then
		printf 'expected stderr: [%s]\nactual stderr:   [%s]\n' \
			"$1" "$stderr" >&2
		return 1
	fi
}

# Assert that $stderr starts with the given text (strerror wording differs
# between glibc and musl, so messages are matched up to it).
assert_stderr_starts() {
	case $stderr in
	"$1"*) ;;
	*)
		printf 'expected stderr to start: [%s]\nactual stderr: [%s]\n' \
			"$1" "$stderr" >&2
		return 1
		;;
	esac
}

# no_temps DIR: no temporary names of ours are left in DIR.
no_temps() {
	local left
	left=$(find "${1:-.}" -name '.*.ln.*' -o -name '.*.linkbox.*' \
		-o -name '.*.lnatomic.*' -o -name '.*.safeswap.*' \
		-o -name '.*.dedup.*' -o -name '.*.symlinks.*')
	if [ -n "$left" ]; then
		printf 'temporary files left: %s\n' "$left" >&2
		return 1
	fi
}

# usage_error TEXT...: the message of a usage error of $USAGE_APPLET (set
# by the test file): the first line (words joined by " "), then GNU's
# pointer to --help.
usage_error() {
	printf '%s\n%s' "$USAGE_APPLET: $*" \
		"Try '$USAGE_APPLET --help' for more information."
}

# strace_applet APPLET STRACE_OPTION... -- ARG...: the applet under
# strace -f.
strace_applet() {
	local applet=$1 opts=()
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	strace -f "${opts[@]}" "$LB_BIN/$applet" "$@"
}

# known_calls SYSCALL...: those this strace knows (an architecture may
# lack rename, link, unlink), comma-separated, for -e trace=.
known_calls() {
	local s list=()
	for s; do
		strace -o /dev/null -e trace="$s" true 2>/dev/null &&
			list+=("$s")
	done
	local IFS=,
	echo "${list[*]}"
}

# occurrences LOG: "SYSCALL COUNT" lines for the calls in an strace -f log.
occurrences() {
	sed -E 's/^[0-9]+ +//' "$1" | grep -oE '^[a-z0-9_]+\(' | tr -d '(' |
		sort | uniq -c | awk '{ print $2, $1 }'
}

# need_strace [OPTION...]: skip where strace is missing or cannot run
# true with these options (ptrace refused, a syscall it does not know,
# no fault injection: -e inject=...), and under an emulator: make
# check-aarch64 and check-arm set LINKBOX_EMU (qemu-aarch64, qemu-arm),
# and strace -f there traces qemu, whose system calls are not the guest's
# one for one (it makes calls of its own, and a 32-bit guest's calls become
# others on the host), so counts and injection points would be qemu's.
need_strace() {
	[ -z "${LINKBOX_EMU:-}" ] ||
		skip "strace would trace $LINKBOX_EMU, not the linkbox it runs"
	command -v strace >/dev/null || skip "no strace"
	strace -f -o /dev/null "$@" true 2>/dev/null ||
		skip "strace cannot trace here${*:+ ($*)}"
}

# need_inject [SYSCALL]: need_strace, able to inject an error into
# SYSCALL (default renameat).
need_inject() {
	need_strace -e "inject=${1:-renameat}:error=EIO"
}

# need_reader: READER, the race reader tests/race/reader (see its
# header), built by make when missing or older than its source; skips
# without make or a C compiler.
need_reader() {
	command -v make >/dev/null || skip "no make to build the reader"
	command -v "${CC:-cc}" >/dev/null ||
		skip "no C compiler (${CC:-cc}) for the reader"
	# Not a sub-make of make check: no jobserver, no overrides.
	MAKEFLAGS= MFLAGS= make -s -C "$REPO" tests/race/reader >&2
	READER=$REPO/tests/race/reader
}

# need_slow WHAT: skip a test of a slow file (the races and the fault
# injection matrices; each calls need_slow in its setup()) when
# LINKBOX_SLOW=0.  They take most of the suite's time, so CI runs them
# once, not once per build: against the static build, whose cheap exec
# gets the full counts, and the other builds (glibc, ASan, qemu) with
# LINKBOX_SLOW=0.  Unset, everything runs.
need_slow() {
	[ "${LINKBOX_SLOW:-1}" != 0 ] || skip "LINKBOX_SLOW=0: slow $1"
}

# note TEXT...: a "# TEXT" line in the TAP output, for the figures a test
# measured (bats shows it whatever the verdict).
note() {
	printf '# %s\n' "$*" >&3
}

# need_unpriv: a world-readable scratch directory $PUB (cd'd into) with a
# copy of the binary and its applet links in $PUB/bin, for lb_unpriv.
# Root reads every directory, so as root those tests run as nobody.  The
# test file's teardown removes $PUB.
need_unpriv() {
	local a
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "needs setpriv to drop root"
		id nobody >/dev/null 2>&1 || skip "no user nobody"
	fi
	PUB=$(mktemp -d /tmp/linkbox-unpriv.XXXXXX)
	chmod 755 "$PUB"
	mkdir "$PUB/bin" "$PUB/t"
	cp "$LINKBOX" "$PUB/bin/linkbox"
	for a in $("$LINKBOX" --list); do
		command ln "$PUB/bin/linkbox" "$PUB/bin/$a"
	done
	chmod 755 "$PUB/bin" "$PUB/bin/linkbox" "$PUB/t"
	cd "$PUB/t" || return 1
	lb_unpriv test -r . || skip "nobody cannot reach $PUB"
}

# lb_unpriv CMD ARGS: CMD (an applet name, or a host command) run as an
# unprivileged user; applets from the copy in $PUB/bin.
lb_unpriv() {
	local cmd=$1
	shift
	[ -e "$PUB/bin/$cmd" ] && cmd=$PUB/bin/$cmd
	if [ "$(id -u)" -ne 0 ]; then
		"$cmd" "$@"
	else
		setpriv --reuid=nobody --regid="$(id -g nobody)" \
			--clear-groups "$cmd" "$@"
	fi
}

# need_root [WHY]: skip unless running as root.
need_root() {
	[ "$(id -u)" = 0 ] || skip "${1:-needs root}"
}

# The mounts of this test, unmounted by teardown (unmount_all), innermost
# (last) first.  A test that mounts something itself adds it here.
MOUNTS=()

# mount_tmpfs [DIR]: a fresh tmpfs on DIR (default mnt; made if missing),
# unmounted by teardown; MNT is its absolute path.  Skips unless root.
mount_tmpfs() {
	local dir=${1:-mnt}
	need_root "mounting a tmpfs needs root"
	mkdir -p "$dir"
	mount -t tmpfs none "$dir" 2>/dev/null || skip "cannot mount a tmpfs"
	MNT=$(realpath "$dir")
	MOUNTS+=("$MNT")
}

# unmount_all: unmount MOUNTS, innermost first (lazily when busy), from /
# so that a test's working directory cannot hold one busy.
unmount_all() {
	local i
	[ "${#MOUNTS[@]}" -gt 0 ] || return 0
	cd / || return 1
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}"
	done
	MOUNTS=()
}

# A file with a teardown of its own calls unmount_all from it.
teardown() {
	unmount_all
}

# Run a command with its stdout on /dev/full.
to_full() {
	"$@" >/dev/full
}

# to_file FILE CMD...: run CMD with stdout in FILE (for output with NULs).
to_file() {
	local f=$1
	shift
	"$@" >"$f"
}

# assert_lines_are LINE...: $output holds exactly these lines, in any order
# (a walk follows the filesystem's readdir order).
assert_lines_are() {
	local got want
	got=$(printf '%s\n' "$output" | LC_ALL=C sort)
	want=$(printf '%s\n' "$@" | LC_ALL=C sort)
	if [ "$got" != "$want" ]; then
		printf 'expected (sorted): [%s]\nactual (sorted):   [%s]\n' \
			"$want" "$got" >&2
		return 1
	fi
}

# one_line: the message on stderr was one line.
one_line() {
	if [ "${#stderr_lines[@]}" -ne 1 ]; then
		printf 'expected one line on stderr, got %d\n' \
			"${#stderr_lines[@]}" >&2
		return 1
	fi
}

# listed_applets: the applets of core/applets.h, one a line, in its order.
listed_applets() {
	sed -n 's/^APPLET(\([a-z_]*\), .*)$/\1/p' "$REPO/core/applets.h"
}

# gen_tree [-s] [-L] SEED DIR: a random tree of about 2000 entries in DIR,
# with hard links across directories and symlinks: tests/bench/mktree
# when it and a compiler are there, else a seeded bash loop, where -s
# makes the regular files zeros of random sizes (else each holds its
# number) and -L lets the hard links be to symlinks too.
gen_tree() {
	local sized=0 symhard=0
	while [ $# -gt 2 ]; do
		case $1 in
		-s) sized=1 ;;
		-L) symhard=1 ;;
		*) echo "gen_tree: bad option $1" >&2; return 2 ;;
		esac
		shift
	done
	local mktree=$BATS_TEST_DIRNAME/bench/mktree
	if [ -x "$mktree" ] && command -v "${CC:-cc}" >/dev/null; then
		"$mktree" -q "$1" 2000 "$2"
		return
	fi
	local i d
	local -a dirs files
	RANDOM=$1
	mkdir "$2"
	dirs=("$2")
	files=()
	for ((i = 0; i < 2000; i++)); do
		d=${dirs[RANDOM % ${#dirs[@]}]}
		case $((RANDOM % 12)) in
		0 | 1)
			mkdir "$d/d$i"
			dirs+=("$d/d$i")
			;;
		2 | 3)
			[ "${#files[@]}" -eq 0 ] ||
				command ln "${files[RANDOM % ${#files[@]}]}" "$d/h$i"
			;;
		4)
			command ln -s "x$i" "$d/l$i"
			[ "$symhard" = 0 ] || files+=("$d/l$i")
			;;
		*)
			if [ "$sized" = 1 ]; then
				head -c $((RANDOM % 9000)) /dev/zero >"$d/f$i"
			else
				echo "$i" >"$d/f$i"
			fi
			files+=("$d/f$i")
			;;
		esac
	done
}
