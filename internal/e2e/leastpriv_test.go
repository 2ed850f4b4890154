package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readOnlyKey is the pull-request job's key in the examples: it may read
// webhook targets and nothing else.
const readOnlyKey = "plainApiKey_e2eREADONLYkey7"

// The flow of examples/workflows: the pull-request job plans with a
// read-only key and uploads plan.json; the apply job applies that artifact
// with the write key. The plan is bound to its inputs, not to the key, so
// this works; an edited plan and a stale one are still refused.
func TestSavedPlanMadeWithReadOnlyKeyAppliesWithWriteKey(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws(), "--verbose", "--key", readOnlyKey+"=webhookTarget:read")
	dir := workdir(t, desiredYAML)
	ro := []string{"PLAIN_API_KEY=" + readOnlyKey}
	noReadOnlyKey := func(r result) {
		t.Helper()
		if strings.Contains(r.all(), readOnlyKey) {
			t.Fatal("output shows the read-only key")
		}
	}

	// Plan job: read-only key, --out plan.json.
	r := m.runEnv(dir, ro, "plan", "--out", "plan.json")
	wantCode(t, r, 0)
	noReadOnlyKey(r)
	orig, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{readOnlyKey, apiKey, "signature"} {
		if strings.Contains(string(orig), s) {
			t.Fatalf("the saved plan holds %q:\n%s", s[:9], orig)
		}
	}
	// The key really is read-only: it cannot apply.
	r = m.runEnv(dir, ro, "apply", "--auto-approve", "plan.json")
	wantCode(t, r, 1)
	noReadOnlyKey(r)
	wantContains(t, r.stderr, "webhookTarget:create")
	if n := len(m.targets()); n != 0 {
		t.Fatalf("the read-only key wrote %d targets", n)
	}

	// An edited artifact is refused with the write key, nothing sent.
	var p map[string]any
	if err := json.Unmarshal(orig, &p); err != nil {
		t.Fatal(err)
	}
	for _, c := range p["changes"].([]any) {
		if c := c.(map[string]any); c["name"] == "ops-alerts" {
			c["after"].(map[string]any)["url"] = "https://attacker.example.net/collect"
		}
	}
	edited, _ := json.MarshalIndent(p, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "edited.json"), edited, 0o600); err != nil {
		t.Fatal(err)
	}
	before := m.mutations()
	r = m.run(dir, "apply", "--auto-approve", "edited.json")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, `(create "ops-alerts"): after.url differs`, "nothing was sent")
	if n := m.mutations() - before; n != 0 {
		t.Fatalf("the edited plan sent %d mutations", n)
	}

	// Apply job: the write key applies the read-only key's plan.
	r = m.run(dir, "apply", "--auto-approve", "plan.json")
	wantCode(t, r, 0)
	if n := len(byDescription(t, m.targets())); n != 3 {
		t.Fatalf("%d targets after applying, want 3\n%s", n, r.all())
	}

	// The same artifact again is stale: the workspace moved on.
	before = m.mutations()
	r = m.run(dir, "apply", "--auto-approve", "plan.json")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "live state has changed since it was made", "nothing was sent")
	if n := m.mutations() - before; n != 0 {
		t.Fatalf("the stale plan sent %d mutations", n)
	}
}
