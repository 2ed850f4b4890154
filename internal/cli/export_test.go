package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

var (
	customerEvents = []string{"customer.customer_changed", "customer.customer_created", "customer.customer_deleted",
		"customer.customer_group_changed", "customer.customer_group_memberships_changed", "customer.customer_updated"}
	slackToken = "abcdEFGH1234ijklMNOP"
)

func allCatalogEvents(t *testing.T, e *remoteEnv) []string {
	t.Helper()
	r := runRead(t, e, nil, nil, "events", "-o", "json")
	wantExit(t, r, 0)
	var out []string
	for _, l := range strings.Split(r.out, "\n") {
		if strings.Contains(l, `"eventType":`) {
			out = append(out, strings.Trim(strings.TrimSpace(strings.SplitN(l, ":", 2)[1]), `",`))
		}
	}
	if len(out) != 30 {
		t.Fatalf("catalog has %d types", len(out))
	}
	return out
}

// seedClean puts targets with unique, clean descriptions into the mock.
func seedClean(t *testing.T, e *remoteEnv) {
	t.Helper()
	e.mock.PutTarget(plain.Target{Description: "crm-sync", URL: "https://crm.example.com/hook?token=" + testToken + "&flag&empty=",
		EventTypes: append([]string{"thread.thread_created"}, customerEvents...), Version: "2026-05-06", Enabled: true})
	e.mock.PutTarget(plain.Target{Description: "everything", URL: "https://all.example.com/in",
		EventTypes: allCatalogEvents(t, e), Version: "2025-08-06", Enabled: true})
	e.mock.PutTarget(plain.Target{Description: "slack relay", URL: "https://hooks.slack.com/services/T0001/B0002/" + slackToken,
		EventTypes: []string{"thread.note_created", "timeline.timeline_entry_changed"}, Version: "2026-05-06", Enabled: true})
	e.mock.PutTarget(plain.Target{Description: "paused", URL: "https://paused.example.com/x",
		EventTypes: []string{"thread.chat_sent"}, Version: "2026-05-06", Enabled: false})
}

// exportVars are the values the exported file's variables must be given.
func exportVars() map[string]string {
	return map[string]string{"CRM_SYNC_TOKEN": testToken, "SLACK_RELAY_PATH": slackToken}
}

func TestExportRoundTripPlansNoChanges(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	seedClean(t, e)
	r := runRead(t, e, nil, []string{slackToken}, "export", "--include-disabled")
	wantExit(t, r, 0)
	out := r.out
	if !strings.HasPrefix(out, "# yaml-language-server: $schema=https://") {
		t.Fatalf("no schema line:\n%s", out)
	}
	for _, want := range []string{
		"\nversion: 1\n",
		"\nworkspace: w_01MXCKWRKSPACE000000000000\n",
		"defaults:\n  webhookVersion: \"2026-05-06\"\n",
		`url: "https://crm.example.com/hook?token=${CRM_SYNC_TOKEN}&flag&empty="`,
		`events: ["customer.*", thread.thread_created]`,
		`events: ["*"]`,
		"    webhookVersion: \"2025-08-06\"\n",
		`url: "https://hooks.slack.com/services/T0001/B0002/${SLACK_RELAY_PATH}"`,
		// A one-type namespace stays exact: a glob would not be shorter.
		`events: [thread.note_created, timeline.timeline_entry_changed]`,
		"    enabled: false\n",
		"#   CRM_SYNC_TOKEN    query parameter \"token\" of \"crm-sync\"",
		"#   SLACK_RELAY_PATH  path segment 4 of \"slack relay\"",
		`name: "slack relay"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "id:") {
		t.Errorf("clean descriptions need no pins:\n%s", out)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "exported.yaml")
	if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	// The file is valid, and with the variables set re-planning it changes
	// nothing.
	r = runRead(t, e, exportVars(), []string{slackToken}, "validate", "-f", file)
	wantExit(t, r, 0)
	r = runRead(t, e, exportVars(), []string{slackToken}, "plan", "-f", file, "--detailed-exitcode")
	wantExit(t, r, 0)
	if !strings.Contains(r.out, "No changes.") || !strings.Contains(r.out, "0 unmanaged") {
		t.Fatalf("re-plan:\n%s", r.out)
	}
	// A wrong value is a change: the variables really carry the URL.
	env := exportVars()
	env["CRM_SYNC_TOKEN"] = "another-token-value" // at least 8 characters, as every secret must be
	r = runRead(t, e, env, []string{slackToken}, "plan", "-f", file, "--detailed-exitcode")
	wantExit(t, r, 2)
}

func TestExportLeavesDisabledOutByDefault(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	seedClean(t, e)
	r := runRead(t, e, nil, []string{slackToken}, "export")
	wantExit(t, r, 0)
	paused := ""
	for _, tg := range e.mock.Targets() {
		if tg.Description == "paused" {
			paused = tg.ID
		}
	}
	if strings.Contains(r.out, "name: paused") || !strings.Contains(r.out, `#   "paused" (`+paused+`)`) || strings.Contains(r.out, "enabled: false") {
		t.Fatalf("disabled target not left out with a note:\n%s", r.out)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "exported.yaml")
	os.WriteFile(file, []byte(r.out), 0o600)
	r = runRead(t, e, exportVars(), []string{slackToken}, "plan", "-f", file, "--detailed-exitcode")
	wantExit(t, r, 0)
	if !strings.Contains(r.out, "1 unmanaged") {
		t.Fatalf("the disabled target should be unmanaged:\n%s", r.out)
	}
}

func TestExportPinsUnusableDescriptionsAndTemplatesCredentials(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	a := e.mock.PutTarget(plain.Target{Description: "dup", URL: "https://a.example.com/x", EventTypes: []string{"thread.chat_sent"}, Version: "2026-05-06", Enabled: true})
	b := e.mock.PutTarget(plain.Target{Description: "dup", URL: "https://b.example.com/x", EventTypes: []string{"thread.chat_sent"}, Version: "2026-05-06", Enabled: true})
	blank := e.mock.PutTarget(plain.Target{Description: "", URL: "https://c.example.com/x", EventTypes: []string{"thread.chat_sent"}, Version: "2026-05-06", Enabled: true})
	spaced := e.mock.PutTarget(plain.Target{Description: " ops ", URL: "https://d.example.com/x", EventTypes: []string{"thread.chat_sent"}, Version: "2026-05-06", Enabled: true})
	e.mock.PutTarget(plain.Target{Description: "legacy", URL: "https://bob-the-user:pw-SECRET-77@e.example.com/hook?key=v-SECRET-88", EventTypes: []string{"thread.chat_sent"}, Version: "2026-05-06", Enabled: true})
	secrets := []string{"pw-SECRET-77", "v-SECRET-88", "bob-the-user"}
	credVars := map[string]string{"LEGACY_USER": "bob-the-user", "LEGACY_PASSWORD": "pw-SECRET-77", "LEGACY_KEY": "v-SECRET-88"}

	r := runRead(t, e, nil, secrets, "export")
	wantExit(t, r, 0)
	out := r.out
	for _, want := range []string{
		"2 live targets share the description \"dup\": each is pinned by id.",
		"  - name: dup\n    id: " + a.ID + "\n",
		"  - name: dup-" + b.ID + "\n    id: " + b.ID + "\n",
		"This target shares the description \"dup\" with 1 other target(s).",
		"  - name: unnamed-" + blank.ID + "\n    id: " + blank.ID + "\n",
		"This target has no description.",
		"  - name: ops-" + spaced.ID + "\n    id: " + spaced.ID + "\n",
		"with surrounding whitespace",
		// Basic auth: user info becomes variables like every secret part.
		"  - name: legacy\n",
		`url: "https://${LEGACY_USER}:${LEGACY_PASSWORD}@e.example.com/hook?key=${LEGACY_KEY}"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %q:\n%s", want, out)
		}
	}

	// Re-planning renames exactly the pinned targets whose names differ,
	// and nothing else.
	dir := t.TempDir()
	file := filepath.Join(dir, "exported.yaml")
	os.WriteFile(file, []byte(out), 0o600)
	r = runRead(t, e, credVars, secrets, "plan", "-f", file, "-o", "json")
	wantExit(t, r, 0)
	for _, id := range []string{b.ID, blank.ID, spaced.ID} {
		if !strings.Contains(r.out, `"targetId": "`+id+`"`) {
			t.Errorf("plan lacks %s", id)
		}
	}
	if n := strings.Count(r.out, `"action": "update"`); n != 3 {
		t.Errorf("%d updates, want 3 renames:\n%s", n, r.out)
	}
	if n := strings.Count(r.out, `"field": "description"`); n != 3 {
		t.Errorf("%d description changes, want 3:\n%s", n, r.out)
	}
	if strings.Contains(r.out, `"action": "create"`) || strings.Contains(r.out, `"action": "delete"`) {
		t.Errorf("creates or deletes after export:\n%s", r.out)
	}
}

func TestExportToFile(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	seedClean(t, e)
	file := filepath.Join(t.TempDir(), "plainsync.yaml")
	r := runRead(t, e, nil, []string{slackToken}, "export", "--out", file)
	wantExit(t, r, 0)
	if r.out != "" || !strings.Contains(r.errOut, "Wrote "+file) || !strings.Contains(r.errOut, "CRM_SYNC_TOKEN, SLACK_RELAY_PATH") {
		t.Fatalf("stdout %q stderr %q", r.out, r.errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(data), "# yaml-language-server:") {
		t.Fatalf("file: %v\n%s", err, data)
	}
	if _, problems := spec.Load(file, func(k string) (string, bool) { v, ok := exportVars()[k]; return v, ok }); spec.HasErrors(problems) {
		t.Fatalf("exported file does not load: %v", problems)
	}

	// An existing file is kept without --force.
	os.WriteFile(file, []byte("mine\n"), 0o600)
	r = runRead(t, e, nil, []string{slackToken}, "export", "--out", file)
	wantExit(t, r, 1)
	if !strings.Contains(r.errOut, "already exists") || !strings.Contains(r.errOut, "--force") {
		t.Fatalf("stderr %q", r.errOut)
	}
	if data, _ := os.ReadFile(file); string(data) != "mine\n" {
		t.Fatalf("file overwritten without --force: %q", data)
	}
	r = runRead(t, e, nil, []string{slackToken}, "export", "--out", file, "--force")
	wantExit(t, r, 0)
	if data, _ := os.ReadFile(file); !strings.Contains(string(data), "crm-sync") {
		t.Fatalf("--force did not replace the file: %q", data)
	}
}

func TestExportFlagsAndEmptyWorkspace(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	r := runRead(t, e, nil, nil, "export", "--name-from", "url")
	wantExit(t, r, 1)
	if !strings.Contains(r.errOut, "--name-from") {
		t.Fatalf("stderr %q", r.errOut)
	}
	// An empty workspace exports a valid, empty file pinned to the latest
	// version.
	r = runRead(t, e, nil, nil, "export")
	wantExit(t, r, 0)
	if !strings.Contains(r.out, "webhooks: []\n") || !strings.Contains(r.out, `webhookVersion: "2026-05-06"`) {
		t.Fatalf("empty export:\n%s", r.out)
	}
	// --name-from id pins everything; a custom key variable is recorded.
	e.mock.PutTarget(plain.Target{Description: "x", URL: "https://x.example.com/", EventTypes: []string{"thread.chat_sent"}, Enabled: true})
	r = runRead(t, e, map[string]string{"MY_KEY": testKey}, nil, "export", "--name-from", "id", "--api-key-env", "MY_KEY")
	wantExit(t, r, 0)
	id := e.mock.Targets()[0].ID
	if !strings.Contains(r.out, "  - name: "+id+"\n    id: "+id+"\n") || !strings.Contains(r.out, "apiKeyEnv: MY_KEY\n") {
		t.Fatalf("--name-from id:\n%s", r.out)
	}
}

// Live descriptions that only look alike ("crm-sync" and "сrm-sync" with a
// Cyrillic с) cannot both be names in a file: export keeps the first and
// pins and renames the other, saying which characters differ, and the
// exported file loads and plans with exactly that rename.
func TestExportRenamesLookalikeDescriptions(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	e.mock.PutTarget(plain.Target{Description: "crm-sync", URL: "https://a.example.com/x", EventTypes: []string{"thread.chat_sent"}, Version: "2026-05-06", Enabled: true})
	b := e.mock.PutTarget(plain.Target{Description: "\u0441rm-sync", URL: "https://b.example.com/x", EventTypes: []string{"thread.chat_sent"}, Version: "2026-05-06", Enabled: true})
	r := runRead(t, e, nil, nil, "export")
	wantExit(t, r, 0)
	for _, want := range []string{
		"  - name: crm-sync\n",
		"  - name: \"\u0441rm-sync-" + b.ID + "\"\n    id: " + b.ID + "\n",
		"U+0441 (Cyrillic) where the other has U+0063 (Latin)",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("export lacks %q:\n%s", want, r.out)
		}
	}
	file := filepath.Join(t.TempDir(), "exported.yaml")
	if err := os.WriteFile(file, []byte(r.out), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runRead(t, e, nil, nil, "plan", "-f", file, "-o", "json")
	wantExit(t, r, 0)
	if strings.Count(r.out, `"action": "update"`) != 1 || strings.Contains(r.out, `"action": "create"`) || !strings.Contains(r.out, `"targetId": "`+b.ID+`"`) {
		t.Errorf("plan of the export is not exactly the one rename:\n%s", r.out)
	}
}
