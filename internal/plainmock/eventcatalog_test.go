package plainmock

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/eventtypes"
	"github.com/plainsync/plainsync/internal/plainschema"
)

// TestEventCatalogIsGenerated proves eventcatalog.go is what "go generate"
// makes from Plain's payload schema (the repository's copy in
// internal/plainschema) and event-descriptions.tsv: a newer schema, a new
// description or a hand edit fails here until the file is regenerated.
func TestEventCatalogIsGenerated(t *testing.T) {
	version, types, err := eventtypes.Extract(plainschema.PayloadLatest)
	if err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile("event-descriptions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	desc, err := eventtypes.ParseDescriptions("event-descriptions.tsv", table)
	if err != nil {
		t.Fatal(err)
	}
	want, err := eventtypes.RenderCatalog(version, types, desc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("eventcatalog.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("eventcatalog.go is stale: run go generate ./internal/plainmock")
	}
	// The catalog the mock serves is the schema's event types, each once,
	// in order, and the same set validate's offline snapshot knows.
	if len(eventCatalog) != len(types) {
		t.Fatalf("eventCatalog has %d types, the schema %d", len(eventCatalog), len(types))
	}
	for i, e := range eventCatalog {
		if e.EventType != types[i] || e.Description == "" {
			t.Errorf("eventCatalog[%d] = %+v, want %s with a description", i, e, types[i])
		}
	}
	if snap := eventtypes.Snapshot(); strings.Join(snap, ",") != strings.Join(types, ",") {
		t.Errorf("eventtypes snapshot %v differs from the schema's %v", snap, types)
	}
}

// TestRenderCatalogRefusesDisagreement: the descriptions table and the
// schema must name the same event types.
func TestRenderCatalogRefusesDisagreement(t *testing.T) {
	types := []string{"thread.thread_created", "thread.chat_sent"}
	if _, err := eventtypes.RenderCatalog("2026-04-21", types, map[string]string{"thread.thread_created": "A thread was created."}); err == nil || !strings.Contains(err.Error(), "thread.chat_sent") {
		t.Errorf("missing description: err = %v", err)
	}
	desc := map[string]string{"thread.thread_created": "a", "thread.chat_sent": "b", "thread.made_up": "c"}
	if _, err := eventtypes.RenderCatalog("2026-04-21", types, desc); err == nil || !strings.Contains(err.Error(), "thread.made_up") {
		t.Errorf("unknown type: err = %v", err)
	}
	if _, err := eventtypes.ParseDescriptions("d.tsv", []byte("# c\n\nthread.thread_created no tab\n")); err == nil || !strings.HasPrefix(err.Error(), "d.tsv:3:1: ") {
		t.Errorf("bad line: err = %v", err)
	}
	if _, err := eventtypes.ParseDescriptions("d.tsv", []byte("a.b\tx\na.b\ty\n")); err == nil || !strings.HasPrefix(err.Error(), "d.tsv:2:1: ") {
		t.Errorf("duplicate: err = %v", err)
	}
}
