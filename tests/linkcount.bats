#!/usr/bin/env bats
load helpers

# linkcount: print COUNT<TAB>NAME for each FILE (applets/linkcount.c).

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

# Files with 1, 2 and 3 links: one, two (+ two.b), three (+ three.b, .c).
make_counts() {
	touch one two three
	command ln two two.b
	command ln three three.b
	command ln three three.c
}

usage_error() {
	printf '%s\n%s' "linkcount: $1" \
		"Try 'linkcount --help' for more information."
}

# --- output ---------------------------------------------------------------

@test "linkcount: prints count and name, tab-separated" {
	skip_unless_applet linkcount
	touch a
	command ln a b
	run -0 --separate-stderr lb linkcount a
	assert_output_is $'2\ta'
	assert_stderr_is ""
}

@test "linkcount: prints several operands in the order given" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount three one two.b
	assert_output_is $'3\tthree\n1\tone\n2\ttwo.b'
	assert_stderr_is ""
}

@test "linkcount: prints the name as given" {
	skip_unless_applet linkcount
	mkdir d
	touch d/f
	run -0 --separate-stderr lb linkcount ./d//f
	assert_output_is $'1\t./d//f'
	assert_stderr_is ""
}

@test "linkcount: counts a symlink itself" {
	skip_unless_applet linkcount
	touch t
	command ln t t2
	command ln -s t s
	run -0 --separate-stderr lb linkcount s
	assert_output_is $'1\ts'
	assert_stderr_is ""
}

@test "linkcount: -L counts the file a symlink points to" {
	skip_unless_applet linkcount
	touch t
	command ln t t2
	command ln -s t s
	run -0 --separate-stderr lb linkcount -L s
	assert_output_is $'2\ts'
	assert_stderr_is ""
}

@test "linkcount: --dereference is -L" {
	skip_unless_applet linkcount
	touch t
	command ln t t2
	command ln -s t s
	run -0 --separate-stderr lb linkcount --dereference s
	assert_output_is $'2\ts'
	assert_stderr_is ""
}

@test "linkcount: counts a dangling symlink itself" {
	skip_unless_applet linkcount
	command ln -s nowhere s
	run -0 --separate-stderr lb linkcount s
	assert_output_is $'1\ts'
	assert_stderr_is ""
}

@test "linkcount: -L on a dangling symlink is an error" {
	skip_unless_applet linkcount
	command ln -s nowhere s
	run -1 --separate-stderr lb linkcount -L s
	assert_output_is ""
	assert_stderr_starts "linkcount: 's': "
}

# --- filters --------------------------------------------------------------

@test "linkcount: -c keeps only exact counts" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount -c 2 one two three two.b
	assert_output_is $'2\ttwo\n2\ttwo.b'
	assert_stderr_is ""
}

@test "linkcount: --count=N is -c N" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount --count=3 one two three
	assert_output_is $'3\tthree'
	assert_stderr_is ""
}

@test "linkcount: --count N takes the next argument" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount --count 1 one two three
	assert_output_is $'1\tone'
	assert_stderr_is ""
}

@test "linkcount: -c with no match prints nothing, exit 0" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount -c 4 one two three
	assert_output_is ""
	assert_stderr_is ""
}

@test "linkcount: -m keeps counts at least N" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount -m 2 one two three
	assert_output_is $'2\ttwo\n3\tthree'
	assert_stderr_is ""
}

@test "linkcount: --min=N is -m N" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount --min=3 one two three
	assert_output_is $'3\tthree'
	assert_stderr_is ""
}

@test "linkcount: -M keeps counts at most N" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount -M 2 one two three
	assert_output_is $'1\tone\n2\ttwo'
	assert_stderr_is ""
}

@test "linkcount: --max=N is -M N" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount --max=1 one two three
	assert_output_is $'1\tone'
	assert_stderr_is ""
}

@test "linkcount: -m with -M keeps a range" {
	skip_unless_applet linkcount
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
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount -M 2 -m 2 one two three
	assert_output_is $'2\ttwo'
	assert_stderr_is ""
}

@test "linkcount: the last -c wins" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount -c 1 -c 3 one two three
	assert_output_is $'3\tthree'
	assert_stderr_is ""
}

@test "linkcount: -c 1 pool/* lists the pool files nothing else links to" {
	skip_unless_applet linkcount
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

# --- usage errors -----------------------------------------------------------

@test "linkcount: -c with -m is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount -c 1 -m 1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error '-c cannot be combined with -m or -M')"
}

@test "linkcount: -M with -c is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount -M 1 -c 1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error '-c cannot be combined with -m or -M')"
}

@test "linkcount: -m above -M is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount -m 3 -M 2 f
	assert_output_is ""
	assert_stderr_is "$(usage_error '-m 3 is above -M 2: nothing can match')"
}

@test "linkcount: a count that is not a number is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount -c abc f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: 'abc'")"
}

@test "linkcount: a count with trailing garbage is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount -m 1x f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: '1x'")"
}

@test "linkcount: a negative count is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount -c -1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: '-1'")"
}

@test "linkcount: a count with a sign or blank is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount -M ' 1' f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: ' 1'")"
	run -2 --separate-stderr lb linkcount -M +1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: '+1'")"
}

@test "linkcount: a count too large is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount -c 99999999999999999999 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: '99999999999999999999'")"
}

@test "linkcount: an empty count is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount -c '' f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: ''")"
}

@test "linkcount: a bad --min=N is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount --min=abc f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid count: 'abc'")"
}

@test "linkcount: no operand is a usage error" {
	skip_unless_applet linkcount
	run -2 --separate-stderr lb linkcount
	assert_output_is ""
	assert_stderr_is "$(usage_error 'missing operand')"
}

@test "linkcount: options without an operand are a usage error" {
	skip_unless_applet linkcount
	run -2 --separate-stderr lb linkcount -L -c 1 --
	assert_output_is ""
	assert_stderr_is "$(usage_error 'missing operand')"
}

@test "linkcount: an unknown option is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount -x f
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid option -- 'x'")"
}

@test "linkcount: an unknown long option is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount --bogus f
	assert_output_is ""
	assert_stderr_is "$(usage_error "unrecognized option '--bogus'")"
}

@test "linkcount: an unknown long option with =value is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount --bogus=1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "unrecognized option '--bogus'")"
}

@test "linkcount: an ambiguous long option is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount --m=1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--m' is ambiguous; possibilities: '--min' '--max'")"
}

@test "linkcount: a long option may be abbreviated" {
	skip_unless_applet linkcount
	make_counts
	run -0 --separate-stderr lb linkcount --co=2 --deref one two
	assert_output_is $'2\ttwo'
	assert_stderr_is ""
}

@test "linkcount: -c without its argument is a usage error" {
	skip_unless_applet linkcount
	run -2 --separate-stderr lb linkcount -c
	assert_output_is ""
	assert_stderr_is "$(usage_error "option requires an argument -- 'c'")"
}

@test "linkcount: --count without its argument is a usage error" {
	skip_unless_applet linkcount
	run -2 --separate-stderr lb linkcount --count
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--count' requires an argument")"
}

@test "linkcount: -c without its argument after an operand is a usage error" {
	skip_unless_applet linkcount
	unset POSIXLY_CORRECT
	touch f
	run -2 --separate-stderr lb linkcount f -c
	assert_output_is ""
	assert_stderr_is "$(usage_error "option requires an argument -- 'c'")"
}

@test "linkcount: --count without its argument after an operand is a usage error" {
	skip_unless_applet linkcount
	unset POSIXLY_CORRECT
	touch f
	run -2 --separate-stderr lb linkcount f --count
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--count' requires an argument")"
}

@test "linkcount: --null=1 is a usage error" {
	skip_unless_applet linkcount
	touch f
	run -2 --separate-stderr lb linkcount --null=1 f
	assert_output_is ""
	assert_stderr_is "$(usage_error "option '--null' doesn't allow an argument")"
}

# --- -0 ---------------------------------------------------------------------

@test "linkcount: -0 ends each record with NUL" {
	skip_unless_applet linkcount
	make_counts
	touch $'a\nb'
	run -0 --separate-stderr to_file out lb linkcount -0 two $'a\nb'
	assert_output_is ""
	assert_stderr_is ""
	printf '2\ttwo\0001\ta\nb\000' >want
	cmp out want
}

@test "linkcount: --null is -0" {
	skip_unless_applet linkcount
	touch f
	run -0 --separate-stderr to_file out lb linkcount --null f
	assert_stderr_is ""
	[ "$(od -An -c out | tr -s ' ')" = ' 1 \t f \0' ]
}

# --- operands and names ----------------------------------------------------

@test "linkcount: a missing operand among good ones, exit 1" {
	skip_unless_applet linkcount
	make_counts
	run -1 --separate-stderr lb linkcount one missing two
	assert_output_is $'1\tone\n2\ttwo'
	assert_stderr_starts "linkcount: 'missing': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "linkcount: a path through a regular file is an error" {
	skip_unless_applet linkcount
	touch f g
	run -1 --separate-stderr lb linkcount f/x g
	assert_output_is $'1\tg'
	assert_stderr_starts "linkcount: 'f/x': "
}

@test "linkcount: options are accepted after operands" {
	skip_unless_applet linkcount
	unset POSIXLY_CORRECT
	make_counts
	run -0 --separate-stderr lb linkcount one two -c 1
	assert_output_is $'1\tone'
	assert_stderr_is ""
}

@test "linkcount: -- ends the options" {
	skip_unless_applet linkcount
	touch ./-c f
	run -0 --separate-stderr lb linkcount -- -c f
	assert_output_is $'1\t-c\n1\tf'
	assert_stderr_is ""
}

@test "linkcount: a name with a leading - given as ./-x" {
	skip_unless_applet linkcount
	touch ./-x
	run -0 --separate-stderr lb linkcount ./-x
	assert_output_is $'1\t./-x'
	assert_stderr_is ""
}

@test "linkcount: - alone is an operand" {
	skip_unless_applet linkcount
	touch ./-
	run -0 --separate-stderr lb linkcount -
	assert_output_is $'1\t-'
	assert_stderr_is ""
}

@test "linkcount: a name with spaces is printed as it is" {
	skip_unless_applet linkcount
	touch 'a b'
	run -0 --separate-stderr lb linkcount 'a b'
	assert_output_is $'1\ta b'
	assert_stderr_is ""
}

@test "linkcount: a name with a newline is printed as it is" {
	skip_unless_applet linkcount
	touch $'a\nb'
	run -0 --separate-stderr lb linkcount $'a\nb'
	assert_output_is $'1\ta\nb'
	assert_stderr_is ""
}

@test "linkcount: a non-UTF-8 name is printed raw" {
	skip_unless_applet linkcount
	export LC_ALL=C.UTF-8
	touch $'\xff'
	run -0 --separate-stderr lb linkcount $'\xff'
	assert_output_is $'1\t\xff'
	assert_stderr_is ""
}

# Names in messages are quoted as GNU coreutils quotes them (ln's
# "failed to create symbolic link 'NAME'"), so a name never splits a line.

@test "linkcount: a name with spaces is quoted in messages" {
	skip_unless_applet linkcount
	run -1 --separate-stderr lb linkcount 'a b'
	assert_output_is ""
	assert_stderr_starts "linkcount: 'a b': "
}

@test "linkcount: a name with a newline is quoted in messages on one line" {
	skip_unless_applet linkcount
	run -1 --separate-stderr lb linkcount $'a\nb'
	assert_output_is ""
	assert_stderr_starts "linkcount: 'a'\$'\\n''b': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "linkcount: a name with a single quote is double-quoted in messages" {
	skip_unless_applet linkcount
	run -1 --separate-stderr lb linkcount "it's"
	assert_output_is ""
	assert_stderr_starts "linkcount: \"it's\": "
}

@test "linkcount: a name with ' and \$ is escaped in messages" {
	skip_unless_applet linkcount
	run -1 --separate-stderr lb linkcount "it's \$HOME"
	assert_output_is ""
	assert_stderr_starts "linkcount: 'it'\\''s \$HOME': "
}

@test "linkcount: a non-UTF-8 byte is escaped in messages" {
	skip_unless_applet linkcount
	export LC_ALL=C
	run -1 --separate-stderr lb linkcount $'\xff'
	assert_output_is ""
	assert_stderr_starts "linkcount: ''\$'\\377': "
}

@test "linkcount: UTF-8 is escaped in messages in the C locale" {
	skip_unless_applet linkcount
	export LC_ALL=C
	run -1 --separate-stderr lb linkcount $'caf\xc3\xa9'
	assert_output_is ""
	assert_stderr_starts "linkcount: 'caf'\$'\\303\\251': "
}

@test "linkcount: UTF-8 is kept in messages in a UTF-8 locale" {
	skip_unless_applet linkcount
	export LC_ALL=C.UTF-8
	run -1 --separate-stderr lb linkcount $'caf\xc3\xa9'
	assert_output_is ""
	assert_stderr_starts $'linkcount: \'caf\xc3\xa9\': '
}

@test "linkcount: an empty name is an error" {
	skip_unless_applet linkcount
	touch f
	run -1 --separate-stderr lb linkcount '' f
	assert_output_is $'1\tf'
	assert_stderr_starts "linkcount: '': "
}

# --- output errors --------------------------------------------------------

@test "linkcount: output to a full device is a write error" {
	skip_unless_applet linkcount
	[ -c /dev/full ] || skip "no /dev/full"
	touch f
	run -1 --separate-stderr to_full lb linkcount f
	assert_output_is ""
	assert_stderr_starts "linkcount: write error: "
}
