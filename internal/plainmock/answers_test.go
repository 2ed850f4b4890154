package plainmock

import (
	"encoding/json"
	"fmt"
	"net/http"
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
