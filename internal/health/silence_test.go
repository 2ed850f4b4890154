package health

import (
	"context"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
)

// MarkSilent flags enabled, subscribed targets without a success in the
// silence window, reading further back than the health window when needed,
// and spares a target created within the silence.
func TestMarkSilent(t *testing.T) {
	mock, c := newMockClient(t)
	ev := []string{"thread.thread_created"}
	mk := func(desc string, enabled bool, events []string) plain.Target {
		return mock.PutTarget(plain.Target{Description: desc, URL: "https://" + desc + ".example.com/", EventTypes: events, Enabled: enabled})
	}
	recent, old, failing, never, disabled, unsubscribed := mk("recent", true, ev), mk("old", true, ev), mk("failing", true, ev),
		mk("never", true, ev), mk("disabled", false, ev), mk("unsubscribed", true, nil)
	young, aged := mk("young", true, ev), mk("aged", true, ev)
	at := func(h float64) time.Time { return testNow.Add(-time.Duration(h * float64(time.Hour))) }
	// young was created 5h ago, within the 6h silence; aged 7h ago. (The
	// others' creation time is unknown, as in a plan built without it.)
	created := map[string]time.Time{young.ID: at(5), aged.ID: at(7)}
	ok := func(id string, ago float64) plain.DeliveryAttempt {
		return plain.DeliveryAttempt{ID: "whAttempt_" + id, WebhookTargetID: id, EventType: ev[0], AttemptedAt: at(ago), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200}
	}
	bad := ok(failing.ID, 0.5)
	bad.Result, bad.HTTPStatusCode = plain.ResultFailedResponse, 500
	mock.AddDeliveryAttempts(ok(recent.ID, 3), ok(old.ID, 8), ok(failing.ID, 9), bad)

	var changes []diff.Change
	for _, tg := range []plain.Target{recent, old, failing, never, disabled, unsubscribed, young, aged} {
		changes = append(changes, diff.Change{Action: diff.ActionNoop, Name: tg.Description, TargetID: tg.ID,
			Before: &diff.TargetState{ID: tg.ID, Description: tg.Description, EventTypes: tg.EventTypes, Enabled: tg.Enabled, CreatedAt: created[tg.ID]}})
	}
	// A 1h health window: silence over 6h must read further back.
	r, err := Check(context.Background(), c, changes, time.Hour, 0.9, testNow, func(s string) string { return s })
	if err != nil {
		t.Fatal(err)
	}
	if err := MarkSilent(context.Background(), c, r, changes, 6*time.Hour, testNow); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, th := range r.Targets {
		got[th.Name] = th.Silent
	}
	want := map[string]bool{"recent": false, "old": true, "failing": true, "never": true, "disabled": false, "unsubscribed": false,
		"young": false, "aged": true}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s silent = %v, want %v", k, got[k], v)
		}
	}
	if r.Silent != 4 || r.MaxSilence != "6h0m0s" || !r.AnyUnhealthy() {
		t.Errorf("report: %d silent, %q", r.Silent, r.MaxSilence)
	}
}
