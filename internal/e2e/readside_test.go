package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// simulatedMock applies desiredYAML, then restarts plain-mock on the same
// workspace with 20 simulated delivery attempts per target.
func simulatedMock(t *testing.T) (*mock, string) {
	t.Helper()
	m1, dir := appliedMock(t)
	data, err := os.ReadFile(m1.state)
	if err != nil {
		t.Fatal(err)
	}
	var st mockState
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Targets) != 3 {
		t.Fatalf("state after apply has %d targets", len(st.Targets))
	}
	st.Keys = nil // startMock adds the test key
	return startMock(t, &st, "--simulate-deliveries", "20", "--seed", "7"), dir
}

func TestEventsCommand(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := t.TempDir()
	r := m.run(dir, "events")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "Event types (30):", "thread.* (23)", "thread.thread_created", "2026-05-06   latest", "unversioned  deprecated")

	r = m.run(dir, "events", "-o", "json")
	wantCode(t, r, 0)
	var doc struct {
		FormatVersion int               `json:"formatVersion"`
		EventTypes    []json.RawMessage `json:"eventTypes"`
		Versions      []json.RawMessage `json:"versions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.FormatVersion != 1 || len(doc.EventTypes) != 30 || len(doc.Versions) == 0 {
		t.Fatalf("events JSON (%v):\n%s", err, r.stdout)
	}
}

// export → set the variables to the live values → validate and plan the
// exported file: no changes, and no token in the file.
func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	m, _ := appliedMock(t)
	dir := t.TempDir()
	// By default the disabled ops-alerts is left out.
	r := m.run(dir, "export")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "Left out: 1 disabled target(s)", `#   "ops-alerts" (`)
	if strings.Contains(r.stdout, "name: ops-alerts") {
		t.Fatalf("disabled target exported:\n%s", r.stdout)
	}

	r = m.run(dir, "export", "--out", "exported.yaml", "--include-disabled")
	wantCode(t, r, 0)
	wantContains(t, r.stderr, "Wrote exported.yaml: 3 webhook(s)", "CRM_SYNC_TOKEN")
	data, err := os.ReadFile(filepath.Join(dir, "exported.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	file := string(data)
	assertNoSecrets(t, "exported.yaml", file)
	wantContains(t, file, "# yaml-language-server: $schema=", "workspace: w_01E2ETESTWORKSPACE000000",
		`webhookVersion: "2026-05-06"`, "token=${CRM_SYNC_TOKEN}", `"customer.*"`, `events: ["*"]`, "name: ops-alerts", `events: [thread.email_received, thread.email_sent]`, "enabled: false")

	// Without the variable validate passes and names it; plan refuses.
	r = m.run(dir, "validate", "-f", "exported.yaml")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "plan will need ${CRM_SYNC_TOKEN} (not set here: CRM_SYNC_TOKEN)")
	r = m.run(dir, "plan", "-f", "exported.yaml")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "CRM_SYNC_TOKEN is not set")

	env := []string{"CRM_SYNC_TOKEN=" + crmToken}
	r = m.runEnv(dir, env, "validate", "-f", "exported.yaml")
	wantCode(t, r, 0)
	r = m.runEnv(dir, env, "plan", "-f", "exported.yaml", "--detailed-exitcode")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "No changes.", "0 unmanaged")
	wantCode(t, m.runEnv(dir, env, "drift", "-f", "exported.yaml"), 0)

	// A second export refuses to overwrite without --force.
	r = m.run(dir, "export", "--out", "exported.yaml")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "already exists")
	wantCode(t, m.run(dir, "export", "--out", "exported.yaml", "--force"), 0)
}

type e2eDeliveries struct {
	Attempts []struct {
		Target      string    `json:"target"`
		EventType   string    `json:"eventType"`
		Result      string    `json:"result"`
		AttemptedAt time.Time `json:"attemptedAt"`
	} `json:"attempts"`
	Matched int `json:"matched"`
	Health  []struct {
		Name        string   `json:"name"`
		Attempts    int      `json:"attempts"`
		Successful  int      `json:"successful"`
		SuccessRate *float64 `json:"successRate"`
		LastFailure *struct {
			Result string `json:"result"`
		} `json:"lastFailure"`
	} `json:"health"`
}

func deliveries(t *testing.T, m *mock, args ...string) e2eDeliveries {
	t.Helper()
	r := m.run(t.TempDir(), append([]string{"deliveries", "-o", "json"}, args...)...)
	wantCode(t, r, 0)
	var d e2eDeliveries
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	return d
}

func TestDeliveriesOfSimulatedTraffic(t *testing.T) {
	t.Parallel()
	m, _ := simulatedMock(t)

	d := deliveries(t, m, "--limit", "0")
	if len(d.Health) != 3 || d.Matched != 60 || len(d.Attempts) != 60 {
		t.Fatalf("health %d targets, %d attempts (%d matched)", len(d.Health), len(d.Attempts), d.Matched)
	}
	kinds := map[string]int{}
	for i, a := range d.Attempts {
		kinds[a.Result]++
		if i > 0 && a.AttemptedAt.After(d.Attempts[i-1].AttemptedAt) {
			t.Fatalf("not newest first at %d", i)
		}
	}
	for _, k := range []string{"successful_response", "failed_response", "error", "rejected", "schema_validation_failed"} {
		if kinds[k] < 3 {
			t.Errorf("%d %s attempts, want at least one per target", kinds[k], k)
		}
	}
	for _, h := range d.Health {
		if h.Attempts != 20 || h.SuccessRate == nil || *h.SuccessRate != float64(h.Successful)/20 || h.LastFailure == nil {
			t.Errorf("health of %s: %+v", h.Name, h)
		}
	}

	// One target by name, one status, a glob and a window.
	d = deliveries(t, m, "crm-sync", "--status", "failed_response", "--event", "customer.*", "--since", "48h", "--limit", "0")
	cutoff := time.Now().Add(-48*time.Hour - time.Minute)
	for _, a := range d.Attempts {
		if a.Target != "crm-sync" || a.Result != "failed_response" || !strings.HasPrefix(a.EventType, "customer.") || a.AttemptedAt.Before(cutoff) {
			t.Fatalf("filters not applied: %+v", a)
		}
	}
	if len(d.Health) != 1 || d.Health[0].Name != "crm-sync" || d.Health[0].Attempts > 20 {
		t.Fatalf("health: %+v", d.Health)
	}

	r := m.run(t.TempDir(), "deliveries", "--attempts")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "Delivery attempts (newest first; 20 of 60 shown", "Health:", "TARGET", "SUCCESS", "LAST FAILURE", "analytics", "ops-alerts")
}

func TestDriftHealthCheck(t *testing.T) {
	t.Parallel()
	m, dir := simulatedMock(t)
	// Every simulated target has at least four failures in 20 attempts,
	// spread over three days.
	r := m.run(dir, "drift", "--health-window", "96h", "--min-success-rate", "0.99")
	wantCode(t, r, 2)
	wantContains(t, r.stdout, "In sync", "Delivery health (last 96h0m0s", "LOW", "3 target(s) below the minimum success rate.")

	r = m.run(dir, "drift", "--health-window", "96h", "--min-success-rate", "0")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "All targets healthy")

	r = m.run(dir, "drift", "--health-window", "96h", "-o", "json")
	wantCode(t, r, 2)
	var doc struct {
		InSync bool `json:"inSync"`
		Health struct {
			Unhealthy int `json:"unhealthy"`
			Targets   []struct {
				Attempts int `json:"attempts"`
			} `json:"targets"`
		} `json:"health"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if !doc.InSync || doc.Health.Unhealthy != 3 || len(doc.Health.Targets) != 3 || doc.Health.Targets[0].Attempts != 20 {
		t.Fatalf("%+v", doc)
	}

	r = m.run(dir, "drift", "--min-success-rate", "0.5")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "needs --health-window")
}
