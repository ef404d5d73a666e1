#!/usr/bin/env bats
load helpers
USAGE_APPLET=dedup # for usage_error

# dedup: replace identical files with hard links, verified byte for byte
# (applets/dedup/).  Fixtures are made and results checked with the
# host's tools (stat, cmp, find, [ -ef ]); dedup only runs as lb dedup.
# Where the output follows the walk or the sort inside dedup, it is
# compared sorted.  Fault injection, races and signals are in
# tests/dedup_safety.bats.

# Each test works in w/ of its scratch directory: bats keeps files of its
# own (the stderr of run --separate-stderr) in the scratch directory.
setup() {
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w" || return 1
	skip_unless_applet dedup
}

# summary SCANNED GROUPS RELINKED FREED [CHANGED [FAILED [APART]]]: the
# lines dedup ends with.
summary() {
	printf '%s\n' "files scanned: $1" "duplicate groups: $2" \
		"names relinked: $3" "bytes freed: $4" \
		"skipped because they changed: ${5:-0}" \
		"not linked because of errors: ${6:-0}" \
		"kept apart by owner, group or mode: ${7:-0}"
}

# The same for -n.
dry_summary() {
	printf '%s\n' "files scanned: $1" "duplicate groups: $2" \
		"names that would be relinked: $3" \
		"bytes that would be freed: $4" \
		"skipped because they changed: ${5:-0}" \
		"not linked because of errors: ${6:-0}" \
		"kept apart by owner, group or mode: ${7:-0}"
}

# put TEXT NAME...: each NAME a file of its own holding TEXT.
put() {
	local text=$1 f
	shift
	for f; do
		printf '%s' "$text" >"$f"
	done
}

# age DATE NAME...: set the mtime, to choose which file is the oldest.
age() {
	local date=$1
	shift
	touch -h -d "$date" -- "$@"
}

# bytes_of NAME...: the space the files take (st_blocks * 512), summed.
bytes_of() {
	local total=0 f
	for f; do
		total=$((total + $(stat -c '%b * %B' -- "$f")))
	done
	echo "$total"
}

# snapshot [DIR]: everything about the tree that dedup could change.
snapshot() {
	find "${1:-.}" -printf '%p %i %n %s %T@ %y\n' | LC_ALL=C sort
}

# one_file NAME...: all the names are one inode.
one_file() {
	local f
	for f in "${@:2}"; do
		if ! [ "$1" -ef "$f" ]; then
			printf '%s and %s are different files\n' "$1" "$f" >&2
			return 1
		fi
	done
}

# apart NAME...: no two of the names are one inode.
apart() {
	local a b
	for a; do
		for b; do
			if [ "$a" != "$b" ] && [ "$a" -ef "$b" ]; then
				printf '%s and %s are one file\n' "$a" "$b" >&2
				return 1
			fi
		done
	done
}

# links NAME: its link count.
links() {
	stat -c %h -- "$1"
}

# same_content_same_file DIR: in DIR, files with equal bytes are one inode
# and files with different bytes are different inodes.
same_content_same_file() {
	find "$1" -type f -exec sh -c 'for f; do
		printf "%s %s\n" "$(cksum <"$f" | tr " " :)" \
			"$(stat -c %i "$f")"; done' sh {} + | sort -u >pairs
	local bad
	bad=$(awk '{ if (($1 in ino) && ino[$1] != $2) print "content " $1 \
		" in inodes " ino[$1] " and " $2; ino[$1] = $2;
		if (($2 in sum) && sum[$2] != $1) print "inode " $2 \
		" holds two contents"; sum[$2] = $1 }' pairs)
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" >&2
		return 1
	fi
}

# flip FILE OFFSET: change the byte at OFFSET (to another value).
flip() {
	local byte
	byte=$(od -An -tu1 -j "$2" -N1 -- "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $(((byte + 1) % 256)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# --- what is linked ----------------------------------------------------------

@test "dedup: a run whose operands all failed prints no summary" {
	run -2 --separate-stderr lb dedup nope
	assert_output_is ""
	assert_stderr_starts "dedup: 'nope': "
	one_line
}

@test "dedup: links identical files and prints the summary" {
	put 'same data
' a b c
	put 'other dat
' d
	age 2001-01-01 a
	local ino freed
	ino=$(stat -c %i a)
	freed=$(bytes_of b c)
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 4 1 2 "$freed")"
	assert_stderr_is ""
	one_file a b c
	apart a d
	[ "$(stat -c '%i %h' a)" = "$ino 3" ]
	[ "$(cat b)" = "same data" ]
	[ "$(cat d)" = "other dat" ]
	no_temps
}

@test "dedup: without duplicates changes nothing and says so" {
	put one a
	put two b
	put three c
	local before
	before=$(snapshot)
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 3 0 0 0)"
	assert_stderr_is ""
	[ "$(snapshot)" = "$before" ]
}

@test "dedup: descends into subdirectories and links across them" {
	mkdir -p x/y/z w
	put deep x/y/z/a w/b x/c
	age 2001-01-01 x/y/z/a
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 3 1 2 "$(bytes_of w/b x/c)")"
	one_file x/y/z/a w/b x/c
}

@test "dedup: several PATHs, files or directories, are taken together" {
	mkdir d1 d2
	put same d1/a d2/b c
	age 2001-01-01 d1/a
	run -0 --separate-stderr lb dedup d1 d2 c
	assert_output_is "$(summary 3 1 2 "$(bytes_of d2/b c)")"
	one_file d1/a d2/b c
}

@test "dedup: separate groups of duplicates are linked separately" {
	put first a1 a2
	put secnd b1 b2
	put third c1
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 5 2 2 "$(bytes_of a2 b2)")"
	one_file a1 a2
	one_file b1 b2
	apart a1 b1 c1
}

@test "dedup: names already hard-linked together are not a duplicate" {
	put data a
	command ln a b
	command ln a c
	local before
	before=$(snapshot)
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 3 0 0 0)"
	[ "$(snapshot)" = "$before" ]
}

@test "dedup: the same PATH twice links no name to itself" {
	mkdir d
	put alpha d/a
	put bravo d/b
	run -0 --separate-stderr lb dedup -v d d
	assert_stderr_is ""
	[[ $output != *"=>"* ]]
	[[ $output == *"duplicate groups: 0"* ]]
	[[ $output == *"names relinked: 0"* ]]
	[[ $output == *"bytes freed: 0"* ]]
	apart d/a d/b
}

@test "dedup: a PATH inside another links no name to itself" {
	mkdir -p d/sub
	put same d/sub/a d/b
	age 2001-01-01 d/sub/a
	run -0 --separate-stderr lb dedup -v d d/sub
	assert_stderr_is ""
	[[ $output != *"'d/sub/a' => 'd/sub/a'"* ]]
	[[ $output == *"names relinked: 1"* ]]
	[[ $output == *"bytes freed: $(bytes_of d/b)"* ]]
	one_file d/sub/a d/b
}

# --- -v, -n, -l, -0 ----------------------------------------------------------

@test "dedup: -v prints one line per name relinked" {
	put same a b c
	age 2001-01-01 a
	local freed
	freed=$(bytes_of b c)
	run -0 --separate-stderr lb dedup -v .
	assert_lines_are "'./b' => './a'" "'./c' => './a'" \
		"$(summary 3 1 2 "$freed")"
	[ "${lines[2]}" = "files scanned: 3" ]
	assert_stderr_is ""
	one_file a b c
}

@test "dedup: --verbose is -v" {
	put same a b
	age 2001-01-01 a
	local freed
	freed=$(bytes_of b)
	run -0 --separate-stderr lb dedup --verbose a b
	assert_output_is "'b' => 'a'
$(summary 2 1 1 "$freed")"
	one_file a b
}

@test "dedup: -n changes nothing and prints what it would do" {
	mkdir sub
	put same a b sub/c
	put other d
	age 2001-01-01 a
	local before freed
	before=$(snapshot)
	freed=$(bytes_of b sub/c)
	run -0 --separate-stderr lb dedup -n .
	assert_lines_are "'./b' => './a'" "'./sub/c' => './a'" \
		"$(dry_summary 4 1 2 "$freed")"
	assert_stderr_is ""
	[ "$(snapshot)" = "$before" ]
	no_temps
}

@test "dedup: --dry-run is -n" {
	put same a b
	age 2001-01-01 a
	local before freed
	before=$(snapshot)
	freed=$(bytes_of b)
	run -0 --separate-stderr lb dedup --dry-run a b
	assert_output_is "'b' => 'a'
$(dry_summary 2 1 1 "$freed")"
	[ "$(snapshot)" = "$before" ]
}

@test "dedup: -n counts bytes only of files that would lose every name" {
	mkdir in out
	put same in/a in/b in/c
	command ln in/c out/x
	age 2001-01-01 in/a
	local before
	before=$(snapshot)
	# in/c, with a name outside, is kept; in/a and in/b would be freed.
	run -0 --separate-stderr lb dedup -n in
	assert_lines_are "'in/a' => 'in/c'" "'in/b' => 'in/c'" \
		"$(dry_summary 3 1 2 "$(bytes_of in/a in/b)")"
	[ "$(snapshot)" = "$before" ]
}

@test "dedup: -l prints each group, the kept file first, blank line between" {
	put pp p q
	put rrr r s
	put xxx t
	age 2001-01-01 p r
	local before
	before=$(snapshot)
	run -0 --separate-stderr to_file ../out lb dedup -l .
	assert_stderr_is ""
	printf './p\n./q\n\n./r\n./s\n\n' >../want
	cmp ../out ../want
	[ "$(snapshot)" = "$before" ]
}

@test "dedup: -l prints every name of a file with several" {
	put same a b
	command ln b b2
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup -l .
	# b has more links: it is kept, and both its names come first.
	assert_lines_are ./b ./b2 ./a
	[ "${lines[2]}" = ./a ]
	apart a b
}

@test "dedup: -l -0 ends each name and each group with a NUL" {
	put pp p q
	put rrr r s
	age 2001-01-01 p r
	command ln q "q
2"
	run -0 --separate-stderr to_file ../out lb dedup -l -0 .
	assert_stderr_is ""
	# q has two names, so it is the one kept; they come in walk order.
	printf './q\0./q\n2\0./p\0\0./r\0./s\0\0' >../want1
	printf './q\n2\0./q\0./p\0\0./r\0./s\0\0' >../want2
	cmp -s ../out ../want1 || cmp ../out ../want2
}

@test "dedup: --list --null are -l -0" {
	put pp p q
	age 2001-01-01 p
	run -0 --separate-stderr to_file ../out lb dedup --list --null .
	printf './p\0./q\0\0' >../want
	cmp ../out ../want
	apart p q
}

@test "dedup: -0 -n ends every record, the summary's too, with a NUL" {
	put same a b "c
2"
	age 2001-01-01 a
	run -0 --separate-stderr to_file ../out lb dedup -0 -n a b "c
2"
	assert_stderr_is ""
	[ "$(tr -cd '\0' <../out | wc -c)" -eq 9 ]
	local r records=()
	while IFS= read -r -d '' r; do records+=("$r"); done <../out
	[ "${records[0]}" = "'b' => 'a'" ]
	[ "${records[1]}" = "'c'\$'\\n''2' => 'a'" ]
	[ "$(printf '%s\n' "${records[@]:2}")" = \
		"$(dry_summary 3 1 2 "$(bytes_of b "c
2")")" ]
	apart a b "c
2"
}

@test "dedup: -0 -v ends every record with a NUL" {
	put same a b
	age 2001-01-01 a
	run -0 --separate-stderr to_file ../out lb dedup -0 -v a b
	assert_stderr_is ""
	{
		printf "'b' => 'a'\\0"
		summary 2 1 1 "$(bytes_of a)" | tr '\n' '\0'
	} >../want
	cmp ../out ../want
	one_file a b
}

@test "dedup: -0 alone ends the summary's lines with a NUL" {
	put one a
	put two b
	run -0 --separate-stderr to_file ../out lb dedup -0 a b
	assert_stderr_is ""
	summary 2 0 0 0 | tr '\n' '\0' >../want
	cmp ../out ../want
}

@test "dedup: -l with -n is a usage error" {
	put same a b
	run -2 --separate-stderr lb dedup -l -n .
	assert_output_is ""
	assert_stderr_is "$(usage_error "-l and -n exclude each other")"
	apart a b
}

@test "dedup: -q shows no progress on a terminal, without it dedup does" {
	command -v script >/dev/null || skip "no script(1) for a terminal"
	mkdir d
	put same d/a d/b d/c
	script -qec "'$LB_BIN/dedup' '$PWD/d'" /dev/null >tty.out </dev/null ||
		skip "script(1) cannot run a command on a terminal here"
	grep -q 'dedup: [0-9]* files scanned, ' tty.out
	one_file d/a d/b d/c
	put same d/e d/f
	run -0 script -qec "'$LB_BIN/dedup' -q '$PWD/d'" /dev/null </dev/null
	[[ $output != *"files scanned, "* ]]
	[[ $output == *"names relinked: 2"* ]]
	one_file d/a d/e d/f
}

# --- what is compared --------------------------------------------------------

@test "dedup: empty files are left alone by default" {
	: >e1
	: >e2
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 2 0 0 0)"
	apart e1 e2
}

@test "dedup: -z links empty files too" {
	: >e1
	: >e2
	: >e3
	run -0 --separate-stderr lb dedup -z .
	assert_output_is "$(summary 3 1 2 0)"
	one_file e1 e2 e3
}

@test "dedup: --empty is -z" {
	: >e1
	: >e2
	run -0 --separate-stderr lb dedup --empty e1 e2
	assert_output_is "$(summary 2 1 1 0)"
	one_file e1 e2
}

@test "dedup: --mtime links only files with the same mtime" {
	put same a b c
	age 2001-01-01 a
	age 2002-02-02 b c
	run -0 --separate-stderr lb dedup --mtime .
	assert_output_is "$(summary 3 1 1 "$(bytes_of c)")"
	one_file b c
	apart a b
}

@test "dedup: without --mtime, different mtimes do not matter" {
	put same a b
	age 2001-01-01 a
	age 2002-02-02 b
	run -0 --separate-stderr lb dedup .
	one_file a b
}

@test "dedup: files of different owners are not linked by default" {
	need_root
	put same a b
	chown 1234 b
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 2 0 0 0 0 0 1)"
	apart a b
}

@test "dedup: --any-owner links files of different owners" {
	need_root
	put same a b
	chown 1234 b
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup --any-owner .
	assert_output_is "$(summary 2 1 1 "$(bytes_of b)")"
	one_file a b
	[ "$(stat -c %u b)" = "$(id -u)" ]
}

@test "dedup: files of different groups are not linked by default" {
	need_root
	put same a b
	chgrp 1234 b
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 2 0 0 0 0 0 1)"
	apart a b
}

@test "dedup: --any-group links files of different groups" {
	need_root
	put same a b
	chgrp 1234 b
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup --any-group .
	assert_output_is "$(summary 2 1 1 "$(bytes_of b)")"
	one_file a b
}

@test "dedup: files of different modes are not linked by default" {
	put same a b
	chmod 644 a
	chmod 600 b
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 2 0 0 0 0 0 1)"
	apart a b
}

@test "dedup: --any-mode links files of different modes" {
	put same a b
	chmod 644 a
	chmod 600 b
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup --any-mode .
	assert_output_is "$(summary 2 1 1 "$(bytes_of b)")"
	one_file a b
	[ "$(stat -c %a b)" = 644 ]
}

@test "dedup: each --any-* option relaxes only its own attribute" {
	need_root
	mkdir o g m
	put owner o/a o/b
	put group g/a g/b
	put modes m/a m/b
	chown 1234 o/b
	chgrp 1234 g/b
	chmod 644 m/a
	chmod 600 m/b
	run -0 --separate-stderr lb dedup --any-owner .
	one_file o/a o/b
	apart g/a g/b
	apart m/a m/b
	run -0 --separate-stderr lb dedup --any-group .
	one_file g/a g/b
	apart m/a m/b
	run -0 --separate-stderr lb dedup --any-mode .
	one_file m/a m/b
}

@test "dedup: -v names the identical files kept apart and why" {
	need_root
	put same a b c d
	age 2001-01-01 a
	chmod 600 b
	chown 1234 c
	chown 1234 d
	chmod 600 d
	run -0 --separate-stderr lb dedup -v a b c d
	assert_lines_are "'b' not linked to 'a': mode differs" \
		"'c' not linked to 'a': owner differs" \
		"'d' not linked to 'a': owner and mode differ" \
		"$(summary 4 0 0 0 0 0 3)"
	assert_stderr_is ""
	apart a b c d
}

@test "dedup: identical files kept apart are still linked among themselves" {
	put same a b c
	age 2001-01-01 a
	chmod 600 b c
	run -0 --separate-stderr lb dedup a b c
	assert_output_is "$(summary 3 1 1 "$(bytes_of c)" 0 0 2)"
	one_file b c
	apart a b
}

@test "dedup: -n --any-mode warns of each permission that would change" {
	put same a b
	age 2001-01-01 a
	chmod 644 a
	chmod 600 b
	run -0 --separate-stderr lb dedup -n --any-mode a b
	assert_output_is "'b' => 'a'
$(dry_summary 2 1 1 "$(bytes_of b)")"
	assert_stderr_is "dedup: 'b' would change mode from 0600 to 0644"
	[ "$(stat -c %a b)" = 600 ]
}

@test "dedup: -n --any-owner --any-group warns of owner and group changes" {
	need_root
	put same a b
	age 2001-01-01 a
	chown 1234:1235 b
	run -0 --separate-stderr lb dedup -n --any-owner --any-group a b
	assert_stderr_is "dedup: 'b' would change owner from 1234 to 0
dedup: 'b' would change group from 1235 to 0"
}

@test "dedup: -n without --any-mode warns of nothing" {
	put same a b
	chmod 600 b
	run -0 --separate-stderr lb dedup -n a b
	assert_stderr_is ""
}

@test "dedup: -h prints the bytes freed in human form" {
	head -c 3000000 /dev/urandom >a
	cp a b
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup -h a b
	[ "${lines[3]}" = "bytes freed: $(du -h b | cut -f1)" ]
	[ "${lines[3]}" = "bytes freed: 2.9M" ]
}

@test "dedup: --human-readable is -h, for -n too" {
	head -c 3000000 /dev/urandom >a
	cp a b
	run -0 --separate-stderr lb dedup -n --human-readable a b
	[ "${lines[4]}" = "bytes that would be freed: 2.9M" ]
}

# --- temporaries of an interrupted run -------------------------------------

@test "dedup: a temporary left as a second name of a file is removed" {
	put same a
	command ln a .b.dedup.Ab12Yz
	put same b
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup -v .
	assert_lines_are "removed './.b.dedup.Ab12Yz'" "'./b' => './a'" \
		"$(summary 2 1 1 "$(bytes_of b)")"
	[ ! -e .b.dedup.Ab12Yz ]
	one_file a b
}

@test "dedup: a displaced temporary holding the bytes of its name is removed" {
	put same b .b.dedup.Ab12Yz
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 1 0 0 0)"
	assert_stderr_is ""
	[ ! -e .b.dedup.Ab12Yz ]
	[ "$(cat b)" = same ]
}

@test "dedup: a temporary holding other bytes is left alone, status 1" {
	put same b
	put written .b.dedup.Ab12Yz
	run -1 --separate-stderr lb dedup .
	assert_output_is "$(summary 1 0 0 0)"
	assert_stderr_is "dedup: './.b.dedup.Ab12Yz' is left from an interrupted dedup and differs from './b': left alone"
	[ "$(cat .b.dedup.Ab12Yz)" = written ]
}

@test "dedup: a temporary whose name is gone is left alone, status 1" {
	put lone .b.dedup.Ab12Yz
	run -1 --separate-stderr lb dedup .
	assert_stderr_is "dedup: './.b.dedup.Ab12Yz' is left from an interrupted dedup and differs from './b': left alone"
	[ -e .b.dedup.Ab12Yz ]
}

@test "dedup: -n says which temporary it would remove and keeps it" {
	put same a b .b.dedup.Ab12Yz
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup -n .
	assert_lines_are "would remove './.b.dedup.Ab12Yz'" "'./b' => './a'" \
		"$(dry_summary 2 1 1 "$(bytes_of b)")"
	[ -e .b.dedup.Ab12Yz ]
}

@test "dedup: names only like a temporary are files like any other" {
	put same a .b.dedup.Ab12 .b.dedup.Ab12Yz9 .b.lnatomic.Ab12Yz
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 4 1 3 "$(bytes_of .b.dedup.Ab12 \
		.b.dedup.Ab12Yz9 .b.lnatomic.Ab12Yz)")"
	one_file a .b.dedup.Ab12 .b.dedup.Ab12Yz9 .b.lnatomic.Ab12Yz
}

@test "dedup: --min-size skips smaller files (K suffix)" {
	head -c 4095 /dev/zero >s1
	head -c 4095 /dev/zero >s2
	head -c 4096 /dev/zero >b1
	head -c 4096 /dev/zero >b2
	age 2001-01-01 s1 b1
	run -0 --separate-stderr lb dedup --min-size=4K .
	assert_output_is "$(summary 4 1 1 "$(bytes_of b2)")"
	one_file b1 b2
	apart s1 s2 b1
}

@test "dedup: --max-size skips larger files" {
	head -c 4095 /dev/zero >s1
	head -c 4095 /dev/zero >s2
	head -c 4096 /dev/zero >b1
	head -c 4096 /dev/zero >b2
	age 2001-01-01 s1 b1
	run -0 --separate-stderr lb dedup --max-size=4095 .
	assert_output_is "$(summary 4 1 1 "$(bytes_of s2)")"
	one_file s1 s2
	apart s1 b1 b2
}

@test "dedup: --min-size and --max-size take M and G suffixes" {
	head -c 1048575 /dev/zero >s1
	cp s1 s2
	head -c 1048576 /dev/zero >m1
	cp m1 m2
	run -0 --separate-stderr lb dedup --min-size=1M --max-size=1G .
	one_file m1 m2
	apart s1 s2 m1
	run -0 --separate-stderr lb dedup --min-size=1G .
	apart s1 s2 m1
	run -0 --separate-stderr lb dedup --max-size=1M .
	one_file s1 s2
}

@test "dedup: --min-size equal to --max-size takes that size only" {
	put abcd a b
	put abcde c d
	run -0 --separate-stderr lb dedup --min-size=4 --max-size=4 .
	one_file a b
	apart c d
}

@test "dedup: a bad size is a usage error" {
	put same a b
	local arg
	for arg in abc 1X 1.5 -1 ' 1' 1k 99999999999999999999999; do
		run -2 --separate-stderr lb dedup --min-size="$arg" .
		assert_output_is ""
		assert_stderr_is "$(usage_error "invalid size: '$arg'")"
		run -2 --separate-stderr lb dedup --max-size "$arg" .
		assert_stderr_is "$(usage_error "invalid size: '$arg'")"
	done
	run -2 --separate-stderr lb dedup --min-size= .
	assert_stderr_is "$(usage_error "invalid size: ''")"
	apart a b
}

@test "dedup: a bad size with a suffix is quoted as it was given" {
	put same a b
	local arg
	for arg in K 1.5K 1KK -1M; do
		run -2 --separate-stderr lb dedup --min-size="$arg" .
		assert_output_is ""
		assert_stderr_is "$(usage_error "invalid size: '$arg'")"
	done
	apart a b
}

@test "dedup: a size too large to represent is a usage error" {
	put same a b
	local before
	before=$(snapshot)
	# 17179869184G is 2^64 bytes.
	run -2 --separate-stderr lb dedup --max-size=17179869184G .
	assert_output_is ""
	[[ $stderr == "dedup: "*"
Try 'dedup --help' for more information." ]]
	[ "$(snapshot)" = "$before" ]
}

@test "dedup: --min-size above --max-size is a usage error" {
	put same a b
	run -2 --separate-stderr lb dedup --min-size=2K --max-size=1K .
	assert_output_is ""
	assert_stderr_is "$(usage_error "--min-size is above --max-size")"
	apart a b
}

@test "dedup: --exclude skips matching names" {
	put same a b c.bak d.tmp
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup --exclude='*.bak' --exclude '*.tmp' .
	assert_output_is "$(summary 2 1 1 "$(bytes_of b)")"
	one_file a b
	apart a c.bak d.tmp
}

@test "dedup: --exclude skips whole directories" {
	mkdir -p keep skip/deeper
	put same keep/a keep/b skip/c skip/deeper/d
	age 2001-01-01 keep/a
	run -0 --separate-stderr lb dedup --exclude=skip .
	assert_output_is "$(summary 2 1 1 "$(bytes_of keep/b)")"
	one_file keep/a keep/b
	apart keep/a skip/c skip/deeper/d
}

@test "dedup: --exclude matches the last component, not the PATHs given" {
	mkdir -p d/sub
	put same d/a d/sub/b
	run -0 --separate-stderr lb dedup --exclude='d/sub' --exclude=d d
	one_file d/a d/sub/b
}

# --- which file is kept ------------------------------------------------------

@test "dedup: the file with the most links is kept" {
	put same a b
	command ln a a2
	age 2001-01-01 b
	local ino
	ino=$(stat -c %i a)
	run -0 --separate-stderr lb dedup -v .
	assert_lines_are "'./b' => './a2'" "$(summary 3 1 1 "$(bytes_of b)")" ||
		assert_lines_are "'./b' => './a'" \
			"$(summary 3 1 1 "$(bytes_of b)")"
	one_file a a2 b
	[ "$(stat -c %i b)" = "$ino" ]
}

@test "dedup: among files with as many links, the oldest is kept" {
	put same x y z
	age 2005-01-01 x
	age 2001-01-01 y
	age 2010-01-01 z
	local ino
	ino=$(stat -c %i y)
	run -0 --separate-stderr lb dedup .
	one_file x y z
	[ "$(stat -c %i x)" = "$ino" ]
}

@test "dedup: --keep=links is the default rule" {
	put same a b
	command ln a a2
	age 2001-01-01 b
	local ino
	ino=$(stat -c %i a)
	run -0 --separate-stderr lb dedup --keep=links .
	one_file a a2 b
	[ "$(stat -c %i b)" = "$ino" ]
}

@test "dedup: --keep=oldest keeps the oldest, however many links" {
	put same a b
	command ln a a2
	age 2001-01-01 b
	local ino
	ino=$(stat -c %i b)
	run -0 --separate-stderr lb dedup --keep=oldest .
	assert_output_is "$(summary 3 1 2 "$(bytes_of a)")"
	one_file a a2 b
	[ "$(stat -c %i a)" = "$ino" ]
}

@test "dedup: --keep=newest keeps the newest" {
	put same x y z
	command ln x x2
	age 2005-01-01 x
	age 2001-01-01 y
	age 2010-01-01 z
	local ino
	ino=$(stat -c %i z)
	run -0 --separate-stderr lb dedup --keep=newest .
	one_file x x2 y z
	[ "$(stat -c %i x)" = "$ino" ]
}

@test "dedup: --keep=first keeps the file found first" {
	put same x y z
	age 2005-01-01 x
	age 2001-01-01 y
	age 2010-01-01 z
	local ino
	ino=$(stat -c %i z)
	run -0 --separate-stderr lb dedup -v --keep=first z x y
	assert_lines_are "'x' => 'z'" "'y' => 'z'" \
		"$(summary 3 1 2 "$(bytes_of x y)")"
	one_file x y z
	[ "$(stat -c %i x)" = "$ino" ]
}

@test "dedup: --keep=first holds among many files of several sizes" {
	# 240 files of four sizes, given in an order that the sorts inside
	# dedup must not lose: the first of each size is kept.
	local i args=() first=()
	for ((i = 0; i < 240; i++)); do
		put "$(printf "%$((i * 7 % 4 + 1))s" x)" "f$i"
		args+=("f$i")
	done
	for ((i = 0; i < 4; i++)); do
		first+=("$(stat -c %i "f$i")")
	done
	run -0 --separate-stderr lb dedup --keep=first "${args[@]}"
	for ((i = 0; i < 240; i++)); do
		[ "$(stat -c %i "f$i")" = "${first[i % 4]}" ] || {
			echo "f$i is not the file first found, f$((i % 4))" >&2
			return 1
		}
	done
}

@test "dedup: an unknown --keep rule is a usage error" {
	put same a b
	run -2 --separate-stderr lb dedup --keep=largest .
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid --keep rule 'largest'" \
		"(links, oldest, newest or first)")"
	apart a b
}

@test "dedup: a file with a name outside the PATHs is kept" {
	mkdir in out
	put same in/a in/b
	command ln in/b out/x
	age 2001-01-01 in/a
	run -0 --separate-stderr lb dedup -v in
	assert_output_is "'in/a' => 'in/b'
$(summary 2 1 1 "$(bytes_of in/a)")"
	one_file in/a in/b out/x
}

@test "dedup: a name outside the PATHs wins over more links and --keep" {
	mkdir in out
	put same in/b in/c
	command ln in/b out/x
	command ln in/c in/c2
	command ln in/c in/c3
	age 2001-01-01 in/c
	run -0 --separate-stderr lb dedup --keep=oldest in
	assert_output_is "$(summary 4 1 3 "$(bytes_of in/c)")"
	one_file out/x in/b in/c in/c2 in/c3
}

@test "dedup: bytes freed leaves out files that keep a name outside" {
	mkdir in out
	put same in/a in/b
	command ln in/a out/x
	command ln in/b out/y
	run -0 --separate-stderr lb dedup in
	assert_output_is "$(summary 2 1 1 0)"
	one_file in/a in/b
	[ "$(links in/a)" = 3 ]
}

# --- names already linked, --max-links ---------------------------------------

@test "dedup: all the names of a file are relinked together" {
	put same a b1
	command ln a a2
	command ln a a3
	command ln b1 b2
	local freed
	freed=$(bytes_of b1)
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 5 1 2 "$freed")"
	one_file a a2 a3 b1 b2
	[ "$(links a)" = 5 ]
}

@test "dedup: --max-links=3 makes groups of at most 3 names" {
	local i
	for i in 1 2 3 4 5 6 7; do
		put same "f$i"
	done
	run -0 --separate-stderr lb dedup --max-links=3 .
	[[ $output == *"names relinked: 4"* ]]
	[ "$(stat -c %i f? | sort | uniq -c | awk '{print $1}' | sort |
		tr '\n' ' ')" = "1 3 3 " ]
	for i in 1 2 3 4 5 6 7; do
		[ "$(cat "f$i")" = same ]
	done
}

@test "dedup: --max-links=2 pairs the names" {
	local i
	for i in 1 2 3 4 5; do
		put same "f$i"
	done
	run -0 --separate-stderr lb dedup --max-links 2 .
	[ "$(stat -c %i f? | sort | uniq -c | awk '{print $1}' | sort |
		tr '\n' ' ')" = "1 2 2 " ]
}

@test "dedup: -n --max-links=3 prints the rollover it would make" {
	local i
	for i in 1 2 3 4 5 6 7; do
		put same "f$i"
	done
	local before
	before=$(snapshot)
	run -0 --separate-stderr lb dedup -n --max-links=3 .
	[ "$(printf '%s\n' "$output" | grep -c ' => ')" = 4 ]
	[ "$(printf '%s\n' "$output" | sed -n "s/.* => //p" | sort -u |
		wc -l)" = 2 ]
	[[ $output == *"names that would be relinked: 4"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "dedup: --max-links never splits names already linked together" {
	put same a1 b1
	command ln a1 a2
	command ln b1 b2
	age 2001-01-01 a1
	run -0 --separate-stderr lb dedup --max-links=3 .
	one_file a1 a2
	one_file b1 b2
}

@test "dedup: --max-links below 2 is a usage error" {
	put same a b
	run -2 --separate-stderr lb dedup --max-links=1 .
	assert_output_is ""
	assert_stderr_is "$(usage_error "--max-links must be at least 2")"
	run -2 --separate-stderr lb dedup --max-links=0 .
	assert_stderr_is "$(usage_error "--max-links must be at least 2")"
	run -2 --separate-stderr lb dedup --max-links=two .
	assert_stderr_is "$(usage_error "invalid link count: 'two'")"
	apart a b
}

@test "dedup: a file at the filesystem's link limit (EMLINK) starts a new kept file" {
	need_root
	command -v mkfs.ext4 >/dev/null || skip "no mkfs.ext4"
	truncate -s 64M img
	mkfs.ext4 -q -F img >/dev/null 2>&1 || skip "mkfs.ext4 failed"
	mkdir m
	mount -o loop img m 2>/dev/null || skip "cannot loop-mount"
	MOUNTS+=("$PWD/m")
	mkdir m/s
	put same m/s/full
	local i
	for ((i = 1; i < 256; i++)); do
		command ln m/s/full "m/s/l$i"
	done
	# Copy the 256 names with cp -al until ext4 refuses (65000 links).
	for ((i = 0; i < 300; i++)); do
		cp -al m/s "m/c$i" 2>/dev/null || break
	done
	[ "$(links m/s/full)" = 65000 ] ||
		skip "link limit is not 65000 here: $(links m/s/full)"
	put same m/d1 m/d2 m/d3
	run -0 --separate-stderr lb dedup -q m
	assert_stderr_is ""
	[[ $output == *"names relinked: 2"* ]]
	[[ $output == *"not linked because of errors: 0"* ]]
	one_file m/d1 m/d2 m/d3
	apart m/s/full m/d1
	[ "$(links m/s/full)" = 65000 ]
	no_temps m
}

# --- decoys ------------------------------------------------------------------

@test "dedup: small files differing in the last byte or the first are apart" {
	put abcdefgh a a2
	put abcdefgX last
	put Xbcdefgh first
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 4 1 1 "$(bytes_of a2)")"
	one_file a a2
	apart a last first
	[ "$(cat last)" = abcdefgX ]
	[ "$(cat first)" = Xbcdefgh ]
}

@test "dedup: 1 MiB files differing in one byte, first, middle or last, are apart" {
	head -c 1048576 /dev/urandom >orig
	cp orig copy
	local off
	for off in 0 4095 4096 524288 1044479 1044480 1048575; do
		cp orig "d$off"
		flip "d$off" "$off"
		cp "d$off" "saved$off"
	done
	age 2001-01-01 orig
	run -0 --separate-stderr lb dedup --exclude='saved*' .
	assert_stderr_is ""
	[[ $output == *"names relinked: 1"* ]]
	one_file orig copy
	for off in 0 4095 4096 524288 1044479 1044480 1048575; do
		apart orig "d$off"
		cmp "d$off" "saved$off"
	done
}

@test "dedup: a one-byte difference at any block boundary is found" {
	# 12289 bytes: edges [0, 4096) and [8193, 12289), middle between;
	# 8192 bytes: all of it is the edges.
	local size off list
	for size in 8192 12289; do
		mkdir "s$size"
		head -c "$size" /dev/urandom >"s$size/orig"
		cp "s$size/orig" "s$size/copy"
		case $size in
		8192) list="0 1 4095 4096 4097 8191" ;;
		12289) list="0 4095 4096 4097 6000 8191 8192 8193 12288" ;;
		esac
		for off in $list; do
			cp "s$size/orig" "s$size/d$off"
			flip "s$size/d$off" "$off"
		done
	done
	run -0 --separate-stderr lb dedup .
	[[ $output == *"names relinked: 2"* ]]
	for size in 8192 12289; do
		one_file "s$size/orig" "s$size/copy"
		apart "s$size/orig" "s$size"/d*
		same_content_same_file "s$size"
	done
}

@test "dedup: --test-hash-collisions: equal hashes never link different files" {
	local i
	mkdir d
	for ((i = 0; i < 40; i++)); do
		if ((i < 30)); then
			put "content number $((i % 6))" "d/f$i"
		else
			put "content unique $i" "d/f$i"
		fi
	done
	run -0 --separate-stderr lb dedup --test-hash-collisions d
	assert_stderr_is ""
	[[ $output == *"duplicate groups: 6"* ]]
	[[ $output == *"names relinked: 24"* ]]
	same_content_same_file d
}

@test "dedup: --test-hash-collisions: large files differing in the middle" {
	local i
	mkdir d
	head -c 4096 /dev/urandom >edge
	for ((i = 0; i < 30; i++)); do
		{
			cat edge
			head -c 20000 /dev/zero
			printf 'variant %02d' $((i < 20 ? i % 4 : i))
			head -c 20000 /dev/zero
			cat edge
		} >"d/f$i"
	done
	run -0 --separate-stderr lb dedup --test-hash-collisions d
	assert_stderr_is ""
	[[ $output == *"names relinked: 16"* ]]
	same_content_same_file d
}

@test "dedup: more than 64 files alike at the edges: each identical set is one file" {
	local i
	mkdir d
	head -c 4096 /dev/urandom >edge
	for ((i = 0; i < 150; i++)); do
		{
			cat edge
			printf 'variant %d' $((i % 5))
			cat edge
		} >"d/f$i"
	done
	run -0 --separate-stderr lb dedup d
	assert_stderr_is ""
	[[ $output == *"names relinked: 145"* ]]
	same_content_same_file d
}

# --- what is never touched ---------------------------------------------------

@test "dedup: files on different filesystems are never linked" {
	mount_tmpfs m
	put same a m/b m/c
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 3 1 1 "$(bytes_of m/c)")"
	assert_stderr_is ""
	one_file m/b m/c
	apart a m/b
}

@test "dedup: symbolic links are neither followed nor linked" {
	mkdir real top
	put same real/a real/b top/c
	command ln -s ../real top/dirlink
	command ln -s c top/s1
	command ln -s c top/s2
	local before
	before=$(snapshot real)
	run -0 --separate-stderr lb dedup top
	assert_output_is "$(summary 1 0 0 0)"
	[ "$(snapshot real)" = "$before" ]
	[ -L top/s1 ] && [ "$(readlink top/s1)" = c ]
	[ -L top/s2 ] && [ "$(readlink top/s2)" = c ]
	[ -L top/dirlink ]
}

@test "dedup: a symbolic link given as a PATH is not followed" {
	mkdir real
	put same real/a real/b
	command ln -s real link
	run -0 --separate-stderr lb dedup link
	assert_output_is "$(summary 0 0 0 0)"
	apart real/a real/b
	[ -L link ]
}

@test "dedup: names with spaces, newlines and a leading dash" {
	mkdir d
	put same d/a "d/with space" "d/new
line" d/-dash
	age 2001-01-01 d/a
	run -0 --separate-stderr lb dedup -v d
	assert_lines_are "'d/with space' => 'd/a'" \
		"'d/new'\$'\\n''line' => 'd/a'" "'d/-dash' => 'd/a'" \
		"$(summary 4 1 3 "$(bytes_of d/-dash "d/with space" "d/new
line")")"
	one_file d/a "d/with space" "d/new
line" d/-dash
}

@test "dedup: PATHs with a leading dash after --" {
	put same -a -b
	age 2001-01-01 -a
	run -0 --separate-stderr lb dedup -v -- -a -b
	assert_output_is "'-b' => '-a'
$(summary 2 1 1 "$(bytes_of -b)")"
	one_file -a -b
}

@test "dedup: a name of 255 bytes is relinked" {
	local long
	long=$(printf 'n%.0s' {1..255})
	put same a "$long"
	age 2001-01-01 a
	run -0 --separate-stderr lb dedup .
	assert_output_is "$(summary 2 1 1 "$(bytes_of "$long")")"
	one_file a "$long"
	no_temps
}

# --- exit status and errors --------------------------------------------------

@test "dedup: a missing PATH is trouble; the other PATHs are still done" {
	mkdir d
	put same d/a d/b
	age 2001-01-01 d/a
	run -2 --separate-stderr lb dedup nosuch d
	assert_output_is "$(summary 2 1 1 "$(bytes_of d/b)")"
	assert_stderr_starts "dedup: 'nosuch': "
	[ "${#stderr_lines[@]}" = 1 ]
	one_file d/a d/b
}

@test "dedup: an unreadable file is skipped, reported, and the status is 1" {
	put same a b c
	chmod 000 c
	age 2001-01-01 a
	local freed
	freed=$(bytes_of b)
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || skip "no setpriv to drop root"
		# root without the capabilities that let it read anything
		run -1 --separate-stderr setpriv \
			--bounding-set=-dac_override,-dac_read_search -- \
			"$LB_BIN/dedup" --any-mode a b c
	else
		run -1 --separate-stderr lb dedup --any-mode a b c
	fi
	assert_output_is "$(summary 3 1 1 "$freed" 0 1)"
	assert_stderr_starts "dedup: 'c': "
	[ "${#stderr_lines[@]}" = 1 ]
	one_file a b
	apart a c
}

# Two processes read the first bytes of the files when there are enough
# of them (HELPER_MIN in applets/dedup/match.c, 256) and -j allows: 300 pairs
# and their decoys, three files unreadable in different parts of the walk.
# Read in batches of 64 against one file, a run of same-size files that
# share their head and last block but are all different would be read
# once per file: hashes of the last block and of the whole file split it
# first.  Counted in opens, not in time.
@test "dedup: 300 files alike at both ends but all different: each opened a few times, not once per file" {
	local i
	need_strace
	mkdir d
	head -c 8192 /dev/urandom >edge
	for ((i = 0; i < 300; i++)); do
		{
			head -c 4096 edge
			printf 'middle %05d' "$i"
			tail -c 4096 edge
		} >"d/f$i"
	done
	cp d/f7 d/copy
	run -0 --separate-stderr strace -f -qq -o trace -e trace=openat \
		"$LB_BIN/dedup" -n d
	[[ $output == *"names that would be relinked: 1"* ]]
	# 301 files: one open for the head, one per hash, one to compare
	[ "$(grep -cE '"(d/)?(f[0-9]+|copy)"' trace)" -le $((301 * 4)) ]
}

@test "dedup: a big tree read by two processes: every pair linked, each unreadable file reported once" {
	local i unreadable=(p000/a p150/a p299/b)
	for ((i = 0; i < 300; i++)); do
		mkdir "p$(printf %03d "$i")"
		put "pair $i, the same in both files.x" "p$(printf %03d "$i")/a" \
			"p$(printf %03d "$i")/b"
		put "pair $i, the same in both files.y" "p$(printf %03d "$i")/c"
	done
	chmod 000 "${unreadable[@]}"
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || skip "no setpriv to drop root"
		run -1 --separate-stderr setpriv \
			--bounding-set=-dac_override,-dac_read_search -- \
			"$LB_BIN/dedup" -j 2 --any-mode .
	else
		run -1 --separate-stderr lb dedup -j 2 --any-mode .
	fi
	assert_output_is "$(summary 900 297 297 $((297 * $(bytes_of p001/a))) 0 3)"
	# Under valgrind (make valgrind), its warnings that it has no
	# openat2 for the walk's read-ahead are not dedup's.
	mapfile -t stderr_lines < <(printf '%s\n' "${stderr_lines[@]}" |
		grep -v '^--[0-9]*-- ')
	[ "${#stderr_lines[@]}" = 3 ]
	for i in "${unreadable[@]}"; do
		printf '%s\n' "${stderr_lines[@]}" | grep -qF "dedup: './$i': "
	done
	for ((i = 1; i < 299; i++)); do
		[ "$i" = 150 ] && continue
		one_file "p$(printf %03d "$i")/a" "p$(printf %03d "$i")/b"
		apart "p$(printf %03d "$i")/a" "p$(printf %03d "$i")/c"
	done
}

# The helper that reads half of the heads dies at its start (it alone
# calls prctl, as the walk's read-ahead helpers do): dedup reads that half
# itself, and the run is the run of one process, which makes no helper.
@test "dedup: a reading helper killed at its start: dedup reads its half, as -j 1 does" {
	local i
	need_strace -e inject=prctl:signal=SIGKILL
	mkdir d
	for ((i = 0; i < 400; i++)); do
		put "file $((i % 50))" "d/f$i"
	done
	# -j 1: one process, no helper made.
	strace -f -qq -o trace1 -e trace=clone,clone3,fork,vfork \
		"$LB_BIN/dedup" -n -j 1 d >one
	! grep -q . trace1
	run -0 --separate-stderr strace -f -qq -o trace \
		-e trace=prctl -e inject=prctl:signal=SIGKILL \
		"$LB_BIN/dedup" -n -j 2 d
	[ -z "$stderr" ]
	assert_output_is "$(cat one)"
	grep -q 'killed by SIGKILL' trace
	run -0 --separate-stderr strace -f -qq -o /dev/null \
		-e inject=prctl:signal=SIGKILL "$LB_BIN/dedup" -j 2 d
	[[ $output == *"names relinked: 350"* ]]
	[ "$(find d -name 'f*' -links 8 | wc -l)" = 400 ]
}

@test "dedup: a big tree with every hash equal: only the identical pairs are linked" {
	local i
	for ((i = 0; i < 300; i++)); do
		mkdir "p$i"
		put "pair $i, the same in both files, then a long tail of the same bytes to pass the head.x" "p$i/a" "p$i/b"
		put "pair $i, the same in both files, then a long tail of the same bytes to pass the head.y" "p$i/c"
	done
	lb dedup --test-hash-collisions -l . >list
	[ "$(grep -c . list)" = 600 ]
	[ "$(grep -c '^$' list)" = 300 ]
	run -0 --separate-stderr lb dedup --test-hash-collisions .
	for ((i = 0; i < 300; i++)); do
		one_file "p$i/a" "p$i/b"
		apart "p$i/a" "p$i/c"
	done
}

@test "dedup: a write error on standard output is trouble, status 2" {
	[ -c /dev/full ] || skip "no /dev/full"
	put same a b
	# 1 reports names not linked; see EXIT STATUS in linkbox(1).
	run -2 --separate-stderr to_full lb dedup -v .
	assert_stderr_starts "dedup: write error: "
	one_file a b
}

@test "dedup: with no PATH it is a usage error" {
	run -2 --separate-stderr lb dedup
	assert_output_is ""
	assert_stderr_is "$(usage_error "missing operand")"
}

@test "dedup: an unknown option is a usage error" {
	put same a b
	run -2 --separate-stderr lb dedup --frobnicate .
	assert_stderr_is "$(usage_error "unrecognized option '--frobnicate'")"
	run -2 --separate-stderr lb dedup -x .
	assert_stderr_is "$(usage_error "invalid option -- 'x'")"
	apart a b
}

@test "dedup: --help prints the usage and exits 0" {
	run -0 --separate-stderr lb dedup --help
	[ "${lines[0]}" = "Usage: dedup [OPTION]... PATH..." ]
	[[ $output == *"--max-links=N"* ]]
	assert_stderr_is ""
}
