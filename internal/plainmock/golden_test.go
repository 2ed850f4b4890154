package plainmock

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/plain"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// TestClientDocumentsAnsweredAsBefore replays plainsync's documents, frozen
// in testdata/clientdocs.json as they were when the executor was rewritten
// to be schema-driven, and compares every answer (status and body, byte
// for byte) with the answers the old hand-written executor gave. A change
// in how plainsync's own requests are answered must be deliberate
// (go test -run TestClientDocumentsAnsweredAsBefore -update).
func TestClientDocumentsAnsweredAsBefore(t *testing.T) {
	docsPath := "testdata/clientdocs.json"
	goldenPath := "testdata/clientdocs.golden"
	if *update {
		b, _ := json.MarshalIndent(api.Documents(), "", "  ")
		if err := os.WriteFile(docsPath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	var docs map[string]string
	if err := json.Unmarshal(raw, &docs); err != nil {
		t.Fatal(err)
	}

	m := newMock(t, Config{Seed: 7, Keys: map[string][]string{DefaultKey: AllPermissions, "ro": {plain.PermRead}}})
	var out strings.Builder
	step := func(name, key, doc string, vars map[string]any) response {
		t.Helper()
		m.clock.Advance(1500 * time.Millisecond)
		r := m.post(key, map[string]any{"query": doc, "variables": vars})
		fmt.Fprintf(&out, "### %s\n%d\n%s\n", name, r.Status, strings.TrimSpace(string(r.Raw)))
		return r
	}
	in := func(url, desc string, events ...string) map[string]any { return createInput(url, desc, events...) }
	var ids []string
	for i := 0; i < 3; i++ {
		r := step("create", DefaultKey, docs["CreateWebhookTarget"], map[string]any{"input": in(fmt.Sprintf("https://h%d.example.com/p?a=1&b=2", i), fmt.Sprint("t", i), "thread.thread_created", "customer.customer_created")})
		id, _ := r.data("createWebhookTarget.webhookTarget.id").(string)
		ids = append(ids, id)
	}
	step("create with version", DefaultKey, docs["CreateWebhookTarget"], map[string]any{"input": map[string]any{"url": "https://v.example.com/", "description": "v", "eventSubscriptions": []any{}, "isEnabled": false, "version": "2025-08-06"}})
	step("create invalid", DefaultKey, docs["CreateWebhookTarget"], map[string]any{"input": in("ftp://x", " ", "no.such")})
	step("create forbidden", "ro", docs["CreateWebhookTarget"], map[string]any{"input": in("https://x.example.com/", "x")})
	step("snapshot", DefaultKey, docs["Snapshot"], map[string]any{"first": 2})
	step("workspace", DefaultKey, docs["Workspace"], nil)
	step("permissions ro", "ro", docs["Permissions"], nil)
	step("versions", DefaultKey, docs["WebhookVersions"], map[string]any{"first": 3})
	step("versions after", DefaultKey, docs["WebhookVersions"], map[string]any{"first": 3, "after": encodeCursor("wv", "0002")})
	step("event types", DefaultKey, docs["EventTypes"], nil)
	r := step("list page 1", DefaultKey, docs["ListWebhookTargets"], map[string]any{"first": 2})
	step("list page 2", DefaultKey, docs["ListWebhookTargets"], map[string]any{"first": 2, "after": r.data("webhookTargets.pageInfo.endCursor")})
	step("list bad cursor", DefaultKey, docs["ListWebhookTargets"], map[string]any{"first": 2, "after": "nope"})
	step("list too many", DefaultKey, docs["ListWebhookTargets"], map[string]any{"first": 101})
	step("get", DefaultKey, docs["GetWebhookTarget"], map[string]any{"id": ids[0]})
	step("get missing", DefaultKey, docs["GetWebhookTarget"], map[string]any{"id": "whTarget_01HD4400VTDJQ646V6RY37SR10"})
	step("get forbidden", "nokey", docs["GetWebhookTarget"], map[string]any{"id": ids[0]})
	step("update", DefaultKey, docs["UpdateWebhookTarget"], map[string]any{"input": map[string]any{"webhookTargetId": ids[1], "description": map[string]any{"value": "renamed"}, "isEnabled": map[string]any{"value": false}, "eventSubscriptions": []any{map[string]any{"eventType": "thread.note_created"}}}})
	step("update no-op", DefaultKey, docs["UpdateWebhookTarget"], map[string]any{"input": map[string]any{"webhookTargetId": ids[1], "description": map[string]any{"value": "renamed"}}})
	step("update missing", DefaultKey, docs["UpdateWebhookTarget"], map[string]any{"input": map[string]any{"webhookTargetId": "whTarget_01HD4400VTDJQ646V6RY37SR10"}})
	step("update invalid", DefaultKey, docs["UpdateWebhookTarget"], map[string]any{"input": map[string]any{"webhookTargetId": ids[1], "url": map[string]any{"value": "nope"}, "version": map[string]any{"value": "1999"}}})
	m.srv.AddDeliveryAttempts(
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000001", PublicEventID: "pEv_00000000000000000000000001", WebhookTargetID: ids[0], EventType: "thread.thread_created", Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200, DurationInMilliseconds: 12, AttemptedAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000002", PublicEventID: "pEv_00000000000000000000000002", WebhookTargetID: ids[0], EventType: "customer.customer_created", Result: plain.ResultError, ErrorCode: "ETIMEDOUT", Message: "timeout", AttemptedAt: time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC)},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000003", PublicEventID: "pEv_00000000000000000000000003", WebhookTargetID: ids[0], EventType: "thread.thread_created", Result: plain.ResultRejected, Message: "private IP", AttemptedAt: time.Date(2026, 5, 3, 0, 0, 0, 0, time.UTC)},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000004", PublicEventID: "pEv_00000000000000000000000004", WebhookTargetID: ids[0], EventType: "thread.thread_created", Result: plain.ResultSchemaValidationFailed, Message: "bad", AttemptedAt: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000005", PublicEventID: "pEv_00000000000000000000000005", WebhookTargetID: ids[0], EventType: "thread.thread_created", Result: plain.ResultFailedResponse, HTTPStatusCode: 503, AttemptedAt: time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC)},
	)
	r = step("attempts", DefaultKey, docs["ListDeliveryAttempts"], map[string]any{"targetId": ids[0], "first": 3})
	step("attempts page 2", DefaultKey, docs["ListDeliveryAttempts"], map[string]any{"targetId": ids[0], "first": 3, "after": r.data("webhookDeliveryAttempts.pageInfo.endCursor")})
	step("attempts filtered", DefaultKey, docs["ListDeliveryAttempts"], map[string]any{"targetId": ids[0], "first": 10, "filters": map[string]any{"eventTypes": []any{"thread.thread_created"}, "resultStatus": "FAILED_RESPONSE"}})
	step("attempts bad filter", DefaultKey, docs["ListDeliveryAttempts"], map[string]any{"targetId": ids[0], "first": 10, "filters": map[string]any{"resultStatus": "NOPE"}})
	step("delete", DefaultKey, docs["DeleteWebhookTarget"], map[string]any{"input": map[string]any{"webhookTargetId": ids[2]}})
	step("delete again", DefaultKey, docs["DeleteWebhookTarget"], map[string]any{"input": map[string]any{"webhookTargetId": ids[2]}})
	step("delete forbidden", "ro", docs["DeleteWebhookTarget"], map[string]any{"input": map[string]any{"webhookTargetId": ids[0]}})
	step("bad variables", DefaultKey, docs["ListWebhookTargets"], map[string]any{"first": "ten"})
	step("missing variable", DefaultKey, docs["GetWebhookTarget"], nil)
	step("final snapshot", DefaultKey, docs["Snapshot"], map[string]any{"first": 100})

	if *update {
		if err := os.WriteFile(goldenPath, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		gotLines, wantLines := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gotLines) || i < len(wantLines); i++ {
			var g, w string
			if i < len(gotLines) {
				g = gotLines[i]
			}
			if i < len(wantLines) {
				w = wantLines[i]
			}
			if g != w {
				t.Fatalf("answer differs from %s at line %d:\n got: %s\nwant: %s", goldenPath, i+1, g, w)
			}
		}
	}
}
