package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

// -o is a format in export as everywhere; --out is the file.
func TestExportFormatsAndOut(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	seedClean(t, e)
	dir := t.TempDir()
	t.Chdir(dir)

	r := runRead(t, e, nil, []string{slackToken}, "export", "-o", "json")
	wantExit(t, r, 0)
	var doc struct {
		Version   int    `json:"version"`
		Workspace string `json:"workspace"`
		Webhooks  []struct {
			Name string `json:"name"`
		} `json:"webhooks"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil || doc.Version != 1 || doc.Workspace == "" || len(doc.Webhooks) != 3 {
		t.Fatalf("export -o json: %v %+v\n%s", err, doc, r.out)
	}
	if !strings.HasPrefix(r.out, "{\n  \"version\": 1,\n  \"workspace\": ") {
		t.Errorf("keys are not in the file's order:\n%s", r.out)
	}
	// plainsync reads what it printed.
	file := filepath.Join(t.TempDir(), "exported.json")
	os.WriteFile(file, []byte(r.out), 0o644)
	r = runRead(t, e, exportVars(), []string{slackToken}, "plan", "-f", file, "--detailed-exitcode")
	wantExit(t, r, 0)

	// The old "-o FILE" is refused, naming --out, and writes nothing.
	r = runRead(t, e, nil, nil, "export", "-o", "plainsync.yaml")
	wantExit(t, r, 1)
	if !strings.Contains(r.errOut, `-o names an output format (yaml or json), not "plainsync.yaml"; to write the file, use --out plainsync.yaml`) {
		t.Errorf("stderr %q", r.errOut)
	}
	for _, name := range []string{"-", "json", "plainsync.yaml"} {
		r = runRead(t, e, nil, []string{slackToken}, "export", "--out", name)
		if name == "-" {
			wantExit(t, r, 0)
			if !strings.HasPrefix(r.out, "# yaml-language-server:") {
				t.Errorf("--out - did not print the file:\n%s", r.out)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	if strings.Join(names, ",") != "json,plainsync.yaml" {
		t.Errorf("files in the directory: %v; want only those --out named (json, plainsync.yaml)", names)
	}
}

// export --scope writes a scoped file that describes only its part.
func TestExportScope(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	seedClean(t, e)
	e.mock.PutTarget(plain.Target{Description: "crm-sync", URL: "https://crm2.example.com/hook",
		EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	r := runRead(t, e, nil, []string{slackToken}, "export", "--scope", "crm-sync", "--scope", "every*")
	wantExit(t, r, 0)
	for _, want := range []string{`scope: ["crm-sync", "every*"]`, "name: everything", "left out, unmanaged by this file", `is outside the scope`} {
		if !strings.Contains(strings.ToLower(r.out), strings.ToLower(want)) {
			t.Errorf("export lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "slack") || strings.Contains(r.out, "paused") {
		t.Errorf("targets outside the scope exported:\n%s", r.out)
	}
	file := filepath.Join(t.TempDir(), "scoped.yaml")
	os.WriteFile(file, []byte(r.out), 0o644)
	r = runRead(t, e, exportVars(), []string{slackToken}, "plan", "-f", file, "-o", "json")
	wantExit(t, r, 0)
	// In scope: two no-ops and the left-out crm-sync as unmanaged; the
	// slack relay and the paused target are not in the plan at all.
	if strings.Contains(r.out, "slack relay") || strings.Contains(r.out, "paused") || strings.Count(r.out, `"action": "no-op"`) != 2 || strings.Count(r.out, `"action": "unmanaged"`) != 1 {
		t.Errorf("the scoped plan sees or deletes targets outside it:\n%s", r.out)
	}
}
