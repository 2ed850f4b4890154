package view

import "testing"

func TestHumanOutput(t *testing.T) {
	for _, tc := range []struct {
		command, output string
		want            bool
	}{
		{"plan", "text", true},
		{"targets", "table", true},
		{"version", "", true},
		{"apply", "", true},
		{"plan", "json", false},
		{"plan", "markdown", false},
		{"events", "yaml", false},
		{"export", "", false},
		{"export", "text", false},
		{"completion", "", false},
	} {
		if got := HumanOutput(tc.command, tc.output); got != tc.want {
			t.Errorf("HumanOutput(%q, %q) = %v, want %v", tc.command, tc.output, got, tc.want)
		}
	}
}
