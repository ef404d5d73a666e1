#!/usr/bin/env bats
load helpers
USAGE_APPLET=symlinks # for usage_error

# symlinks: list, convert and clean symbolic links as symlinks(8) does,
# checked and atomic (applets/symlinks.c).  Paths are printed as
# symlinks(8) prints them: the operand joined to $PWD, tidied.  Walk order
# is the directory's own, so tests with more than one link compare lines
# in any order (assert_lines_are).

setup() {
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w" || return 1
	skip_unless_applet symlinks
}

# row CLASS PATH TEXT: one line of output, the class padded to 10 columns.
row() {
	printf '%-10s%s -> %s' "$1:" "$2" "$3"
}

@test "symlinks: lists an absolute link (1)" {
	touch f
	command ln -s "$PWD/f" abs
	run -1 --separate-stderr lb symlinks .
	assert_output_is "$(row absolute "$PWD/abs" "$PWD/f")"
	assert_stderr_is ""
}

@test "symlinks: lists a dangling link (1)" {
	command ln -s nope dang
	run -1 --separate-stderr lb symlinks .
	assert_output_is "$(row dangling "$PWD/dang" nope)"
	assert_stderr_is ""
}
