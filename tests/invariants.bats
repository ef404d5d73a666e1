#!/usr/bin/env bats
load helpers

# Invariants of the source tree, whatever binary is under test: the applet
# list in core/applets.h and the files every applet must come with.

# missing_files PATTERN: the applets for which PATTERN (NAME replaced by
# each applet's name, relative to the repo) does not exist, one a line.
missing_files() {
	local a f
	for a in $(listed_applets); do
		f=${1//NAME/$a}
		[ -e "$REPO/$f" ] || printf '%s\n' "$f"
	done
}

@test "invariants: core/applets.h lists at least one applet" {
	run -0 --separate-stderr listed_applets
	[ -n "$output" ]
}

@test "invariants: core/applets.h holds only comments and APPLET(name, policy) lines" {
	# make's sed would silently skip a line written any other way.
	run -1 --separate-stderr grep -n -v -e '^/\*' -e '^ \*' -e '^$' \
		-e '^APPLET([a-z_][a-z0-9_]*, EXIT_[A-Z]*)$' "$REPO/core/applets.h"
	assert_output_is ""
}

@test "invariants: core/applets.h is sorted, without duplicates" {
	run -0 --separate-stderr listed_applets
	[ "$output" = "$(printf '%s\n' "$output" | LC_ALL=C sort -u)" ]
}

@test "invariants: every applet has applets/NAME.c or applets/NAME/*.c" {
	run -0 --separate-stderr missing_files applets/NAME.c
	for f in $output; do
		compgen -G "$REPO/${f%.c}/*.c" >/dev/null ||
			{ echo "neither $f nor ${f%.c}/*.c" >&2; false; }
	done
}

@test "invariants: every applet has docs/NAME.1" {
	run -0 --separate-stderr missing_files docs/NAME.1
	assert_output_is ""
}

@test "invariants: every applet has tests/NAME.bats" {
	run -0 --separate-stderr missing_files tests/NAME.bats
	assert_output_is ""
}

@test "invariants: docs/linkbox.1 exists" {
	[ -f "$REPO/docs/linkbox.1" ]
}

@test "invariants: every applets/*.c and applets/*/ is listed in core/applets.h" {
	list=$(listed_applets)
	for f in "$REPO"/applets/*.c "$REPO"/applets/*/; do
		[ -e "$f" ] || continue
		a=$(basename "$f" .c)
		printf '%s\n' "$list" | grep -qFx "$a" ||
			{ echo "${f#"$REPO"/} is not in core/applets.h" >&2; false; }
	done
}

@test "invariants: every docs/*.1 is linkbox.1 or an applet's" {
	list=$(listed_applets)
	for f in "$REPO"/docs/*.1; do
		[ -e "$f" ] || continue
		a=$(basename "$f" .1)
		[ "$a" = linkbox ] || printf '%s\n' "$list" | grep -qFx "$a" ||
			{ echo "docs/$a.1 is no applet's" >&2; false; }
	done
}

@test "invariants: every man page passes mandoc -Tlint -W warning" {
	command -v mandoc >/dev/null || skip "no mandoc"
	pages=("$REPO"/docs/*.1)
	[ -e "${pages[0]}" ] || skip "no man pages yet"
	run -0 --separate-stderr mandoc -Tlint -W warning "${pages[@]}"
	assert_output_is ""
	assert_stderr_is ""
}

@test "invariants: each applet defines NAME_main and NAME_usage" {
	for a in $(listed_applets); do
		files=("$REPO/applets/$a.c" "$REPO/applets/$a"/*.c)
		grep -qs "^${a}_main(" "${files[@]}" ||
			{ echo "applets/$a: no ${a}_main" >&2; false; }
		grep -qs "^const char ${a}_usage\[\]" "${files[@]}" ||
			{ echo "applets/$a: no ${a}_usage" >&2; false; }
	done
}

@test "invariants: no applet includes another applet's files" {
	# Only core/linkbox.h, and in a folder its own header, by plain name.
	run --separate-stderr bash -c 'grep -rn "#include \"" "$1" |
		grep -vE "#include \"(\.\./)+core/linkbox\.h\"|#include \"[a-z_]+\.h\""' \
		_ "$REPO/applets"
	assert_output_is ""
	# A folder's own header is included by its own files only.
	for h in "$REPO"/applets/*/*.h; do
		[ -e "$h" ] || continue
		d=$(basename "$(dirname "$h")")
		run -1 grep -rlF "$(basename "$h")" --include='*.c' \
			--exclude-dir="$d" "$REPO/applets"
		assert_output_is ""
	done
}

@test "invariants: core/ names no applet" {
	for a in $(listed_applets); do
		run -1 grep -nwE "${a}_(main|usage)|applets/$a" \
			--exclude=applets.h --exclude=applet.c --exclude=linkbox.h \
			-r "$REPO/core"
		assert_output_is ""
	done
}

@test "invariants: no source file in applets/ or core/ is over 500 lines" {
	run -0 find "$REPO/applets" "$REPO/core" -name '*.[ch]' \
		-exec awk 'FNR == 501 { print FILENAME ": over 500 lines" }' {} +
	assert_output_is ""
}
