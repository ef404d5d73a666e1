# diff-lib.bash: the differential harness of tests/ln_diff.bats.  Runs one
# scenario (a line of tests/ln/gen-scenarios.bash) under GNU ln and under
# ours, each in a fresh copy of one fixture at the same absolute path, and
# describes every difference in exit status, stdout, stderr (program name
# normalised to "ln") and the resulting tree.
#
# Set before use: LN_GNU (host GNU ln), LN_OURS (ours), LN_WORK (an empty
# scratch directory).

# ln_fixture DIR: build the fixture tree in DIR, with host tools.  Every
# regular file holds its own name, so a snapshot tells which it is.
ln_fixture() (
	mkdir -p "$1" && cd "$1" || exit 1
	mkdir d d/sub e "dir sp"
	for f in f1 f2 f3 b b.~1~ 'f3~' d/f1 d/sub/g "sp ace" "dir sp/f1" \
		$'nl\nx' -x "it's" $'t\tab'; do
		printf '%s\n' "$f" >"./$f"
	done
	command ln f2 f2h
	command ln -s f1 sl
	command ln -s d sd
	command ln -s e se
	command ln -s nowhere dang
	command ln -s ../f1 d/sl1
)

# ln_snapshot DIR: one line per name under DIR, sorted: name, type, link
# count, symlink text or file content, and the least name of its inode in
# DIR (names sharing an inode share it).  Names are printf-%q quoted.
ln_snapshot() {
	local dir=$1 ino typ n p l c qp qt
	local -A first=()

	while IFS= read -r -d '' ino && IFS= read -r -d '' typ &&
		IFS= read -r -d '' n && IFS= read -r -d '' p &&
		IFS= read -r -d '' l; do
		printf -v qp '%q' "$p"
		case $typ in
		l) printf -v qt -- '-> %q' "$l" ;;
		f)
			c=
			IFS= read -r c <"$dir/$p"
			printf -v qt '= %q' "$c"
			;;
		*) qt= ;;
		esac
		printf '%s\t%s\t%s %s %s\n' "$qp" "$ino" "$typ" "$n" "$qt"
	done < <(cd "$dir" && find . -mindepth 1 -printf '%i\0%y\0%n\0%p\0%l\0') |
		LC_ALL=C sort -t $'\t' -k1,1 |
		while IFS=$'\t' read -r qp ino rest; do
			: "${first[$ino]:=$qp}"
			printf '%s %s inode-of %s\n' "$qp" "$rest" "${first[$ino]}"
		done
}

# ln_side PROG CWD ENV ARG...: run PROG ARG... in a fresh tree; set
# side_status, side_out, side_err (program name as "ln") and side_tree.
ln_side() {
	local prog=$1 cwd=$2 env=$3 t=$LN_WORK/t
	shift 3
	rm -rf "$t" && cp -a "$LN_WORK/fixture" "$t" || return 1
	(
		cd "$t/$cwd" || exit 99
		unset VERSION_CONTROL SIMPLE_BACKUP_SUFFIX POSIXLY_CORRECT
		export LC_ALL=C
		[ "$env" = - ] || export "${env?}"
		exec "$prog" "${@//@T@/"$t"}"
	) </dev/null >"$LN_WORK/out" 2>"$LN_WORK/err"
	side_status=$?
	side_out='' side_err=''
	IFS= read -r -d '' side_out <"$LN_WORK/out"
	IFS= read -r -d '' side_err <"$LN_WORK/err"
	side_err=${side_err//"$prog: "/"ln: "}
	side_err=${side_err//"'$prog --help'"/"'ln --help'"}
	side_tree=$(ln_snapshot "$t")
}

# ln_compare LINE: run the scenario LINE both ways.  Returns 1 and sets
# ln_report to a description when they differ.
ln_compare() {
	local line=$1 words gs go ge gt
	eval "words=($line)"
	ln_side "$LN_GNU" "${words[@]}" || return 2
	gs=$side_status go=$side_out ge=$side_err gt=$side_tree
	ln_side "$LN_OURS" "${words[@]}" || return 2
	ln_report=
	[ "$gs" = "$side_status" ] ||
		ln_report+=$(printf '  status: GNU %s, ours %s' "$gs" \
			"$side_status")$'\n'
	[ "$go" = "$side_out" ] ||
		ln_report+=$(printf '  stdout: GNU [%s]\n          ours [%s]' \
			"$go" "$side_out")$'\n'
	[ "$ge" = "$side_err" ] ||
		ln_report+=$(printf '  stderr: GNU [%s]\n          ours [%s]' \
			"$ge" "$side_err")$'\n'
	[ "$gt" = "$side_tree" ] ||
		ln_report+="  tree (- GNU, + ours):"$'\n'$(diff <(echo "$gt") \
			<(echo "$side_tree") |
			sed -n 's/^</    -/p; s/^>/    +/p')$'\n'
	[ -z "$ln_report" ]
}

# ln_batch: run every scenario line on stdin; print each mismatch and the
# count of scenarios run.  Fails if any differed.
ln_batch() {
	local line total=0 bad=0
	while IFS= read -r line; do
		total=$((total + 1))
		if ! ln_compare "$line"; then
			bad=$((bad + 1))
			printf 'MISMATCH: %s\n%s' "$line" "$ln_report"
		fi
	done
	printf '%d scenarios run, %d mismatched\n' "$total" "$bad"
	[ "$bad" -eq 0 ]
}
