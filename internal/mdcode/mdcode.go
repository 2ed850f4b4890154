// Package mdcode writes untrusted text into GitHub-flavoured Markdown as
// nothing but text: a code span, where CommonMark reads no emphasis, link,
// image, autolink or HTML and GitHub resolves no mention or reference.
// Raw <code>…</code> does not do this: in a paragraph or table cell GitHub
// still parses Markdown inside it. The caller makes the text inert first
// (control characters, workflow commands): see package inert.
package mdcode

import "strings"

// Span renders s as a code span on one line: a backtick string longer
// than any run of backticks inside opens and closes it (CommonMark 0.31
// section 6.1), and one space pads text that starts or ends with a
// backtick or has a space at both ends, since the parser strips one such
// space from each side. Line breaks become spaces. "" for "".
func Span(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	f := strings.Repeat("`", LongestRun(s, '`')+1)
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "") {
		s = " " + s + " "
	}
	return f + s + f
}

// Cell is Span for a table cell: GFM splits a row at every pipe not
// escaped with a backslash, even inside a code span, and turns "\|" back
// into "|" before reading the cell (GFM spec, tables extension).
func Cell(s string) string {
	return strings.ReplaceAll(Span(s), "|", `\|`)
}

// LongestRun is the length of the longest run of c in s.
func LongestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
