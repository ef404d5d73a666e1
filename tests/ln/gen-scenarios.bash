#!/bin/bash
# gen-scenarios.bash fixed|random [SEED [COUNT]]: print scenarios for
# tests/ln_diff.bats, one a line, as shell words quoted with printf %q:
#
#   CWD ENV ARG...
#
# CWD is "." or "d" (inside the scratch tree that ln-fixture builds), ENV is
# "-" or one NAME=VALUE for the environment, and "@T@" in an ARG stands for
# the absolute path of the scratch tree (the same for both runs).  Output
# depends on SEED alone: RANDOM=SEED makes bash's generator deterministic.
#
# Never generated (deliberate differences, see ln_diff.bats): -i, ambiguous
# long option prefixes (--s, --sy, --n, --v, --ver...), --help, --version,
# names with both a single quote and a control character.  No scenario
# names anything outside the scratch tree: ".." appears only from d.

# The pools below are used through pick's nameref.
# shellcheck disable=SC2034
set -u
kind=${1:-random}
seed=${2:-1729}
count=${3:-300}
RANDOM=$seed

emit() {
	local w q line=
	for w; do
		printf -v q '%q' "$w"
		line+=" $q"
	done
	printf '%s\n' "${line# }"
}

NL=$'nl\nx'
TAB=$'t\tab'

fixed() {
	local c
	# Every backup CONTROL: symbolic over a file, hard over one that
	# already has a numbered backup (b.~1~).
	for c in none off numbered t existing nil simple never; do
		emit . - -s "--backup=$c" f1 f3
		emit . - "--backup=$c" f2 b
	done
	emit . - --back=t -s f1 f3
	emit . - --backup=nu -s f1 b
	emit . - --backup=ex f2 b
	emit . - --backup=n -s f1 b
	emit . - --backup=bogus -s f1 b
	emit . - --backup=bogus f1 f3
	emit . - -T --backup=bogus f1 new
	emit . - -s --backup=bogus f1 e
	emit . VERSION_CONTROL=bogus -b f1 f3
	emit . - --backup= -s f1 b
	emit . - --backup -s f1 f3
	emit . - -b -s f1 f3
	emit . - -b -s f1 new
	emit . - -S .bak -s f1 f3
	emit . - -s --suffix=.old f1 f3
	emit . - -sbS '' f1 f3
	emit . - -sfS.x f1 f3
	emit . - -sb -S a/b f1 f3
	emit . VERSION_CONTROL=numbered -sb f1 f3
	emit . VERSION_CONTROL=never -sb f1 b
	emit . VERSION_CONTROL=bogus -sb f1 b
	emit . VERSION_CONTROL=bogus -s f1 f3
	emit . VERSION_CONTROL=t --backup=simple -s f1 f3
	emit . SIMPLE_BACKUP_SUFFIX=.sv -sb f1 f3
	emit . SIMPLE_BACKUP_SUFFIX=.sv -sb -S .cl f1 f3
	emit . SIMPLE_BACKUP_SUFFIX=x/y -sb f1 f3
	emit . - -vb -s f1 f3
	emit . - -v --backup=numbered f2 b
	emit . - -fb f3 'f3~'
	emit . - -sfb f1 sl
	emit . - -b f1 d/f1 e
	# Option spellings and placement.
	emit . POSIXLY_CORRECT=1 f1 new -s
	emit . POSIXLY_CORRECT=1 -s f1 new
	emit . - f1 new -s
	emit . - f1 -s new -v
	emit . - -s -- f1 new -v
	emit . - --sym f1 new
	emit . - --symb f1 new
	emit . - --f -s f1 f3
	emit . - --no-t -s f1 d
	emit . - --no-d -sf f1 sd
	emit . - --no-deref -sf f1 sd
	emit . - --verb -s f1 new
	emit . - --rel -s f1 d/new
	emit . - --phys sl new
	emit . - --log sl new
	emit . - --dir d new
	emit . - --targ e f1
	emit . - --target=d -s ../f1
	emit . - -s --target=d f2 f3
	emit . - -t d f1 f2
	emit . - -te f1
	emit . - f1 -t e f2
	emit . - --target-directory=e f1 "sp ace"
	emit . - -t d -T f1
	emit . - -T -t d f1
	emit . - -t d -t e f1
	emit . - -t nope f1
	emit . - -t f1 f2
	emit . - -t sd f1
	emit . - -t dang f1
	emit . - -nt sd -s f1
	emit . - -nt sd/ -s f1
	emit . - -n -t d f1
	emit . - -t nope
	emit . - -t f1 -t d f2
	emit . - -t d -t f1 f2
	emit . - -t nope -T f1 f2
	emit . - -T f1 f2 -t nope
	emit . - -t nope -r f1
	emit . - -t d --backup=bogus f1
	# Bad usage.
	emit . -
	emit . - -s
	emit . - -T f1
	emit . - -T f1 f2 f3
	emit . - -r f1 new
	emit . - -Z f1 new
	emit . - --bogus f1 new
	emit . - --force=1 f1 new
	emit . - --backup=x=y f1 f3
	emit . - f1 new -S
	emit . - f1 new --suffix
	emit . - f1 new --target-directory
	emit . - f1 f2 f3
	emit . - f1 f2 nope
	emit . - f1 f2 sl
	emit . - f1 f2 sd
	emit . - -n f1 f2 sd
	emit . - -n f1 f2 sd/
	# Leading dash.
	emit . - -s -- -x new
	emit . - -s ./-x new
	emit . - -- -x
	emit . - -s -- f1 -x
	emit . - -sf -- f1 -x
	emit . - f1 -x
	emit . - -- f1 -x
	# Relative and absolute.
	emit . - -sr f1 d/new
	emit . - -sr d/f1 e/new
	emit . - -sr @T@/f1 d/new
	emit . - -s @T@/f1 new
	emit . - -sr d/sub/g e
	emit . - -sr sd/sub/g e/new
	emit . - -sr f1 sd/new
	emit . - -sr nope/x e/new
	emit . - -sr . e/new
	emit . - -srf f1 f1
	emit . - -sr -t d/sub f1 f2
	emit d - -s ../f1
	emit d - ../f1
	emit d - -sf ../f2 f1
	emit d - -sr ../f1 ../e/x
	emit d - -sr sub/g ..
	emit d - ../f1 ..
	emit d - -f ../f1 ..
	emit d - -t .. sub/g
	emit d - -sf @T@/f3 sl1
	# Same file.
	emit . - -f f1 f1
	emit . - -f f2 f2h
	emit . - -f f2 ./f2
	emit . - -f ./f1 .//f1
	emit . - -fb f1 f1
	emit . - -sfb f1 f1
	emit . - -sf f1 f1
	emit . - -s f1 f1
	emit . - -sf sl sl
	emit . - -f sl sl
	emit . - -f dang dang
	emit . - -fb sl sl
	emit . - -b sl ./sl
	emit . - -f sl sd
	emit . - -fn sd sd
	emit . - -fL sl sl
	emit . - -f d/f1 .
	emit . - -f f1 d/f1 d
	emit . - -f f1 d/f1 e
	emit . - -f --backup=numbered f1 d/f1 e
	emit . - -f f1 f1 e
	emit . - -sf f1 d/f1 e
	# Directories and symlinks to them.
	emit . - -f d x
	emit . - -d d x
	emit . - -F d x
	emit . - -sfn f1 sd
	emit . - -sf f1 sd
	emit . - -sfT f1 sd
	emit . - -sfT f1 d
	emit . - -sfn f1 d
	emit . - -sf f1 d/
	emit . - -sfn f1 sd/
	emit . - -sT f1 sd/
	emit . - -sfnb f1 sd
	emit . - -s f1 e/
	emit . - f1 e//
	emit . - -s f1 nope/
	emit . - -s d new/
	emit . - -sf d/ dang
	emit . - -sfn d/ dang
	emit . - -sfn e sd
	emit . - -fn e se
	# Symlink sources.
	emit . - -L sl new
	emit . - -P sl new
	emit . - -LP sl new
	emit . - -PL sl new
	emit . - --logical dang new
	emit . - -P dang new
	emit . - dang new
	emit . - -L sd new
	emit . - -sL sl new
	emit . - -fL sl f1
	emit . - -L sd/ e
	# Awkward names.
	emit . - -s f1 "$NL"
	emit . - "$NL" d
	emit . - -f f1 "$NL"
	emit . - -sv "$NL" new
	emit . - -s "sp ace" "dir sp"
	emit . - -v "sp ace" "dir sp/f1"
	emit . - -s f1 "it's"
	emit . - -f "it's" "$TAB"
	emit . - -v "it's" new
	emit . - "$TAB" "it's"
	emit . - -sv "$TAB" e
	emit . - -v f1 "new sp"
	# Odd operands.
	emit . - -s f1 .
	emit . - -s . new
	emit . - . new
	emit . - -sv f1 d f2
	emit . - -s nope/x new
	emit . - -s f1 nope/x
	emit . - nope new
	emit . - f1 f2 f3 d
	emit . - -v f1 f2 e
	emit . - -s '' new
	emit . - f1 ''
	emit . - -s f1 d/sub/g/x
	emit . - -sf f1 f1/x
	emit . - -sf f1 nope/x
	emit . - -f f1 nope/x
	emit . - -b f1 nope/x
	emit . - -sfT f1 nope/x
	emit . - -f f1 d/sub/nope/x
	emit . - -f f1 f1/x
}

# Operand pools, by working directory (used through pick's nameref).
src_top=(f1 f1 f1 f2 f2h f3 d d/ d/f1 d/sub/g e sl sl sd sd/ se dang
	nope "sp ace" "dir sp" "dir sp/f1" "$NL" ./-x -x "it's" "$TAB" . b
	@T@/f1 @T@/d)
dst_top=(new new new new2 "new sp" f1 f2 f2h f3 b d d/ e e/ sd sd/ se sl
	dang nope/x d/new d/f1 d/sub "dir sp" "$NL" . ./-x -x "it's" "$TAB"
	@T@/new @T@/e)
dir_top=(d e sd d/sub "dir sp" sd/ e/ f1 nope @T@/e)
src_d=(../f1 ../f2 f1 sub sub/g ../d ../sl ../sd ../dang .. . ../nope sl1
	../b @T@/f3)
dst_d=(new new ../new f1 sub ../f3 ../d ../sd ../e sl1 . .. ../dang)
dir_d=(.. sub ../e . ../sd)

sym_opts=(-s -s -s --symbolic --sym --symb)
force_opts=(-f -f -f --force --for)
noderef_opts=(-n -n --no-dereference --no-d)
T_opts=(-T -T --no-target-directory --no-t)
v_opts=(-v -v --verbose --verb)
backup_opts=(-b -b -b --backup --backup=none --backup=off --backup=numbered
	--backup=t --backup=existing --backup=nil --backup=simple
	--backup=never --back=t --backup=nu --backup=sim --backup=)
S=$'\x1f'
suffix_opts=("-S$S.bak" -S.old "--suffix=_" "--suffix$S~~" --suf=.b)
LP_opts=(-L -P --logical --physical -LP -PL)
r_opts=(-r -r --relative --rel)
d_opts=(-d -F --directory)
bad_opts=(-Z --bogus --force=x --sym=x -q)
vc_vals=(numbered simple existing t never off)

pick() {
	local -n _p=$1
	REPLY=${_p[RANDOM % ${#_p[@]}]}
}

chance() {
	((RANDOM % 100 < $1))
}

# add_unit UNIT: append UNIT's words to args.
add_unit() {
	if [[ $1 == *$S* ]]; then
		args+=("${1%%"$S"*}" "${1#*"$S"}")
	else
		args+=("$1")
	fi
}

random_one() {
	local cwd=. env=- u i j t n args=() units=() ops=() srcp dstp dirp
	local sym=0 cluster=() rest=() dash=0

	if chance 15; then
		cwd=d srcp=src_d dstp=dst_d dirp=dir_d
	else
		srcp=src_top dstp=dst_top dirp=dir_top
	fi
	if chance 3; then
		pick vc_vals
		env=VERSION_CONTROL=$REPLY
	elif chance 2; then
		env=SIMPLE_BACKUP_SUFFIX=.sv
	elif chance 2; then
		env=POSIXLY_CORRECT=1
	fi
	chance 60 && { pick sym_opts; units+=("$REPLY"); sym=1; }
	chance 45 && { pick force_opts; units+=("$REPLY"); }
	chance 20 && { pick noderef_opts; units+=("$REPLY"); }
	chance 10 && { pick T_opts; units+=("$REPLY"); }
	chance 25 && { pick v_opts; units+=("$REPLY"); }
	chance 25 && { pick backup_opts; units+=("$REPLY"); }
	chance 10 && { pick suffix_opts; units+=("$REPLY"); }
	chance 15 && { pick LP_opts; units+=("$REPLY"); }
	chance $((sym ? 25 : 3)) && { pick r_opts; units+=("$REPLY"); }
	chance 4 && { pick d_opts; units+=("$REPLY"); }
	chance 2 && { pick bad_opts; units+=("$REPLY"); }
	t=
	if chance 15; then
		pick $dirp
		t=$REPLY
		case $((RANDOM % 5)) in
		0) units+=("-t$S$t") ;;
		1) units+=("-t$t") ;;
		2) units+=("--target-directory=$t") ;;
		3) units+=("--target=$t") ;;
		4) units+=("--t$S$t") ;;
		esac
	fi
	# Sometimes bundle the single-letter flags into one word (-sfn).
	if chance 30; then
		for u in "${units[@]}"; do
			case $u in
			-[a-zA-Z]) cluster+=("${u#-}") ;;
			*) rest+=("$u") ;;
			esac
		done
		if [ ${#cluster[@]} -gt 1 ]; then
			u=-$(printf %s "${cluster[@]}")
			units=("$u" "${rest[@]}")
		fi
	fi
	# Shuffle the options.
	for ((i = ${#units[@]} - 1; i > 0; i--)); do
		j=$((RANDOM % (i + 1)))
		u=${units[i]} units[i]=${units[j]} units[j]=$u
	done
	if [ -n "$t" ]; then
		n=$((1 + (RANDOM % 100 < 40)))
	else
		n=$((RANDOM % 100))
		n=$((n < 15 ? 1 : n < 75 ? 2 : 3))
	fi
	for ((i = 1; i <= n; i++)); do
		if [ $i -eq $n ] && [ $n -gt 1 ] && [ -z "$t" ]; then
			pick $dstp
		else
			pick $srcp
		fi
		ops+=("$REPLY")
		case $REPLY in -*) dash=1 ;; esac
	done
	# Placement: options first; or some after an operand; or "--".
	# A unit of two words ("-t" "DIR") has them joined by $S.
	u=$((RANDOM % 100))
	if [ $dash = 1 ] || { [ $u -ge 80 ] && [ $u -lt 95 ]; }; then
		for u in "${units[@]}"; do
			add_unit "$u"
		done
		args+=(-- "${ops[@]}")
	elif [ $u -ge 95 ] && [ ${#units[@]} -gt 0 ]; then
		# some options after the first operand
		j=$((RANDOM % (${#units[@]} + 1)))
		for ((i = 0; i < j; i++)); do
			add_unit "${units[i]}"
		done
		args+=("${ops[0]}")
		for ((i = j; i < ${#units[@]}; i++)); do
			add_unit "${units[i]}"
		done
		args+=("${ops[@]:1}")
	elif [ $u -ge 65 ] && [ ${#units[@]} -gt 0 ]; then
		# all options after the operands
		args+=("${ops[@]}")
		for u in "${units[@]}"; do
			add_unit "$u"
		done
	else
		for u in "${units[@]}"; do
			add_unit "$u"
		done
		args+=("${ops[@]}")
	fi
	emit "$cwd" "$env" "${args[@]}"
}

case $kind in
fixed) fixed ;;
random)
	for ((k = 0; k < count; k++)); do
		random_one
	done
	;;
*)
	echo "usage: gen-scenarios.bash fixed|random [SEED [COUNT]]" >&2
	exit 2
	;;
esac
