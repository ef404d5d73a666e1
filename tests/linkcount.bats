#!/usr/bin/env bats
load helpers

@test "linkcount: prints count and name" {
	touch a
	command ln a b
	run -0 --separate-stderr lb linkcount a
	assert_output_is $'2\ta'
}
