package view

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCommentMarker(t *testing.T) {
	for _, tc := range []struct{ command, key, path, want string }{
		{"plan", "", "workspaces/prod.yaml", "<!-- plainsync-comment plan workspaces/prod.yaml -->"},
		{"apply", "staging", "teams/a.yaml", "<!-- plainsync-comment apply staging teams/a.yaml -->"},
		// Nothing that ends the HTML comment early survives.
		{"plan", "x-->y", "a b/c--d.yaml", "<!-- plainsync-comment plan x-_y a b/c-d.yaml -->"},
	} {
		if got := commentMarker(tc.command, tc.key, tc.path); got != tc.want {
			t.Errorf("commentMarker(%q, %q, %q) = %q, want %q", tc.command, tc.key, tc.path, got, tc.want)
		}
	}
}

func TestSavedPlanFileNamesTheComment(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ name, data, want string }{
		{"ok.json", `{"formatVersion":1,"file":"prod.yaml"}`, "prod.yaml"},
		{"nofile.json", `{"formatVersion":1}`, ""},
		{"number.json", `{"file":3}`, ""},
		{"broken.json", `{"file":`, ""},
	} {
		p := write(tc.name, tc.data)
		if tc.want == "" {
			tc.want = p // the plan stands for itself
		}
		if got := savedPlanFile(p); got != tc.want {
			t.Errorf("%s: savedPlanFile = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := savedPlanFile(filepath.Join(dir, "missing.json")); got != filepath.Join(dir, "missing.json") {
		t.Errorf("missing plan: %q", got)
	}
}

// The files a step names each get a report, a directory's files and a
// missing path included, in the order met, once each.
func TestReportNotesEveryFile(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.yaml", "a.yml", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("version: 1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var r actionsReport
	r.noteFiles([]string{dir, filepath.Join(dir, "b.yaml"), filepath.Join(dir, "gone.yaml")})
	want := []string{filepath.Join(dir, "a.yml"), filepath.Join(dir, "b.yaml"), filepath.Join(dir, "gone.yaml")}
	if len(r.order) != len(want) {
		t.Fatalf("files %v, want %v", r.order, want)
	}
	for i := range want {
		if r.order[i] != want[i] {
			t.Fatalf("files %v, want %v", r.order, want)
		}
	}
	if r.file("") != &r.step {
		t.Fatal("the empty name is not the step's own report")
	}
}
