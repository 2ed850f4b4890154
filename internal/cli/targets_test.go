package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

func TestTargetsListAndShow(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	e.run("", false, "apply", "--auto-approve")
	code, out, _ := e.run("", false, "targets")
	if code != 0 || !strings.Contains(out, "crm-sync") || !strings.Contains(out, "token=REDACTED") {
		t.Fatalf("targets: exit %d\n%s", code, out)
	}
	code, out, _ = e.run("", false, "targets", "ops", "-o", "json")
	var doc struct {
		Target plain.Target `json:"target"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc.Target.Description != "ops" || doc.Target.Enabled || len(doc.Target.EventTypes) != 6 {
		t.Fatalf("targets ops: exit %d\n%s", code, out)
	}
	code, _, errOut := e.run("", false, "targets", "nope")
	if code != 1 || !strings.Contains(errOut, `no webhook target has the id or description "nope"`) {
		t.Fatalf("unknown target: exit %d\n%s", code, errOut)
	}
}

// Asking for "crm-sync" where only "сrm-sync" (Cyrillic с) exists finds
// nothing, and the message says the lookalike is different text instead
// of suggesting what looks like the same name.
func TestTargetsLookalikeIsNotTheTarget(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	lk := e.mock.PutTarget(plain.Target{Description: "\u0441rm-sync", URL: "https://b.example.com/x", EventTypes: []string{"thread.chat_sent"}, Version: "2026-05-06", Enabled: true})
	code, out, errOut := e.run("", false, "targets", "crm-sync")
	if code != 1 || out != "" {
		t.Fatalf("exit %d\n%s", code, out)
	}
	want := `no webhook target has the id or description "crm-sync"; ` + lk.ID + ` is described "сrm-sync", which looks like it but is different text (U+0441 (Cyrillic) where the other has U+0063 (Latin)): name it by id`
	if !strings.Contains(errOut, want) || strings.Contains(errOut, "did you mean") {
		t.Fatalf("stderr %q, want %q", errOut, want)
	}
}
