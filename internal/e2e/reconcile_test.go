package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

const desiredYAML = `version: 1
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: crm-sync
    url: https://crm.example.com/hooks/plain?token=${CRM_TOKEN}
    events: [thread.thread_created, "customer.*"]
  - name: ops-alerts
    url: https://ops.example.com/plain
    events: ["thread.email_*"]
    enabled: false
  - name: analytics
    url: https://analytics.example.com/in
    events: ["*"]
    webhookVersion: "2025-08-06"
`

func ws() *mockState {
	return &mockState{Workspace: plain.Workspace{ID: "w_01E2ETESTWORKSPACE000000", Name: "E2E"}}
}

// appliedMock starts a mock and applies desiredYAML to it.
func appliedMock(t *testing.T) (*mock, string) {
	t.Helper()
	m := startMock(t, ws())
	dir := workdir(t, desiredYAML)
	r := m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 0)
	return m, dir
}

func TestFreshApplyCreatesAllThenNothingToDo(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := workdir(t, desiredYAML)

	r := m.run(dir, "validate")
	wantCode(t, r, 0)

	p := m.planJSON(dir)
	if p.count("create") != 3 || len(p.Changes) != 3 {
		t.Fatalf("fresh plan: %+v", p.Changes)
	}

	r = m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "crm-sync", "ops-alerts", "analytics", "3 to create")

	live := byDescription(t, m.targets())
	if len(live) != 3 {
		t.Fatalf("live after apply: %+v", live)
	}
	crm := live["crm-sync"]
	if crm.URL != "https://crm.example.com/hooks/plain?token="+crmToken {
		t.Errorf("crm-sync url not interpolated: %s", crm.URL)
	}
	if crm.Version != "2026-05-06" || !crm.Enabled {
		t.Errorf("crm-sync: %+v", crm)
	}
	wantEvents := []string{"customer.customer_changed", "customer.customer_created", "customer.customer_deleted",
		"customer.customer_group_changed", "customer.customer_group_memberships_changed", "customer.customer_updated",
		"thread.thread_created"}
	if strings.Join(crm.EventTypes, ",") != strings.Join(wantEvents, ",") {
		t.Errorf("crm-sync events %v, want %v", crm.EventTypes, wantEvents)
	}
	if ops := live["ops-alerts"]; ops.Enabled || len(ops.EventTypes) != 2 {
		t.Errorf("ops-alerts: %+v", ops)
	}
	if a := live["analytics"]; a.Version != "2025-08-06" || len(a.EventTypes) != 30 {
		t.Errorf("analytics: version %s, %d events", a.Version, len(a.EventTypes))
	}

	// Idempotence: the second plan has nothing to do.
	r = m.run(dir, "plan", "--detailed-exitcode")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "No changes")
	r = m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 0)
	if n := len(m.targets()); n != 3 {
		t.Fatalf("second apply changed the target count to %d", n)
	}
	r = m.run(dir, "drift")
	wantCode(t, r, 0)
}

func TestDriftOfEachFieldIsReportedAndRepaired(t *testing.T) {
	t.Parallel()
	m, dir := appliedMock(t)
	cases := []struct {
		field string
		edit  map[string]any
	}{
		{"url", map[string]any{"url": map[string]any{"value": "https://evil.example.com/x"}}},
		{"description", nil}, // handled below: a renamed target is matched by URL
		{"events", map[string]any{"eventSubscriptions": []any{map[string]any{"eventType": "thread.thread_created"}}}},
		{"version", map[string]any{"version": map[string]any{"value": "2025-07-30"}}},
		{"enabled", map[string]any{"isEnabled": map[string]any{"value": false}}},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			crm := byDescription(t, m.targets())["crm-sync"]
			edit := tc.edit
			if tc.field == "description" {
				edit = map[string]any{"description": map[string]any{"value": "crm-sync-renamed-by-hand"}}
			}
			m.update(crm.ID, edit)

			r := m.run(dir, "drift")
			wantCode(t, r, 2)
			wantContains(t, r.stdout, "crm-sync", tc.field)

			p := m.planJSON(dir)
			ch := p.byName(t, "crm-sync")
			if ch.Action != "update" || ch.TargetID != crm.ID || len(ch.Fields) != 1 || ch.Fields[0].Field != tc.field {
				t.Fatalf("plan for %s drift: %+v", tc.field, ch)
			}
			if p.count("create")+p.count("delete") != 0 {
				t.Fatalf("drift of %s planned creates or deletes: %+v", tc.field, p.Changes)
			}
			if tc.field == "events" && len(ch.Fields[0].Added) != 6 {
				t.Errorf("events drift should re-add 6 customer types: %+v", ch.Fields[0])
			}

			r = m.run(dir, "drift", "-o", "json")
			wantCode(t, r, 2)
			wantContains(t, r.stdout, `"inSync": false`)

			wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
			wantCode(t, m.run(dir, "drift"), 0)
			if got := byDescription(t, m.targets())["crm-sync"]; got.ID != crm.ID {
				t.Fatalf("repair replaced the target: %s → %s", crm.ID, got.ID)
			}
		})
	}
}

func TestRenameIsMatchedByURL(t *testing.T) {
	t.Parallel()
	m, dir := appliedMock(t)
	renamed := strings.Replace(desiredYAML, "name: ops-alerts", "name: ops-alerts-v2", 1)
	if err := os.WriteFile(filepath.Join(dir, "plainsync.yaml"), []byte(renamed), 0o600); err != nil {
		t.Fatal(err)
	}
	p := m.planJSON(dir)
	ch := p.byName(t, "ops-alerts-v2")
	if ch.Action != "update" || ch.MatchedBy != "url" || p.count("create") != 0 || p.count("delete") != 0 {
		t.Fatalf("rename plan: %+v", p.Changes)
	}
	before := byDescription(t, m.targets())["ops-alerts"].ID
	wantCode(t, m.run(dir, "apply", "--auto-approve", "--prune"), 0)
	if got := byDescription(t, m.targets())["ops-alerts-v2"].ID; got != before {
		t.Fatalf("rename created a new target: %s → %s", before, got)
	}
}

func TestIDPin(t *testing.T) {
	t.Parallel()
	st := ws()
	st.Targets = []plain.Target{{ID: "whTarget_01HD4400VTDJQ646V6RY37SR09", Description: "legacy name", URL: "https://old.example.com/x",
		EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}}
	m := startMock(t, st)
	dir := workdir(t, `version: 1
webhooks:
  - name: pinned
    id: whTarget_01HD4400VTDJQ646V6RY37SR09
    url: https://new.example.com/x
    events: [thread.thread_created]
    webhookVersion: "2026-05-06"
`)
	p := m.planJSON(dir)
	ch := p.byName(t, "pinned")
	if ch.Action != "update" || ch.MatchedBy != "id" || len(ch.Fields) != 2 {
		t.Fatalf("pinned plan: %+v", ch)
	}

	missing := workdir(t, `version: 1
webhooks:
  - name: pinned
    id: whTarget_01HD4400VTDJQ646V6RY37SR08
    url: https://new.example.com/x
    events: [thread.thread_created]
    webhookVersion: "2026-05-06"
`)
	r := m.run(missing, "plan")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "plainsync.yaml:4:", "whTarget_01HD4400VTDJQ646V6RY37SR08")
}

func TestAmbiguousDescriptionIsAnError(t *testing.T) {
	t.Parallel()
	st := ws()
	for _, id := range []string{"whTarget_01J00000000000000000000AA1", "whTarget_01J00000000000000000000AA2"} {
		st.Targets = append(st.Targets, plain.Target{ID: id, Description: "crm-sync", URL: "https://crm.example.com/" + id,
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	}
	m := startMock(t, st)
	dir := workdir(t, desiredYAML)
	r := m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "plainsync.yaml:5:", "whTarget_01J00000000000000000000AA1", "whTarget_01J00000000000000000000AA2")
	if n := len(m.targets()); n != 2 {
		t.Fatalf("an ambiguous plan wrote to the workspace: %d targets", n)
	}
}

func TestPruneRespectsIgnoreRules(t *testing.T) {
	t.Parallel()
	m, dir := appliedMock(t)
	st := []plain.Target{
		{Description: "manual-debugging", URL: "https://debug.example.com/a"},
		{Description: "stale-integration", URL: "https://stale.example.com/a"},
		{Description: "tunnel", URL: "https://abc123.ngrok-free.app/hook"},
	}
	for _, x := range st {
		m.gql(`mutation($input: CreateWebhookTargetInput!) { createWebhookTarget(input: $input) { webhookTarget { id } } }`,
			map[string]any{"input": map[string]any{"url": x.URL, "description": x.Description, "isEnabled": true,
				"eventSubscriptions": []any{map[string]any{"eventType": "thread.thread_created"}}}})
	}
	withIgnore := strings.Replace(desiredYAML, "webhooks:\n", `ignore:
  - name: "manual-*"
  - url: "https://*.ngrok-free.app/*"
webhooks:
`, 1)
	if err := os.WriteFile(filepath.Join(dir, "plainsync.yaml"), []byte(withIgnore), 0o600); err != nil {
		t.Fatal(err)
	}
	// Without prune nothing is deleted; the extra targets are unmanaged.
	p := m.planJSON(dir)
	if p.count("delete") != 0 || p.count("unmanaged") != 3 {
		t.Fatalf("plan without prune: %+v", p.Changes)
	}
	p = m.planJSON(dir, "--prune")
	if p.count("delete") != 1 || p.byName(t, "stale-integration").Action != "delete" ||
		!p.byName(t, "manual-debugging").Ignored || !p.byName(t, "tunnel").Ignored {
		t.Fatalf("plan with prune: %+v", p.Changes)
	}
	wantCode(t, m.run(dir, "apply", "--prune", "--auto-approve"), 0)
	live := byDescription(t, m.targets())
	if _, ok := live["stale-integration"]; ok || len(live) != 5 {
		t.Fatalf("after prune: %v", live)
	}
}

func TestEmptyFilePruneIsRefusedWithoutForce(t *testing.T) {
	t.Parallel()
	m, _ := appliedMock(t)
	dir := workdir(t, "version: 1\nworkspace: w_01E2ETESTWORKSPACE000000\nprune: true\nwebhooks: []\n")
	r := m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "--force")
	if n := len(m.targets()); n != 3 {
		t.Fatalf("refused apply deleted targets: %d left", n)
	}
	wantCode(t, m.run(dir, "apply", "--auto-approve", "--force"), 0)
	if n := len(m.targets()); n != 0 {
		t.Fatalf("forced empty prune left %d targets", n)
	}
}

func TestDeletingTooManyIsRefusedWithoutForce(t *testing.T) {
	t.Parallel()
	st := ws()
	var yaml strings.Builder
	yaml.WriteString("version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n")
	for i := 0; i < 10; i++ {
		st.Targets = append(st.Targets, plain.Target{Description: fmt.Sprintf("t%02d", i), URL: fmt.Sprintf("https://h%d.example.com/x", i),
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
		if i < 6 {
			fmt.Fprintf(&yaml, "  - name: t%02d\n    url: https://h%d.example.com/x\n    events: [thread.thread_created]\n", i, i)
		}
	}
	m := startMock(t, st)
	dir := workdir(t, yaml.String())
	r := m.run(dir, "apply", "--prune", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "4 of 10", "--force")
	if n := len(m.targets()); n != 10 {
		t.Fatalf("refused apply deleted targets: %d left", n)
	}
	r = m.run(dir, "apply", "--prune", "--auto-approve", "--max-delete-percent", "40")
	wantCode(t, r, 0)
	if n := len(m.targets()); n != 6 {
		t.Fatalf("after allowed prune: %d targets", n)
	}
}

func TestSavedPlan(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := workdir(t, desiredYAML)
	r := m.run(dir, "plan", "--out", "plan.json")
	wantCode(t, r, 0)
	data, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, string(data), "${CRM_TOKEN}", `"fingerprint"`)

	r = m.run(dir, "apply", "plan.json", "--auto-approve")
	wantCode(t, r, 0)
	live := byDescription(t, m.targets())
	if live["crm-sync"].URL != "https://crm.example.com/hooks/plain?token="+crmToken {
		t.Fatalf("saved plan did not resolve ${CRM_TOKEN}: %s", live["crm-sync"].URL)
	}

	// A plan made before someone changed the workspace is refused.
	r = m.run(dir, "plan", "--out", "plan2.json", "--prune")
	wantCode(t, r, 0)
	m.update(live["analytics"].ID, map[string]any{"isEnabled": map[string]any{"value": false}})
	r = m.run(dir, "apply", "--prune", "plan2.json", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "changed since")

	// Without the variable the saved plan cannot be resolved, and says which.
	r = m.runEnv(dir, []string{"CRM_TOKEN="}, "plan", "--out", "plan3.json")
	wantCode(t, r, 1)
}

func TestWorkspaceGuard(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := workdir(t, "workspace: w_01SOMEOTHERWORKSPACE00000\n"+desiredYAML)
	r := m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "plainsync.yaml:1:", "w_01SOMEOTHERWORKSPACE00000", "w_01E2ETESTWORKSPACE000000")
	if n := len(m.targets()); n != 0 {
		t.Fatalf("guarded apply wrote %d targets", n)
	}
}

func TestMissingPermissionIsRefusedBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	st := ws()
	st.Targets = []plain.Target{{Description: "analytics", URL: "https://analytics.example.com/in",
		EventTypes: []string{"thread.thread_created"}, Version: "2025-08-06", Enabled: true}}
	const limitedKey = "plainApiKey_limitedSECRET7"
	m := startMock(t, st, "--key", limitedKey+"=webhookTarget:read,webhookTarget:create")
	dir := workdir(t, desiredYAML)
	r := m.runEnv(dir, []string{"PLAIN_API_KEY=" + limitedKey}, "apply", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "webhookTarget:edit")
	if strings.Contains(r.all(), limitedKey) {
		t.Fatal("limited key leaked")
	}
	if n := len(m.targets()); n != 1 {
		t.Fatalf("refused apply created targets: %d live", n)
	}
}

func TestApplyWithoutTerminalNeedsAutoApprove(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := workdir(t, desiredYAML)
	r := m.run(dir, "apply")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "--auto-approve")
	if n := len(m.targets()); n != 0 {
		t.Fatalf("unconfirmed apply wrote %d targets", n)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	m, dir := appliedMock(t)
	changed := strings.Replace(desiredYAML, "enabled: false", "enabled: true", 1) + `  - name: brand-new
    url: https://new.example.com/hook
    events: [thread.note_created]
`
	if err := os.WriteFile(filepath.Join(dir, "plainsync.yaml"), []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(m.state)
	if err != nil {
		t.Fatal(err)
	}
	r := m.run(dir, "apply", "--dry-run", "--prune")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "createWebhookTarget", "updateWebhookTarget", "brand-new")
	after, err := os.ReadFile(m.state)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Fatal("--dry-run changed the mock's state file")
	}
}

func TestAppliesConvergeUnderFaults(t *testing.T) {
	t.Parallel()
	// A create whose response is lost is adopted once it appears in live
	// state, and never sent again; what is still unknown after the request
	// timeout is reported as such and left for the next run. With --parallelism 1 the order of requests,
	// and so which of them the seeded mock fails, is the same on every test
	// run: the test cannot flake on scheduling, and the proof string shows
	// the faults did hit. Concurrency has its own tests in apply.
	for _, tc := range []struct {
		faults, apply []string
		proof         string // what the applies' output shows when the faults hit
	}{
		{faults: []string{"--drop-after-commit", "0.3", "--seed", "7"}, proof: "adopted"},
		{faults: []string{"--fail-rate", "0.2", "--seed", "5"}, apply: []string{"--parallelism", "1", "--timeout", "1s"}, proof: "outcome unknown — run plan again"},
	} {
		faults := tc.faults
		t.Run(strings.Join(faults, " "), func(t *testing.T) {
			m := startMock(t, ws(), faults...)
			var yaml strings.Builder
			yaml.WriteString("version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n")
			for i := 0; i < 12; i++ {
				fmt.Fprintf(&yaml, "  - name: hook-%02d\n    url: https://h%d.example.com/x\n    events: [\"thread.*\"]\n", i, i)
			}
			dir := workdir(t, yaml.String())
			converged, outputs := false, ""
			for attempt := 0; attempt < 5 && !converged; attempt++ {
				r := m.run(dir, append([]string{"apply", "--auto-approve"}, tc.apply...)...) // may fail part-way; a re-run must pick up
				outputs += r.stdout
				converged = m.run(dir, "plan", "--detailed-exitcode").code == 0
			}
			if !converged {
				t.Fatal("no convergence after five applies")
			}
			// The faults must have bitten, or this proves nothing.
			if !strings.Contains(outputs, tc.proof) {
				t.Fatalf("no %q in the applies' output:\n%s", tc.proof, outputs)
			}
			// No run may leave its lease behind: a release whose delete
			// the faults fail is retried, and an expired lease is removed
			// by the next apply.
			ts := m.targets()
			if n := leaseCount(ts); n != 0 {
				t.Fatalf("%d apply leases left after convergence: %+v", n, ts)
			}
			live := byDescription(t, ts) // fails on duplicates
			if len(live) != 12 {
				t.Fatalf("%d live targets, want 12: %v", len(live), live)
			}
		})
	}
}

// /dev/null is a character device, not a terminal: a script that runs
// apply with its stdin closed must be refused, not prompted.
func TestApplyWithStdinFromDevNullNeedsAutoApprove(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := workdir(t, desiredYAML)
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	cmd := exec.Command(filepath.Join(binDir, "plainsync"), "apply")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PLAIN_API_KEY=" + apiKey, "PLAIN_API_URL=" + m.url, "CRM_TOKEN=" + crmToken, "NO_COLOR=1"}
	cmd.Stdin = devNull
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v\n%s", err, out)
	}
	wantContains(t, string(out), "--auto-approve")
	if strings.Contains(string(out), "Only 'yes' will be accepted") {
		t.Fatalf("prompted on /dev/null:\n%s", out)
	}
	if n := len(m.targets()); n != 0 {
		t.Fatalf("wrote %d targets", n)
	}
}
