package planfile

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

func scoped(d *spec.Desired, globs ...string) *spec.Desired {
	for _, g := range globs {
		d.Scope = append(d.Scope, text(g, 3, 9))
	}
	d.ScopePos = pos(3, 8)
	return d
}

// A live token that the file does not reference (an unmanaged target, or
// the old token of a rotated URL) must not reach the plan's strings.
func TestPlanNeverCarriesUndeclaredLiveTokens(t *testing.T) {
	const oldToken, manualToken = "OLD-token-77", "MANUAL-token-88"
	live := &plain.Snapshot{
		Workspace:  plain.Workspace{ID: "w_1"},
		Versions:   []plain.WebhookVersion{{Version: "2026-05-06", IsLatest: true}},
		EventTypes: []plain.EventType{{EventType: "thread.thread_created"}},
		Targets: []plain.Target{
			{ID: "whTarget_00000000000000000000000001", Description: "crm", URL: "https://crm.example.com/h?token=" + oldToken, EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
			{ID: "whTarget_00000000000000000000000002", Description: "manual", URL: "https://m.example.com/h?key=" + manualToken, EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
		},
	}
	d := &spec.Desired{File: "f.yaml", Version: 1, Webhooks: []spec.Webhook{{
		Name:    spec.Text{Value: "crm"},
		URL:     spec.Text{Value: "https://crm.example.com/h?token=NEW"},
		Events:  []spec.Text{{Value: "thread.thread_created"}},
		Enabled: true,
	}}}
	for _, prune := range []bool{false, true} {
		p, problems := diff.Compute(d, live, diff.Options{Prune: prune})
		if p == nil {
			t.Fatalf("problems: %v", problems)
		}
		data, err := Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{oldToken, manualToken} {
			if strings.Contains(string(data), tok) {
				t.Errorf("prune=%v: plan carries live token %s:\n%s", prune, tok, data)
			}
		}
		ch := p.Changes[0]
		if ch.Action != diff.ActionUpdate || len(ch.Fields) != 1 || ch.Fields[0].Before != "https://crm.example.com/h?token=REDACTED" {
			t.Errorf("url change: %+v", ch)
		}
	}
}

// A saved scoped plan must still account for every live target, and may
// not reach outside its scope: an edit of either is not the plan the file
// and Plain imply, which Compare refuses.
func TestSavedScopedPlanEditsAreRefused(t *testing.T) {
	const ev = "thread.thread_created"
	live := snapshot(
		target("whTarget_00000000000000000000000001", "support-crm", "https://crm.example/h", ev),
		target("whTarget_00000000000000000000000002", "support-old", "https://old.example/h", ev),
		target("whTarget_00000000000000000000000003", "billing-crm", "https://billing.example/h", ev),
	)
	d := scoped(desired(webhook(5, "support-crm", "https://crm.example/h", ev)), "support-*")
	d.Digest = "sha256:0"
	p := mustCompute(t, d, live, diff.Options{Prune: true})
	saved := func(q *diff.Plan) *diff.Plan {
		data, err := Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Read(data)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if err := Compare(saved(p), p); err != nil {
		t.Fatalf("a fresh scoped plan is refused: %v", err)
	}
	// An added delete of the other team's target.
	edited := *p
	edited.Changes = append(slices.Clone(p.Changes), diff.Change{Action: diff.ActionDelete, Name: "billing-crm", TargetID: "whTarget_00000000000000000000000003", Before: &diff.TargetState{ID: live.Targets[2].ID, Description: live.Targets[2].Description, URL: live.Targets[2].URL, EventTypes: live.Targets[2].EventTypes, Version: live.Targets[2].Version, Enabled: true}})
	edited.OutOfScope = 0
	if err := Compare(saved(&edited), p); err == nil || !strings.Contains(err.Error(), `(delete "billing-crm", whTarget_00000000000000000000000003) is not in the plan`) || !strings.Contains(err.Error(), "outOfScope differs") {
		t.Errorf("err = %v", err)
	}
	// A miscounted scope.
	edited = *p
	edited.OutOfScope = 5
	if err := Compare(saved(&edited), p); err == nil || !strings.Contains(err.Error(), "outOfScope differs") {
		t.Errorf("err = %v", err)
	}
}

// TestRoundTripOfLoadedFile saves a plan computed from the real loader's
// file and reads it back through the real interpolation.
func TestRoundTripOfLoadedFile(t *testing.T) {
	env := envOf(map[string]string{"CRM_WEBHOOK_TOKEN": "tok-SECRET-9"})
	d, probs := spec.Load("../testdata/plainsync.yaml", env)
	if d == nil {
		t.Fatalf("load: %v", probs)
	}
	live := snapshot(
		target("whTarget_00000000000000000000000001", "old-ops", "https://ops.example.com/plain", "thread.email_sent"),
		target("whTarget_00000000000000000000000002", "manual-x", "https://m.example.com/h"),
	)
	d.Webhooks = d.Webhooks[:2]
	p := mustCompute(t, d, live, diff.Options{Prune: true})
	data, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("tok-SECRET-9")) {
		t.Fatal("secret in saved plan")
	}
	back, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(back, p); err != nil {
		t.Fatalf("round trip differs: %v", err)
	}
}
