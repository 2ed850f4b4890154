package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

func TestPrintProblemsMasks(t *testing.T) {
	file := writeSpec(t, t.TempDir(), "p.yaml", validSpec)
	ds, ps := spec.LoadPaths([]string{file}, func(k string) (string, bool) { return "sekrit-value", k == "CRM_TOKEN" })
	if len(ds) != 1 || len(ps) != 0 {
		t.Fatalf("load: %d %v", len(ds), ps)
	}
	ps = append(ps, spec.Problem{Pos: spec.Pos{File: file, Line: 1, Col: 1}, Severity: spec.SeverityError, Message: "leaked sekrit-value here"})
	var b strings.Builder
	view.PrintProblems(&b, ps, ds[0].Secrets)
	if want := file + ":1:1: leaked ${CRM_TOKEN} here\n"; b.String() != want {
		t.Errorf("got %q want %q", b.String(), want)
	}
	b.Reset()
	view.PrintProblems(&b, ps, nil)
	if !strings.Contains(b.String(), "sekrit-value") {
		t.Error("a nil masker prints problems as they are")
	}
}

func TestAddFileFlagDefaultAndRepeat(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"plainsync.yaml"}},
		{[]string{"-f", "a.yaml", "--file", "dir/"}, []string{"a.yaml", "dir/"}},
	} {
		var files []string
		cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
		addFileFlag(cmd, &files)
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if strings.Join(files, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%v: files %v, want %v", tc.args, files, tc.want)
		}
	}
}
