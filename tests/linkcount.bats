#!/usr/bin/env bats
load helpers
USAGE_APPLET=linkcount # for usage_error

# linkcount: print COUNT<TAB>NAME for each FILE (applets/linkcount.c).

# Each test runs in its own scratch directory, on builds carrying linkcount.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	skip_unless_applet linkcount
}

# Files with 1, 2 and 3 links: one, two (+ two.b), three (+ three.b, .c).
make_counts() {
	touch one two three
	command ln two two.b
	command ln three three.b
	command ln three three.c
}

# --- output ----------------------------------------------------------------

@test "linkcount: prints count and name, tab-separated" {
	touch a
	command ln a b
	run -0 --separate-stderr lb linkcount a
	assert_output_is $'2\ta'
	assert_stderr_is ""
}

@test "linkcount: prints several operands in the order given" {
	make_counts
	run -0 --separate-stderr lb linkcount three one two.b
	assert_output_is $'3\tthree\n1\tone\n2\ttwo.b'
	assert_stderr_is ""
}

@test "linkcount: prints the name as given" {
	mkdir d
	touch d/f
	run -0 --separate-stderr lb linkcount ./d//f
	assert_output_is $'1\t./d//f'
	assert_stderr_is ""
}

@test "linkcount: counts a symlink itself" {
	touch t
	command ln t t2
	command ln -s t s
	run -0 --separate-stderr lb linkcount s
	assert_output_is $'1\ts'
	assert_stderr_is ""
}

@test "linkcount: -L counts the file a symlink points to" {
	touch t
	command ln t t2
	command ln -s t s
	run -0 --separate-stderr lb linkcount -L s
	assert_output_is $'2\ts'
	assert_stderr_is ""
}

@test "linkcount: --dereference is -L" {
	touch t
	command ln t t2
	command ln -s t s
	run -0 --separate-stderr lb linkcount --dereference s
	assert_output_is $'2\ts'
	assert_stderr_is ""
}

@test "linkcount: counts a dangling symlink itself" {
	command ln -s nowhere s
	run -0 --separate-stderr lb linkcount s
	assert_output_is $'1\ts'
	assert_stderr_is ""
}

@test "linkcount: -L on a dangling symlink is an error" {
	command ln -s nowhere s
	run -1 --separate-stderr lb linkcount -L s
	assert_output_is ""
	assert_stderr_starts "linkcount: 's': "
}

# --- filters ---------------------------------------------------------------

@test "linkcount: -c keeps only exact counts" {
	make_counts
	run -0 --separate-stderr lb linkcount -c 2 one two three two.b
	assert_output_is $'2\ttwo\n2\ttwo.b'
	assert_stderr_is ""
}

@test "linkcount: --count=N is -c N" {
	make_counts
	run -0 --separate-stderr lb linkcount --count=3 one two three
	assert_output_is $'3\tthree'
	assert_stderr_is ""
}

@test "linkcount: --count N takes the next argument" {
	make_counts
	run -0 --separate-stderr lb linkcount --count 1 one two three
	assert_output_is $'1\tone'
	assert_stderr_is ""
}

@test "linkcount: -c with no match prints nothing, exit 0" {
	make_counts
	run -0 --separate-stderr lb linkcount -c 4 one two three
	assert_output_is ""
	assert_stderr_is ""
}

@test "linkcount: -m keeps counts at least N" {
	make_counts
	run -0 --separate-stderr lb linkcount -m 2 one two three
	assert_output_is $'2\ttwo\n3\tthree'
	assert_stderr_is ""
}

@test "linkcount: --min=N is -m N" {
	make_counts
	run -0 --separate-stderr lb linkcount --min=3 one two three
	assert_output_is $'3\tthree'
	assert_stderr_is ""
}

@test "linkcount: -M keeps counts at most N" {
	make_counts
	run -0 --separate-stderr lb linkcount -M 2 one two three
	assert_output_is $'1\tone\n2\ttwo'
	assert_stderr_is ""
}

@test "linkcount: --max=N is -M N" {
	make_counts
	run -0 --separate-stderr lb linkcount --max=1 one two three
	assert_output_is $'1\tone'
	assert_stderr_is ""
}

@test "linkcount: -m with -M keeps a range" {
	make_counts
	touch four
	command ln four four.b
	command ln four four.c
	command ln four four.d
	run -0 --separate-stderr lb linkcount -m 2 -M 3 one two three four
	assert_output_is $'2\ttwo\n3\tthree'
	assert_stderr_is ""
}

@test "linkcount: -m equal to -M is an exact count" {
	make_counts
	run -0 --separate-stderr lb linkcount -M 2 -m 2 one two three
	assert_output_is $'2\ttwo'
	assert_stderr_is ""
}

@test "linkcount: the last -c wins" {
	make_counts
	run -0 --separate-stderr lb linkcount -c 1 -c 3 one two three
	assert_output_is $'3\tthree'
	assert_stderr_is ""
}

@test "linkcount: -c 1 pool/* lists the pool files nothing else links to" {
	# A BackupPC-style pool: backups hard link to pool files.
	mkdir pool pc
	touch pool/a pool/b pool/c pool/d
	command ln pool/a pc/a
	command ln pool/c pc/c1
	command ln pool/c pc/c2
	run -0 --separate-stderr lb linkcount -c 1 pool/*
	assert_output_is $'1\tpool/b\n1\tpool/d'
	assert_stderr_is ""
}

# --- usage errors ----------------------------------------------------------

@test "linkcount: -c with -m is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -c 1 -m 1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error '-c cannot be combined with -m or -M')"
}

@test "linkcount: -M with -c is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -M 1 -c 1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error '-c cannot be combined with -m or -M')"
}

@test "linkcount: -m above -M is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -m 3 -M 2 f
	assert_output_is ""
	assert_stderr_is "$(usage_error '-m 3 is above -M 2: nothing can match')"
}

@test "linkcount: a count that is not a number is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -c abc f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: 'abc'")"
}

@test "linkcount: a count with trailing garbage is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -m 1x f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: '1x'")"
}

@test "linkcount: a negative count is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -c -1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: '-1'")"
}

@test "linkcount: a count with a sign or blank is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -M ' 1' f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: ' 1'")"
	run -2 --separate-stderr lb linkcount -M +1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: '+1'")"
}

@test "linkcount: a count too large is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -c 99999999999999999999 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: '99999999999999999999'")"
}

@test "linkcount: an empty count is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -c '' f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: ''")"
}

@test "linkcount: a bad --min=N is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount --min=abc f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: 'abc'")"
}

@test "linkcount: no operand is a usage error" {
	run -2 --separate-stderr lb linkcount
	assert_output_is ""
	assert_stderr_is "$(usage_error 'missing operand')"
}

@test "linkcount: options without an operand are a usage error" {
	run -2 --separate-stderr lb linkcount -L -c 1 --
	assert_output_is ""
	assert_stderr_is "$(usage_error 'missing operand')"
}

@test "linkcount: an unknown option is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -x f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid option -- 'x'")"
}

@test "linkcount: an unknown long option is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount --bogus f
	assert_output_is ""
	assert_stderr_is "$(usage_error "unrecognized option '--bogus'")"
}

@test "linkcount: an unknown long option with =value is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount --bogus=1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "unrecognized option '--bogus'")"
}

@test "linkcount: an ambiguous long option is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount --m=1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--m' is ambiguous; possibilities: '--min' '--max'")"
}

@test "linkcount: a long option may be abbreviated" {
	make_counts
	run -0 --separate-stderr lb linkcount --co=2 --deref one two
	assert_output_is $'2\ttwo'
	assert_stderr_is ""
}

@test "linkcount: -c without its argument is a usage error" {
	run -2 --separate-stderr lb linkcount -c
	assert_output_is ""
	assert_stderr_is "$(usage_error "option requires an argument -- 'c'")"
}

@test "linkcount: --count without its argument is a usage error" {
	run -2 --separate-stderr lb linkcount --count
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--count' requires an argument")"
}

@test "linkcount: -c without its argument after an operand is a usage error" {
	unset POSIXLY_CORRECT
	touch f
	run -2 --separate-stderr lb linkcount f -c
	assert_output_is ""
	assert_stderr_is "$(usage_error "option requires an argument -- 'c'")"
}

@test "linkcount: --count without its argument after an operand is a usage error" {
	unset POSIXLY_CORRECT
	touch f
	run -2 --separate-stderr lb linkcount f --count
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--count' requires an argument")"
}

@test "linkcount: --null=1 is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount --null=1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--null' doesn't allow an argument")"
}

# --- -0 --------------------------------------------------------------------

@test "linkcount: -0 ends each record with NUL" {
	make_counts
	touch $'a\nb'
	run -0 --separate-stderr to_file out lb linkcount -0 two $'a\nb'
	assert_output_is ""
	assert_stderr_is ""
	printf '2\ttwo\0001\ta\nb\000' >want
	cmp out want
}

@test "linkcount: --null is -0" {
	touch f
	run -0 --separate-stderr to_file out lb linkcount --null f
	assert_stderr_is ""
	[ "$(od -An -c out | tr -s ' ')" = ' 1 \t f \0' ]
}

# --- operands and names ----------------------------------------------------

@test "linkcount: a missing operand among good ones, exit 1" {
	make_counts
	run -1 --separate-stderr lb linkcount one missing two
	assert_output_is $'1\tone\n2\ttwo'
	assert_stderr_starts "linkcount: 'missing': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "linkcount: a path through a regular file is an error" {
	touch f g
	run -1 --separate-stderr lb linkcount f/x g
	assert_output_is $'1\tg'
	assert_stderr_starts "linkcount: 'f/x': "
}

@test "linkcount: options are accepted after operands" {
	unset POSIXLY_CORRECT
	make_counts
	run -0 --separate-stderr lb linkcount one two -c 1
	assert_output_is $'1\tone'
	assert_stderr_is ""
}

@test "linkcount: -- ends the options" {
	touch ./-c f
	run -0 --separate-stderr lb linkcount -- -c f
	assert_output_is $'1\t-c\n1\tf'
	assert_stderr_is ""
}

@test "linkcount: a name with a leading - given as ./-x" {
	touch ./-x
	run -0 --separate-stderr lb linkcount ./-x
	assert_output_is $'1\t./-x'
	assert_stderr_is ""
}

@test "linkcount: - alone is an operand" {
	touch ./-
	run -0 --separate-stderr lb linkcount -
	assert_output_is $'1\t-'
	assert_stderr_is ""
}

@test "linkcount: a name with spaces is printed as it is" {
	touch 'a b'
	run -0 --separate-stderr lb linkcount 'a b'
	assert_output_is $'1\ta b'
	assert_stderr_is ""
}

@test "linkcount: a name with a newline is printed as it is" {
	touch $'a\nb'
	run -0 --separate-stderr lb linkcount $'a\nb'
	assert_output_is $'1\ta\nb'
	assert_stderr_is ""
}

@test "linkcount: a non-UTF-8 name is printed raw" {
	export LC_ALL=C.UTF-8
	touch $'\xff'
	run -0 --separate-stderr lb linkcount $'\xff'
	assert_output_is $'1\t\xff'
	assert_stderr_is ""
}

# Names in messages are quoted as GNU coreutils quotes them (ln's
# "failed to create symbolic link 'NAME'"), so a name never splits a line.

@test "linkcount: a name with spaces is quoted in messages" {
	run -1 --separate-stderr lb linkcount 'a b'
	assert_output_is ""
	assert_stderr_starts "linkcount: 'a b': "
}

@test "linkcount: a name with a newline is quoted in messages on one line" {
	run -1 --separate-stderr lb linkcount $'a\nb'
	assert_output_is ""
	assert_stderr_starts "linkcount: 'a'\$'\\n''b': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "linkcount: a name with a single quote is double-quoted in messages" {
	run -1 --separate-stderr lb linkcount "it's"
	assert_output_is ""
	assert_stderr_starts "linkcount: \"it's\": "
}

@test "linkcount: a name with ' and \$ is escaped in messages" {
	run -1 --separate-stderr lb linkcount "it's \$HOME"
	assert_output_is ""
	assert_stderr_starts "linkcount: 'it'\\''s \$HOME': "
}

@test "linkcount: a non-UTF-8 byte is escaped in messages" {
	export LC_ALL=C
	run -1 --separate-stderr lb linkcount $'\xff'
	assert_output_is ""
	assert_stderr_starts "linkcount: ''\$'\\377': "
}

@test "linkcount: UTF-8 is escaped in messages in the C locale" {
	export LC_ALL=C
	run -1 --separate-stderr lb linkcount $'caf\xc3\xa9'
	assert_output_is ""
	assert_stderr_starts "linkcount: 'caf'\$'\\303\\251': "
}

@test "linkcount: UTF-8 is kept in messages in a UTF-8 locale" {
	export LC_ALL=C.UTF-8
	run -1 --separate-stderr lb linkcount $'caf\xc3\xa9'
	assert_output_is ""
	assert_stderr_starts $'linkcount: \'caf\xc3\xa9\': '
}

@test "linkcount: an empty name is an error" {
	touch f
	run -1 --separate-stderr lb linkcount '' f
	assert_output_is $'1\tf'
	assert_stderr_starts "linkcount: '': "
}

# --- output errors ---------------------------------------------------------

@test "linkcount: output to a full device is a write error" {
	[ -c /dev/full ] || skip "no /dev/full"
	touch f
	run -1 --separate-stderr to_full lb linkcount f
	assert_output_is ""
	assert_stderr_starts "linkcount: write error: "
}

# --- -r: every non-directory under the trees -------------------------------

# A tree t and a directory o beside it:
#   t/big, t/sub/big2, t/sub/deep/big3   one file, 3 names, all in t
#   t/kept, o/kept2                      one file, 2 names, one outside t
#   t/one, t/sub/two, t/sub/deep/three   single files of varied sizes
#   t/sub/link -> ../one                 a symlink
#   t/sub/dirlink -> ../../o             a symlink to a directory (not in
#                                        make_summary_tree: its blocks vary)
make_summary_tree() {
	mkdir -p t/sub/deep o
	head -c 10000 /dev/zero >t/big
	command ln t/big t/sub/big2
	command ln t/big t/sub/deep/big3
	head -c 5000 /dev/zero >t/kept
	command ln t/kept o/kept2
	head -c 100 /dev/zero >t/one
	touch t/sub/two
	head -c 20000 /dev/zero >t/sub/deep/three
	command ln -s ../one t/sub/link
}

make_tree() {
	make_summary_tree
	command ln -s ../../o t/sub/dirlink
	touch o/single
}

# bytes FILE...: the disk space of the FILEs, st_blocks * 512, summed.
bytes() {
	local n=0 f
	for f; do
		n=$((n + $(stat -c %b -- "$f")))
	done
	echo $((n * 512))
}

# summary FILES MULTI INSIDE OUTSIDE FREED KEPT: what --summary prints.
summary() {
	printf '%s\n' "files: $1" "files with several names: $2" \
		"names inside: $3" "names outside: $4" \
		"bytes freed by deleting: $5" "bytes kept by names outside: $6"
}

@test "linkcount: --summary -h prints sizes as du -h does" {
	make_summary_tree
	run -0 --separate-stderr lb linkcount -r --summary -h t
	freed=$(bytes t t/sub t/sub/deep t/big t/one t/sub/two \
		t/sub/deep/three t/sub/link)
	kept=$(bytes t/kept)
	# du -h --apparent-size of a file of that many bytes: the same rule.
	truncate -s "$freed" "$BATS_TEST_TMPDIR/f"
	truncate -s "$kept" "$BATS_TEST_TMPDIR/k"
	hf=$(du -h --apparent-size "$BATS_TEST_TMPDIR/f" | cut -f1)
	hk=$(du -h --apparent-size "$BATS_TEST_TMPDIR/k" | cut -f1)
	assert_output_is "$(summary 6 2 8 1 "$hf" "$hk")"
	assert_stderr_is ""
	case $hf in *K) ;; *) false ;; esac
}

@test "linkcount: --human-readable is -h" {
	mkdir t
	head -c 5000 /dev/urandom >t/f
	run -0 --separate-stderr lb linkcount -r --summary --human-readable t
	[ "${lines[4]}" != "bytes freed by deleting: $(bytes t/f)" ]
	case ${lines[4]} in *[0-9]K) ;; *) false ;; esac
}

@test "linkcount: -h without --summary is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount -h f
	assert_output_is ""
	assert_stderr_is "$(usage_error "-h goes with --summary")"
}

@test "linkcount: -r lists every non-directory under the trees" {
	make_tree
	run -0 --separate-stderr lb linkcount -r t o
	assert_lines_are $'3\tt/big' $'3\tt/sub/big2' $'3\tt/sub/deep/big3' \
		$'2\tt/kept' $'2\to/kept2' $'1\tt/one' $'1\tt/sub/two' \
		$'1\tt/sub/deep/three' $'1\tt/sub/link' $'1\tt/sub/dirlink' \
		$'1\to/single'
	assert_stderr_is ""
}

@test "linkcount: --recursive is -r" {
	mkdir d
	touch d/f
	command ln d/f d/g
	run -0 --separate-stderr lb linkcount --recursive d
	assert_lines_are $'2\td/f' $'2\td/g'
	assert_stderr_is ""
}

@test "linkcount: -r lists no directories" {
	mkdir -p d/a/b d/c
	run -0 --separate-stderr lb linkcount -r d
	assert_output_is ""
	assert_stderr_is ""
}

@test "linkcount: -r prints a file operand itself" {
	touch f
	command ln f g
	run -0 --separate-stderr lb linkcount -r f
	assert_output_is $'2\tf'
	assert_stderr_is ""
}

@test "linkcount: -r prints paths from the operand as written" {
	mkdir -p d/sub
	touch d/sub/f
	run -0 --separate-stderr lb linkcount -r ./d/
	assert_output_is $'1\t./d/sub/f'
	assert_stderr_is ""
}

@test "linkcount: -r -c keeps exact counts" {
	make_tree
	run -0 --separate-stderr lb linkcount -r -c 2 t o
	assert_lines_are $'2\tt/kept' $'2\to/kept2'
	assert_stderr_is ""
}

@test "linkcount: -r -m keeps counts at least N" {
	make_tree
	run -0 --separate-stderr lb linkcount -r -m 2 t
	assert_lines_are $'3\tt/big' $'3\tt/sub/big2' $'3\tt/sub/deep/big3' \
		$'2\tt/kept'
	assert_stderr_is ""
}

@test "linkcount: -r -M keeps counts at most N" {
	make_tree
	run -0 --separate-stderr lb linkcount -r -M 1 t
	assert_lines_are $'1\tt/one' $'1\tt/sub/two' $'1\tt/sub/deep/three' \
		$'1\tt/sub/link' $'1\tt/sub/dirlink'
	assert_stderr_is ""
}

@test "linkcount: -r -m with -M keeps a range" {
	make_tree
	run -0 --separate-stderr lb linkcount -r -m 2 -M 2 t o
	assert_lines_are $'2\tt/kept' $'2\to/kept2'
	assert_stderr_is ""
}

@test "linkcount: -r -0 ends each record with NUL" {
	mkdir d
	touch $'d/a\nb'
	command ln $'d/a\nb' d/c
	run -0 --separate-stderr to_file out lb linkcount -r -0 d
	assert_output_is ""
	assert_stderr_is ""
	printf '2\td/a\nb\0' >want1
	printf '2\td/c\0' >want2
	cat want1 want2 >want
	cat want2 want1 >want.other
	cmp -s out want || cmp out want.other
}

@test "linkcount: -r prints a non-UTF-8 name raw" {
	export LC_ALL=C.UTF-8
	mkdir d
	touch $'d/\xff'
	run -0 --separate-stderr lb linkcount -r d
	assert_output_is $'1\td/\xff'
	assert_stderr_is ""
}

@test "linkcount: -r counts symlinks themselves and never follows them" {
	mkdir d e
	touch e/f
	command ln e/f e/g
	command ln -s ../e d/dirlink
	command ln -s ../e/f d/filelink
	run -0 --separate-stderr lb linkcount -r d
	assert_lines_are $'1\td/dirlink' $'1\td/filelink'
	assert_stderr_is ""
}

@test "linkcount: -r does not follow a symlink operand to a directory" {
	mkdir e
	touch e/f
	command ln -s e link
	run -0 --separate-stderr lb linkcount -r link
	assert_output_is $'1\tlink'
	assert_stderr_is ""
}

@test "linkcount: -r -L counts the files symlinks point to" {
	mkdir d e
	touch e/f
	command ln e/f e/g
	command ln e/f e/h
	command ln -s ../e/f d/filelink
	touch d/plain
	run -0 --separate-stderr lb linkcount -r -L d
	assert_lines_are $'3\td/filelink' $'1\td/plain'
	assert_stderr_is ""
}

@test "linkcount: -r -L does not walk into symlinked directories" {
	mkdir d e
	touch e/f
	command ln -s ../e d/dirlink
	run -0 --separate-stderr lb linkcount -r -L d
	assert_output_is "$(stat -L -c %h d/dirlink)"$'\td/dirlink'
	assert_stderr_is ""
}

@test "linkcount: -r -L reports a dangling symlink and goes on, exit 1" {
	mkdir d
	command ln -s nowhere d/dangling
	touch d/f
	run -1 --separate-stderr lb linkcount -r -L d
	assert_output_is $'1\td/f'
	assert_stderr_starts "linkcount: 'd/dangling': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "linkcount: -r with a missing PATH among good ones, exit 1" {
	mkdir d e
	touch d/f e/g
	run -1 --separate-stderr lb linkcount -r d missing e
	assert_lines_are $'1\td/f' $'1\te/g'
	assert_stderr_starts "linkcount: 'missing': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "linkcount: -r output to a full device is a write error" {
	[ -c /dev/full ] || skip "no /dev/full"
	mkdir d
	touch d/f
	run -1 --separate-stderr to_full lb linkcount -r d
	assert_output_is ""
	assert_stderr_starts "linkcount: write error: "
}

# --- --summary -------------------------------------------------------------

@test "linkcount: --summary tells what deleting a tree would free" {
	make_summary_tree
	freed=$(bytes t t/sub t/sub/deep t/big t/one t/sub/two \
		t/sub/deep/three t/sub/link)
	run -0 --separate-stderr lb linkcount -r --summary t
	assert_output_is "$(summary 6 2 8 1 "$freed" "$(bytes t/kept)")"
	assert_stderr_is ""
}

@test "linkcount: --summary counts names in any of the PATHs as inside" {
	make_summary_tree
	freed=$(bytes t t/sub t/sub/deep o t/big t/kept t/one t/sub/two \
		t/sub/deep/three t/sub/link)
	run -0 --separate-stderr lb linkcount -r --summary t o
	assert_output_is "$(summary 6 2 9 0 "$freed" 0)"
	assert_stderr_is ""
}

@test "linkcount: --summary counts each inode once when PATHs overlap" {
	make_summary_tree
	freed=$(bytes t t/sub t/sub/deep t/big t/one t/sub/two \
		t/sub/deep/three t/sub/link)
	run -0 --separate-stderr lb linkcount -r --summary t t/sub
	assert_output_is "$(summary 6 2 8 1 "$freed" "$(bytes t/kept)")"
	assert_stderr_is ""
}

@test "linkcount: --summary of an empty directory frees its own blocks" {
	mkdir d
	run -0 --separate-stderr lb linkcount -r --summary d
	assert_output_is "$(summary 0 0 0 0 "$(bytes d)" 0)"
	assert_stderr_is ""
}

@test "linkcount: --summary of a file kept by another name frees nothing" {
	head -c 5000 /dev/zero >f
	command ln f g
	run -0 --separate-stderr lb linkcount -r --summary f
	assert_output_is "$(summary 1 1 1 1 0 "$(bytes f)")"
	assert_stderr_is ""
}

@test "linkcount: --summary with a missing PATH sums the others, exit 1" {
	mkdir d
	head -c 100 /dev/zero >d/f
	run -1 --separate-stderr lb linkcount -r --summary d missing
	assert_output_is "$(summary 1 0 1 0 "$(bytes d d/f)" 0)"
	assert_stderr_starts "linkcount: 'missing': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "linkcount: --summary --each prints one line per PATH alone" {
	# Two daily snapshots of a backup: same, shared by both; old, only
	# in day1; new, only in day2.
	mkdir day1 day2
	head -c 10000 /dev/zero >day1/same
	command ln day1/same day2/same
	head -c 3000 /dev/zero >day1/old
	head -c 7000 /dev/zero >day2/new
	run -0 --separate-stderr lb linkcount -r --summary --each day1 day2
	assert_output_is "2	2	$(bytes day1 day1/same day1/old)	$(bytes day1 day1/old)	day1
2	2	$(bytes day2 day2/same day2/new)	$(bytes day2 day2/new)	day2"
	assert_stderr_is ""
}

@test "linkcount: --summary --each walks a PATH inside another whole" {
	make_summary_tree
	run -0 --separate-stderr lb linkcount -r --summary --each t t/sub
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = "5	4	$(bytes t/sub t/sub/deep t/big t/sub/two \
		t/sub/deep/three t/sub/link)	$(bytes t/sub t/sub/deep \
		t/sub/two t/sub/deep/three t/sub/link)	t/sub" ]
}

@test "linkcount: --summary --each -h prints sizes as du -h does" {
	mkdir d
	head -c 3000000 /dev/urandom >d/f
	run -0 --separate-stderr lb linkcount -r --summary --each -h d
	local h
	h=$(du -sh d | cut -f1)
	assert_output_is "1	1	$h	$h	d"
}

@test "linkcount: --summary --each -0 ends each line with NUL" {
	mkdir "a
b"
	run -0 --separate-stderr to_file out lb linkcount -r --summary --each \
		-0 "a
b"
	printf '0\t0\t%s\t%s\ta\nb\0' "$(bytes "a
b")" "$(bytes "a
b")" | cmp - out
}

@test "linkcount: --summary --each with a missing PATH prints the others, exit 1" {
	mkdir d
	run -1 --separate-stderr lb linkcount -r --summary --each missing d
	assert_output_is "0	0	$(bytes d)	$(bytes d)	d"
	assert_stderr_starts "linkcount: 'missing': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "linkcount: --each without --summary is a usage error" {
	mkdir d
	run -2 --separate-stderr lb linkcount -r --each d
	assert_output_is ""
	assert_stderr_is "$(usage_error '--each goes with --summary')"
}

@test "linkcount: --summary without -r is a usage error" {
	touch f
	run -2 --separate-stderr lb linkcount --summary f
	assert_output_is ""
	assert_stderr_is "$(usage_error '--summary goes with -r alone')"
}

@test "linkcount: --summary with -c is a usage error" {
	mkdir d
	run -2 --separate-stderr lb linkcount -r --summary -c 1 d
	assert_output_is ""
	assert_stderr_is "$(usage_error '--summary goes with -r alone')"
}

@test "linkcount: --summary with -m is a usage error" {
	mkdir d
	run -2 --separate-stderr lb linkcount -r --summary -m 2 d
	assert_output_is ""
	assert_stderr_is "$(usage_error '--summary goes with -r alone')"
}

@test "linkcount: --summary with -M is a usage error" {
	mkdir d
	run -2 --separate-stderr lb linkcount -r -M 2 --summary d
	assert_output_is ""
	assert_stderr_is "$(usage_error '--summary goes with -r alone')"
}

@test "linkcount: --summary with -L is a usage error" {
	mkdir d
	run -2 --separate-stderr lb linkcount -r -L --summary d
	assert_output_is ""
	assert_stderr_is "$(usage_error '--summary goes with -r alone')"
}

@test "linkcount: --summary with -0 is a usage error" {
	mkdir d
	run -2 --separate-stderr lb linkcount -r -0 --summary d
	assert_output_is ""
	assert_stderr_is "$(usage_error '--summary goes with -r alone')"
}

# --- against find(1) on generated trees ------------------------------------

@test "linkcount: -r lists what find lists on generated trees" {
	for seed in 2 8; do
		gen_tree -s "$seed" "T$seed"
		find "T$seed" ! -type d -printf '%n\t%p\n' | LC_ALL=C sort >want
		lb linkcount -r "T$seed" | LC_ALL=C sort >got
		cmp got want
	done
}

@test "linkcount: --summary adds up what find sees on generated trees" {
	for seed in 4 13; do
		gen_tree -s "$seed" "T$seed"
		# Give some files names outside the tree.
		mkdir "out$seed"
		find "T$seed" -type f | head -n 30 | while IFS= read -r f; do
			command ln "$f" "out$seed/${f//\//_}"
		done
		want=$(find "T$seed" -printf '%y %D:%i %n %b\n' | awk '
			$1 == "d" { freed += $4 * 512; next }
			{ inside++ }
			$3 == 1 { files++; freed += $4 * 512; next }
			!($2 in seen) { files++; multi++; n[$2] = $3; b[$2] = $4 }
			{ seen[$2]++ }
			END {
				for (k in seen)
					if (seen[k] >= n[k])
						freed += b[k] * 512
					else {
						kept += b[k] * 512
						out += n[k] - seen[k]
					}
				printf "files: %d\nfiles with several names: %d\n",
					files, multi
				printf "names inside: %d\nnames outside: %d\n",
					inside, out
				printf "bytes freed by deleting: %d\n", freed
				printf "bytes kept by names outside: %d\n", kept
			}')
		run -0 --separate-stderr lb linkcount -r --summary "T$seed"
		assert_output_is "$want"
		assert_stderr_is ""
	done
}
