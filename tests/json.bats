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

# names_of [FILTER]: the names in the records on stdin (a --json
# document), or in those the jq FILTER gives, each recovered from
# path_bytes when it has one, NUL-terminated and sorted.
names_of() {
	local b64 path
	jq -r "${1:-.records[]}"' | (.path_bytes // ""), (.path | @base64)' |
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

# member KEY: the exact bytes of the member KEY of the record on stdin
# (one line of jq -c), from KEY_bytes when it has one.
member() {
	jq -r --arg k "$1" '.[$k + "_bytes"] // (.[$k] | @base64)' | base64 -d
}

# dup_sets DIR: two sets of identical files whose names need escapes, one
# of them not UTF-8, and a file with no twin.
dup_sets() {
	mkdir "$1"
	local n
	for n in plain $'new\nline' 'quo"te'; do
		echo one >"$1/$n"
	done
	for n in 'back\slash' $'tab\there' $'bad\xff\xfeutf8'; do
		echo two >"$1/$n"
	done
	echo three >"$1/alone"
	touch -d 2001-01-01 "$1/plain" "$1/back\slash"
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

@test "json: dedup -l --json: groups of identical files, names whole" {
	skip_unless_applet dedup
	dup_sets t
	run -0 --separate-stderr lb dedup -l --json t
	assert_stderr_is ""
	jq -e . <<<"$output" >/dev/null
	[ "$(jq -c '[.records[].group] | unique' <<<"$output")" = '[1,2]' ]
	# The names of each group are those of the files with its bytes.
	local g first
	for g in 1 2; do
		IFS= read -r -d '' first < <(names_of \
		    ".records[] | select(.group == $g)" <<<"$output")
		[ "$(names_of ".records[] | select(.group == $g)" \
		    <<<"$output" | od -An -c)" = "$(find t -type f \
		    -exec cmp -s "$first" {} \; -print0 | sort -z | od -An -c)" ]
	done
	[ "$(names_of <<<"$output" | od -An -c)" = \
	    "$(find t -type f ! -name alone -print0 | sort -z | od -An -c)" ]
	records_match_stat %s .size
	[ "$(jq -c .summary <<<"$output")" = \
	    '{"scanned":7,"groups":2,"relinked":0,"bytes_freed":0,"changed":0,"failed":0,"kept_apart":0}' ]
	# Nothing was linked.
	[ "$(find t -type f -links 1 -printf x | wc -c)" -eq 7 ]
}

@test "json: dedup -n --json-lines: the lines and the summary of the text" {
	skip_unless_applet dedup
	mkdir t
	echo one >t/a
	cp t/a t/b
	cp t/a t/c
	cp t/a t/apart
	echo two >t/d
	cp t/d t/e
	chmod 644 t/a t/b t/c t/d t/e
	chmod 600 t/apart
	touch -d 2001-01-01 t/a t/d
	run -0 --separate-stderr lb dedup -n -v t
	local text=$output
	run -0 --separate-stderr lb dedup -n --json-lines t
	assert_stderr_is ""
	local line
	for line in "${lines[@]}"; do
		jq -e . <<<"$line" >/dev/null || return 1
	done
	# Each record is a line of -n -v, in the same order.
	[ "$(head -n -1 <<<"$output" | jq -r --arg q "'" '
	    if .action == "kept_apart" then
		"\($q)\(.path)\($q) not linked to \($q)\(.kept)\($q): \(.reason)"
	    else
		"\($q)\(.path)\($q) => \($q)\(.kept)\($q)"
	    end')" = "$(head -n -7 <<<"$text")" ]
	[ "$(head -n -1 <<<"$output" | jq -r '"\(.group) \(.action)"' |
	    sort | uniq -c | awk '{ print $1, $2, $3 }')" = "2 1 would_link
1 2 would_link
1 null kept_apart" ]
	[ "$(tail -n 1 <<<"$output" |
	    jq -r '.summary | "files scanned: \(.scanned)
duplicate groups: \(.groups)
names that would be relinked: \(.relinked)
bytes that would be freed: \(.bytes_freed)
skipped because they changed: \(.changed)
not linked because of errors: \(.failed)
kept apart by owner, group or mode: \(.kept_apart)"')" = \
	    "$(tail -n 7 <<<"$text")" ]
	[ "$(tail -n 1 <<<"$output" | jq .summary.relinked)" = 3 ]
	# Nothing was linked.
	[ "$(find t -type f -links 1 -printf x | wc -c)" -eq 6 ]
}

@test "json: dedup --json: each name linked is now a name of its kept file" {
	skip_unless_applet dedup
	dup_sets t
	local before after rec p k n=0
	# The space of the files, each inode once, before and after.
	before=$(find t -type f -printf '%i %b\n' | sort -u |
		awk '{ s += $2 * 512 } END { print s }')
	run -0 --separate-stderr lb dedup --json t
	assert_stderr_is ""
	[ "$(jq -r '[.records[].action] | unique | .[]' <<<"$output")" = linked ]
	while IFS= read -r rec; do
		p=$(member path <<<"$rec"; printf x)
		k=$(member kept <<<"$rec"; printf x)
		[ "${p%x}" != "${k%x}" ] || return 1
		[ "$(inode "${p%x}")" = "$(inode "${k%x}")" ] || return 1
		n=$((n + 1))
	done < <(jq -c '.records[]' <<<"$output")
	[ "$n" -eq 4 ]
	# One kept file a set, never itself relinked.
	[ "$(jq -c '[.records[] | .kept_bytes // .kept] | unique | length' \
	    <<<"$output")" = 2 ]
	[ "$(jq -c '[.records[] | .path_bytes // .path] -
	    [.records[] | .kept_bytes // .kept] | length' <<<"$output")" = 4 ]
	# The name that is not UTF-8 came back from path_bytes or kept_bytes.
	[ "$(jq '[.records[] | select(.path_bytes or .kept_bytes)] | length' \
	    <<<"$output")" -eq 1 ]
	# Three files are left: the two kept and the one without a twin.
	[ "$(find t -type f -printf '%i\n' | sort -u | wc -l)" -eq 3 ]
	after=$(find t -type f -printf '%i %b\n' | sort -u |
		awk '{ s += $2 * 512 } END { print s }')
	[ "$(jq -c '.summary | [.scanned, .groups, .relinked, .bytes_freed]' \
	    <<<"$output")" = "[7,2,4,$((before - after))]" ]
}

@test "json: dedup --json: a name that could not be linked is skipped" {
	skip_unless_applet dedup
	need_inject linkat
	mkdir k
	echo same >k/a
	cp k/a k/b
	touch -d 2001-01-01 k/a
	run -1 --separate-stderr strace_applet dedup -o /dev/null \
		-e inject=linkat:error=EPERM -- --json k
	assert_stderr_starts "dedup: cannot link 'k/b' to 'k/a': "
	[ "$(jq -c .records <<<"$output")" = \
	    '[{"group":1,"path":"k/b","kept":"k/a","action":"skipped"}]' ]
	[ "$(jq -c '.summary | [.relinked, .failed]' <<<"$output")" = '[0,1]' ]
	! [ k/a -ef k/b ]
}

@test "json: dedup --json: a temporary a killed run left is a removed record" {
	skip_unless_applet dedup
	mkdir k
	echo x >k/a
	command ln k/a k/.a.dedup.Ab12Cd
	run -0 --separate-stderr lb dedup -n --json k
	[ "$(jq -c .records <<<"$output")" = \
	    '[{"path":"k/.a.dedup.Ab12Cd","action":"would_remove"}]' ]
	[ -e k/.a.dedup.Ab12Cd ]
	run -0 --separate-stderr lb dedup --json-lines k
	assert_stderr_is ""
	assert_output_is '{"path":"k/.a.dedup.Ab12Cd","action":"removed"}
{"summary":{"scanned":1,"groups":0,"relinked":0,"bytes_freed":0,"changed":0,"failed":0,"kept_apart":0}}'
	[ ! -e k/.a.dedup.Ab12Cd ] && [ -f k/a ]
}

@test "json: snapshot --list --json: the values of the text --list" {
	skip_unless_applet snapshot
	mkdir -p src/sub
	echo common >src/common
	echo one >src/sub/own
	lb snapshot -q --no-sync --name=20260101T000000Z src repo
	echo two >src/sub/own
	lb snapshot -q --no-sync --name=$'bad\xff' src repo
	echo three >src/sub/own
	lb snapshot -q --no-sync --name=20260102T000000Z src repo
	mkdir repo/.20260103T000000Z.partial
	echo left >repo/.20260103T000000Z.partial/half
	run -0 --separate-stderr lb snapshot --list repo
	local text=$output name rest
	run -0 --separate-stderr lb snapshot --list --json repo
	assert_stderr_is ""
	[ "$(jq -c 'has("summary")' <<<"$output")" = false ]
	# Names compared in base64, whole whatever their bytes.
	[ "$(jq -r '.records[] | [.name_bytes // (.name | @base64), .state,
	    .files, .bytes, .exclusive] | map(tostring) | join("\t")' \
	    <<<"$output")" = "$(while IFS=$'\t' read -r name rest; do
		printf '%s\t%s\n' "$(printf %s "$name" | base64)" "$rest"
	    done <<<"$text")" ]
	[ "$(jq -r '.records[] | .state' <<<"$output" | sort | uniq -c |
	    awk '{ print $1, $2 }')" = "3 complete
1 partial" ]
	run -0 --separate-stderr lb snapshot --list --json-lines repo
	[ "${#lines[@]}" -eq 4 ]
	local line
	for line in "${lines[@]}"; do
		[ "$(jq -c 'del(.name_bytes) | keys' <<<"$line")" = \
		    '["bytes","exclusive","files","name","state"]' ] || return 1
	done
}

# snapshot_line: the summary line a text run prints on stderr, from the
# summary of a JSON run (stdin).
snapshot_line() {
	jq -r '.summary | "snapshot: \(.name): \(.linked) linked, \(
	    .copied_new + .copied_changed) copied (\(.copied_new) new, \(
	    .copied_changed) changed), \(.bytes_copied) bytes copied, \(
	    .at_limit) copied at the link limit, \(.reported) reported"'
}

@test "json: snapshot --json: the summary on stdout, the counts of the text's" {
	skip_unless_applet snapshot
	mkdir -p src/sub
	echo a >src/a
	echo b >src/b
	echo c >src/sub/c
	run -0 --separate-stderr lb snapshot --no-sync --name=one src text
	local line=$stderr
	run -0 --separate-stderr lb snapshot --no-sync --json --name=one src json
	assert_stderr_is ""
	[ "$(jq -c .records <<<"$output")" = '[]' ]
	[ "$(snapshot_line <<<"$output")" = "$line" ]
	[ "$(jq -c '.summary | [.linked, .copied_new, .copied_changed]' \
	    <<<"$output")" = '[0,3,0]' ]
	# One file changed, one new, two unchanged.
	echo again >>src/a
	echo new >src/new
	run -0 --separate-stderr lb snapshot --no-sync --name=two src text
	line=$stderr
	run -0 --separate-stderr lb snapshot --no-sync --json --name=two src json
	assert_stderr_is ""
	[ "$(snapshot_line <<<"$output")" = "$line" ]
	[ "$(jq -c '.summary | [.linked, .copied_new, .copied_changed,
	    .bytes_copied]' <<<"$output")" = "[2,1,1,$(($(stat -c %s src/a) +
	    $(stat -c %s src/new)))]" ]
	# -q hides the progress display, not the JSON.
	run -0 --separate-stderr lb snapshot -q --no-sync --json-lines \
		--name=three src json
	assert_stderr_is ""
	assert_output_is '{"summary":{"name":"three","linked":4,"copied_new":0,"copied_changed":0,"bytes_copied":0,"at_limit":0,"reported":0}}'
	[ "$(readlink json/latest)" = three ]
}

@test "json: snapshot -v --json-lines: a record for each copy, names whole" {
	skip_unless_applet snapshot
	mkdir -p src/sub
	local n
	for n in plain sub/deep $'new\nline' $'bad\xff' 'quo"te'; do
		echo "$n" >"src/$n"
	done
	run -0 --separate-stderr lb snapshot -v --no-sync --json-lines \
		--name=one src repo
	assert_stderr_is ""
	local line
	for line in "${lines[@]}"; do
		jq -e . <<<"$line" >/dev/null || return 1
	done
	[ "$(tail -n 1 <<<"$output" |
	    jq -c '.summary | [.copied_new, .linked]')" = '[5,0]' ]
	[ "$(head -n -1 <<<"$output" | jq -r .action | sort -u)" = copied ]
	[ "$(head -n -1 <<<"$output" | jq -s '{records: .}' | names_of |
	    od -An -c)" = "$(cd src && find . -type f -printf '%P\0' |
	    sort -z | od -An -c)" ]
	# Only what was copied again.
	echo more >>src/$'bad\xff'
	echo new >src/sub/new
	run -0 --separate-stderr lb snapshot -v --no-sync --json-lines \
		--name=two src repo
	[ "$(head -n -1 <<<"$output" | jq -s '{records: .}' | names_of |
	    od -An -c)" = "$(printf 'bad\377\0sub/new\0' | sort -z |
	    od -An -c)" ]
}

@test "json: snapshot -n --json: would_copy, with -v would_link; no writes" {
	skip_unless_applet snapshot
	mkdir -p src/sub
	echo a >src/a
	echo b >src/b
	echo c >src/sub/c
	lb snapshot -q --no-sync --name=one src repo
	echo changed >src/b
	run -0 --separate-stderr lb snapshot -n --json --name=two src repo
	assert_stderr_is ""
	[ "$(jq -c .records <<<"$output")" = \
	    '[{"path":"b","action":"would_copy"}]' ]
	[ "$(jq -c '.summary | [.name, .linked, .copied_changed]' \
	    <<<"$output")" = '["two",2,1]' ]
	run -0 --separate-stderr lb snapshot -n -v --json --name=two src repo
	[ "$(jq -r '.records[] | "\(.action) \(.path)"' <<<"$output" |
	    sort)" = "would_copy b
would_link a
would_link sub/c" ]
	[ ! -e repo/two ] && [ "$(readlink repo/latest)" = one ]
}

@test "json: snapshot --json: a killed deletion, finished, is a record" {
	skip_unless_applet snapshot
	mkdir src
	echo a >src/a
	mkdir -p repo/.old.deleting/sub
	echo x >repo/.old.deleting/sub/f
	run -0 --separate-stderr lb snapshot --no-sync --json --name=one src repo
	[ "$(jq -c .records <<<"$output")" = \
	    '[{"name":"old","action":"deleted"}]' ]
	[ "$(jq -r .summary.name <<<"$output")" = one ]
	[ ! -e repo/.old.deleting ]
}

@test "json: snapshot --prune and --delete --json: a record for each snapshot" {
	skip_unless_applet snapshot
	mkdir src
	echo common >src/common
	local n
	for n in 20260101T000000Z 20260102T000000Z 20260103T000000Z; do
		echo "$n" >src/own
		lb snapshot -q --no-sync --name="$n" src repo
	done
	run -0 --separate-stderr lb snapshot --prune --keep-last=1 -n --json repo
	assert_stderr_is ""
	[ "$(jq -r '.records[] | "\(.action) \(.name)"' <<<"$output" |
	    sort)" = "would_delete 20260101T000000Z
would_delete 20260102T000000Z" ]
	[ "$(jq -c .summary <<<"$output")" = '{"deleted":2,"bytes_freed":0}' ]
	run -0 --separate-stderr lb snapshot --delete -n --json-lines \
		20260101T000000Z repo
	assert_output_is '{"name":"20260101T000000Z","action":"would_delete"}
{"summary":{"deleted":1,"bytes_freed":0}}'
	[ -d repo/20260101T000000Z ] && [ -d repo/20260102T000000Z ]
	# Deleted without -v, a record still; the bytes --list said it holds
	# alone.
	local alone
	alone=$(lb snapshot --list --json repo | jq '.records[] |
		select(.name == "20260101T000000Z") | .exclusive')
	run -0 --separate-stderr lb snapshot --delete --json 20260101T000000Z \
		repo
	assert_stderr_is ""
	[ "$(jq -c .records <<<"$output")" = \
	    '[{"name":"20260101T000000Z","action":"deleted"}]' ]
	[ "$(jq -c .summary <<<"$output")" = \
	    "{\"deleted\":1,\"bytes_freed\":$alone}" ]
	[ ! -e repo/20260101T000000Z ]
}

@test "json: dedup and snapshot: -0 and -h do not go with --json" {
	skip_unless_applet dedup
	skip_unless_applet snapshot
	mkdir -p t repo
	USAGE_APPLET=dedup
	run -2 --separate-stderr lb dedup -0 --json t
	assert_output_is ""
	assert_stderr_is "$(usage_error "-0 and -h do not go with --json")"
	run -2 --separate-stderr lb dedup -l -h --json-lines t
	assert_stderr_is "$(usage_error "-0 and -h do not go with --json")"
	USAGE_APPLET=snapshot
	run -2 --separate-stderr lb snapshot -0 --json t repo
	assert_stderr_is "$(usage_error "-0 and -h do not go with --json")"
	run -2 --separate-stderr lb snapshot --list -h -J repo
	assert_output_is ""
	assert_stderr_is "$(usage_error "-0 and -h do not go with --json")"
	run -2 --separate-stderr lb snapshot --prune --keep-last=1 -h \
		--json-lines repo
	assert_stderr_is "$(usage_error "-0 and -h do not go with --json")"
	[ ! -e repo/.lock ]
}
