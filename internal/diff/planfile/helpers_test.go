package planfile

import (
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// Test fixtures (as package diff's): a small catalog and version list shaped like Plain's.

var testCatalog = []plain.EventType{
	{EventType: "customer.customer_created"},
	{EventType: "customer.customer_deleted"},
	{EventType: "thread.email_received"},
	{EventType: "thread.email_sent"},
	{EventType: "thread.thread_created"},
	{EventType: "thread.thread_status_transitioned"},
	{EventType: "timeline.timeline_entry_changed"},
}

var testVersions = []plain.WebhookVersion{
	{Version: "2026-05-06", IsLatest: true},
	{Version: "2025-08-06"},
	{Version: "2025-07-30"},
	{Version: "2024-09-18", IsDeprecated: true},
}

func snapshot(targets ...plain.Target) *plain.Snapshot {
	return &plain.Snapshot{
		Workspace:  plain.Workspace{ID: "w_1", Name: "Acme"},
		Versions:   testVersions,
		EventTypes: testCatalog,
		Targets:    targets,
	}
}

func target(id, desc, url string, events ...string) plain.Target {
	return plain.Target{ID: id, Description: desc, URL: url, EventTypes: events, Version: "2025-08-06", Enabled: true}
}

// pos returns a position on the given line of plainsync.yaml.
func pos(line, col int) spec.Pos { return spec.Pos{File: "plainsync.yaml", Line: line, Col: col} }

func text(v string, line, col int) spec.Text { return spec.Text{Value: v, Raw: v, Pos: pos(line, col)} }

// webhook builds a desired webhook; line is its list item's line, and its
// fields sit on the following lines as spec.Load would report them.
func webhook(line int, name, url string, events ...string) spec.Webhook {
	w := spec.Webhook{
		Name:       text(name, line, 11),
		URL:        text(url, line+1, 10),
		Enabled:    true,
		EnabledPos: pos(line+4, 14),
		Pos:        pos(line, 5),
	}
	for i, e := range events {
		w.Events = append(w.Events, text(e, line+2, 14+i*10))
	}
	return w
}

func desired(ws ...spec.Webhook) *spec.Desired {
	return &spec.Desired{File: "plainsync.yaml", Version: 1, APIKeyEnv: spec.DefaultAPIKeyEnv, Webhooks: ws, Secrets: &secret.Masker{}}
}

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func mustCompute(t *testing.T, d *spec.Desired, live *plain.Snapshot, o diff.Options) *diff.Plan {
	t.Helper()
	p, probs := diff.Compute(d, live, o)
	if spec.HasErrors(probs) || p == nil {
		t.Fatalf("unexpected problems: %v", probs)
	}
	return p
}

// savedFixture is a plan that exercises every string field, with a secret
// in the URL and a literal "${" in a description.
func savedFixture(t *testing.T) *diff.Plan {
	t.Helper()
	w := webhook(5, "crm ${literal}", "https://crm.example/h?token=tok-SECRET-123", "thread.*")
	w.ID = text("whTarget_00000000000000000000000001", 10, 9)
	w.WebhookVersion = text("2024-09-18", 9, 21)
	d := desired(w, webhook(15, "new", "https://new.example/h?k=tok-SECRET-123", "customer.customer_created"))
	d.Secrets.Add("CRM_TOKEN", "tok-SECRET-123")
	live := snapshot(
		target("whTarget_00000000000000000000000001", "crm", "https://crm.example/old", "thread.email_sent", "customer.customer_deleted"),
		target("whTarget_00000000000000000000000002", "stray", "https://s.example/h"),
	)
	p := mustCompute(t, d, live, diff.Options{Prune: true})
	if len(p.Warnings) == 0 {
		t.Fatal("fixture should carry a warning")
	}
	return p
}
