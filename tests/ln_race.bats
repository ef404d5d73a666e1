#!/usr/bin/env bats
load helpers

# ln replaces LINK_NAME atomically: the new link is made as .NAME.ln.XXXXXX
# beside it and rename(2)d over it.  Here (a) a reader lstat()ing the name
# in a tight loop (tests/race/reader.c) must never miss it while ln replaces
# it over and over, where rm + ln (the positive control) must; and (b) with
# faults injected by strace into the calls that change the directory, the
# name must never go missing and no temporary may be left (except after
# SIGKILL, or when removing it is what failed).  Bounded: at most
# MAX_REPLACEMENTS replacements or MAX_SECONDS a race.

MAX_REPLACEMENTS=2000
MAX_SECONDS=8
CONTROL_ROUNDS=300
RENAMES=rename,renameat,renameat2

# Each test works in w/ of its scratch directory, away from the files of
# bats' run --separate-stderr.
setup() {
	need_slow "races and faults of ln"
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w" || return 1
	skip_unless_applet ln
}

# --- races ----------------------------------------------------------------

# race ROUNDS BODY: run BODY up to ROUNDS times (or MAX_SECONDS) while the
# reader watches "link"; BODY adds what it replaced to $replaced.  Sets
# lookups, misses, other, replaced.
race() {
	local rounds=$1 body=$2 i pid end=$((SECONDS + MAX_SECONDS))

	replaced=0
	rm -f stop stop.ready
	"$READER" -t $((MAX_SECONDS + 20)) lstat link stop >counts &
	pid=$!
	for ((i = 0; i < 1000 && ! -e stop.ready; i++)); do
		sleep 0.01
	done
	for ((i = 0; i < rounds && SECONDS < end; i++)); do
		"$body" || break
	done
	touch stop
	wait "$pid"
	read -r _ lookups _ misses _ _ _ other _ <counts
	echo "# $body: $misses misses ($other other errors) in $lookups" \
		"lookups, $replaced replacements" >&3
}

swap_symlinks() {
	lb ln -sfn tA link && lb ln -sfn tB link && replaced=$((replaced + 2))
}

unlink_symlink() {
	rm -f link && command ln -s tA link && replaced=$((replaced + 1))
}

swap_hard_links() {
	lb ln -f fileA link && lb ln -f fileB link && replaced=$((replaced + 2))
}

unlink_hard_link() {
	rm -f link && command ln fileA link && replaced=$((replaced + 1))
}

@test "ln: -sfn replacing a symlink never leaves it missing to a reader" {
	need_reader
	command ln -s tB link
	race $((MAX_REPLACEMENTS / 2)) swap_symlinks
	[ "$replaced" -gt 0 ]
	[ "$(readlink link)" = tB ]
	[ "$lookups" -gt 0 ]
	[ "$misses" -eq 0 ]
	[ "$other" -eq 0 ]
	no_temps .
}

@test "ln: race control: rm then ln -s is seen missing by the reader" {
	need_reader
	command ln -s tA link
	race "$CONTROL_ROUNDS" unlink_symlink
	[ "$replaced" -gt 0 ]
	if [ "$misses" -eq 0 ]; then
		skip "note: the reader saw no miss in $replaced unlink+symlink" \
			"rounds; the race tests prove little on this machine"
	fi
}

@test "ln: -f replacing a hard link never leaves it missing to a reader" {
	need_reader
	echo A >fileA
	echo B >fileB
	command ln fileB link
	race $((MAX_REPLACEMENTS / 2)) swap_hard_links
	[ "$replaced" -gt 0 ]
	[ link -ef fileB ]
	[ "$(stat -c %h fileA)" -eq 1 ]
	[ "$lookups" -gt 0 ]
	[ "$misses" -eq 0 ]
	[ "$other" -eq 0 ]
	no_temps .
}

@test "ln: race control: rm then ln is seen missing by the reader" {
	need_reader
	echo A >fileA
	command ln fileA link
	race "$CONTROL_ROUNDS" unlink_hard_link
	[ "$replaced" -gt 0 ]
	if [ "$misses" -eq 0 ]; then
		skip "note: the reader saw no miss in $replaced unlink+link" \
			"rounds; the race tests prove little on this machine"
	fi
}

# --- fault injection --------------------------------------------------------

# faulty STRACE-ARGS... -- LN-ARGS...: run ln under strace with faults.
faulty() {
	strace_applet ln -o /dev/null "$@"
}

# A symlink "link" to "old", and a file "new".
old_symlink() {
	touch old new
	command ln -s old link
}

# only_names NAME... -- GLOB: this directory holds the NAMEs and otherwise
# only names matching GLOB.
only_names() {
	local f want=" " glob
	while [ "$1" != -- ]; do
		want+="$1 "
		shift
	done
	glob=$2
	for f in .* *; do
		case $f in . | ..) continue ;; esac
		[ -e "$f" ] || [ -L "$f" ] || continue
		[[ $want == *" $f "* ]] && continue
		# shellcheck disable=SC2053
		[[ $f == $glob ]] && continue
		echo "unexpected name left: $f" >&2
		return 1
	done
}

# rename_fault ERRNO: ln -sf over link -> old with every rename failing.
rename_fault() {
	need_inject
	old_symlink
	run -1 --separate-stderr faulty -e "inject=$RENAMES:error=$1" -- \
		-sf new link
	assert_output_is ""
	assert_stderr_starts "ln: failed to create symbolic link 'link': "
	[ "$(readlink link)" = old ]
	no_temps .
}

@test "ln: the fault tests cover every call ln makes that changes a directory" {
	need_inject
	local calls mutating c
	old_symlink
	echo A >fileA
	echo B >fileB
	command ln fileA hard
	command ln fileA hard2
	{
		faulty -e trace=%file -o trace1 -- -sf new link &&
			faulty -e trace=%file -o trace2 -- -f fileB hard &&
			faulty -e trace=%file -o trace3 -- -f fileB hard2 &&
			faulty -e trace=%file -o trace4 -- -sfb old link &&
			faulty -e trace=%file -o trace5 -- -fb fileA hard
		faulty -e trace=%file -o trace6 \
			-e "inject=$RENAMES:error=EIO" -- -sf new link || true
		faulty -e trace=%file -o trace7 -e inject=linkat:error=EPERM \
			-- -sfb new link
	} 2>/dev/null
	calls=$(sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' trace? | sort -u)
	echo "# calls: $(echo $calls)" >&3
	if grep -E '^[0-9]+ +open(at)?\(.*O_(CREAT|WRONLY|RDWR|TRUNC)' trace?; then
		echo "ln opens something for writing" >&2
		return 1
	fi
	mutating=$(echo "$calls" | grep -Evx 'execve|open|openat|stat|lstat|fstat|newfstatat|fstatat64|statx|readlink|readlinkat|access|faccessat|faccessat2|getcwd|chdir|fchdir')
	echo "# changing: $(echo $mutating)" >&3
	for c in $mutating; do
		case $c in
		symlinkat | linkat | rename | renameat | renameat2 | unlinkat) ;;
		*)
			echo "not covered by a fault test: $c" >&2
			return 1
			;;
		esac
	done
	for c in symlinkat linkat unlinkat; do
		grep -qx "$c" <<<"$mutating"
	done
	grep -Eqx 'rename|renameat|renameat2' <<<"$mutating"
}

@test "ln: -sf whose rename fails (EIO) keeps the old link, no temporary" {
	rename_fault EIO
}

@test "ln: -sf whose rename fails (EXDEV) keeps the old link, no temporary" {
	rename_fault EXDEV
}

@test "ln: -sf whose rename fails (ENOSPC) keeps the old link, no temporary" {
	rename_fault ENOSPC
}

@test "ln: -sf failing to make the temporary symlink keeps the old link" {
	need_inject
	old_symlink
	# The first symlinkat is the plain attempt (EEXIST); the rest make
	# temporaries.
	run -1 --separate-stderr faulty \
		-e inject=symlinkat:error=ENOSPC:when=2+ -- -sf new link
	assert_output_is ""
	assert_stderr_starts "ln: failed to create symbolic link 'link': "
	[ "$(readlink link)" = old ]
	no_temps .
}

@test "ln: -f failing to make the temporary hard link keeps the old link" {
	need_inject
	echo A >fileA
	echo B >fileB
	command ln fileA link
	run -1 --separate-stderr faulty \
		-e inject=linkat:error=ENOSPC:when=2+ -- -f fileB link
	assert_output_is ""
	assert_stderr_starts "ln: failed to create hard link 'link': "
	[ link -ef fileA ]
	[ "$(stat -c %h fileB)" -eq 1 ]
	no_temps .
}

@test "ln: -f whose rename fails (EIO) keeps the old hard link, no temporary" {
	need_inject
	echo A >fileA
	echo B >fileB
	command ln fileA link
	run -1 --separate-stderr faulty -e "inject=$RENAMES:error=EIO" -- \
		-f fileB link
	assert_output_is ""
	assert_stderr_starts "ln: failed to create hard link 'link' => 'fileB': "
	[ link -ef fileA ]
	[ "$(stat -c %h fileB)" -eq 1 ]
	no_temps .
}

@test "ln: -sf whose rename and cleanup unlink both fail keeps the old link" {
	need_inject
	old_symlink
	run -1 --separate-stderr faulty -e "inject=$RENAMES:error=EIO" \
		-e inject=unlink,unlinkat:error=EIO -- -sf new link
	assert_output_is ""
	assert_stderr_starts "ln: failed to create symbolic link 'link': "
	[ "$(readlink link)" = old ]
	# The temporary cannot be removed when removing it is what fails.
	only_names old new link -- '.link.ln.??????'
}

@test "ln: -f over another name of the same file removes the temporary" {
	need_inject
	echo A >fileA
	command ln fileA link
	# rename() of two names of one inode does nothing: the temporary is
	# then unlinked, and if that fails it stays, named in a message
	# (GNU ln leaves its own silently).
	run -0 --separate-stderr lb ln -f fileA link
	assert_stderr_is ""
	no_temps .
	run -1 --separate-stderr faulty -e inject=unlink,unlinkat:error=EIO \
		-- -f fileA link
	assert_stderr_starts "ln: cannot remove the temporary '.link.ln."
	[ link -ef fileA ]
	only_names fileA link -- '.link.ln.??????'
}

@test "ln: -sf killed at its rename leaves the old or new link, only our temporary" {
	need_inject
	old_symlink
	run --separate-stderr faulty -e "inject=$RENAMES:signal=SIGKILL" -- \
		-sf new link
	[ "$status" -ne 0 ]
	[[ $(readlink link) == @(old|new) ]]
	only_names old new link -- '.link.ln.??????'
}

@test "ln: -sf killed making its temporary symlink leaves the old link" {
	need_inject
	old_symlink
	run --separate-stderr faulty \
		-e inject=symlinkat:signal=SIGKILL:when=2 -- -sf new link
	[ "$status" -ne 0 ]
	[ "$(readlink link)" = old ]
	only_names old new link -- '.link.ln.??????'
}

@test "ln: -sfb whose renames all fail keeps the link and makes no backup" {
	need_inject
	old_symlink
	run -1 --separate-stderr faulty -e "inject=$RENAMES:error=EIO" -- \
		-sfb new link
	assert_output_is ""
	assert_stderr_starts "ln: cannot backup 'link': "
	[ "$(readlink link)" = old ]
	[ ! -L 'link~' ]
	no_temps .
}

@test "ln: -sfb whose second rename fails keeps the link, and no backup" {
	need_inject
	old_symlink
	# The first rename puts the backup in place, the second would have
	# replaced the link; the backup then goes, as GNU's un-backup does.
	run -1 --separate-stderr faulty \
		-e "inject=$RENAMES:error=EIO:when=2+" -- -sfb new link
	assert_output_is ""
	assert_stderr_starts "ln: failed to create symbolic link 'link': "
	[ "$(readlink link)" = old ]
	[ ! -L 'link~' ]
	no_temps .
}

@test "ln: -sfb where hard links are refused backs up by renaming" {
	need_inject
	old_symlink
	run -0 --separate-stderr faulty -e inject=linkat:error=EPERM -- \
		-sfb new link
	assert_stderr_is ""
	[ "$(readlink link)" = new ]
	[ "$(readlink 'link~')" = old ]
	no_temps .
}

@test "ln: -sfb where hard links are refused puts the backup back on failure" {
	need_inject
	old_symlink
	run -1 --separate-stderr faulty -e inject=linkat:error=EPERM \
		-e inject=symlinkat:error=ENOSPC:when=2+ -- -sfb new link
	assert_output_is ""
	assert_stderr_starts "ln: failed to create symbolic link 'link': "
	[ "$(readlink link)" = old ]
	[ ! -L 'link~' ]
	no_temps .
}
