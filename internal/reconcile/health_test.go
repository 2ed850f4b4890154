package reconcile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

// attemptsClient is a workspace whose delivery attempts are listed, and
// counted, per request.
type attemptsClient struct {
	fakeClient
	attempts map[string][]plain.DeliveryAttempt
	requests int
	err      error
}

func (c *attemptsClient) ListDeliveryAttemptsForTargets(_ context.Context, ids []string, _ api.DeliveryFilter) (map[string][]plain.DeliveryAttempt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	out := map[string][]plain.DeliveryAttempt{}
	for _, id := range ids {
		out[id] = c.attempts[id]
	}
	return out, c.err
}

// plannedWith is a planned file whose one managed target (idCRM) is in
// sync, read through c.
func plannedWith(c *attemptsClient) Planned {
	live := &plain.Snapshot{Targets: []plain.Target{{ID: idCRM, Description: "crm-sync", URL: "https://crm.example.com/hook", Enabled: true, EventTypes: []string{ev}}}}
	return Planned{Client: c, Live: live, Plan: &diff.Plan{File: "a.yaml", Changes: []diff.Change{{Action: diff.ActionNoop, Name: "crm-sync", TargetID: idCRM}}}}
}

// keep is a Redact that changes nothing.
func keep([]plain.Target) func(string) string { return func(s string) string { return s } }

func TestCheckHealth(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	failing := []plain.DeliveryAttempt{{ID: "whAttempt_01HD4400VTDJQ646V6RY37SR7K", WebhookTargetID: idCRM, EventType: ev, AttemptedAt: now.Add(-time.Hour), Result: plain.ResultFailedResponse, HTTPStatusCode: 500}}

	t.Run("off reads nothing", func(t *testing.T) {
		c := &attemptsClient{}
		reports, err := CheckHealth(context.Background(), []Planned{plannedWith(c)}, &HealthOptions{MinRate: 0.95, Now: now})
		if err != nil || len(reports) != 1 || reports[0] != nil || c.requests != 0 {
			t.Fatalf("reports %v, err %v, %d requests; want one nil report and no request", reports, err, c.requests)
		}
	})
	t.Run("a failed file is skipped, the others checked in order", func(t *testing.T) {
		c := &attemptsClient{attempts: map[string][]plain.DeliveryAttempt{idCRM: failing}}
		plans := []Planned{{Err: errors.New("unreachable")}, plannedWith(c)}
		reports, err := CheckHealth(context.Background(), plans, &HealthOptions{Window: 24 * time.Hour, MinRate: 0.95, Now: now, Workspaces: 2, Redact: keep})
		if err != nil {
			t.Fatal(err)
		}
		if reports[0] != nil || reports[1] == nil || !reports[1].AnyUnhealthy() {
			t.Fatalf("reports %+v: want none for the failed file and an unhealthy one for the other", reports)
		}
	})
	t.Run("max-silence alone uses its window and no minimum rate", func(t *testing.T) {
		c := &attemptsClient{attempts: map[string][]plain.DeliveryAttempt{idCRM: failing}}
		reports, err := CheckHealth(context.Background(), []Planned{plannedWith(c)}, &HealthOptions{MinRate: 0.95, MaxSilence: 6 * time.Hour, Now: now, Redact: keep})
		if err != nil {
			t.Fatal(err)
		}
		if r := reports[0]; r == nil || r.Window != "6h0m0s" || r.MinSuccessRate != 0 {
			t.Fatalf("report %+v: want the 6h window and no minimum rate", r)
		}
	})
	t.Run("without a Redact it refuses before reading", func(t *testing.T) {
		c := &attemptsClient{attempts: map[string][]plain.DeliveryAttempt{idCRM: failing}}
		if _, err := CheckHealth(context.Background(), []Planned{plannedWith(c)}, &HealthOptions{Window: time.Hour, Now: now}); err == nil || c.requests != 0 {
			t.Fatalf("err %v after %d requests; want a refusal and no request", err, c.requests)
		}
	})
	t.Run("Plain's messages pass through Redact for the live targets", func(t *testing.T) {
		leaky := append([]plain.DeliveryAttempt(nil), failing...)
		leaky[0].Message = "Could not reach https://crm.example.com/hook"
		c := &attemptsClient{attempts: map[string][]plain.DeliveryAttempt{idCRM: leaky}}
		var seen []plain.Target
		redact := func(ts []plain.Target) func(string) string {
			seen = ts
			return func(s string) string { return strings.ReplaceAll(s, ts[0].URL, "[redacted]") }
		}
		reports, err := CheckHealth(context.Background(), []Planned{plannedWith(c)}, &HealthOptions{Window: 24 * time.Hour, Now: now, Redact: redact})
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || seen[0].ID != idCRM {
			t.Errorf("Redact built from %+v, want the live targets", seen)
		}
		if lf := reports[0].Targets[0].LastFailure; lf == nil || lf.Message != "Could not reach [redacted]" {
			t.Errorf("last failure %+v, want the redacted message", lf)
		}
	})
	t.Run("without Now the window ends at the time of the check", func(t *testing.T) {
		recent := append([]plain.DeliveryAttempt(nil), failing...)
		recent[0].AttemptedAt = time.Now().Add(-time.Hour)
		c := &attemptsClient{attempts: map[string][]plain.DeliveryAttempt{idCRM: recent}}
		reports, err := CheckHealth(context.Background(), []Planned{plannedWith(c)}, &HealthOptions{Window: 24 * time.Hour, MinRate: 0.95, Redact: keep})
		if err != nil {
			t.Fatal(err)
		}
		before := time.Now().Add(-24 * time.Hour)
		if r := reports[0]; r.Since.Before(before.Add(-time.Minute)) || r.Since.After(time.Now().Add(-24*time.Hour)) || !r.AnyUnhealthy() {
			t.Fatalf("report since %v: want the 24h before now (%v) and last hour's failure in it", r.Since, before)
		}
	})
	t.Run("an error is returned", func(t *testing.T) {
		c := &attemptsClient{err: errors.New("rate limited")}
		if _, err := CheckHealth(context.Background(), []Planned{plannedWith(c)}, &HealthOptions{Window: time.Hour, Now: now, Redact: keep}); err == nil || !strings.Contains(err.Error(), "rate limited") {
			t.Fatalf("err %v, want the lister's", err)
		}
	})
}

func TestApplyOptionsCheckFlags(t *testing.T) {
	ok := ApplyOptions{Parallelism: 1, MaxDeletePercent: 30, MaxUpdatePercent: 50, LockMode: LockPlain}
	if err := ok.CheckFlags(); err != nil {
		t.Fatalf("defaults refused: %v", err)
	}
	for _, tc := range []struct {
		edit func(*ApplyOptions)
		want string
	}{
		{func(o *ApplyOptions) { o.Parallelism = 0 }, "--parallelism must be at least 1, got 0"},
		{func(o *ApplyOptions) { o.MaxDeletePercent = -1 }, "--max-delete-percent must be between 0 and 100, got -1"},
		{func(o *ApplyOptions) { o.MaxUpdatePercent = 100.5 }, "--max-update-percent must be between 0 and 100, got 100.5"},
		{func(o *ApplyOptions) { o.LockMode = "lease" }, `--lock must be plain, local or none, got "lease"`},
	} {
		o := ok
		tc.edit(&o)
		if err := o.CheckFlags(); err == nil || err.Error() != tc.want {
			t.Errorf("err %v, want %q", err, tc.want)
		}
	}
}

// A saved plan is private to its owner and holds no secret the run knows.
func TestSavePlan(t *testing.T) {
	m := &secret.Masker{}
	m.Add("CRM_TOKEN", "s3cr3t-token-value")
	p := &diff.Plan{File: "a.yaml", Secrets: m, Changes: []diff.Change{{Action: diff.ActionCreate, Name: "crm-sync",
		After: &diff.TargetState{URL: "https://crm.example.com/hook?token=s3cr3t-token-value", Enabled: true}}}}
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := SavePlan(path, p); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "s3cr3t-token-value") {
		t.Errorf("the saved plan holds the secret:\n%s", data)
	}
	if err := SavePlan(filepath.Join(t.TempDir(), "missing", "plan.json"), p); err == nil || !strings.HasPrefix(err.Error(), "save plan: ") {
		t.Errorf("err %v, want a save plan error", err)
	}
}
