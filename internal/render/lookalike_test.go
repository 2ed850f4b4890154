package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// lookalikePlan is computed, not hand-made: a file managing "crm-sync"
// against a workspace holding "сrm-sync" (Cyrillic es), unmanaged or
// pruned.
func lookalikePlan(t *testing.T, prune bool) *diff.Plan {
	t.Helper()
	at := func(line, col int) spec.Pos { return spec.Pos{File: "plainsync.yaml", Line: line, Col: col} }
	d := &spec.Desired{File: "plainsync.yaml", Version: 1, APIKeyEnv: spec.DefaultAPIKeyEnv, Secrets: &secret.Masker{}, Prune: prune,
		Webhooks: []spec.Webhook{{
			Name:    spec.Text{Value: "crm-sync", Raw: "crm-sync", Pos: at(5, 11)},
			URL:     spec.Text{Value: "https://crm.example.com/h", Raw: "https://crm.example.com/h", Pos: at(6, 10)},
			Events:  []spec.Text{{Value: "thread.thread_created", Raw: "thread.thread_created", Pos: at(7, 14)}},
			Enabled: true, Pos: at(5, 5),
		}}}
	live := &plain.Snapshot{
		Workspace:  plain.Workspace{ID: "w_01HD4400VTDJQ646V6RY37SR7K", Name: "Acme"},
		Versions:   []plain.WebhookVersion{{Version: "2026-05-06", IsLatest: true}},
		EventTypes: []plain.EventType{{EventType: "thread.thread_created"}},
		Targets: []plain.Target{{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Description: "\u0441rm-sync", URL: "https://attacker.example.net/in",
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}},
	}
	p, probs := diff.Compute(d, live, diff.Options{})
	if p == nil {
		t.Fatal(probs)
	}
	return p
}

// Every plan format shows that the live target only looks like the
// managed name, and says which characters differ.
func TestLookalikeShownInEveryFormat(t *testing.T) {
	const why = "U+0441 (Cyrillic) where the other has U+0063 (Latin)"
	for _, prune := range []bool{false, true} {
		p := lookalikePlan(t, prune)

		var text bytes.Buffer
		if err := Text(&text, p, Options{}); err != nil {
			t.Fatal(err)
		}
		verb := "? unmanaged"
		if prune {
			verb = "- delete"
		}
		for _, want := range []string{verb + ` "сrm-sync" (whTarget_01HD4400VTDJQ646V6RY37SR7K), looks like the managed name "crm-sync" but is different text`, why, "+ create \"crm-sync\""} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("prune=%v: text lacks %q:\n%s", prune, want, text.String())
			}
		}

		var md bytes.Buffer
		if err := Markdown(&md, p); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{lookalikeNote, why} {
			if !strings.Contains(md.String(), want) {
				t.Errorf("prune=%v: markdown lacks %q:\n%s", prune, want, md.String())
			}
		}

		var js bytes.Buffer
		if err := JSON(&js, p); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Changes []struct {
				TargetID    string `json:"targetId"`
				LookalikeOf string `json:"lookalikeOf"`
			} `json:"changes"`
			Warnings []struct{ Message string } `json:"warnings"`
		}
		if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		marked := false
		for _, ch := range doc.Changes {
			marked = marked || (ch.TargetID == "whTarget_01HD4400VTDJQ646V6RY37SR7K" && ch.LookalikeOf == "crm-sync")
		}
		if !marked || len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0].Message, why) {
			t.Errorf("prune=%v: json does not mark the lookalike:\n%s", prune, js.String())
		}
	}
}
