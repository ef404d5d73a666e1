#!/usr/bin/env bats
load helpers
USAGE_APPLET=findlinks # for usage_error

# findlinks: every name of an inode, and every multiply-linked file of a
# tree (applets/findlinks.c).  Fixtures are made and results checked with
# the host's tools (ln, stat, find -samefile); findlinks only runs as
# lb findlinks.  Where the output follows the walk, whose order is the
# filesystem's readdir order, it is compared sorted.

# Each test runs in its own scratch directory, on builds carrying findlinks.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	skip_unless_applet findlinks
}

# assert_records_are FILE RECORD...: FILE holds exactly these NUL-ended
# records, in any order.
assert_records_are() {
	local file=$1
	shift
	printf '%s\0' "$@" | LC_ALL=C sort -z >want.sorted
	LC_ALL=C sort -z "$file" >got.sorted
	if ! cmp -s got.sorted want.sorted; then
		printf 'expected records:\n%s\nactual records:\n%s\n' \
			"$(od -c want.sorted)" "$(od -c got.sorted)" >&2
		return 1
	fi
}

# outside FILE FOUND LINKS: the message for names outside the PATHs.
outside() {
	printf "findlinks: '%s': %s of %s names found; %s outside the %s" \
		"$1" "$2" "$3" $(($3 - $2)) "searched paths"
}

# opened_dirs LOG: how many directories an strace log shows opened.
opened_dirs() {
	grep -c 'O_DIRECTORY' "$1"
}

# One file with three names in three directories of d, a name of it in
# e, and decoys in d: a single file, a copy, another linked pair.
make_names() {
	mkdir -p d/a d/b d/c/deep e
	echo data >d/a/f
	command ln d/a/f d/b/g
	command ln d/a/f d/c/deep/h
	command ln d/a/f e/i
	echo data >d/a/copy
	touch d/one
	touch d/b/pair
	command ln d/b/pair d/c/pair2
}

# --- FILE PATH... ----------------------------------------------------------

@test "findlinks: prints every name of FILE in the directories under PATH" {
	make_names
	run -1 --separate-stderr lb findlinks d/a/f d
	assert_lines_are d/a/f d/b/g d/c/deep/h
	assert_stderr_is "$(outside d/a/f 3 4)"
}

@test "findlinks: all names found under the PATHs, exit 0" {
	make_names
	run -0 --separate-stderr lb findlinks d/a/f d e
	assert_lines_are d/a/f d/b/g d/c/deep/h e/i
	assert_stderr_is ""
}

@test "findlinks: names outside the PATHs are reported, exit 1" {
	mkdir d e
	touch d/f
	command ln d/f d/g
	command ln d/f e/h
	run -1 --separate-stderr lb findlinks d/f d
	assert_lines_are d/f d/g
	assert_stderr_is \
		"findlinks: 'd/f': 2 of 3 names found; 1 outside the searched paths"
}

@test "findlinks: FILE need not be under the PATHs" {
	make_names
	run -0 --separate-stderr lb findlinks e/i d e
	assert_lines_are d/a/f d/b/g d/c/deep/h e/i
	assert_stderr_is ""
}

@test "findlinks: a PATH that is a name of FILE is printed" {
	touch f
	command ln f g
	run -0 --separate-stderr lb findlinks f g f
	assert_output_is $'g\nf'
	assert_stderr_is ""
}

@test "findlinks: a file with one name is found alone" {
	make_names
	run -0 --separate-stderr lb findlinks d/one d
	assert_output_is "d/one"
	assert_stderr_is ""
}

@test "findlinks: stops once all names are found: later PATHs are not walked" {
	make_names
	# missing would be an error (exit 2) if it were walked.
	run -0 --separate-stderr lb findlinks d/a/f d e missing
	assert_lines_are d/a/f d/b/g d/c/deep/h e/i
	assert_stderr_is ""
}

@test "findlinks: --all-paths walks every PATH after all names are found" {
	make_names
	run -2 --separate-stderr lb findlinks --all-paths d/a/f d e missing
	assert_lines_are d/a/f d/b/g d/c/deep/h e/i
	assert_stderr_starts "findlinks: 'missing': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

# T holds two directories; the one that comes first in readdir order gets
# both names of f, the other 50 empty subdirectories.
make_names_first() {
	local first other
	mkdir -p T/p T/q
	first=$(ls -f T | grep -v '^\.' | head -n 1)
	other=p
	[ "$first" = p ] && other=q
	echo data >"T/$first/f"
	command ln "T/$first/f" "T/$first/g"
	for i in $(seq 50); do
		mkdir "T/$other/s$i"
	done
	FIRST=T/$first
}

@test "findlinks: stops inside a tree once all names are found" {
	need_strace -e trace=openat
	make_names_first
	run -0 --separate-stderr strace -f -o log -e trace=openat,getdents64 \
		"$LB_BIN/findlinks" "$FIRST/f" T
	assert_lines_are "$FIRST/f" "$FIRST/g"
	# T and the directory holding the names; none of the 51 others.
	[ "$(opened_dirs log)" -le 2 ]
}

@test "findlinks: --all-paths opens every directory of the tree" {
	need_strace -e trace=openat
	make_names_first
	run -0 --separate-stderr strace -f -o log -e trace=openat,getdents64 \
		"$LB_BIN/findlinks" --all-paths "$FIRST/f" T
	assert_lines_are "$FIRST/f" "$FIRST/g"
	[ "$(opened_dirs log)" -ge 53 ]
}

@test "findlinks: a missing PATH among good ones is reported, exit 2" {
	make_names
	run -2 --separate-stderr lb findlinks d/a/f missing d e
	assert_lines_are d/a/f d/b/g d/c/deep/h e/i
	assert_stderr_starts "findlinks: 'missing': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "findlinks: a PATH met twice does not hide names in later PATHs" {
	mkdir -p t/sub o
	touch t/sub/a
	command ln t/sub/a o/b
	# t/sub/a is met in t/sub and again in t; o/b is still to find.
	run -0 --separate-stderr lb findlinks t/sub/a t/sub t o
	output=$(printf '%s\n' "$output" | LC_ALL=C sort -u)
	assert_output_is $'o/b\nt/sub/a'
	assert_stderr_is ""
}

# --- -f FILE ---------------------------------------------------------------

@test "findlinks: -f FILE twice prints FILE<TAB>PATH lines" {
	make_names
	run -0 --separate-stderr lb findlinks -f d/a/f -f d/b/pair d e
	assert_lines_are $'d/a/f\td/a/f' $'d/a/f\td/b/g' $'d/a/f\td/c/deep/h' \
		$'d/a/f\te/i' $'d/b/pair\td/b/pair' $'d/b/pair\td/c/pair2'
	assert_stderr_is ""
}

@test "findlinks: the same file given twice is searched once" {
	make_names
	run -0 --separate-stderr lb findlinks -f d/b/pair -f d/b/pair \
		-f d/c/pair2 d
	assert_lines_are $'d/b/pair\td/b/pair' $'d/b/pair\td/c/pair2'
	assert_stderr_is ""
}

@test "findlinks: --file=FILE is -f FILE" {
	make_names
	run -0 --separate-stderr lb findlinks --file=d/b/pair --file d/one d
	assert_lines_are $'d/b/pair\td/b/pair' $'d/b/pair\td/c/pair2' \
		$'d/one\td/one'
	assert_stderr_is ""
}

@test "findlinks: -f FILE names FILE as given in each line" {
	make_names
	run -0 --separate-stderr lb findlinks -f ./d//b/pair d
	assert_lines_are $'./d//b/pair\td/b/pair' $'./d//b/pair\td/c/pair2'
	assert_stderr_is ""
}

@test "findlinks: -f reports each FILE with names outside the PATHs" {
	make_names
	run -1 --separate-stderr lb findlinks -f d/b/pair -f d/a/f d
	assert_lines_are $'d/b/pair\td/b/pair' $'d/b/pair\td/c/pair2' \
		$'d/a/f\td/a/f' $'d/a/f\td/b/g' $'d/a/f\td/c/deep/h'
	assert_stderr_is "$(outside d/a/f 3 4)"
}

@test "findlinks: -f with -0 ends each FILE<TAB>PATH record with NUL" {
	make_names
	run -0 --separate-stderr to_file out lb findlinks -0 -f d/b/pair \
		-f d/one d
	assert_output_is ""
	assert_stderr_is ""
	assert_records_are out $'d/b/pair\td/b/pair' $'d/b/pair\td/c/pair2' \
		$'d/one\td/one'
}

@test "findlinks: a missing -f FILE is an error, exit 2" {
	make_names
	run -2 --separate-stderr lb findlinks -f d/one -f missing d
	assert_output_is ""
	assert_stderr_starts "findlinks: 'missing': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

# --- FILE errors and usage -------------------------------------------------

@test "findlinks: a FILE that is a directory is an error, exit 2" {
	mkdir d
	run -2 --separate-stderr lb findlinks d .
	assert_output_is ""
	assert_stderr_is "findlinks: 'd' is a directory: its names are not hard links"
}

@test "findlinks: a missing FILE is an error, exit 2" {
	mkdir d
	run -2 --separate-stderr lb findlinks missing d
	assert_output_is ""
	assert_stderr_starts "findlinks: 'missing': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "findlinks: no operand is a usage error" {
	run -2 --separate-stderr lb findlinks
	assert_output_is ""
	assert_stderr_is "$(usage_error 'missing operand')"
}

@test "findlinks: an unknown option is a usage error" {
	touch f
	run -2 --separate-stderr lb findlinks -q f .
	assert_output_is ""
	assert_stderr_is "$(usage_error "invalid option -- 'q'")"
}

@test "findlinks: --help prints the usage, exit 0" {
	run -0 --separate-stderr lb findlinks --help
	[[ ${lines[0]} == "Usage: findlinks "* ]]
	assert_stderr_is ""
}

@test "findlinks: -1 without -a is a usage error" {
	touch f
	run -2 --separate-stderr lb findlinks -1 f .
	assert_output_is ""
	assert_stderr_is "$(usage_error '-1, -s and -x go with -a')"
}

@test "findlinks: -s without -a is a usage error" {
	touch f
	run -2 --separate-stderr lb findlinks -s f .
	assert_output_is ""
	assert_stderr_is "$(usage_error '-1, -s and -x go with -a')"
}

@test "findlinks: -x without -a is a usage error" {
	touch f
	run -2 --separate-stderr lb findlinks -x f .
	assert_output_is ""
	assert_stderr_is "$(usage_error '-1, -s and -x go with -a')"
}

# --- -0 --------------------------------------------------------------------

@test "findlinks: -0 ends each name with NUL" {
	make_names
	run -0 --separate-stderr to_file out lb findlinks -0 d/b/pair d
	assert_output_is ""
	assert_stderr_is ""
	assert_records_are out d/b/pair d/c/pair2
}

@test "findlinks: --null is -0" {
	touch f
	run -0 --separate-stderr to_file out lb findlinks --null f f
	assert_stderr_is ""
	printf 'f\0' >want
	cmp out want
}

# --- filesystems -----------------------------------------------------------

@test "findlinks: a bare FILE searches its whole filesystem" {
	mount_tmpfs mnt
	mkdir -p mnt/a mnt/b/c
	touch mnt/a/f mnt/other
	command ln mnt/a/f mnt/b/c/g
	command ln mnt/a/f mnt/h
	m=$(realpath mnt)
	run -0 --separate-stderr lb findlinks mnt/b/c/g
	assert_lines_are "$m/a/f" "$m/b/c/g" "$m/h"
	assert_stderr_is ""
}

@test "findlinks: a bare -f FILE... searches their filesystem" {
	mount_tmpfs mnt
	mkdir mnt/a
	touch mnt/f mnt/p
	command ln mnt/f mnt/a/g
	command ln mnt/p mnt/a/q
	m=$(realpath mnt)
	run -0 --separate-stderr lb findlinks -f mnt/f -f mnt/a/q
	assert_lines_are $'mnt/f\t'"$m/f" $'mnt/f\t'"$m/a/g" \
		$'mnt/a/q\t'"$m/p" $'mnt/a/q\t'"$m/a/q"
	assert_stderr_is ""
}

@test "findlinks: bare -f FILEs on different filesystems is a usage error" {
	mount_tmpfs mnt
	touch mnt/f here
	run -2 --separate-stderr lb findlinks -f here -f mnt/f
	assert_output_is ""
	msg="the files are on different filesystems: give the PATHs to search"
	assert_stderr_is "$(usage_error "$msg")"
}

@test "findlinks: another filesystem's file with FILE's inode is ignored" {
	mount_tmpfs x
	mkdir x/m
	touch x/f
	command ln x/f x/g
	mount_tmpfs x/m
	# A fresh tmpfs numbers its inodes from 1 again: make one equal f's.
	ino=$(stat -c %i x/f)
	for i in $(seq 100); do
		touch "x/m/n$i"
		[ "$(stat -c %i "x/m/n$i")" != "$ino" ] || break
	done
	[ "$(stat -c %i "x/m/n$i")" = "$ino" ] ||
		skip "no inode number collision on this kernel's tmpfs"
	command ln "x/m/n$i" x/m/twin
	run -0 --separate-stderr lb findlinks --all-paths x/f x
	assert_lines_are x/f x/g
	assert_stderr_is ""
}

@test "findlinks: names on FILE's filesystem mounted below a PATH are found" {
	mkdir d
	mount_tmpfs d/m
	touch d/m/f
	command ln d/m/f d/m/g
	run -0 --separate-stderr lb findlinks d/m/f d
	assert_lines_are d/m/f d/m/g
	assert_stderr_is ""
}

@test "findlinks: a bare FILE that is a symlink into another filesystem" {
	mount_tmpfs mnt
	touch elsewhere
	command ln -s "$PWD/elsewhere" mnt/s
	command ln -P mnt/s mnt/s2
	[ "$(stat -c %h mnt/s)" = 2 ]
	m=$(realpath mnt)
	run -0 --separate-stderr lb findlinks mnt/s
	assert_lines_are "$m/s" "$m/s2"
	assert_stderr_is ""
}

# --- symlinks --------------------------------------------------------------

@test "findlinks: a symlink to a directory is never followed" {
	mkdir d e
	touch e/f
	command ln e/f e/g
	command ln -s ../e d/link
	run -1 --separate-stderr lb findlinks e/f d
	assert_output_is ""
	assert_stderr_is "$(outside e/f 0 2)"
}

@test "findlinks: a PATH that is a symlink to a directory is not followed" {
	mkdir e
	touch e/f
	command ln -s e link
	run -1 --separate-stderr lb findlinks e/f link
	assert_output_is ""
	assert_stderr_is "$(outside e/f 0 1)"
}

@test "findlinks: a symlink FILE finds the symlink's own hard links" {
	mkdir d
	touch d/target
	command ln d/target d/target2
	command ln -s target d/s
	command ln -P d/s d/s2
	[ "$(stat -c %h d/s)" = 2 ]
	run -0 --separate-stderr lb findlinks d/s d
	assert_lines_are d/s d/s2
	assert_stderr_is ""
}

# --- hostile names ---------------------------------------------------------

@test "findlinks: names with newlines and spaces are printed raw" {
	mkdir d
	touch $'d/a\nb'
	command ln $'d/a\nb' 'd/ sp ace '
	run -0 --separate-stderr to_file out lb findlinks -0 $'d/a\nb' d
	assert_stderr_is ""
	assert_records_are out $'d/a\nb' 'd/ sp ace '
}

@test "findlinks: a FILE with a leading - after --" {
	touch ./-x
	command ln ./-x ./-y
	run -0 --separate-stderr lb findlinks -- -x .
	assert_lines_are ./-x ./-y
	assert_stderr_is ""
}

@test "findlinks: a non-UTF-8 name is printed raw" {
	export LC_ALL=C.UTF-8
	touch $'\xff'
	command ln $'\xff' $'caf\xe9'
	run -0 --separate-stderr lb findlinks $'\xff' .
	assert_lines_are $'./\xff' $'./caf\xe9'
	assert_stderr_is ""
}

@test "findlinks: a FILE with a newline is quoted on one line in messages" {
	mkdir d e
	touch $'d/a\nb'
	command ln $'d/a\nb' e/c
	run -1 --separate-stderr lb findlinks $'d/a\nb' d
	assert_output_is $'d/a\nb'
	msg="findlinks: 'd/a'\$'\\n''b': 1 of 2 names found; 1 outside"
	assert_stderr_is "$msg the searched paths"
}

# --- -a --------------------------------------------------------------------

@test "findlinks: -a groups names under a DEV:INO header" {
	touch x1 y1
	command ln x1 x2
	command ln y1 y2
	# The PATHs are the names themselves: the walk order is theirs.
	run -0 --separate-stderr lb findlinks -a x1 y1 x2 y2
	assert_output_is "$(inode x1): 2 links, 2 found
	x1
	x2
$(inode y1): 2 links, 2 found
	y1
	y2"
	assert_stderr_is ""
}

@test "findlinks: -a counts names outside in the header, exit 0" {
	mkdir d e
	touch d/f
	command ln d/f d/g
	command ln d/f e/h
	run -0 --separate-stderr lb findlinks -a d
	[ "${lines[0]}" = "$(inode d/f): 3 links, 2 found" ]
	[ "${#lines[@]}" -eq 3 ]
	output=$(printf '%s\n' "${lines[@]:1}")
	assert_lines_are $'\td/f' $'\td/g'
	assert_stderr_is ""
}

@test "findlinks: --all is -a" {
	touch f
	command ln f g
	run -0 --separate-stderr lb findlinks --all f g
	assert_output_is "$(inode f): 2 links, 2 found
	f
	g"
	assert_stderr_is ""
}

@test "findlinks: -a skips directories and files with one name" {
	mkdir -p d/sub/sub2
	touch d/one d/sub/two
	command ln -s one d/link
	run -0 --separate-stderr lb findlinks -a d
	assert_output_is ""
	assert_stderr_is ""
}

@test "findlinks: -a lists symlinks with several names" {
	mkdir d
	command ln -s nowhere d/s
	command ln -P d/s d/s2
	run -0 --separate-stderr lb findlinks -a -1 d
	assert_lines_are "$(inode d/s)"$'\t2\td/s' "$(inode d/s)"$'\t2\td/s2'
	assert_stderr_is ""
}

@test "findlinks: -a defaults to the current directory" {
	mkdir sub
	touch f
	command ln f sub/g
	run -0 --separate-stderr lb findlinks -a -1
	assert_lines_are "$(inode f)"$'\t2\t./f' "$(inode f)"$'\t2\t./sub/g'
	assert_stderr_is ""
}

@test "findlinks: -a -1 prints DEV:INO<TAB>N<TAB>PATH for each name" {
	make_names
	f=$(inode d/a/f)
	p=$(inode d/b/pair)
	run -0 --separate-stderr lb findlinks -a -1 d
	assert_lines_are "$f"$'\t4\td/a/f' "$f"$'\t4\td/b/g' \
		"$f"$'\t4\td/c/deep/h' "$p"$'\t2\td/b/pair' "$p"$'\t2\td/c/pair2'
	assert_stderr_is ""
}

@test "findlinks: --one-line is -1" {
	touch f
	command ln f g
	run -0 --separate-stderr lb findlinks -a --one-line f g
	assert_output_is "$(inode f)"$'\t2\tf\n'"$(inode f)"$'\t2\tg'
	assert_stderr_is ""
}

@test "findlinks: -a -0 prints one-line records ending in NUL" {
	mkdir d
	touch $'d/a\nb'
	command ln $'d/a\nb' d/c
	n=$(inode d/c)
	run -0 --separate-stderr to_file out lb findlinks -a -0 d
	assert_stderr_is ""
	assert_records_are out "$n"$'\t2\td/a\nb' "$n"$'\t2\td/c'
}

@test "findlinks: -a -s prints the counts only" {
	make_names
	run -0 --separate-stderr lb findlinks -a -s d
	assert_output_is "files with several names: 2
names found: 5
names outside the searched paths: 1"
	assert_stderr_is ""
}

@test "findlinks: --summary is -s" {
	make_names
	run -0 --separate-stderr lb findlinks -a --summary d e
	assert_output_is "files with several names: 2
names found: 6
names outside the searched paths: 0"
	assert_stderr_is ""
}

@test "findlinks: -a -s on a tree without shared files prints zeros" {
	mkdir d
	touch d/f
	run -0 --separate-stderr lb findlinks -a -s d
	assert_output_is "files with several names: 0
names found: 0
names outside the searched paths: 0"
	assert_stderr_is ""
}

@test "findlinks: -a -s with -1 is a usage error" {
	run -2 --separate-stderr lb findlinks -a -s -1 .
	assert_output_is ""
	assert_stderr_is "$(usage_error '-s excludes -1 and -0')"
}

@test "findlinks: -a -s with -0 is a usage error" {
	run -2 --separate-stderr lb findlinks -a -0 -s .
	assert_output_is ""
	assert_stderr_is "$(usage_error '-s excludes -1 and -0')"
}

@test "findlinks: -a with -f is a usage error" {
	touch f
	run -2 --separate-stderr lb findlinks -a -f f .
	assert_output_is ""
	assert_stderr_is "$(usage_error '-a takes no -f or --all-paths')"
}

@test "findlinks: -a with --all-paths is a usage error" {
	run -2 --separate-stderr lb findlinks -a --all-paths .
	assert_output_is ""
	assert_stderr_is "$(usage_error '-a takes no -f or --all-paths')"
}

@test "findlinks: -a with a missing PATH among good ones, exit 2" {
	touch f
	command ln f g
	run -2 --separate-stderr lb findlinks -a -1 f missing g
	assert_output_is "$(inode f)"$'\t2\tf\n'"$(inode f)"$'\t2\tg'
	assert_stderr_starts "findlinks: 'missing': "
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "findlinks: -a goes into other filesystems below the PATHs" {
	mkdir d
	touch d/f
	command ln d/f d/g
	mount_tmpfs d/m
	touch d/m/p
	command ln d/m/p d/m/q
	run -0 --separate-stderr lb findlinks -a -1 d
	assert_lines_are "$(inode d/f)"$'\t2\td/f' "$(inode d/f)"$'\t2\td/g' \
		"$(inode d/m/p)"$'\t2\td/m/p' "$(inode d/m/p)"$'\t2\td/m/q'
	assert_stderr_is ""
}

@test "findlinks: -a -x stays on each PATH's filesystem" {
	mkdir d
	touch d/f
	command ln d/f d/g
	mount_tmpfs d/m
	touch d/m/p
	command ln d/m/p d/m/q
	run -0 --separate-stderr lb findlinks -a -x -1 d d/m
	assert_lines_are "$(inode d/f)"$'\t2\td/f' "$(inode d/f)"$'\t2\td/g' \
		"$(inode d/m/p)"$'\t2\td/m/p' "$(inode d/m/p)"$'\t2\td/m/q'
	run -0 --separate-stderr lb findlinks -a --one-file-system -1 d
	assert_lines_are "$(inode d/f)"$'\t2\td/f' "$(inode d/f)"$'\t2\td/g'
	assert_stderr_is ""
}

# --- output errors ---------------------------------------------------------

@test "findlinks: output to a full device is a write error" {
	[ -c /dev/full ] || skip "no /dev/full"
	touch f
	command ln f g
	run -2 --separate-stderr to_full lb findlinks f .
	assert_output_is ""
	assert_stderr_starts "findlinks: write error: "
}

@test "findlinks: -a output to a full device is a write error" {
	[ -c /dev/full ] || skip "no /dev/full"
	touch f
	command ln f g
	run -2 --separate-stderr to_full lb findlinks -a .
	assert_output_is ""
	assert_stderr_starts "findlinks: write error: "
}

# --- against find(1) on generated trees ------------------------------------

@test "findlinks: -a -1 lists what find lists on generated trees" {
	for seed in 1 7 42; do
		gen_tree -L "$seed" "T$seed"
		find "T$seed" ! -type d -links +1 -printf '%D:%i\t%n\t%p\n' |
			LC_ALL=C sort >want
		[ -s want ]
		lb findlinks -a -1 "T$seed" | LC_ALL=C sort >got
		cmp got want
	done
}

@test "findlinks: -a -s counts what find counts on generated trees" {
	for seed in 3 11; do
		gen_tree -L "$seed" "T$seed"
		# Give some files names outside the tree.
		mkdir "out$seed"
		find "T$seed" -type f | head -n 20 |
			while IFS= read -r f; do
				command ln "$f" "out$seed/${f//\//_}"
			done
		want=$(find "T$seed" ! -type d -links +1 -printf '%D:%i %n\n' |
			awk '{ seen[$1]++; n[$1] = $2 } END {
				for (i in seen) { files++; found += seen[i]
					out += n[i] - seen[i] }
				printf "files with several names: %d\n", files
				printf "names found: %d\n", found
				printf "names outside the searched paths: %d\n", out
			}')
		run -0 --separate-stderr lb findlinks -a -s "T$seed"
		assert_output_is "$want"
		assert_stderr_is ""
	done
}

@test "findlinks: FILE PATH finds what find -samefile finds, generated trees" {
	for seed in 5 9; do
		gen_tree -L "$seed" "T$seed"
		find "T$seed" ! -type d -links +1 -printf '%p\n' |
			LC_ALL=C sort >multi
		n=$(wc -l <multi)
		[ "$n" -gt 10 ]
		for k in 1 $((n / 3)) $((n / 2)) "$n"; do
			f=$(sed -n "${k}p" multi)
			run -0 --separate-stderr lb findlinks "$f" "T$seed"
			assert_lines_are "$(find "T$seed" -samefile "$f")"
			assert_stderr_is ""
		done
		f=$(find "T$seed" -type f -links 1 | head -n 1)
		run -0 --separate-stderr lb findlinks "$f" "T$seed"
		assert_output_is "$f"
	done
}
