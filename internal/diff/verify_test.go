package diff

import (
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

func verifyLive() *plain.Snapshot {
	return &plain.Snapshot{
		Workspace:  plain.Workspace{ID: "w_1"},
		Versions:   []plain.WebhookVersion{{Version: "2026-05-06", IsLatest: true}},
		EventTypes: []plain.EventType{{EventType: "thread.thread_created"}, {EventType: "thread.note_created"}},
		Targets:    []plain.Target{{ID: "wht_1", Description: "a"}, {ID: "wht_2", Description: "b"}},
	}
}

func goodSavedPlan() *Plan {
	m := &secret.Masker{}
	m.Add("TOKEN", "s3cret")
	return &Plan{Secrets: m, Prune: true, LiveCount: 2, Changes: []Change{
		{Action: ActionCreate, Name: "new", After: &TargetState{Description: "new", URL: "https://n.example.com/h?t=s3cret", EventTypes: []string{"thread.note_created"}, Version: "2026-05-06", Enabled: true}},
		{Action: ActionUpdate, Name: "a", TargetID: "wht_1", Fields: []FieldChange{{Field: FieldEnabled, Before: "true", After: "false"}},
			After: &TargetState{ID: "wht_1", Description: "a", URL: "https://a.example.com/h", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06"}},
		{Action: ActionDelete, Name: "b", TargetID: "wht_2"},
	}}
}

func TestVerifySavedAcceptsWhatComputeMakes(t *testing.T) {
	if err := VerifySaved(goodSavedPlan(), verifyLive()); err != nil {
		t.Fatal(err)
	}
}

func TestVerifySavedRejectsEditedPlans(t *testing.T) {
	cases := []struct {
		name string
		edit func(p *Plan)
		want string
	}{
		{"made-up id", func(p *Plan) { p.Changes[2].TargetID = "wht_nope" }, "target wht_nope is not in the workspace"},
		{"id twice", func(p *Plan) { p.Changes[2].TargetID = "wht_1" }, "wht_1 appears in more than one change"},
		{"create with id", func(p *Plan) { p.Changes[0].TargetID = "wht_2" }, "must not name a target id"},
		{"http url", func(p *Plan) { p.Changes[0].After.URL = "http://evil.example.com/?t=s3cret" }, `url "http://evil.example.com/?t=${TOKEN}" must use https`},
		{"unknown event", func(p *Plan) { p.Changes[1].After.EventTypes = []string{"thread.nope"} }, `unknown event type "thread.nope"`},
		{"no events", func(p *Plan) { p.Changes[0].After.EventTypes = nil }, "no event types"},
		{"unknown version", func(p *Plan) { p.Changes[0].After.Version = "1999-01-01" }, `unknown webhook version "1999-01-01"`},
		{"empty update", func(p *Plan) { p.Changes[1].Fields = nil }, "an update with no changed fields"},
		{"no after", func(p *Plan) { p.Changes[1].After = nil }, "no desired state"},
		{"unknown action", func(p *Plan) { p.Changes[2].Action = "explode" }, "unknown action"},
		// The delete guards (--max-delete-percent) read these fields.
		{"live count", func(p *Plan) { p.LiveCount = 1000 }, "the plan counts 1000 live targets but the workspace has 2"},
		{"delete without prune", func(p *Plan) { p.Prune = false }, "a delete in a plan made without prune"},
		{"delete of an ignored target", func(p *Plan) { p.Changes[2].Ignored = true }, "a delete of a target an ignore rule protects"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := goodSavedPlan()
			c.edit(p)
			err := VerifySaved(p, verifyLive())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("error shows the secret: %v", err)
			}
		})
	}
}
