package deliver

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/plainsync/plainsync/internal/plainschema"
)

// TestEverySchemaIsLoaded: every payload schema of the repository's copy
// (internal/plainschema) is served, keyed by the version it carries.
func TestEverySchemaIsLoaded(t *testing.T) {
	if got := SchemaVersions(); !slices.Equal(got, []string{"2026-02-27", "2026-04-21"}) {
		t.Errorf("SchemaVersions() = %v", got)
	}
}

// plainValidator compiles Plain's file straight from the repository's copy
// with a compiler of its own (not through loadSchemas), so the check does
// not depend on the code under test.
func plainValidator(t *testing.T, file string) *jsonschema.Schema {
	t.Helper()
	raw, ok := plainschema.Payloads()[file]
	if !ok {
		t.Fatalf("no payload schema %s in internal/plainschema", file)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	c.AssertFormat = true
	if err := c.AddResource("mem://test/"+file, bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("mem://test/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	idPattern = regexp.MustCompile(`^[a-zA-Z]+_[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$`)
	testTime  = time.Date(2026, 12, 1, 19, 30, 0, 123e6, time.UTC)
)

func testEvent(typ string) Event {
	return Event{ID: "pEv_01KBEVENT00000000000000000", Type: typ, WorkspaceID: "w_01KBWSPACE0000000000000000", Timestamp: testTime}
}

func testMeta(version string) Metadata {
	return Metadata{TargetID: "whTarget_01KBTARGET0000000000000000", Version: version, AttemptID: "whAttempt_01KBATTEMPT000000000000000", AttemptNumber: 1, AttemptAt: testTime.Add(time.Second)}
}

func TestEveryEventTypeValidatesForEveryVersion(t *testing.T) {
	for version, file := range map[string]string{
		"2026-02-27": "webhook-event-schema-2026-02-27.json",
		"2026-04-21": "webhook-event-schema.json",
	} {
		v := plainValidator(t, file)
		types, err := EventTypes(version)
		if err != nil {
			t.Fatal(err)
		}
		wantCount := map[string]int{"2026-02-27": 29, "2026-04-21": 30}[version]
		if len(types) != wantCount {
			t.Errorf("%s: %d event types with payloads, want %d", version, len(types), wantCount)
		}
		for _, typ := range types {
			body, err := Body(testEvent(typ), testMeta(version))
			if err != nil {
				t.Errorf("%s %s: %v", version, typ, err)
				continue
			}
			var doc map[string]any
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			if err := v.Validate(doc); err != nil {
				t.Errorf("%s %s: Plain's schema rejects the body: %v\n%s", version, typ, err, body)
			}
			md := doc["webhookMetadata"].(map[string]any)
			if md["webhookTargetVersion"] != version || doc["type"] != typ || doc["id"] != testEvent(typ).ID ||
				md["webhookDeliveryAttemptTimestamp"] != "2026-12-01T19:30:01.123Z" || doc["timestamp"] != "2026-12-01T19:30:00.123Z" {
				t.Errorf("%s %s: envelope %v", version, typ, doc)
			}
			if doc["payload"].(map[string]any)["eventType"] != typ {
				t.Errorf("%s %s: payload.eventType %v", version, typ, doc["payload"].(map[string]any)["eventType"])
			}
		}
	}
}

func TestThreadCreatedPayloadIsRealistic(t *testing.T) {
	body, err := Body(testEvent("thread.thread_created"), testMeta("2026-02-27"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Payload struct {
			Thread struct {
				ID       string `json:"id"`
				Title    string `json:"title"`
				Status   string `json:"status"`
				Customer struct {
					ID       string `json:"id"`
					FullName string `json:"fullName"`
					Email    struct {
						Email string `json:"email"`
					} `json:"email"`
				} `json:"customer"`
				CreatedBy map[string]any `json:"createdBy"`
			} `json:"thread"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	th := doc.Payload.Thread
	if !strings.HasPrefix(th.ID, "th_") || !idPattern.MatchString(th.ID) {
		t.Errorf("thread id %q", th.ID)
	}
	if !strings.HasPrefix(th.Customer.ID, "c_") || !idPattern.MatchString(th.Customer.ID) {
		t.Errorf("customer id %q", th.Customer.ID)
	}
	if th.Title == "" || th.Status != "TODO" || th.Customer.FullName != "Ada Lovelace" || th.Customer.Email.Email != "ada.lovelace@example.com" {
		t.Errorf("thread %+v", th)
	}
	if at, _ := th.CreatedBy["actorType"].(string); at == "" || strings.HasPrefix(at, "UNKNOWN") {
		t.Errorf("createdBy %v: want a real actor, not Plain's UNKNOWN placeholder", th.CreatedBy)
	}
	if strings.Contains(string(body), `"UNKNOWN`) {
		t.Errorf("body uses an UNKNOWN placeholder: %s", body)
	}
}

func TestSameEventSamePayloadOnEveryAttempt(t *testing.T) {
	payloadOf := func(m Metadata) string {
		body, err := Body(testEvent("customer.customer_updated"), m)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]json.RawMessage
		_ = json.Unmarshal(body, &doc)
		return string(doc["payload"])
	}
	m1 := testMeta("2026-04-21")
	m2 := m1
	m2.AttemptNumber, m2.AttemptID, m2.AttemptAt = 2, "whAttempt_01KBATTEMPT00000000000000B", testTime.Add(time.Minute)
	if a, b := payloadOf(m1), payloadOf(m2); a != b {
		t.Errorf("payload changed between attempts:\n%s\n%s", a, b)
	}
	other := testEvent("customer.customer_updated")
	other.ID = "pEv_01KBEVENT0000000000000000B"
	body, _ := Body(other, m1)
	if strings.Contains(string(body), payloadOf(m1)) {
		t.Error("two events got the same payload ids")
	}
}

func TestEventTypeMissingFromVersion(t *testing.T) {
	_, err := Body(testEvent("thread.thread_tenant_updated"), testMeta("2026-02-27"))
	if !errors.Is(err, ErrNoPayload) {
		t.Fatalf("err = %v, want ErrNoPayload", err)
	}
	if _, err := Body(testEvent("thread.thread_tenant_updated"), testMeta("2026-04-21")); err != nil {
		t.Fatalf("2026-04-21 has the tenant event: %v", err)
	}
}

func TestOverridesMergeAndAreValidated(t *testing.T) {
	ev := testEvent("thread.thread_created")
	ev.Overrides = map[string]any{"thread": map[string]any{"title": "Printer on fire"}}
	body, err := Body(ev, testMeta("2026-02-27"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Payload struct {
			Thread map[string]any `json:"thread"`
		} `json:"payload"`
	}
	_ = json.Unmarshal(body, &doc)
	if doc.Payload.Thread["title"] != "Printer on fire" || doc.Payload.Thread["customer"] == nil {
		t.Errorf("override not merged into the generated thread: %v", doc.Payload.Thread)
	}
	ev.Overrides = map[string]any{"thread": map[string]any{"title": ""}} // minLength 1
	_, err = Body(ev, testMeta("2026-02-27"))
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Version != "2026-02-27" {
		t.Fatalf("err = %v, want a ValidationError for 2026-02-27", err)
	}
}

func TestVersionWithoutSchemaUsesNearestOlder(t *testing.T) {
	for version, shape := range map[string]string{
		"2026-05-06": "2026-04-21", "2026-03-01": "2026-02-27", "2025-08-06": "2026-02-27", "2024-09-18": "2026-02-27",
		// The legacy unversioned predates every dated version.
		"unversioned": "2026-02-27",
	} {
		s, err := schemaFor(version)
		if err != nil || s.version != shape {
			t.Errorf("schemaFor(%s) = %v, %v; want the %s shape", version, s.version, err, shape)
		}
		if HasSchema(version) {
			t.Errorf("HasSchema(%s) = true", version)
		}
	}
	// The body still carries the target's own version.
	body, err := Body(testEvent("thread.thread_created"), testMeta("2026-05-06"))
	if err != nil || !strings.Contains(string(body), `"webhookTargetVersion":"2026-05-06"`) {
		t.Fatalf("err = %v, body %s", err, body)
	}
}
