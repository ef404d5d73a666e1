# lib.bash: what tests/snapshot.bats and tests/snapshot_repo.bats share:
# setup and teardown,
# trees described with host tools only (tree_listing), a snapshot checked
# against its source (verify), the numbers of a summary line (counts),
# the lock held by another process (hold_lock).  The crash and fault
# tests can load it too, to check what a killed run left.

# Each test works in w/ of its scratch directory: bats keeps files of its
# own (the stderr of run --separate-stderr) in the scratch directory.
setup() {
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w" || return 1
	skip_unless_applet snapshot
}

# Stop what a test left running, unmount what it mounted, remove the
# world-readable fixture of the tests that run as an unprivileged user.
teardown() {
	stop_background
	unmount_all
	if [ -n "${PUB:-}" ]; then
		chmod -R u+rwx "$PUB" 2>/dev/null
		rm -rf "$PUB"
	fi
}

# tree_listing [-x] [-e PATTERN]... [-M PATH]... DIR: one line per entry
# of DIR, sorted: its path relative to DIR (printf %q), type, mode,
# owner, group, size (not for directories, whose size depends on their
# history), mtime to the nanosecond, symlink text, device numbers, and
# the md5sum of a regular file; then one line per inode with several
# names inside DIR, listing them: the hard-link structure, not link
# counts, which snapshots sharing inodes with each other would change.
# -x stays on DIR's filesystem (find -xdev); -e leaves out the entries
# named PATTERN and what is below them, as --exclude does; -M PATH lists
# no mtime for PATH (a file --checksum links to an older copy).  In a
# subshell without bats's DEBUG trap, which would run at every command of
# the loop and make a deep tree cost a minute.
tree_listing() (
	trap - DEBUG
	set +T
	local xdev=() prune=() fmt dir path type mode uid gid size mtime ino
	local text sum q i j tmp group
	local -a files=() lines=() types=() names
	local -A nomtime=() inodes=()
	local LC_ALL=C
	while [ $# -gt 1 ]; do
		case $1 in
		-x) xdev=(-xdev) ;;
		-e) prune+=(-o -name "$2") && shift ;;
		-M) nomtime[$2]=1 && shift ;;
		*) break ;;
		esac
		shift
	done
	dir=$1
	# Few processes, and files rather than pipes: bash reads a pipe a
	# byte at a time.
	tmp=${BATS_TEST_TMPDIR:-/tmp}/.listing.$BASHPID
	fmt='%P\0%y %m %U %G %s %T@ %i\0%l\0'
	if [ "${#prune[@]}" -eq 0 ]; then
		find "$dir" "${xdev[@]}" -printf "$fmt"
	else
		find "$dir" -maxdepth 0 -printf "$fmt" &&
			find "$dir" -mindepth 1 "${xdev[@]}" \
				\( -false "${prune[@]}" \) -prune \
				-o -printf "$fmt"
	fi >"$tmp.find" || return 1
	while IFS= read -r -d '' path &&
		IFS=' ' read -r -d '' type mode uid gid size mtime ino &&
		IFS= read -r -d '' text; do
		path=${path:-.}
		printf -v q '%q' "$path"
		[ -z "${nomtime[$path]:-}" ] || mtime=-
		[ "$type" != d ] || size=-
		case $type in
		c | b) text=$(stat -c '%t:%T' -- "$dir/$path") ;;
		f) files+=("$dir/$path") ;;
		esac
		printf -v text '%q' "$text"
		types+=("$type")
		lines+=("$q $type $mode $uid $gid $size $mtime $text")
		# %q leaves no newline in a name: the names of each inode.
		[ "$type" = d ] || inodes[$ino]+=$q$'\n'
	done <"$tmp.find"
	: >"$tmp.sums"
	[ "${#files[@]}" -eq 0 ] || md5sum -z -- "${files[@]}" >"$tmp.sums" ||
		return 1
	# Sorted from a file: a pipe would cost a process more.
	{
		# md5sum keeps the order of its operands.
		for i in "${!lines[@]}"; do
			if [ "${types[i]}" = f ]; then
				IFS= read -r -d '' sum || return 1
				printf '%s %s\n' "${lines[i]}" "${sum:0:32}"
			else
				printf '%s -\n' "${lines[i]}"
			fi
		done <"$tmp.sums"
		# Each inode with several names: "links: NAME NAME...", the
		# names sorted (an insertion sort: the groups are small).
		for ino in "${!inodes[@]}"; do
			mapfile -t names <<<"${inodes[$ino]%$'\n'}"
			[ "${#names[@]}" -gt 1 ] || continue
			for ((i = 1; i < ${#names[@]}; i++)); do
				q=${names[i]}
				for ((j = i - 1; j >= 0; j--)); do
					[[ ${names[j]} > $q ]] || break
					names[j + 1]=${names[j]}
				done
				names[j + 1]=$q
			done
			group="links:"
			for q in "${names[@]}"; do
				group+=" $q"
			done
			printf '%s\n' "$group"
		done
	} >"$tmp.lines"
	sort "$tmp.lines"
)

# verify [tree_listing OPTION]... SRC SNAP...: each SNAP is a copy of
# SRC, as tree_listing sees them (SRC listed once); the difference is
# shown when one is not.
verify() {
	local -a opts=()
	local tmp=${BATS_TEST_TMPDIR:-/tmp}/.verify src snap a b
	while :; do
		case $1 in
		-x) opts+=("$1") ;;
		-e | -M) opts+=("$1" "$2") && shift ;;
		*) break ;;
		esac
		shift
	done
	src=$1
	shift
	tree_listing "${opts[@]}" "$src" >"$tmp.src" || return 1
	IFS= read -r -d '' a <"$tmp.src" || true
	[ -n "$a" ] || { echo "verify: nothing listed in $src" >&2; return 1; }
	for snap; do
		tree_listing "${opts[@]}" "$snap" >"$tmp.snap" || return 1
		IFS= read -r -d '' b <"$tmp.snap" || true
		[ "$a" != "$b" ] || continue
		printf 'verify: %s differs from %s:\n' "$snap" "$src" >&2
		diff -u "$tmp.src" "$tmp.snap" | tail -n +3 | head -40 >&2
		return 1
	done
}

# snap NAME [OPTION...]: the snapshot NAME of src/ in repo/, quietly and
# without the flush (syncfs costs a third of a second here), verified.
snap() {
	lb snapshot -q --no-sync --name="$1" "${@:2}" src repo &&
		verify src "repo/$1"
}

# counts: the numbers of the summary line, the last on $stderr, as
# "linked=N copied=M new=A changed=B bytes=X limit=L errors=E", read
# whether the bytes say "bytes" and the errors "errors" or not: the
# wording itself is the summary test's business.
counts() {
	local re='^snapshot: (would make )?.*: ([0-9]+) linked, '
	re+='([0-9]+) copied \(([0-9]+) new, ([0-9]+) changed\), '
	re+='([0-9.]+[KMGTPE]?)( bytes)? copied, '
	re+='([0-9]+) copied at the link limit, ([0-9]+) [a-z]+$'
	[[ ${stderr_lines[-1]:-} =~ $re ]] || {
		printf 'no summary line in: [%s]\n' "$stderr" >&2
		return 1
	}
	printf '%s ' "linked=${BASH_REMATCH[2]}" "copied=${BASH_REMATCH[3]}" \
		"new=${BASH_REMATCH[4]}" "changed=${BASH_REMATCH[5]}" \
		"bytes=${BASH_REMATCH[6]}" "limit=${BASH_REMATCH[8]}"
	printf '%s\n' "errors=${BASH_REMATCH[9]}"
}

# assert_counts WORD...: counts says these words (linked=3 copied=2 ...).
assert_counts() {
	local got
	got=$(counts) || return 1
	if [ "$got" != "$*" ]; then
		printf 'expected counts: [%s]\nactual counts:   [%s]\n' \
			"$*" "$got" >&2
		return 1
	fi
}

# state DIR: everything about DIR's entries that writing into it would
# change (inode, links, size, times, mode), to compare before and after.
state() {
	find "$1" -printf '%p %y %i %n %s %T@ %C@ %m %l\n' | LC_ALL=C sort
}

# same_inode A B: A and B are one inode (stat -c %i, and the device).
same_inode() {
	[ "$(inode "$1")" = "$(inode "$2")" ] || {
		printf '%s and %s are not one inode\n' "$1" "$2" >&2
		return 1
	}
}

# other_inode A B: A and B are two inodes.
other_inode() {
	[ "$(inode "$1")" != "$(inode "$2")" ] || {
		printf '%s and %s are one inode\n' "$1" "$2" >&2
		return 1
	}
}

# wait_locked FILE: until another process holds FILE's lock (2 s at most).
wait_locked() {
	local i
	for ((i = 0; i < 40; i++)); do
		flock -n "$1" true || return 0
		sleep 0.05
	done
	echo "nobody locked $1" >&2
	return 1
}

# hold_lock FILE: a process holding the lock of FILE for 5 s at most
# (flock -F: the sleep itself holds it), its pid in HOLDER.
hold_lock() {
	flock --help 2>&1 | grep -q -e --no-fork ||
		skip "no flock -F (util-linux) to hold the lock"
	flock -F "$1" sleep 5 3>&- >/dev/null 2>&1 &
	HOLDER=$!
	BACKGROUND+=" $HOLDER"
	wait_locked "$1"
}

# stop_background: end the processes a test started (BACKGROUND, pids).
stop_background() {
	local pid
	for pid in ${BACKGROUND:-}; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	return 0
}
