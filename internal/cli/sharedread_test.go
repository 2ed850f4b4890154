package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Five scoped files for one workspace (one key) read it once: plan and
// drift send one request, as one file would, and each file still shows
// only its own scope.
func TestScopedFilesReadTheirWorkspaceOnce(t *testing.T) {
	w := newManyWorkspaces(t, 1, 0, 0, false)
	w.files = nil
	for i := range 5 {
		yaml := fmt.Sprintf("version: 1\nworkspace: %s\napiKeyEnv: %s\nscope: [\"team%d-*\"]\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n"+
			"  - name: team%d-crm\n    url: https://team%d.example.com/hook\n    events: [thread.thread_created]\n", workspaceID(0), workspaceKeyEnv(0), i, i, i)
		p := filepath.Join(w.dir, fmt.Sprintf("team%d.yaml", i))
		if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		w.files = append(w.files, p)
	}
	for _, cmd := range [][]string{{"plan"}, {"drift"}} {
		w.served.Store(0)
		code, out, errOut := w.run(cmd...)
		if code != 2 && !(cmd[0] == "plan" && code == 0) {
			t.Fatalf("%v: exit %d\n%s\n%s", cmd, code, out, errOut)
		}
		if n := w.served.Load(); n != 1 {
			t.Errorf("%v over 5 files of one workspace sent %d requests, want 1 (one read)", cmd, n)
		}
		for i := range 5 {
			if !strings.Contains(out, fmt.Sprintf("team%d-crm", i)) {
				t.Errorf("%v: no plan for team%d:\n%s", cmd, i, out)
			}
		}
	}
}

// Several scoped files of one workspace applied in one run: each file's
// changes are what was shown, so none is refused as "changed while this
// apply waited" because the run's own earlier file wrote to the workspace
// (with --auto-approve, and with the lease too).
func TestScopedFilesOfOneWorkspaceApplyInOneRun(t *testing.T) {
	for _, lockMode := range []string{"local", "plain"} {
		t.Run(lockMode, func(t *testing.T) {
			w := newManyWorkspaces(t, 1, 0, 0, false)
			w.env["XDG_CACHE_HOME"] = t.TempDir()
			w.files = nil
			for i := range 3 {
				yaml := fmt.Sprintf("version: 1\nworkspace: %s\napiKeyEnv: %s\nscope: [\"team%d-*\"]\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n"+
					"  - name: team%d-crm\n    url: https://team%d.example.com/hook\n    events: [thread.thread_created]\n", workspaceID(0), workspaceKeyEnv(0), i, i, i)
				p := filepath.Join(w.dir, fmt.Sprintf("team%d.yaml", i))
				if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
					t.Fatal(err)
				}
				w.files = append(w.files, p)
			}
			code, out, errOut := w.run("apply", "--auto-approve", "--lock", lockMode)
			if code != 0 || strings.Contains(out+errOut, "changed while") {
				t.Fatalf("apply of 3 scoped files: exit %d\n%s\n%s", code, out, errOut)
			}
			code, out, errOut = w.run("plan", "--detailed-exitcode")
			if code != 0 {
				t.Fatalf("after apply the plan is not empty: exit %d\n%s\n%s", code, out, errOut)
			}
		})
	}
}
