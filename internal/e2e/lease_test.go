package e2e

import (
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

// Against a Plain that refuses the lease target's URL (a service checking
// its targets' hosts), apply goes on under the local lock, says so in one
// line, and leaves no lease.
func TestLeaseRefusedByPlainFallsBackToTheLocalLock(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws(), "--refuse-invalid-hosts")
	dir := workdir(t, desiredYAML)
	r := m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 0)
	if n := strings.Count(r.stderr, "under the local lock only: Plain refused the apply lease target"); n != 1 {
		t.Fatalf("said %d times that it fell back to the local lock, want once:\n%s", n, r.stderr)
	}
	wantContains(t, r.stderr, "url must point at a host that can receive webhooks")
	ts := m.targets()
	if len(byDescription(t, ts)) != 3 || leaseCount(ts) != 0 {
		t.Fatalf("live after apply: %+v", ts)
	}
	// --lock local skips the lease without a word about it.
	m.update(byDescription(t, ts)["analytics"].ID, map[string]any{"isEnabled": map[string]any{"value": false}})
	r = m.run(dir, "apply", "--auto-approve", "--lock", "local")
	wantCode(t, r, 0)
	if strings.Contains(r.stderr, "lease") {
		t.Fatalf("--lock local mentions the lease:\n%s", r.stderr)
	}
}

// lookalikeID is a production target whose description merely looks like
// an expired lease: enabled, at a real receiver, covered by ignore:.
const lookalikeID = "whTarget_01HD4400VTDJQ646V6RY37SR7K"

const lookalikeYAML = `version: 1
defaults:
  webhookVersion: "2026-05-06"
ignore:
  - url: "https://receiver.example.com/*"
webhooks:
  - name: ops-alerts
    url: https://ops.example.com/plain
    events: ["thread.email_*"]
`

// An enabled target described like an expired lease survives every apply
// (with and without changes, --dry-run, --prune) and every plan.
func TestALeaseLookalikeSurvivesEveryApply(t *testing.T) {
	t.Parallel()
	seed := ws()
	seed.Targets = []plain.Target{{ID: lookalikeID, Description: "plainsync-lease v1 holder=old until=2021-01-01T00:00:00.000Z",
		URL: "https://receiver.example.com/plain", EventTypes: []string{"thread.note_created"}, Version: "2026-05-06", Enabled: true}}
	m := startMock(t, seed)
	dir := workdir(t, lookalikeYAML)
	survives := func(args []string, r result) {
		t.Helper()
		if strings.Contains(r.all(), "expired apply lease") {
			t.Errorf("%v treats the lookalike as a lease:\n%s", args, r.all())
		}
		for _, x := range m.targets() {
			if x.ID == lookalikeID {
				if !x.Enabled || x.URL != "https://receiver.example.com/plain" {
					t.Fatalf("%v changed the lookalike: %+v", args, x)
				}
				return
			}
		}
		t.Fatalf("%v deleted the lookalike %s:\n%s", args, lookalikeID, r.all())
	}
	for _, args := range [][]string{
		{"plan"},
		{"apply", "--auto-approve", "--dry-run"},
		{"apply", "--auto-approve"}, // creates ops-alerts, under a lease of its own
		{"apply", "--auto-approve"}, // nothing to do
		{"plan", "--prune"},
		{"apply", "--auto-approve", "--dry-run", "--prune"},
		{"apply", "--auto-approve", "--prune"},
	} {
		r := m.run(dir, args...)
		wantCode(t, r, 0)
		survives(args, r)
	}
	if leaseCount(m.targets()) != 1 || len(m.targets()) != 2 {
		t.Fatalf("live at the end: %+v", m.targets())
	}
}

// A disabled target at the lease URL described as a lease held until 2099
// does not block an apply: it is named once as not honoured and left alone.
func TestAForgedLeaseUntil2099DoesNotBlockAnApply(t *testing.T) {
	t.Parallel()
	const forgedID = "whTarget_01HD4400VTDJQ646V6RY37SR7M"
	seed := ws()
	seed.Targets = []plain.Target{{ID: forgedID, Description: "plainsync-lease v1 holder=forger until=2099-01-01T00:00:00.000Z",
		URL: "https://plainsync.invalid/lease", EventTypes: []string{"thread.note_created"}, Version: "2026-05-06"}}
	m := startMock(t, seed)
	dir := workdir(t, desiredYAML)
	r := m.run(dir, "apply", "--auto-approve", "--lock-timeout", "2s")
	wantCode(t, r, 0)
	if n := strings.Count(r.stderr, "target "+forgedID+" in workspace"); n != 1 {
		t.Fatalf("named the forged lease %d times, want once:\n%s", n, r.stderr)
	}
	wantContains(t, r.stderr, "held until 2099-01-01T00:00:00Z", "not honoured", "Holding the apply lease")
	if strings.Contains(r.stderr, "Waiting for another plainsync run") {
		t.Fatalf("the forged lease made apply wait:\n%s", r.stderr)
	}
	ts := m.targets()
	if len(byDescription(t, ts)) != 4 {
		t.Fatalf("live after apply: %+v", ts)
	}
	// Nor does prune delete it: it stays out of plans, like every lease.
	r = m.run(dir, "apply", "--auto-approve", "--prune")
	wantCode(t, r, 0)
	if strings.Contains(r.stdout, forgedID) {
		t.Fatalf("the plan shows the forged lease:\n%s", r.stdout)
	}
	for _, x := range m.targets() {
		if x.ID == forgedID {
			return
		}
	}
	t.Fatalf("apply deleted the forged lease %s", forgedID)
}
