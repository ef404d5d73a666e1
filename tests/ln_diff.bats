#!/usr/bin/env bats
load helpers

# ln against GNU coreutils ln (the host's /usr/bin/ln): the same scenarios,
# from tests/ln/gen-scenarios.bash (hand-picked ones, then random ones from
# a fixed seed), run by each in a fresh copy of one fixture, with LC_ALL=C
# and stdin from /dev/null.  Exit status, stdout, stderr and the resulting
# tree (every name, type, link count, symlink text or file content, names
# sharing an inode; no temporary names left) must be the same.  The
# harness is tests/ln/diff-lib.bash.
#
# Deliberate differences, kept out of the scenarios or normalised:
#  (a) ln -i answered "no" (or at EOF) exits 1 in ours, as GNU >= 9.2 does;
#      GNU 9.1 exits 0.  -i is never generated.
#  (b) An ambiguous long option lists our extra options --sync and
#      --skip-same among the possibilities: no ambiguous prefixes (--s,
#      --sy, --n, --v) are generated; nor --sync, --skip-same, --help,
#      --version.
#  (c) Names holding both a single quote and a control character: GNU
#      9.1's quoting emits a stray '' there (a gnulib bug).  No such name
#      is generated.
#  (d) The program name: GNU prints argv[0] ("/usr/bin/ln: ...", "Try
#      '/usr/bin/ln --help'"), ours "ln"; both are normalised to "ln".
#  (e) An invalid backup CONTROL with two operands: GNU 9.1 makes the link
#      first and then fails; ours fails before changing anything.  The
#      scenarios with an invalid CONTROL use an existing LINK_NAME.
#  (f) ln -si f f: GNU asks and can turn f into a loop; ours refuses.

GNU_LN=/usr/bin/ln
SEED=1729
COUNT=280

# Skip unless the host has a GNU ln to compare with.
need_gnu_ln() {
	[ -x "$GNU_LN" ] || skip "no $GNU_LN"
	"$GNU_LN" --version 2>/dev/null | head -1 | grep -q 'GNU coreutils' ||
		skip "$GNU_LN is not GNU coreutils ln"
}

# Set up the harness in this test's scratch directory.
harness() {
	need_gnu_ln
	skip_unless_applet ln
	source "$BATS_TEST_DIRNAME/ln/diff-lib.bash"
	LN_GNU=$GNU_LN
	LN_OURS=$LB_BIN/ln
	LN_WORK=$BATS_TEST_TMPDIR
	ln_fixture "$LN_WORK/fixture"
}

gen() {
	bash "$BATS_TEST_DIRNAME/ln/gen-scenarios.bash" "$@"
}

# differs LINE: the harness finds a difference in scenario LINE.
differs() {
	if ln_compare "$1"; then
		echo "no difference seen in: $1" >&2
		return 1
	fi
}

@test "ln: the differential harness sees the differences it should" {
	harness
	# GNU against itself: no difference.
	LN_OURS=$GNU_LN
	ln_compare "$(printf '%q ' . - -sfv f1 sl)"
	# A hard link where a symlink was asked for: the tree differs.
	LN_OURS=$BATS_TEST_TMPDIR/fake
	printf '#!/bin/bash\nfor a; do [ "$a" = -s ] || set -- "$@" "$a"; shift; done\nexec %s "$@"\n' \
		"$GNU_LN" >fake
	chmod +x fake
	differs "$(printf '%q ' . - -s f1 new)"
	[[ $ln_report == *'+ ./new f 2 = f1 inode-of ./f1'* ]]
	[[ $ln_report != *status* ]]
	# A temporary name left behind, another status and stderr.
	printf '#!/bin/sh\n%s "$@"; touch .new.ln.AbCdEf; echo oops >&2; exit 3\n' \
		"$GNU_LN" >fake
	differs "$(printf '%q ' . - -s f1 new)"
	[[ $ln_report == *'status: GNU 0, ours 3'* ]]
	[[ $ln_report == *'ours [oops'* ]]
	[[ $ln_report == *'+ ./.new.ln.AbCdEf f 1'* ]]
	# The program name is normalised on both sides.
	LN_OURS=$LB_BIN/ln
	ln_compare "$(printf '%q ' . - -Z f1 new)"
}

@test "ln: matches GNU ln on hand-picked scenarios" {
	harness
	run --separate-stderr ln_batch < <(gen fixed)
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}

@test "ln: matches GNU ln on random scenarios (seed 1729)" {
	harness
	run --separate-stderr ln_batch < <(gen random "$SEED" "$COUNT")
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}
