// Package difftest holds the fixtures the plan's tests share (package
// diff, its plan-file format and the renderers): a small event catalog and
// version list shaped like Plain's, live targets, and desired webhooks
// placed on the lines spec.Load would report. It imports neither diff nor
// anything that does, so diff's own tests can use it too.
package difftest

import (
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// File is the name every fixture's positions are in.
const File = "plainsync.yaml"

// Catalog is a part of Plain's event-type catalog.
var Catalog = []plain.EventType{
	{EventType: "customer.customer_created"},
	{EventType: "customer.customer_deleted"},
	{EventType: "thread.email_received"},
	{EventType: "thread.email_sent"},
	{EventType: "thread.thread_created"},
	{EventType: "thread.thread_status_transitioned"},
	{EventType: "timeline.timeline_entry_changed"},
}

// Versions are webhook versions with one latest and one deprecated.
var Versions = []plain.WebhookVersion{
	{Version: "2026-05-06", IsLatest: true},
	{Version: "2025-08-06"},
	{Version: "2025-07-30"},
	{Version: "2024-09-18", IsDeprecated: true},
}

// Snapshot is workspace w_1 with Catalog, Versions and targets.
func Snapshot(targets ...plain.Target) *plain.Snapshot {
	return &plain.Snapshot{
		Workspace:  plain.Workspace{ID: "w_1", Name: "Acme"},
		Versions:   Versions,
		EventTypes: Catalog,
		Targets:    targets,
	}
}

// Target is an enabled live target on version 2025-08-06.
func Target(id, desc, url string, events ...string) plain.Target {
	return plain.Target{ID: id, Description: desc, URL: url, EventTypes: events, Version: "2025-08-06", Enabled: true}
}

// Pos is a position in File.
func Pos(line, col int) spec.Pos { return spec.Pos{File: File, Line: line, Col: col} }

// Text is v as written at line:col of File.
func Text(v string, line, col int) spec.Text { return spec.Text{Value: v, Raw: v, Pos: Pos(line, col)} }

// Webhook builds a desired webhook; line is its list item's line, and its
// fields sit on the following lines as spec.Load would report them.
func Webhook(line int, name, url string, events ...string) spec.Webhook {
	w := spec.Webhook{
		Name:       Text(name, line, 11),
		URL:        Text(url, line+1, 10),
		Enabled:    true,
		EnabledPos: Pos(line+4, 14),
		Pos:        Pos(line, 5),
	}
	for i, e := range events {
		w.Events = append(w.Events, Text(e, line+2, 14+i*10))
	}
	return w
}

// Desired is File at format version 1 with ws and an empty masker.
func Desired(ws ...spec.Webhook) *spec.Desired {
	return &spec.Desired{File: File, Version: 1, APIKeyEnv: spec.DefaultAPIKeyEnv, Webhooks: ws, Secrets: &secret.Masker{}}
}

// EnvOf is a LookupEnv over m.
func EnvOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}
