#!/usr/bin/env bats
load helpers
USAGE_APPLET=safeswap # for usage_error

# safeswap: exchange two paths atomically (applets/safeswap.c).  Fixtures
# and checks use the host's tools only.

# Each test runs in its own scratch directory, on builds carrying safeswap.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	skip_unless_applet safeswap
}

# Two files a and b holding "A" and "B".
make_pair() {
	echo A >a
	echo B >b
}

# Two directories d1 and d2 holding x and y.
make_dirs() {
	mkdir d1 d2
	echo x >d1/x
	echo y >d2/y
}

# The fallbacks are reached by making renameat2 fail with EINVAL, as it
# does on FUSE and NFS.  They use plain renameat, which must then be a
# system call of its own (it is on x86_64; where libc implements it with
# renameat2, the injection would hit it as well).
need_inject() {
	need_strace -e trace=fsync
	strace -f -o /dev/null -e inject=renameat2:error=EINVAL true \
		2>/dev/null || skip "strace cannot inject faults here"
	strace -f -o /dev/null -e trace=renameat true 2>/dev/null ||
		skip "no renameat system call here"
}

# traced STRACE_OPTIONS... -- ARGS: run safeswap under strace.
traced() {
	strace_applet safeswap "$@"
}

# no_exchange [STRACE_OPTIONS...] -- ARGS: safeswap where renameat2 fails.
no_exchange() {
	traced -o /dev/null -e inject=renameat2:error=EINVAL "$@"
}

# --- what can be exchanged ------------------------------------------------------

@test "safeswap: exchanges two files" {
	make_pair
	ia=$(inode a)
	ib=$(inode b)
	run -0 --separate-stderr lb safeswap a b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(cat a)" = B ]
	[ "$(cat b)" = A ]
	[ "$(inode a)" = "$ib" ]
	[ "$(inode b)" = "$ia" ]
	no_temps
}

@test "safeswap: exchanges two directories" {
	make_dirs
	run -0 --separate-stderr lb safeswap d1 d2
	assert_output_is ""
	assert_stderr_is ""
	[ "$(ls -A d1)" = y ]
	[ "$(ls -A d2)" = x ]
	no_temps
}

@test "safeswap: exchanges a file and a directory" {
	echo F >f
	mkdir d
	touch d/inside
	run -0 --separate-stderr lb safeswap f d
	assert_output_is ""
	assert_stderr_is ""
	[ -d f ]
	[ -e f/inside ]
	[ -f d ]
	[ "$(cat d)" = F ]
	no_temps
}

@test "safeswap: moves a symlink itself, never following it" {
	echo T >t
	echo F >f
	command ln -s t s
	run -0 --separate-stderr lb safeswap s f
	assert_output_is ""
	assert_stderr_is ""
	[ -L f ]
	[ "$(readlink f)" = t ]
	[ ! -L s ]
	[ "$(cat s)" = F ]
	[ "$(cat t)" = T ]
	no_temps
}

@test "safeswap: moves a symlink to a directory itself" {
	mkdir -p target d
	command ln -s target s
	run -0 --separate-stderr lb safeswap s d
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink d)" = target ]
	[ -d s ]
	[ ! -L s ]
	[ -z "$(ls -A target)" ]
}

@test "safeswap: exchanges names in two directories" {
	mkdir p q
	echo A >p/a
	echo B >q/b
	ia=$(inode p/a)
	run -0 --separate-stderr lb safeswap p/a q/b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(cat p/a)" = B ]
	[ "$(cat q/b)" = A ]
	[ "$(inode q/b)" = "$ia" ]
	no_temps
}

@test "safeswap: two names of one file stay as they are" {
	echo A >a
	command ln a b
	run -0 --separate-stderr lb safeswap a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	[ "$(stat -c %h a)" = 2 ]
	no_temps
}

# --- -v and -n ---------------------------------------------------------------

@test "safeswap: -v says what was exchanged" {
	make_pair
	run -0 --separate-stderr lb safeswap -v a b
	assert_output_is "'a' <-> 'b': exchanged"
	assert_stderr_is ""
	[ "$(cat a)" = B ]
}

@test "safeswap: --verbose is -v" {
	make_pair
	run -0 --separate-stderr lb safeswap --verbose a b
	assert_output_is "'a' <-> 'b': exchanged"
	assert_stderr_is ""
}

@test "safeswap: -n says what it would do and changes nothing" {
	make_pair
	ia=$(inode a)
	run -0 --separate-stderr lb safeswap -n a b
	assert_output_is "would exchange 'a' and 'b'"
	assert_stderr_is ""
	[ "$(cat a)" = A ]
	[ "$(cat b)" = B ]
	[ "$(inode a)" = "$ia" ]
	no_temps
}

@test "safeswap: --dry-run is -n, and -v adds nothing to it" {
	make_dirs
	run -0 --separate-stderr lb safeswap --dry-run -v d1 d2
	assert_output_is "would exchange 'd1' and 'd2'"
	assert_stderr_is ""
	[ -e d1/x ]
	[ -e d2/y ]
}

@test "safeswap: -n fails (1) on a missing second name: one message, no output" {
	echo A >a
	run -1 --separate-stderr lb safeswap -n a nosuch
	assert_output_is ""
	assert_stderr_starts "safeswap: 'nosuch': "
	one_line
}

# --- failures --------------------------------------------------------------------

@test "safeswap: a missing second operand fails and changes nothing" {
	echo A >a
	ia=$(inode a)
	run -1 --separate-stderr lb safeswap a nosuch
	assert_output_is ""
	assert_stderr_starts "safeswap: 'nosuch': "
	one_line
	[ "$(cat a)" = A ]
	[ "$(inode a)" = "$ia" ]
	[ ! -e nosuch ]
	no_temps
}

@test "safeswap: a missing first operand fails and changes nothing" {
	echo B >b
	run -1 --separate-stderr lb safeswap nosuch b
	assert_output_is ""
	assert_stderr_starts "safeswap: 'nosuch': "
	one_line
	[ "$(cat b)" = B ]
	[ ! -e nosuch ]
}

@test "safeswap: a missing directory of an operand fails" {
	echo A >a
	run -1 --separate-stderr lb safeswap a nodir/b
	assert_output_is ""
	assert_stderr_starts "safeswap: 'nodir/b': "
	one_line
	[ "$(cat a)" = A ]
}

@test "safeswap: the same name twice fails" {
	echo A >a
	run -1 --separate-stderr lb safeswap a a
	assert_output_is ""
	assert_stderr_is "safeswap: 'a' and 'a' are the same name"
	[ "$(cat a)" = A ]
	no_temps
}

@test "safeswap: the same name spelt two ways fails" {
	mkdir d
	echo A >a
	run -1 --separate-stderr lb safeswap a d/../a
	assert_output_is ""
	assert_stderr_is "safeswap: 'a' and 'd/../a' are the same name"
	[ "$(cat a)" = A ]
}

@test "safeswap: '.' cannot be swapped" {
	echo A >a
	run -1 --separate-stderr lb safeswap . a
	assert_output_is ""
	assert_stderr_is "safeswap: '.': cannot swap this name"
	[ "$(cat a)" = A ]
}

@test "safeswap: a directory and a name inside it are refused" {
	mkdir d
	echo F >d/f
	run -1 --separate-stderr lb safeswap d d/f
	assert_output_is ""
	assert_stderr_starts "safeswap: cannot swap 'd' and 'd/f'"
	one_line
	[ -d d ]
	[ "$(cat d/f)" = F ]
	no_temps
}

@test "safeswap: --non-atomic-dirs refuses a directory and a name inside it" {
	mkdir d
	echo F >d/f
	run -1 --separate-stderr lb safeswap --non-atomic-dirs d d/f
	assert_output_is ""
	assert_stderr_starts "safeswap: cannot swap 'd' and 'd/f'"
	one_line
	[ -d d ]
	[ "$(cat d/f)" = F ]
	no_temps
}

@test "safeswap: no operand is a usage error" {
	run -2 --separate-stderr lb safeswap
	assert_output_is ""
	assert_stderr_is "$(usage_error "missing operand")"
}

@test "safeswap: one operand is a usage error" {
	echo A >a
	run -2 --separate-stderr lb safeswap a
	assert_output_is ""
	assert_stderr_is "$(usage_error "missing operand")"
	[ "$(cat a)" = A ]
}

@test "safeswap: a third operand is a usage error" {
	make_pair
	touch c
	run -2 --separate-stderr lb safeswap a b c
	assert_output_is ""
	assert_stderr_is "$(usage_error "extra operand 'c'")"
	[ "$(cat a)" = A ]
	[ "$(cat b)" = B ]
}

@test "safeswap: an unknown option is a usage error" {
	make_pair
	run -2 --separate-stderr lb safeswap --bogus a b
	assert_output_is ""
	assert_stderr_is "$(usage_error "unrecognized option '--bogus'")"
	[ "$(cat a)" = A ]
}

@test "safeswap: --atomic-only with --non-atomic-dirs is a usage error" {
	make_dirs
	run -2 --separate-stderr lb safeswap --atomic-only --non-atomic-dirs \
		d1 d2
	assert_output_is ""
	assert_stderr_is "$(usage_error "--atomic-only and --non-atomic-dirs exclude each other")"
	[ -e d1/x ]
	[ -e d2/y ]
}

# --- options where the exchange works ---------------------------------------------

@test "safeswap: --atomic-only exchanges where the filesystem can" {
	make_pair
	run -0 --separate-stderr lb safeswap -v --atomic-only a b
	assert_output_is "'a' <-> 'b': exchanged"
	assert_stderr_is ""
	[ "$(cat a)" = B ]
}

@test "safeswap: --non-atomic-dirs still exchanges where the filesystem can" {
	make_dirs
	run -0 --separate-stderr lb safeswap -v --non-atomic-dirs d1 d2
	assert_output_is "'d1' <-> 'd2': exchanged"
	assert_stderr_is ""
	[ -e d1/y ]
	[ -e d2/x ]
	no_temps
}

@test "safeswap: --sync exchanges" {
	make_pair
	run -0 --separate-stderr lb safeswap --sync a b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(cat a)" = B ]
	[ "$(cat b)" = A ]
	no_temps
}

@test "safeswap: --sync fsyncs the directories of both names" {
	need_strace -e trace=fsync
	mkdir p q
	echo A >p/a
	echo B >q/b
	trace=$BATS_TEST_TMPDIR/fsync.trace
	run -0 --separate-stderr traced -y -qq -o "$trace" -e trace=fsync \
		-- --sync p/a q/b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(cat p/a)" = B ]
	grep -F "<$(pwd -P)/p>)" "$trace" | grep -E "\) += 0$"
	grep -F "<$(pwd -P)/q>)" "$trace" | grep -E "\) += 0$"
}

@test "safeswap: --sync reports a failed fsync" {
	need_strace -e trace=fsync
	strace -f -o /dev/null -e inject=fsync:error=EIO true 2>/dev/null ||
		skip "strace cannot inject faults here"
	make_pair
	run -1 --separate-stderr traced -o /dev/null -e inject=fsync:error=EIO \
		-- --sync a b
	assert_output_is ""
	assert_stderr_starts "safeswap: cannot sync the directories of 'a' and 'b': "
	one_line
	[ "$(cat a)" = B ]
}

# --- awkward names -----------------------------------------------------------------

@test "safeswap: names with spaces and a leading '-'" {
	echo A >'a file'
	echo B >-b
	run -0 --separate-stderr lb safeswap -v -- 'a file' -b
	assert_output_is "'a file' <-> '-b': exchanged"
	assert_stderr_is ""
	[ "$(cat 'a file')" = B ]
	[ "$(cat -- -b)" = A ]
}

@test "safeswap: names with a newline" {
	echo A >$'a\nx'
	echo B >b
	run -0 --separate-stderr lb safeswap -v $'a\nx' b
	assert_output_is "'a'\$'\\n''x' <-> 'b': exchanged"
	assert_stderr_is ""
	[ "$(cat $'a\nx')" = B ]
}

# --- filesystems -------------------------------------------------------------------

@test "safeswap: names on different filesystems fail" {
	mount_tmpfs
	echo A >a
	echo B >mnt/b
	run -1 --separate-stderr lb safeswap a mnt/b
	assert_output_is ""
	assert_stderr_is "safeswap: 'a' and 'mnt/b' are on different filesystems"
	[ "$(cat a)" = A ]
	[ "$(cat mnt/b)" = B ]
	no_temps
}

@test "safeswap: on a tmpfs, exchanges two files" {
	mount_tmpfs
	echo A >mnt/a
	echo B >mnt/b
	run -0 --separate-stderr lb safeswap -v mnt/a mnt/b
	assert_output_is "'mnt/a' <-> 'mnt/b': exchanged"
	assert_stderr_is ""
	[ "$(cat mnt/a)" = B ]
	[ "$(cat mnt/b)" = A ]
	no_temps mnt
}

@test "safeswap: on a tmpfs, exchanges two directories" {
	mount_tmpfs
	mkdir mnt/d1 mnt/d2
	touch mnt/d1/x mnt/d2/y
	run -0 --separate-stderr lb safeswap mnt/d1 mnt/d2
	assert_output_is ""
	assert_stderr_is ""
	[ -e mnt/d1/y ]
	[ -e mnt/d2/x ]
	no_temps mnt
}

# --- without an atomic exchange (renameat2 fails with EINVAL) -------------------------

@test "safeswap: without an exchange, swaps two files through hard links" {
	need_inject
	make_pair
	ia=$(inode a)
	ib=$(inode b)
	run -0 --separate-stderr no_exchange -- -v a b
	assert_output_is "'a' <-> 'b': swapped through hard links (no atomic exchange here)"
	assert_stderr_is ""
	[ "$(cat a)" = B ]
	[ "$(cat b)" = A ]
	[ "$(inode a)" = "$ib" ]
	[ "$(inode b)" = "$ia" ]
	[ "$(stat -c %h a)" = 1 ]
	[ "$(stat -c %h b)" = 1 ]
	no_temps
}

@test "safeswap: without an exchange, swaps a symlink and a file" {
	need_inject
	echo F >f
	command ln -s t s
	run -0 --separate-stderr no_exchange -- s f
	assert_output_is ""
	assert_stderr_is ""
	[ "$(readlink f)" = t ]
	[ "$(cat s)" = F ]
	no_temps
}

@test "safeswap: without an exchange, swaps files in two directories" {
	need_inject
	mkdir p q
	echo A >p/a
	echo B >q/b
	run -0 --separate-stderr no_exchange -- p/a q/b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(cat p/a)" = B ]
	[ "$(cat q/b)" = A ]
	no_temps
}

@test "safeswap: without an exchange, two names of one file leave no temporaries" {
	need_inject
	echo A >a
	command ln a b
	run -0 --separate-stderr no_exchange -- a b
	assert_output_is ""
	assert_stderr_is ""
	[ a -ef b ]
	no_temps
	[ "$(stat -c %h a)" = 2 ]
}

@test "safeswap: without an exchange, --atomic-only refuses" {
	need_inject
	make_pair
	ia=$(inode a)
	run -1 --separate-stderr no_exchange -- --atomic-only a b
	assert_output_is ""
	assert_stderr_starts "safeswap: cannot swap 'a' and 'b' atomically: "
	one_line
	[ "$(cat a)" = A ]
	[ "$(inode a)" = "$ia" ]
	no_temps
}

@test "safeswap: without an exchange, two directories are refused" {
	need_inject
	make_dirs
	run -1 --separate-stderr no_exchange -- d1 d2
	assert_output_is ""
	assert_stderr_is "safeswap: cannot swap 'd1' and 'd2': this filesystem cannot exchange atomically, and a directory cannot be swapped through hard links (see --non-atomic-dirs)"
	[ "$(ls -A d1)" = x ]
	[ "$(ls -A d2)" = y ]
	no_temps
}

@test "safeswap: without an exchange, a file and a directory are refused" {
	need_inject
	echo F >f
	mkdir d
	run -1 --separate-stderr no_exchange -- f d
	assert_output_is ""
	assert_stderr_starts "safeswap: cannot swap 'f' and 'd': this filesystem cannot exchange atomically"
	one_line
	[ "$(cat f)" = F ]
	[ -d d ]
}

@test "safeswap: without an exchange, --non-atomic-dirs swaps directories" {
	need_inject
	make_dirs
	run -0 --separate-stderr no_exchange -- -v --non-atomic-dirs d1 d2
	assert_output_is "'d1' <-> 'd2': swapped by renames (not atomic)"
	assert_stderr_is ""
	[ "$(ls -A d1)" = y ]
	[ "$(ls -A d2)" = x ]
	no_temps
}

@test "safeswap: without an exchange, --sync swaps and syncs" {
	need_inject
	make_pair
	run -0 --separate-stderr no_exchange -- --sync a b
	assert_output_is ""
	assert_stderr_is ""
	[ "$(cat a)" = B ]
	no_temps
}

# --- failures inside the fallbacks --------------------------------------------------

@test "safeswap: a failed hard link in the fallback changes nothing" {
	need_inject
	make_pair
	run -1 --separate-stderr no_exchange -e inject=linkat:error=EMLINK:when=2 \
		-- a b
	assert_output_is ""
	assert_stderr_starts "safeswap: cannot swap 'a' and 'b': "
	one_line
	[ "$(cat a)" = A ]
	[ "$(cat b)" = B ]
	no_temps
}

@test "safeswap: a failed second rename in the fallback is rolled back" {
	need_inject
	make_pair
	run -1 --separate-stderr no_exchange -e inject=renameat:error=EIO:when=2 \
		-- a b
	assert_output_is ""
	assert_stderr_starts "safeswap: cannot swap 'a' and 'b': "
	one_line
	[ "$(cat a)" = A ]
	[ "$(cat b)" = B ]
	[ "$(stat -c %h a)" = 1 ]
	no_temps
}

@test "safeswap: a failed rollback in the fallback says where B's original is" {
	need_inject
	make_pair
	run -1 --separate-stderr no_exchange -e inject=renameat:error=EIO:when=2+ \
		-- a b
	assert_output_is ""
	tmp=$(find . -maxdepth 1 -name '.a.safeswap.*' -printf '%f\n')
	[ -n "$tmp" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "safeswap: 'b' is now a second name of 'a'; the original 'b' is './$tmp': "* ]]
	[[ ${stderr_lines[1]} == "safeswap: cannot swap 'a' and 'b': "* ]]
	[ "$(cat a)" = A ]
	[ "$(cat b)" = A ]
	[ "$(cat "$tmp")" = B ]
}

@test "safeswap: --non-atomic-dirs rolls back a failed second rename" {
	need_inject
	make_dirs
	run -1 --separate-stderr no_exchange -e inject=renameat:error=EIO:when=2 \
		-- --non-atomic-dirs d1 d2
	assert_output_is ""
	assert_stderr_starts "safeswap: cannot move 'd2' to 'd1': "
	one_line
	[ "$(ls -A d1)" = x ]
	[ "$(ls -A d2)" = y ]
	no_temps
}

@test "safeswap: --non-atomic-dirs says where A is when the rollback fails" {
	need_inject
	make_dirs
	run -1 --separate-stderr no_exchange -e inject=renameat:error=EIO:when=2+ \
		-- --non-atomic-dirs d1 d2
	assert_output_is ""
	tmp=$(find . -maxdepth 1 -name '.d1.safeswap.*' -printf '%f\n')
	[ -n "$tmp" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "safeswap: cannot move 'd2' to 'd1': "* ]]
	[[ ${stderr_lines[1]} == "safeswap: 'd1' is missing; it was swapping with 'd2'; the original 'd1' is './$tmp': "* ]]
	[ ! -e d1 ]
	[ "$(ls -A "$tmp")" = x ]
	[ "$(ls -A d2)" = y ]
}

@test "safeswap: --non-atomic-dirs says where things are when the last rename fails" {
	need_inject
	make_dirs
	run -1 --separate-stderr no_exchange -e inject=renameat:error=EIO:when=3 \
		-- --non-atomic-dirs d1 d2
	assert_output_is ""
	tmp=$(find . -maxdepth 1 -name '.d1.safeswap.*' -printf '%f\n')
	[ -n "$tmp" ]
	assert_stderr_starts "safeswap: 'd2' is missing; its original is now 'd1'; the original 'd1' is './$tmp': "
	one_line
	[ ! -e d2 ]
	[ "$(ls -A d1)" = y ]
	[ "$(ls -A "$tmp")" = x ]
}

# --- --help, --version -------------------------------------------------------------

@test "safeswap: --help prints the usage with every option" {
	run -0 --separate-stderr lb safeswap --help
	assert_stderr_is ""
	[ "${lines[0]}" = "Usage: safeswap [OPTION]... A B" ]
	for o in --dry-run --verbose --sync --atomic-only --non-atomic-dirs \
		--help --version; do
		[[ $output == *"$o"* ]] || { echo "no $o" >&2; false; }
	done
}

@test "safeswap: --version prints the name and the version" {
	v=$(lb linkbox --version)
	run -0 --separate-stderr lb safeswap --version
	assert_output_is "safeswap (linkbox) ${v#linkbox }"
	assert_stderr_is ""
}
