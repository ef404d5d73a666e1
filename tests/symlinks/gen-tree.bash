#!/bin/bash
# gen-tree.bash - for tests/symlinks_diff.bats: a random tree of symbolic
# links on which Debian's symlinks(8) is right, from a seed.
#
# usage: gen-tree.bash SEED DIR [LINKS]
#
# DIR (an absolute path without symbolic links; it must not exist) gets
# a few directories up to depth 4, files, and LINKS (default 40) links
# spread over every depth, each of one kind:
#   abs        absolute, to a file or directory of the tree (or DIR itself)
#   out        absolute, out of the tree: an ancestor of DIR, or "/" (only
#              those on DIR's filesystem)
#   rel        relative, clean: realpath --relative-to
#   up         relative, out of the tree, to an ancestor of DIR
#   dangling   to a missing name (ENOENT only), absolute or relative
#   messy      one of the above spelt with "//", "/./", "S/../" (S a real
#              directory), or a leading "./"
#   lengthy    "../D/REST" from inside D, or "../../P/D/REST"
# Never: a symbolic link to a directory (so no text goes through one), a
# link to another filesystem, a link dangling other than by ENOENT, a
# trailing "/" (symlinks(8) keeps it and calls the link relative, ours
# calls it messy: see tests/symlinks_diff.bats).
# Prints one line per link, "KIND NAME -> TEXT", for the failure output.
set -eu

seed=${1:?usage: gen-tree.bash SEED DIR [LINKS]}
top=${2:?usage: gen-tree.bash SEED DIR [LINKS]}
count=${3:-40}
RANDOM=$seed

mkdir "$top"
dev=$(stat -c %d "$top")
dirs=("$top")
files=()

# pick ARRAY...: one of the words, at random.
pick() {
	local a=("$@")
	printf '%s' "${a[RANDOM % ${#a[@]}]}"
}

# depth PATH: how deep PATH is below top.
depth() {
	local rest=${1#"$top"} slashes
	slashes=${rest//[!\/]/}
	echo "${#slashes}"
}

for ((i = 0; i < 6 + RANDOM % 6; i++)); do
	parent=$(pick "${dirs[@]}")
	[ "$(depth "$parent")" -lt 4 ] || parent=$top
	mkdir "$parent/d$i"
	dirs+=("$parent/d$i")
done
for ((i = 0; i < 8 + RANDOM % 8; i++)); do
	d=$(pick "${dirs[@]}")
	echo "$i" >"$d/f$i"
	files+=("$d/f$i")
done

# The ancestors of top on its filesystem, "/" included when it is.
outside=()
a=$top
while [ "$a" != / ]; do
	a=$(dirname "$a")
	[ "$(stat -c %d "$a")" = "$dev" ] && outside+=("$a")
done

# A child directory of DIR among the generated ones, or nothing.
child_of() {
	local d c=()
	for d in "${dirs[@]}"; do
		[ "$d" != "$top" ] && [ "$(dirname "$d")" = "$1" ] && c+=("$d")
	done
	[ ${#c[@]} -eq 0 ] || pick "${c[@]}"
}

# messy TEXT DIR: TEXT (read from DIR) spelt messily, same meaning.
messy() {
	local text=$1 dir=$2 s
	case $((RANDOM % 4)) in
	0)
		[[ $text == */* ]] && { printf '%s' "${text/\//\/\/}"; return; }
		printf './/%s' "$text"
		;;
	1)
		[[ $text == */* ]] && { printf '%s' "${text/\//\/.\/}"; return; }
		printf './%s' "$text"
		;;
	2)
		if [[ $text == /* ]]; then
			s=$(child_of "$top")
			[[ -n $s && $text == "$top"/* ]] &&
				{ printf '%s/../%s' "$s" "${text#"$top"/}"; return; }
			printf '/.%s' "$text"
		elif [[ $text == ../* && $dir != "$top" ]]; then
			# symlinks(8) sees "S/../" only after a "/".
			printf '../%s/../%s' "${dir##*/}" "${text#../}"
		else
			s=$(child_of "$dir")
			[ -n "$s" ] &&
				{ printf './%s/../%s' "${s##*/}" "$text"; return; }
			printf './%s' "$text"
		fi
		;;
	3)
		[[ $text == /* ]] && { printf '/%s' "$text"; return; }
		printf './%s' "$text"
		;;
	esac
}

for ((i = 0; i < count; i++)); do
	dir=$(pick "${dirs[@]}")
	target=$(pick "${files[@]}" "${dirs[@]}")
	kind=$(pick abs abs out rel rel up dangling messy messy lengthy \
		lengthy)
	case $kind in
	abs) text=$target ;;
	out) text=$(pick "${outside[@]}") ;;
	rel) text=$(realpath -m --relative-to="$dir" "$target") ;;
	up) text=$(realpath -m --relative-to="$dir" \
		"$(pick "${outside[@]}")") ;;
	dangling)
		text=$(pick "$dir/nosuch$i" "$top/gone/x$i" "$target.no")
		[ $((RANDOM % 2)) = 0 ] &&
			text=$(realpath -m --relative-to="$dir" "$text")
		;;
	messy)
		# Not relative to the link's directory or an ancestor:
		# symlinks(8) and ours clean those differently.
		[[ $dir == "$target" || $dir == "$target"/* ]] &&
			target=$(pick "${files[@]}")
		text=$(pick "$target" "$(realpath -m --relative-to="$dir" \
			"$target")" "$(pick "${outside[@]}")")
		text=$(messy "$text" "$dir")
		;;
	lengthy)
		# A target below the link's directory (or the directory).
		below=()
		for t in "${files[@]}" "${dirs[@]}"; do
			[[ $t == "$dir"/* ]] && below+=("$t")
		done
		if [ "$dir" = "$top" ] || [ ${#below[@]} -eq 0 ]; then
			text=$(realpath -m --relative-to="$dir" "$target")
		else
			t=$(pick "${below[@]}")
			text=../${dir##*/}/${t#"$dir"/}
			parent=$(dirname "$dir")
			[ "$parent" != "$top" ] && [ $((RANDOM % 2)) = 0 ] &&
				text=../../${parent##*/}/${dir##*/}/${t#"$dir"/}
		fi
		;;
	esac
	ln -s "$text" "$dir/l$i"
	echo "$kind ${dir#"$top"}/l$i -> $text"
done
