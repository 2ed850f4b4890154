package plainmock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock/deliver"
)

// Tests of the answers plain-mock gives the way Plain gives them, each
// checked against the evidence cited beside the code under test.

func TestWebhookVersionsListOnlyEvidencedVersions(t *testing.T) {
	m := newMock(t, Config{})
	r := mustOK(t, m.gql(`{ webhookVersions(first: 100) { edges { node { version isDeprecated isLatest } } pageInfo { hasNextPage } } }`, nil))
	var got []string
	for _, e := range r.data("webhookVersions.edges").([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		got = append(got, fmt.Sprintf("%v latest=%v deprecated=%v", n["version"], n["isLatest"], n["isDeprecated"]))
	}
	// Plain's versions page (2026-05-06 "(Latest)", 2025-08-06, 2025-07-30,
	// 2024-09-18, the legacy unversioned) and the payload schemas Plain
	// ships (2026-04-21, 2026-02-27); nothing else.
	want := []string{
		"2026-05-06 latest=true deprecated=false",
		"2026-04-21 latest=false deprecated=false",
		"2026-02-27 latest=false deprecated=false",
		"2025-08-06 latest=false deprecated=false",
		"2025-07-30 latest=false deprecated=false",
		"2024-09-18 latest=false deprecated=false",
		"unversioned latest=false deprecated=true",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("webhookVersions:\n got %q\nwant %q", got, want)
	}
	// Every listed version is accepted on create; a date Plain never
	// published is refused.
	for _, v := range versionCatalog {
		in := createInput("https://v.example.com/", "v "+v.Version)
		in["version"] = v.Version
		m.create(in)
	}
	for _, v := range []string{"2025-03-12", "2024-12-04"} {
		in := createInput("https://v.example.com/", "invented")
		in["version"] = v
		r := mustOK(t, m.gql(createDoc, map[string]any{"input": in}))
		if r.data("createWebhookTarget.error.fields") == nil || r.data("createWebhookTarget.webhookTarget") != nil {
			t.Errorf("version %s accepted: %s", v, r.Raw)
		}
	}
}

func TestDeliveriesCarryTheTargetsPinnedVersionForEveryVersion(t *testing.T) {
	m := newMock(t, Config{Delivery: fastDelivery()})
	t.Cleanup(m.srv.Close)
	rv := newHookReceiver(t)
	byPath := map[string]plain.Target{}
	for i, v := range versionCatalog {
		path := fmt.Sprintf("/v%d", i)
		byPath[path] = m.srv.PutTarget(plain.Target{URL: rv.srv.URL + path, Description: "pinned " + v.Version,
			EventTypes: []string{"thread.thread_created"}, Version: v.Version, Enabled: true})
	}
	res := m.emit(DefaultKey, EmitRequest{EventType: "thread.thread_created"})
	if res.Deliveries != len(versionCatalog) || rv.count() != len(versionCatalog) {
		t.Fatalf("emit %+v, receiver got %d", res, rv.count())
	}
	for i := range rv.count() {
		r, body := rv.request(i)
		tg := byPath[r.URL.Path]
		// Plain's webhook docs list Plain-Webhook-Target-Version among the
		// delivery headers: the target's pinned version.
		if got := r.Header.Get("Plain-Webhook-Target-Version"); got != tg.Version {
			t.Errorf("%s: Plain-Webhook-Target-Version %q, want %q", r.URL.Path, got, tg.Version)
		}
		var doc struct {
			WebhookMetadata struct {
				WebhookTargetVersion string `json:"webhookTargetVersion"`
			} `json:"webhookMetadata"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || doc.WebhookMetadata.WebhookTargetVersion != tg.Version {
			t.Errorf("%s: body carries version %q (%v), want %q", r.URL.Path, doc.WebhookMetadata.WebhookTargetVersion, err, tg.Version)
		}
		if deliver.HasSchema(tg.Version) {
			if err := deliver.Validate(tg.Version, body); err != nil {
				t.Errorf("%s: %v", r.URL.Path, err)
			}
		}
		if got := m.attempts(DefaultKey, tg.ID, nil); len(got) != 1 || got[0].Status != "SUCCESSFUL_RESPONSE" {
			t.Errorf("%s (%s): attempts %+v", r.URL.Path, tg.Version, got)
		}
	}
}

func TestMixedPaginationArgumentsAreAValidationError(t *testing.T) {
	m := newMock(t, Config{})
	for i := range 3 {
		m.clock.Advance(time.Second)
		m.srv.PutTarget(plain.Target{URL: "https://x.example.com/", Description: fmt.Sprint(i)})
	}
	target := m.srv.Targets()[0].ID
	r := mustOK(t, m.gql(`{ webhookTargets(first: 2) { pageInfo { endCursor } } }`, nil))
	cursor := r.data("webhookTargets.pageInfo.endCursor").(string)

	// Plain's pagination docs: forward (first, after) and reverse (last,
	// before) arguments must not be mixed, "e.g performing a query with
	// values for first & before will result in a validation error".
	cases := []struct {
		name, field, doc string
		vars             map[string]any
		mentions         string
	}{
		{"first with before", "webhookTargets", `query($c: String) { webhookTargets(first: 2, before: $c) { edges { cursor } } }`, map[string]any{"c": cursor}, "first with before"},
		{"last with after", "webhookTargets", `query($c: String) { webhookTargets(last: 1, after: $c) { edges { cursor } } }`, map[string]any{"c": cursor}, "after with last"},
		{"first with last", "webhookTargets", `{ webhookTargets(first: 1, last: 1) { edges { cursor } } }`, nil, "first with last"},
		{"all four", "webhookTargets", `query($c: String) { webhookTargets(first: 1, after: $c, last: 1, before: $c) { edges { cursor } } }`, map[string]any{"c": cursor}, "first and after with last and before"},
		{"versions", "webhookVersions", `{ webhookVersions(first: 1, last: 1) { edges { cursor } } }`, nil, "first with last"},
		{"attempts", "webhookDeliveryAttempts", `query($id: ID!) { webhookDeliveryAttempts(webhookTargetId: $id, first: 1, last: 1) { edges { cursor } } }`, map[string]any{"id": target}, "first with last"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := m.gql(c.doc, c.vars)
			if r.Status != http.StatusOK || r.firstCode() != "BAD_USER_INPUT" || len(r.errors()) != 1 {
				t.Fatalf("want 200 with one BAD_USER_INPUT error, got %d: %s", r.Status, r.Raw)
			}
			e := r.errors()[0]
			if fmt.Sprint(e["path"]) != "["+c.field+"]" || !strings.Contains(fmt.Sprint(e["message"]), "must not be mixed; got "+c.mentions+".") {
				t.Errorf("error %v", e)
			}
			if r.data("") != nil {
				t.Errorf("data should be null (the field is non-null): %s", r.Raw)
			}
		})
	}
	// Null is no value: last with after: null pages backward.
	r = mustOK(t, m.gql(`query($a: String) { webhookTargets(last: 1, after: $a) { edges { cursor } } }`, map[string]any{"a": nil}))
	if n := len(r.data("webhookTargets.edges").([]any)); n != 1 {
		t.Errorf("last 1 with after null: %d edges", n)
	}
}

const eventBodyDoc = `query($id: ID!) { publicEventRequestBody(publicEventId: $id) }`

func (m *mock) eventBody(key, id string) response {
	m.t.Helper()
	return m.post(key, map[string]any{"query": eventBodyDoc, "variables": map[string]any{"id": id}})
}

func TestPublicEventRequestBodyIsTheDeliveredBodyFor30Days(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	m := newMock(t, Config{StatePath: state, Delivery: fastDelivery(), Keys: map[string][]string{
		DefaultKey: AllPermissions, "writer": {plain.PermCreate, plain.PermEdit, plain.PermDelete},
	}})
	t.Cleanup(m.srv.Close)
	rv := newHookReceiver(t)
	m.srv.PutTarget(plain.Target{URL: rv.srv.URL, Description: "hook", EventTypes: []string{"thread.thread_created"}, Version: "2026-02-27", Enabled: true})
	res := m.emit(DefaultKey, EmitRequest{EventType: "thread.thread_created", Count: 2})
	if rv.count() != 2 {
		t.Fatalf("receiver got %d requests", rv.count())
	}
	delivered := map[string]string{} // event id → body
	for i := range 2 {
		r, body := rv.request(i)
		delivered[r.Header.Get("Plain-Event-Id")] = string(body)
	}
	for _, id := range res.EventIDs {
		got := mustOK(t, m.eventBody(DefaultKey, id))
		if body := got.data("publicEventRequestBody"); body != delivered[id] || body == "" {
			t.Errorf("event %s: body\n got %v\nwant %s", id, body, delivered[id])
		}
	}

	// Unknown or never-delivered events are null, not an error.
	if r := mustOK(t, m.eventBody(DefaultKey, "pEv_01HD450JT0RPBT7RRKS1ZQJYBA")); r.data("publicEventRequestBody") != nil {
		t.Errorf("unknown event: %s", r.Raw)
	}

	// Plain's GraphQL reference: the query requires webhookTarget:read.
	if r := m.eventBody("writer", res.EventIDs[0]); r.Status != http.StatusForbidden || r.firstCode() != "FORBIDDEN" ||
		strings.Contains(string(r.Raw), "thread.thread_created") {
		t.Errorf("without webhookTarget:read: %d %s", r.Status, r.Raw)
	}

	// Kept across restarts (the state file), then dropped after 30 days on
	// the mock's clock, whether the clock moves or the events are aged.
	m2 := newMock(t, Config{StatePath: state})
	if r := mustOK(t, m2.eventBody(DefaultKey, res.EventIDs[0])); r.data("publicEventRequestBody") != delivered[res.EventIDs[0]] {
		t.Errorf("after a restart: %s", r.Raw)
	}
	m2.clock.Advance(PublicEventRetention - time.Millisecond)
	if r := mustOK(t, m2.eventBody(DefaultKey, res.EventIDs[0])); r.data("publicEventRequestBody") == nil {
		t.Errorf("a millisecond before 30 days: %s", r.Raw)
	}
	m2.clock.Advance(time.Millisecond)
	if r := mustOK(t, m2.eventBody(DefaultKey, res.EventIDs[0])); r.data("publicEventRequestBody") != nil {
		t.Errorf("after 30 days: %s", r.Raw)
	}

	if r := m.admin(DefaultKey, AgeAttemptsPath, map[string]string{"by": "719h"}); r.Status != http.StatusOK {
		t.Fatalf("age-attempts: %d %s", r.Status, r.Raw)
	}
	if r := mustOK(t, m.eventBody(DefaultKey, res.EventIDs[1])); r.data("publicEventRequestBody") == nil {
		t.Errorf("aged 719h: %s", r.Raw)
	}
	m.admin(DefaultKey, AgeAttemptsPath, map[string]string{"by": "1h"})
	if r := mustOK(t, m.eventBody(DefaultKey, res.EventIDs[1])); r.data("publicEventRequestBody") != nil {
		t.Errorf("aged 720h: %s", r.Raw)
	}
	// The expired bodies leave the state file with the next change.
	m.create(createInput("https://x.example.com/", "change"))
	if raw, _ := os.ReadFile(state); strings.Contains(string(raw), `"publicEvents"`) || !strings.Contains(string(raw), res.EventIDs[1]) {
		t.Errorf("expired bodies still in the state file:\n%s", raw)
	}
}

func TestPublicEventRequestBodyFollowsRetriesAndStaysInItsWorkspace(t *testing.T) {
	m := twoWorkspaces(t, Config{Delivery: fastDelivery()})
	t.Cleanup(m.srv.Close)
	rv := newHookReceiver(t, 500, 200)
	m.srv.PutTargetIn("", plain.Target{URL: rv.srv.URL, Description: "flaky", EventTypes: []string{"customer.customer_created"}, Version: "2026-04-21", Enabled: true})
	res := m.emit("a", EmitRequest{EventType: "customer.customer_created"})
	waitDeliveries(t, m.srv)
	if rv.count() != 2 {
		t.Fatalf("receiver got %d requests, want a failure and a retry", rv.count())
	}
	_, first := rv.request(0)
	_, retry := rv.request(1)
	got := mustOK(t, m.eventBody("a", res.EventIDs[0])).data("publicEventRequestBody")
	if got != string(retry) || got == string(first) {
		t.Errorf("body after a retry:\n got %v\nwant the retry's %s", got, retry)
	}
	if r := mustOK(t, m.eventBody("b", res.EventIDs[0])); r.data("publicEventRequestBody") != nil {
		t.Errorf("another workspace's key sees the body: %s", r.Raw)
	}
}
