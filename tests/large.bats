#!/usr/bin/env bats
load helpers

# Numbers past 32 bits: file sizes and offsets over 4 GiB, inode numbers
# over 2^32, times after January 2038.  A build with a 32-bit off_t, ino_t
# or time_t (glibc on 32-bit ARM without _FILE_OFFSET_BITS=64 and
# _TIME_BITS=64) fails these with "Value too large for defined data type"
# or, worse, confuses two files; run under qemu-arm (make check-arm) they
# prove the armhf build.  The big files are sparse: a few KiB on disk.

setup() {
	mkdir "$BATS_TEST_TMPDIR/w" && cd "$BATS_TEST_TMPDIR/w" || return 1
}

teardown() {
	cd / && unmount_all
}

# big NAME BYTE: a sparse file of 4.5 GiB whose last byte is BYTE.
big() {
	truncate -s 4608M "$1"
	printf '%s' "$2" | dd of="$1" bs=1 seek=$((4608 * 1048576 - 1)) \
		conv=notrunc status=none
}

@test "large: linkcount and findlinks stat a file over 4 GiB" {
	skip_unless_applet findlinks
	big f x
	command ln f g
	run -0 --separate-stderr lb linkcount f
	assert_output_is "2	f"
	run -0 --separate-stderr lb findlinks f .
	assert_lines_are ./f ./g
}

@test "large: dedup keeps apart files over 4 GiB that differ only in the last byte" {
	skip_unless_applet dedup
	big a x
	big b y
	run -0 --separate-stderr lb dedup -q a b
	[ "${lines[2]}" = "names relinked: 0" ]
	assert_stderr_is ""
	! [ a -ef b ]
}

@test "large: dedup --min-size=4G selects the files over 4 GiB" {
	skip_unless_applet dedup
	big a x
	command ln a a2
	echo small >s
	run -0 --separate-stderr lb dedup -q -l --min-size=4G a a2 s
	assert_output_is ""
	run -0 --separate-stderr lb dedup -q -n --min-size=4G a a2 s
	[ "${lines[0]}" = "files scanned: 3" ]
	[ "${lines[2]}" = "names that would be relinked: 0" ]
}

@test "large: dedup --mtime tells apart times after 2038" {
	skip_unless_applet dedup
	echo same >a
	echo same >b
	echo same >c
	touch -d '2040-01-01 00:00:00 UTC' a b
	touch -d '2040-01-01 00:00:01 UTC' c
	[ "$(stat -c %Y a)" = 2208988800 ] || skip "the filesystem cannot hold 2040"
	run -0 --separate-stderr lb dedup -q -v --mtime a b c
	[ "${lines[0]}" = "'b' => 'a'" ] || [ "${lines[0]}" = "'a' => 'b'" ]
	[ "${lines[3]}" = "names relinked: 1" ]
	[ a -ef b ] && ! [ a -ef c ]
	[ "$(stat -c %Y a)" = 2208988800 ]
}

@test "large: linkcount and orphans stat a file dated after 2106" {
	skip_unless_applet orphans
	echo x >f
	touch -d '2200-06-01 UTC' f
	[ "$(stat -c %Y f)" -gt 4294967296 ] || skip "the filesystem cannot hold 2200"
	run -0 --separate-stderr lb linkcount f
	assert_output_is "1	f"
	# Changed "in the future": not older than a day.
	run -0 --separate-stderr lb orphans --older-than=1d .
	assert_output_is ""
}

# need_xfs_inode64: an xfs of 4 TiB (sparse: about 65 MiB on disk) in 32
# allocation groups, loop-mounted with inode64 at $MNT; directories are
# spread over the groups, so those in the upper half get inode numbers
# over 2^32.
need_xfs_inode64() {
	need_root "loop-mounting needs root"
	command -v mkfs.xfs >/dev/null || skip "mkfs.xfs is not installed"
	truncate -s 4T ../xfs.img || skip "no room for a sparse 4 TiB image"
	mkfs.xfs -q -f -d agcount=32 -l size=64m ../xfs.img ||
		skip "mkfs.xfs failed"
	mkdir -p mnt
	mount -o loop,inode64 ../xfs.img mnt 2>/dev/null ||
		skip "cannot loop-mount xfs here"
	MNT=$(realpath mnt)
	MOUNTS+=("$MNT")
}

@test "large: inode numbers over 2^32 (xfs inode64): every tree applet" {
	skip_unless_applet dedup
	need_xfs_inode64
	local i hi=
	for i in $(seq 1 32); do
		mkdir "mnt/d$i"
		echo "file $i" >"mnt/d$i/f"
		if [ "$(stat -c %i "mnt/d$i/f")" -gt 4294967296 ]; then
			hi=mnt/d$i
			break
		fi
	done
	[ -n "$hi" ] || skip "xfs gave no inode number over 2^32"
	note "inode $(stat -c %i "$hi/f") for $hi/f"
	command ln "$hi/f" mnt/d1/second
	run -0 --separate-stderr lb findlinks "$hi/f" mnt
	assert_lines_are "$hi/f" mnt/d1/second
	# -a prints the inode number whole, on 32-bit targets too.
	local id
	id=$(stat -c %d:%i "$hi/f")
	run -0 --separate-stderr lb findlinks -a -1 mnt
	[ "$(sort <<<"$output")" = "$(printf '%s\t2\t%s\n' "$id" "$hi/f" \
	    "$id" mnt/d1/second | sort)" ]
	run -0 --separate-stderr lb linkcount -r -c 2 mnt
	assert_lines_are "2	$hi/f" "2	mnt/d1/second"
	# Two names of one file are one file to dedup, and the copy is
	# linked to them.
	cp "$hi/f" mnt/copy
	touch -d 2001-01-01 "$hi/f"
	run -0 --separate-stderr lb dedup -q mnt
	[ "${lines[2]}" = "names relinked: 1" ]
	[ mnt/copy -ef "$hi/f" ]
	# snapshot keeps the three names one file (by dev and inode).
	skip_unless_applet snapshot
	run -0 --separate-stderr lb snapshot -q --no-sync --name s1 mnt repo
	[ repo/s1/copy -ef "repo/s1/${hi#mnt/}/f" ]
	[ repo/s1/d1/second -ef repo/s1/copy ]
}

@test "large: snapshot copies a sparse file over 4 GiB, holes kept, and links it next time" {
	skip_unless_applet snapshot
	mkdir src
	big src/f x
	run -0 --separate-stderr lb snapshot -q --no-sync --name s1 src repo
	[ "$(stat -c %s repo/s1/f)" = "$(stat -c %s src/f)" ]
	[ "$(tail -c 1 repo/s1/f)" = x ]
	# Sparse: a few KiB on disk, not 4.5 GiB.
	[ "$(stat -c %b repo/s1/f)" -lt 1024 ]
	cmp src/f repo/s1/f
	run -0 --separate-stderr lb snapshot -q --no-sync --name s2 src repo
	[ repo/s2/f -ef repo/s1/f ]
}

@test "large: snapshot keeps times after 2038 and 2106, and links by them" {
	skip_unless_applet snapshot
	mkdir src
	echo a >src/a
	echo b >src/b
	touch -d 2040-01-01T00:00:00.123456789Z src/a
	touch -d 2107-01-01T00:00:00Z src/b 2>/dev/null ||
		skip "no times after 2106 here"
	run -0 --separate-stderr lb snapshot -q --no-sync --name s1 src repo
	[ "$(stat -c %Y.%y src/a)" = "$(stat -c %Y.%y repo/s1/a)" ]
	[ "$(stat -c %Y src/b)" = "$(stat -c %Y repo/s1/b)" ]
	run -0 --separate-stderr lb snapshot -q --no-sync --name s2 src repo
	[ repo/s2/a -ef repo/s1/a ]
	[ repo/s2/b -ef repo/s1/b ]
	# One nanosecond later is a change.
	touch -d 2040-01-01T00:00:00.123456790Z src/a
	run -0 --separate-stderr lb snapshot -q --no-sync --name s3 src repo
	! [ repo/s3/a -ef repo/s1/a ]
}
