#!/usr/bin/env bats
load helpers

# -J/--json and --json-lines (core/json.c): every document parses with jq,
# names come back byte for byte, records stream.

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	command -v jq >/dev/null || skip "jq is not installed"
}

# hostile_names DIR: files whose names need every kind of escape, and one
# that is not UTF-8; two of them hard-linked.
hostile_names() {
	mkdir "$1"
	touch "$1/plain" "$1"/$'new\nline' "$1"/'quo"te' "$1"/'back\slash' \
		"$1"/$'tab\there' "$1"/$'ctl\001\037\177' "$1"/$'bad\xff\xfeutf8' \
		"$1"/'ünïcödé €'
	command ln "$1/plain" "$1"/$'bad\xff\xfeutf8.2'
}

# names_of: the names in the records on stdin (a --json document), each
# recovered from path_bytes when it has one, NUL-terminated and sorted.
names_of() {
	local b64 path
	jq -r '.records[] | (.path_bytes // ""), (.path | @base64)' |
		while read -r b64 && read -r path; do
			if [ -n "$b64" ]; then
				base64 -d <<<"$b64"
			else
				base64 -d <<<"$path"
			fi
			printf '\0'
		done | sort -z
}

# records_match_stat FORMAT EXPR: for each record of $output whose path
# jq reads back whole (valid UTF-8, no newline), the jq expression EXPR
# gives what stat -c FORMAT prints for that path.
records_match_stat() {
	local value path
	while IFS=$'\t' read -r value path; do
		[ "$value" = "$(stat -c "$1" "$path")" ] || return 1
	done < <(jq -r '.records[] | select(.path_bytes == null and
	    (.path | test("\n") | not)) | [('"$2"' | tostring), .path] |
	    join("\t")' <<<"$output")
}

@test "json: linkcount -r --json: every name back byte for byte, counts as stat's" {
	skip_unless_applet linkcount
	hostile_names t
	run -0 --separate-stderr lb linkcount -r --json t
	assert_stderr_is ""
	jq -e . <<<"$output" >/dev/null
	[ "$(names_of <<<"$output" | od -An -c)" = \
	    "$(find t -type f -print0 | sort -z | od -An -c)" ]
	# Each count is stat's, for the names jq reads back whole.
	records_match_stat %h .links
	# The one that is not UTF-8 says so, with U+FFFD in its string.
	[ "$(jq -r '.records[] | select(.path_bytes) | .path' <<<"$output" |
	    sort | head -1)" = "t/bad��utf8" ]
}

@test "json: control characters are escaped as JSON asks" {
	skip_unless_applet linkcount
	touch $'a\001\tb\n'
	run -0 --separate-stderr lb linkcount --json $'a\001\tb\n'
	assert_output_is '{"records":[
{"links":1,"path":"a\u0001\tb\n"}
]}'
}

@test "json: --json-lines: one object a line, each parsed alone" {
	skip_unless_applet linkcount
	hostile_names t
	run -0 --separate-stderr lb linkcount -r --json-lines t
	[ "${#lines[@]}" -eq 9 ]
	local line
	for line in "${lines[@]}"; do
		[ "$(jq -c 'keys' <<<"$line")" = '["links","path"]' ] ||
		[ "$(jq -c 'keys' <<<"$line")" = \
		    '["links","path","path_bytes"]' ]
	done
}

@test "json: no records is an empty array" {
	skip_unless_applet linkcount
	touch a
	run -0 --separate-stderr lb linkcount -J -c 5 a
	assert_output_is '{"records":[]}'
	run -0 --separate-stderr lb linkcount --json-lines -c 5 a
	assert_output_is ""
}

@test "json: linkcount --summary: the same numbers as the text summary" {
	skip_unless_applet linkcount
	hostile_names t
	mkdir out
	command ln t/plain out/keep
	run -0 --separate-stderr lb linkcount -r --summary t
	local text=$output
	run -0 --separate-stderr lb linkcount -r --summary --json t
	[ "$(jq -c .records <<<"$output")" = '[]' ]
	[ "$(jq -r '.summary | "files: \(.files)
files with several names: \(.files_with_several_names)
names inside: \(.names_inside)
names outside: \(.names_outside)
bytes freed by deleting: \(.bytes_freed)
bytes kept by names outside: \(.bytes_kept)"' <<<"$output")" = "$text" ]
	run -0 --separate-stderr lb linkcount -r --summary --json-lines t
	[ "$(jq -c 'keys' <<<"$output")" = '["summary"]' ]
}

@test "json: linkcount --summary --each: a record for each PATH" {
	skip_unless_applet linkcount
	hostile_names t
	mkdir u
	command ln t/plain u/again
	run -0 --separate-stderr lb linkcount -r --summary --each -0 t u
	local text=$output
	run -0 --separate-stderr lb linkcount -r --summary --each --json t u
	[ "$(jq -r '.records[] |
	    "\(.names_inside)\t\(.files)\t\(.bytes)\t\(.bytes_freed)\t\(.path)"' \
	    <<<"$output" | tr '\n' '\0')" = "$(tr '\0' '\n' <<<"$text" |
	    tr '\n' '\0')" ]
}

@test "json: -0 and -h do not go with --json" {
	skip_unless_applet linkcount
	touch a
	run -2 --separate-stderr lb linkcount -0 --json a
	USAGE_APPLET=linkcount
	assert_stderr_is "$(usage_error "-h and -0 do not go with --json")"
	run -2 --separate-stderr lb linkcount -r --summary -h --json-lines .
	assert_stderr_is "$(usage_error "-h and -0 do not go with --json")"
}

@test "json: a reader has the first record while the walk goes on; memory flat" {
	skip_unless_applet linkcount
	[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed"
	local i
	mkdir small big
	for i in $(seq 1 100); do : >"small/f$i"; done
	# 100,000 names, a thousand at a time: more output than a pipe holds.
	for i in $(seq 1 100); do
		mkdir "big/d$i"
		(cd "big/d$i" && seq -f 'file-%06g' 1 1000 | xargs touch)
	done
	mkfifo pipe
	lb linkcount -r --json-lines big >pipe &
	local pid=$! first
	exec 5<pipe
	read -r first <&5
	# The applet is still there, blocked on the full pipe: the record came
	# out before the walk ended.
	kill -0 "$pid"
	[ "$(jq -r .links <<<"$first")" = 1 ]
	[ "$(wc -l <&5)" -eq 99999 ]
	exec 5<&-
	wait "$pid"
	# Maximum resident size of 100 and of 100,000 records: within 1 MiB.
	local rss_small rss_big
	rss_small=$(/usr/bin/time -f %M "$LB_BIN/linkcount" -r --json-lines \
		small 2>&1 >/dev/null)
	rss_big=$(/usr/bin/time -f %M "$LB_BIN/linkcount" -r --json-lines \
		big 2>&1 >/dev/null)
	note "max RSS: $rss_small KiB for 100 records, $rss_big KiB for 100,000"
	[ "$rss_big" -lt $((rss_small + 1024)) ]
}

@test "json: findlinks -J FILE: every name, the summary counts them" {
	skip_unless_applet findlinks
	hostile_names t
	command ln t/plain t/$'new\nline.2'
	mkdir elsewhere
	command ln t/plain elsewhere/third
	run -1 --separate-stderr lb findlinks -J t/plain t
	[ "$(names_of <<<"$output" | od -An -c)" = \
	    "$(find t -samefile t/plain -print0 | sort -z | od -An -c)" ]
	[ "$(jq -r '[.records[].file] | unique | .[]' <<<"$output")" = t/plain ]
	[ "$(jq -c .summary <<<"$output")" = \
	    '{"names_found":3,"names_outside":1}' ]
}

@test "json: findlinks -a --json: dev, ino and links as stat's, names whole" {
	skip_unless_applet findlinks
	hostile_names t
	touch t/x
	command ln t/x t/$'x\n2'
	run -0 --separate-stderr lb findlinks -a --json t
	[ "$(names_of <<<"$output" | od -An -c)" = \
	    "$(find t -type f -links +1 -print0 | sort -z | od -An -c)" ]
	records_match_stat %d:%i:%h '"\(.dev):\(.ino):\(.links)"'
	[ "$(jq -c .summary <<<"$output")" = \
	    '{"files_with_several_names":2,"names_found":4,"names_outside":0}' ]
	run -0 --separate-stderr lb findlinks -a -s --json-lines t
	assert_output_is \
	    '{"summary":{"files_with_several_names":2,"names_found":4,"names_outside":0}}'
	run -2 --separate-stderr lb findlinks -a -1 --json t
}

@test "json: danglers -J: each dangling link with its cause and text" {
	skip_unless_applet danglers
	mkdir t
	command ln -s nope t/missing
	command ln -s $'no\nwhere\xff' t/$'bad\xfename'
	command ln -s self t/self
	touch t/file
	command ln -s file t/fine
	command ln -s file/x t/notdir
	run -1 --separate-stderr lb danglers -J t
	[ "$(names_of <<<"$output" | od -An -c)" = \
	    "$(find t -type l ! -name fine -print0 | sort -z | od -An -c)" ]
	[ "$(jq -r '.records[] | select(.path_bytes == null) |
	    "\(.path) \(.cause) \(.target)"' <<<"$output" | sort)" = \
	    "t/missing missing nope
t/notdir notdir file/x
t/self loop self" ]
	# The text that is not UTF-8 comes back whole from target_bytes.
	[ "$(jq -r '.records[] | select(.path_bytes) | .target_bytes' \
	    <<<"$output" | base64 -d | od -An -c)" = \
	    "$(printf 'no\nwhere\377' | od -An -c)" ]
	[ "$(jq -c .summary <<<"$output")" = '{"dangling":4}' ]
}

@test "json: danglers -d --json: what was removed, what was kept" {
	skip_unless_applet danglers
	mkdir t
	command ln -s nope t/missing
	command ln -s self t/self
	run -1 --separate-stderr lb danglers -n --json-lines t
	[ "$(jq -r 'select(.path) | "\(.path) \(.action)"' <<<"$output" |
	    sort)" = "t/missing would_remove
t/self kept" ]
	[ "$(tail -1 <<<"$output")" = '{"summary":{"dangling":2,"removed":0}}' ]
	[ -L t/missing ]
	run -1 --separate-stderr lb danglers -d --json t
	[ "$(jq -r '.records[] | "\(.path) \(.action)"' <<<"$output" |
	    sort)" = "t/missing removed
t/self kept" ]
	[ "$(jq -c .summary <<<"$output")" = '{"dangling":2,"removed":1}' ]
	[ ! -L t/missing ] && [ -L t/self ]
	run -2 --separate-stderr lb danglers -q --json t
}

@test "json: orphans -J: each orphan with its links and size, as stat's" {
	skip_unless_applet orphans
	hostile_names t
	head -c 5000 /dev/zero >t/five
	run -1 --separate-stderr lb orphans -J t
	[ "$(names_of <<<"$output" | od -An -c)" = \
	    "$(find t -type f -links 1 -print0 | sort -z | od -An -c)" ]
	records_match_stat %h:%s '"\(.links):\(.size)"'
	[ "$(jq -c 'has("summary")' <<<"$output")" = false ]
}

@test "json: orphans -d --json: what was removed and freed, nothing on stderr" {
	skip_unless_applet orphans
	mkdir pool
	echo one >pool/a
	echo two >pool/b
	command ln pool/b pool/b2
	mkdir pool/sub
	echo three >pool/sub/c
	run -1 --separate-stderr lb orphans -n --json-lines pool
	[ "$(jq -r 'select(.path) | "\(.path) \(.action)"' <<<"$output" |
	    sort)" = "pool/a would_remove
pool/sub/c would_remove" ]
	[ "$(tail -1 <<<"$output" | jq -c '.summary | keys')" = \
	    '["bytes_freed","removed"]' ]
	[ -e pool/a ]
	run -0 --separate-stderr lb orphans -d --prune-dirs --json pool
	assert_stderr_is ""
	[ "$(jq -r '.records[] | "\(.path) \(.action)"' <<<"$output" |
	    sort)" = "pool/a removed
pool/sub removed_directory
pool/sub/c removed" ]
	[ "$(jq .summary.removed <<<"$output")" = 2 ]
	[ "$(jq .summary.bytes_freed <<<"$output")" -gt 0 ]
	[ ! -e pool/a ] && [ ! -e pool/sub ] && [ -e pool/b ]
	run -2 --separate-stderr lb orphans -0 --json pool
}

@test "json: symlinks -J: a record for each line symlinks prints" {
	skip_unless_applet symlinks
	mkdir -p t/d
	command ln -s "$PWD/t/d" t/abs
	command ln -s nope t/dang
	command ln -s ./d//. t/messy
	command ln -s d t/rel
	command ln -s nope t/$'bad\xff'
	run -1 --separate-stderr lb symlinks -v t
	local text=$output
	run -1 --separate-stderr lb symlinks -v --json t
	[ "$(jq -r '.records[] | select(.path_bytes == null) |
	    "\(.class): \(.path) -> \(.target)"' <<<"$output")" = \
	    "$(grep -av bad <<<"$text" | sed 's/:  */: /')" ]
	[ "$(jq '.records | length' <<<"$output")" = 5 ]
	[ "$(jq -r '.records[] | select(.path_bytes) | .path_bytes' \
	    <<<"$output" | base64 -d | od -An -c)" = \
	    "$(printf '%s/t/bad\377' "$PWD" | od -An -c)" ]
	# -c: each change is a record after its link's.
	run -1 --separate-stderr lb symlinks -c --json-lines t
	[ "$(jq -r 'select(.class == "changed") | "\(.path) \(.target)"' \
	    <<<"$output")" = "$PWD/t/abs d
$PWD/t/messy d" ]
	[ "$(readlink t/abs)" = d ]
	run -2 --separate-stderr lb symlinks -0 --json t
}
