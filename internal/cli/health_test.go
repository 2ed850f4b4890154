package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// testYAML's crm-sync and ops after apply, with crm-sync failing 3 of 4
// deliveries in the last day and ops healthy.
func unhealthyEnv(t *testing.T) *remoteEnv {
	t.Helper()
	e := newRemoteEnv(t, testYAML)
	if code, _, errOut := e.run("", false, "apply", "--auto-approve"); code != 0 {
		t.Fatalf("apply: %s", errOut)
	}
	ids := map[string]string{}
	for _, tg := range e.mock.Targets() {
		ids[tg.Description] = tg.ID
		// Created well before any window: --max-silence spares new targets.
		tg.CreatedAt = testNow.Add(-72 * time.Hour)
		e.mock.PutTarget(tg)
	}
	var as []plain.DeliveryAttempt
	for i, r := range []string{plain.ResultSuccessfulResponse, plain.ResultError, plain.ResultFailedResponse, plain.ResultFailedResponse} {
		as = append(as, plain.DeliveryAttempt{WebhookTargetID: ids["crm-sync"], EventType: "thread.thread_created",
			AttemptedAt: testNow.Add(-time.Duration(i+1) * time.Hour), Result: r, HTTPStatusCode: 500,
			ErrorCode: "ETIMEDOUT", Message: "token=" + testToken})
	}
	// Outside the window: does not count.
	as = append(as, plain.DeliveryAttempt{WebhookTargetID: ids["crm-sync"], EventType: "thread.thread_created",
		AttemptedAt: testNow.Add(-48 * time.Hour), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200})
	as = append(as, plain.DeliveryAttempt{WebhookTargetID: ids["ops"], EventType: "customer.customer_created",
		AttemptedAt: testNow.Add(-time.Hour), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200})
	e.mock.AddDeliveryAttempts(as...)
	return e
}

func runDrift(t *testing.T, e *remoteEnv, args ...string) readRun {
	t.Helper()
	full := append([]string{"drift", "-f", e.dir + "/plainsync.yaml"}, args...)
	return runRead(t, e, nil, nil, full...)
}

func TestDriftHealthUnhealthyExitsTwo(t *testing.T) {
	e := unhealthyEnv(t)
	// Without the flags drift ignores deliveries.
	wantExit(t, runDrift(t, e), 0)

	r := runDrift(t, e, "--health-window", "24h")
	wantExit(t, r, 2)
	for _, want := range []string{
		"Delivery health (last 24h0m0s, since 2026-11-19 12:00:00Z; minimum success rate 95.0%):",
		"LOW  crm-sync  4         25.0%",
		"ok   ops       1         100.0%",
		"1 target(s) below the minimum success rate.",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("drift output lacks %q:\n%s", want, r.out)
		}
	}
	// A lower bar passes.
	r = runDrift(t, e, "--health-window", "24h", "--min-success-rate", "0.25")
	wantExit(t, r, 0)
	if !strings.Contains(r.out, "All targets healthy") {
		t.Fatalf("%s", r.out)
	}
	// A window without attempts for crm-sync is healthy.
	wantExit(t, runDrift(t, e, "--health-window", "30m"), 0)
}

func TestDriftHealthJSON(t *testing.T) {
	e := unhealthyEnv(t)
	r := runDrift(t, e, "--health-window", "24h", "-o", "json")
	wantExit(t, r, 2)
	var doc struct {
		FormatVersion int  `json:"formatVersion"`
		InSync        bool `json:"inSync"`
		Health        struct {
			Window         string  `json:"window"`
			MinSuccessRate float64 `json:"minSuccessRate"`
			Unhealthy      int     `json:"unhealthy"`
			Targets        []struct {
				Name        string  `json:"name"`
				Attempts    int     `json:"attempts"`
				SuccessRate float64 `json:"successRate"`
				Healthy     bool    `json:"healthy"`
				LastFailure struct {
					Message string `json:"message"`
				} `json:"lastFailure"`
			} `json:"targets"`
		} `json:"health"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	h := doc.Health
	if doc.FormatVersion != 1 || !doc.InSync || h.Window != "24h0m0s" || h.MinSuccessRate != 0.95 || h.Unhealthy != 1 || len(h.Targets) != 2 {
		t.Fatalf("%+v", doc)
	}
	if c := h.Targets[0]; c.Name != "crm-sync" || c.Attempts != 4 || c.SuccessRate != 0.25 || c.Healthy || c.LastFailure.Message != "token=REDACTED" {
		t.Fatalf("crm-sync: %+v", c)
	}
	// Without the flags the JSON has no health member.
	r = runDrift(t, e, "-o", "json")
	wantExit(t, r, 0)
	if strings.Contains(r.out, `"health"`) {
		t.Fatalf("health without --health-window:\n%s", r.out)
	}
}

func TestDriftHealthFlagValidation(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--min-success-rate", "0.9"}, "needs --health-window"},
		{[]string{"--health-window", "24h", "--min-success-rate", "95"}, "between 0 and 1"},
		{[]string{"--health-window", "-1h"}, "must not be negative"},
	} {
		r := runDrift(t, e, tc.args...)
		wantExit(t, r, 1)
		if !strings.Contains(r.errOut, tc.want) {
			t.Errorf("%v: stderr %q lacks %q", tc.args, r.errOut, tc.want)
		}
	}
}

// Inside Actions the drift output follows the exit code: an unhealthy
// target makes drift exit 2, so the output says "true" too.
func TestDriftHealthSetsTheActionsDriftOutput(t *testing.T) {
	e := unhealthyEnv(t)
	outFile := filepath.Join(t.TempDir(), "output")
	if err := os.WriteFile(outFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f, out, errOut := testFactory(map[string]string{
		"PLAIN_API_KEY": testKey, "PLAIN_API_URL": e.url, "TOKEN": testToken,
		"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": outFile, "RUNNER_TEMP": t.TempDir(),
	})
	f.Now = func() time.Time { return testNow }
	code := Execute(f, []string{"drift", "-f", filepath.Join(e.dir, "plainsync.yaml"), "--health-window", "24h"})
	if code != 2 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	got := readFile(t, outFile)
	if _, ok := takeOutput(&got, "plan-markdown"); !ok {
		t.Fatalf("no plan-markdown output:\n%s", got)
	}
	takeOutput(&got, "plan-json")
	if code, _ := takeOutput(&got, "exitcode"); code != "2" {
		t.Fatalf("exitcode output %q", code)
	}
	if got != outputs("has-changes", "false", "creates", "0", "updates", "0", "deletes", "0", "drift", "true") {
		t.Fatalf("outputs:\n%s", got)
	}
	if strings.Contains(out.String()+got, testKey) || strings.Contains(out.String()+got, testToken) {
		t.Fatal("secret in stdout or outputs")
	}
}
