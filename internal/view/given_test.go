package view

import (
	"slices"
	"testing"
)

// The files a command line names, for the comments of a command that
// stopped on a bad flag before reading them.
func TestGivenFiles(t *testing.T) {
	for _, tc := range []struct {
		command string
		args    []string
		files   []string
		saved   string
	}{
		{"plan", []string{"plan"}, []string{"plainsync.yaml"}, ""},
		{"plan", []string{"plan", "-f", "a.yaml", "--file", "dir/", "--file=b.yaml", "-fc.yaml", "--bogus"}, []string{"a.yaml", "dir/", "b.yaml", "c.yaml"}, ""},
		{"apply", []string{"apply", "--no-such-flag", "plan.json"}, []string{"plainsync.yaml"}, "plan.json"},
		{"plan", []string{"plan", "--out", "plan.json"}, []string{"plainsync.yaml"}, ""},
	} {
		g := GivenFiles(tc.command, tc.args)
		if !slices.Equal(g.Files, tc.files) || g.SavedPlan != tc.saved {
			t.Errorf("GivenFiles(%q) = %+v, want %v %q", tc.args, g, tc.files, tc.saved)
		}
	}
}
