#!/usr/bin/env bats
load helpers

# The help texts and the man pages agree: every option an applet's --help
# names is in docs/APPLET.1 and the other way round; the pages lint clean.

REPO=$BATS_TEST_DIRNAME/..

# help_longs, help_shorts: the long option names (--word) and the short
# option letters (-x, -xyz clusters) in the help text on stdin.
help_longs() {
	grep -oE -- '--[a-z0-9][a-z0-9-]*' | sed 's/^--//' | LC_ALL=C sort -u
}

help_shorts() {
	grep -oE -- '(^|[][ ,(|])-[A-Za-z0-9]+' | sed 's/.*-//' | fold -w 1 |
		LC_ALL=C sort -u
}

# man_opts long|short PAGE: the same from the Fl macros of PAGE
# (Fl \-word, Fl xyz).  A Fl inside a Ql quotes another command, such as
# find -xdev, and does not count, nor does a pattern (Fl \-any-*).
man_opts() {
	awk -v kind="$1" '
	/^\./ {
		for (i = 1; i < NF; i++) {
			if ($i == "Ql" || $i == ".Ql")
				break
			if ($i != "Fl" && $i != ".Fl")
				continue
			w = $(i + 1)
			if (w ~ /^\\-[a-z0-9][a-z0-9-]*[a-z0-9]$/) {
				if (kind == "long")
					print substr(w, 3)
			} else if (w ~ /^[A-Za-z0-9]+$/ && w !~ /^[A-Z][a-z][a-z]?$/) {
				if (kind == "short")
					for (j = 1; j <= length(w); j++)
						print substr(w, j, 1)
			}
		}
	}' "$2" | LC_ALL=C sort -u
}

@test "docs: each applet's --help and man page name the same options" {
	bad=0
	for a in $(lb linkbox --list); do
		page=$REPO/docs/$a.1
		help=$(lb "$a" --help)
		for kind in long short; do
			if ! d=$(diff <(help_${kind}s <<<"$help") \
			    <(man_opts "$kind" "$page")); then
				printf '%s: %s options, < --help only, > docs/%s.1 only\n%s\n' \
					"$a" "$kind" "$a" "$d" >&2
				bad=1
			fi
		done
	done
	[ "$bad" -eq 0 ]
}

@test "docs: mandoc -Tlint (style level) reports nothing about the pages" {
	command -v mandoc >/dev/null || skip "no mandoc"
	# Noise of the host, not of the pages: its mandoc.db, and manuals
	# (ours, or peers such as rdfind) that it does not have installed.
	lint=$(mandoc -Tlint "$REPO"/docs/*.1 2>&1 |
		grep -v -e 'outdated mandoc\.db' -e 'referenced manual not found' || true)
	[ -z "$lint" ] || { printf '%s\n' "$lint" >&2; false; }
}
