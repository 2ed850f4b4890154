package diff

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A live target's creation time rides along in the change's Before (for
// the delivery checks) and in a masked copy, but never in the plan's JSON,
// whose shape is a published schema.
func TestBeforeCarriesCreatedAtOutsideJSON(t *testing.T) {
	created := time.Date(2026, 11, 20, 12, 29, 0, 0, time.UTC)
	managed := target("whTarget_01HD4400VTDJQ646V6RY37SR7K", "ops", "https://ops.example/h", "thread.thread_created")
	managed.CreatedAt = created
	other := target("whTarget_01HD4400VTDJQ646V6RY37SR7M", "other", "https://other.example/h", "thread.thread_created")
	other.CreatedAt = created
	p := mustCompute(t, desired(webhook(5, "ops", "https://ops.example/h", "thread.thread_created")), snapshot(managed, other), Options{})
	if len(p.Changes) != 2 {
		t.Fatalf("changes: %+v", briefs(p))
	}
	for _, ch := range p.Changes {
		if ch.Before == nil || !ch.Before.CreatedAt.Equal(created) {
			t.Errorf("%s %s: Before %+v lacks the live createdAt", ch.Action, ch.Name, ch.Before)
		}
	}
	// render.TestMaskedKeepsCreatedAt checks the masked copy.
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "2026-11-20T12:29") || strings.Contains(strings.ToLower(string(b)), "createdat") {
		t.Errorf("the plan's JSON carries createdAt:\n%s", b)
	}
}
