package view

import "testing"

func TestCodeBlockFence(t *testing.T) {
	if got := codeBlock("a\n"); got != "```\na\n```\n" {
		t.Fatalf("%q", got)
	}
	if got := codeBlock("x ```` y"); got != "`````\nx ```` y\n`````\n" {
		t.Fatalf("%q", got)
	}
}
