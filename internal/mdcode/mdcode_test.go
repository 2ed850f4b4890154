package mdcode

import "testing"

func TestSpan(t *testing.T) {
	for in, want := range map[string]string{
		"":            "",
		"crm":         "`crm`",
		"a`b":         "``a`b``",
		"``x":         "``` ``x ```",
		" both ":      "`  both  `",
		"  ":          "`  `",
		"line\nbreak": "`line break`",
	} {
		if got := Span(in); got != want {
			t.Errorf("Span(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCell(t *testing.T) {
	if got, want := Cell("a|b`"), "`` a\\|b` ``"; got != want {
		t.Errorf("Cell = %q, want %q", got, want)
	}
}
