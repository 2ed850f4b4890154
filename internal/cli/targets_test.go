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
