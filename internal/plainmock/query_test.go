package plainmock

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// snapshotDoc has the shape of plainsync's Snapshot request: five root
// fields, fragments, a shared variable.
const snapshotDoc = `query Snapshot($first: Int!) {
  myWorkspace { id name }
  myPermissions { permissions }
  webhookVersions(first: $first) { ...VersionPage }
  subscriptionEventTypes { eventType description }
  webhookTargets(first: $first) { ...TargetPage }
}
fragment VersionPage on WebhookVersionConnection {
  edges { node { version isDeprecated isLatest } }
  pageInfo { hasNextPage endCursor }
}
fragment TargetPage on WebhookTargetConnection {
  edges { node { ...TargetFields } }
  pageInfo { hasNextPage endCursor }
}
fragment TargetFields on WebhookTarget {
  id url description eventSubscriptions { eventType } version isEnabled
  createdAt { iso8601 } updatedAt { iso8601 }
}`

func TestSnapshotQueryAnswersEveryRootFieldInOneRequest(t *testing.T) {
	m := newMock(t, Config{})
	id := m.create(createInput("https://crm.example.com/hook", "crm-sync", "thread.thread_created", "customer.customer_created"))

	r := mustOK(t, m.gql(snapshotDoc, map[string]any{"first": 100}))
	if got := r.data("myWorkspace.id"); got != defaultWorkspace.ID {
		t.Errorf("workspace id = %v", got)
	}
	if got := r.data("myWorkspace.name"); got != "Mock Workspace" {
		t.Errorf("workspace name = %v", got)
	}
	perms := fmt.Sprint(r.data("myPermissions.permissions"))
	for _, p := range AllPermissions {
		if !strings.Contains(perms, p) {
			t.Errorf("permissions %s lack %s", perms, p)
		}
	}
	versions := r.data("webhookVersions.edges").([]any)
	if len(versions) != len(versionCatalog) {
		t.Fatalf("got %d versions, want %d", len(versions), len(versionCatalog))
	}
	first := versions[0].(map[string]any)["node"].(map[string]any)
	if first["version"] != "2026-05-06" || first["isLatest"] != true || first["isDeprecated"] != false {
		t.Errorf("first version = %v, want latest 2026-05-06", first)
	}
	last := versions[len(versions)-1].(map[string]any)["node"].(map[string]any)
	if last["version"] != "unversioned" || last["isDeprecated"] != true {
		t.Errorf("last version = %v, want deprecated unversioned", last)
	}
	if events := r.data("subscriptionEventTypes").([]any); len(events) != 30 {
		t.Errorf("got %d event types, want 30", len(events))
	}
	edges := r.data("webhookTargets.edges").([]any)
	if len(edges) != 1 {
		t.Fatalf("got %d targets, want 1", len(edges))
	}
	node := edges[0].(map[string]any)["node"].(map[string]any)
	if node["id"] != id || node["description"] != "crm-sync" || node["version"] != "2026-05-06" {
		t.Errorf("target = %v", node)
	}
	subs := fmt.Sprint(node["eventSubscriptions"])
	if subs != "[map[eventType:customer.customer_created] map[eventType:thread.thread_created]]" {
		t.Errorf("eventSubscriptions = %s", subs)
	}
	// Keys come back in selection order, as GraphQL requires.
	if !strings.HasPrefix(string(r.Raw), `{"data":{"myWorkspace":{"id":`) {
		t.Errorf("response keys out of selection order: %.80s", r.Raw)
	}
}

func TestAliasesInlineFragmentsAndTypenameOnUnions(t *testing.T) {
	m := newMock(t, Config{})
	id := m.create(createInput("https://a.example.com/", "a", "thread.thread_created"))
	r := mustOK(t, m.gql(`query Q($id: ID!) {
  __typename
  mine: webhookTarget(webhookTargetId: $id) {
    __typename
    key: id
    ... on WebhookTarget { url }
    createdBy { __typename ... on MachineUserActor { machineUserId } ... on UserActor { userId } }
  }
  missing: webhookTarget(webhookTargetId: "whTarget_01HD4400VTDJQ646V6RY37SR12") { id }
}`, map[string]any{"id": id}))
	if r.data("__typename") != "Query" {
		t.Errorf("__typename = %v", r.data("__typename"))
	}
	if r.data("mine.key") != id || r.data("mine.url") != "https://a.example.com/" || r.data("mine.__typename") != "WebhookTarget" {
		t.Errorf("aliased target = %v", r.data("mine"))
	}
	if r.data("mine.createdBy.__typename") != "MachineUserActor" || r.data("mine.createdBy.machineUserId") == nil {
		t.Errorf("createdBy = %v", r.data("mine.createdBy"))
	}
	if _, has := r.data("mine.createdBy").(map[string]any)["userId"]; has {
		t.Error("fragment on UserActor applied to a MachineUserActor")
	}
	data := r.data("").(map[string]any)
	if v, ok := data["missing"]; !ok || v != nil {
		t.Errorf("unknown id: want null, got %v (present %v)", v, ok)
	}
}

func TestSkipAndIncludeDirectives(t *testing.T) {
	m := newMock(t, Config{})
	r := mustOK(t, m.gql(`query Q($no: Boolean!) {
  myWorkspace { id name @skip(if: true) }
  myPermissions @include(if: $no) { permissions }
}`, map[string]any{"no": false}))
	ws := r.data("myWorkspace").(map[string]any)
	if _, has := ws["name"]; has {
		t.Error("@skip(if: true) field was returned")
	}
	if _, has := r.data("").(map[string]any)["myPermissions"]; has {
		t.Error("@include(if: false) field was returned")
	}
}

func TestPaginationReturnsEveryTargetExactlyOnce(t *testing.T) {
	m := newMock(t, Config{})
	want := map[string]bool{}
	for i := range 250 {
		// Every tenth target shares a creation time with its neighbours so
		// the id tie-break is exercised.
		if i%10 != 0 {
			m.clock.Advance(time.Millisecond)
		}
		tg := m.srv.PutTarget(plain.Target{URL: fmt.Sprintf("https://h%d.example.com/", i), Description: fmt.Sprintf("t%03d", i), Enabled: true})
		want[tg.ID] = true
	}
	const doc = `query L($first: Int, $after: String) {
  webhookTargets(first: $first, after: $after) { edges { cursor node { id description } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } }
}`
	seen := map[string]bool{}
	var order []string
	after := any(nil)
	pages := 0
	for {
		r := mustOK(t, m.gql(doc, map[string]any{"first": 100, "after": after}))
		pages++
		edges := r.data("webhookTargets.edges").([]any)
		for _, e := range edges {
			node := e.(map[string]any)["node"].(map[string]any)
			id := node["id"].(string)
			if seen[id] {
				t.Fatalf("target %s returned twice", id)
			}
			seen[id] = true
			order = append(order, node["description"].(string))
		}
		cursor := r.data("webhookTargets.pageInfo.endCursor")
		if len(edges) > 0 && cursor != edges[len(edges)-1].(map[string]any)["cursor"] {
			t.Errorf("endCursor %v is not the last edge's cursor", cursor)
		}
		if pages > 1 && r.data("webhookTargets.pageInfo.hasPreviousPage") != true {
			t.Errorf("page %d: hasPreviousPage should be true", pages)
		}
		if r.data("webhookTargets.pageInfo.hasNextPage") != true {
			break
		}
		after = cursor
		if pages > 10 {
			t.Fatal("pagination does not terminate")
		}
	}
	if pages != 3 || len(seen) != 250 {
		t.Fatalf("got %d targets in %d pages, want 250 in 3", len(seen), pages)
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("target %s never returned", id)
		}
	}
	for i, d := range order {
		if d != fmt.Sprintf("t%03d", i) {
			t.Fatalf("position %d is %s: not in creation order", i, d)
		}
	}

	// Without first the page is 25.
	r := mustOK(t, m.gql(`{ webhookTargets { edges { node { id } } pageInfo { hasNextPage } } }`, nil))
	if n := len(r.data("webhookTargets.edges").([]any)); n != 25 {
		t.Errorf("default page size = %d, want 25", n)
	}
}

func TestPaginationBackwardsAndAfterDeletedCursor(t *testing.T) {
	m := newMock(t, Config{})
	var ids []string
	for i := range 5 {
		m.clock.Advance(time.Second)
		ids = append(ids, m.srv.PutTarget(plain.Target{URL: "https://x.example.com/", Description: fmt.Sprint(i)}).ID)
	}
	const doc = `query($first: Int, $last: Int, $after: String, $before: String) {
  webhookTargets(first: $first, last: $last, after: $after, before: $before) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
}`
	ids2 := func(r response) []string {
		var out []string
		for _, e := range r.data("webhookTargets.edges").([]any) {
			out = append(out, e.(map[string]any)["node"].(map[string]any)["id"].(string))
		}
		return out
	}
	r := mustOK(t, m.gql(doc, map[string]any{"last": 2}))
	if got := ids2(r); fmt.Sprint(got) != fmt.Sprint(ids[3:]) {
		t.Errorf("last 2 = %v, want %v", got, ids[3:])
	}
	if r.data("webhookTargets.pageInfo.hasPreviousPage") != true {
		t.Error("last 2 of 5: hasPreviousPage should be true")
	}
	before := r.data("webhookTargets.pageInfo.startCursor")
	r = mustOK(t, m.gql(doc, map[string]any{"last": 2, "before": before}))
	if got := ids2(r); fmt.Sprint(got) != fmt.Sprint(ids[1:3]) {
		t.Errorf("last 2 before = %v, want %v", got, ids[1:3])
	}

	// A cursor stays valid after its target is deleted.
	r = mustOK(t, m.gql(doc, map[string]any{"first": 2}))
	cursor := r.data("webhookTargets.pageInfo.endCursor")
	mustOK(t, m.gql(deleteDoc, map[string]any{"id": ids[1]}))
	r = mustOK(t, m.gql(doc, map[string]any{"first": 10, "after": cursor}))
	if got := ids2(r); fmt.Sprint(got) != fmt.Sprint(ids[2:]) {
		t.Errorf("after deleted cursor = %v, want %v", got, ids[2:])
	}
}

func TestPageArgumentLimits(t *testing.T) {
	m := newMock(t, Config{})
	cases := []struct {
		name, doc string
		vars      map[string]any
	}{
		{"first 101 variable", `query($n: Int) { webhookTargets(first: $n) { edges { cursor } } }`, map[string]any{"n": 101}},
		{"first 101 literal", `{ webhookTargets(first: 101) { edges { cursor } } }`, nil},
		{"first -1", `{ webhookTargets(first: -1) { edges { cursor } } }`, nil},
		{"last 101", `{ webhookVersions(last: 101) { edges { cursor } } }`, nil},
		{"bad cursor", `{ webhookTargets(after: "not-a-cursor") { edges { cursor } } }`, nil},
		{"foreign cursor", `{ webhookTargets(after: "` + encodeCursor("wv", "0001") + `") { edges { cursor } } }`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := m.gql(c.doc, c.vars)
			if r.firstCode() != "BAD_USER_INPUT" {
				t.Fatalf("code = %q, want BAD_USER_INPUT: %s", r.firstCode(), r.Raw)
			}
			if r.data("") != nil {
				t.Errorf("data should be null when a non-null root field fails: %s", r.Raw)
			}
			if path := fmt.Sprint(r.errors()[0]["path"]); !strings.Contains(path, "web") {
				t.Errorf("error path = %s", path)
			}
		})
	}
	r := mustOK(t, m.gql(`{ webhookTargets(first: 100) { edges { cursor } } webhookVersions(first: 0) { edges { cursor } pageInfo { hasNextPage } } }`, nil))
	if r.data("webhookVersions.pageInfo.hasNextPage") != true || len(r.data("webhookVersions.edges").([]any)) != 0 {
		t.Errorf("first: 0 = %s", r.Raw)
	}
}

func TestCursorsAreOpaqueBase64(t *testing.T) {
	m := newMock(t, Config{})
	m.create(createInput("https://a.example.com/", "a"))
	r := mustOK(t, m.gql(`{ webhookTargets { edges { cursor } } }`, nil))
	c := r.data("webhookTargets.edges").([]any)[0].(map[string]any)["cursor"].(string)
	if _, err := base64.StdEncoding.DecodeString(c); err != nil {
		t.Errorf("cursor %q is not base64: %v", c, err)
	}
	if strings.Contains(c, "whTarget_") {
		t.Errorf("cursor %q exposes the id", c)
	}
}

func TestParseAndValidationErrors(t *testing.T) {
	m := newMock(t, Config{})
	cases := []struct {
		name, query, code string
		vars              map[string]any
		msg               string
	}{
		{"syntax", `query { myWorkspace { id `, "GRAPHQL_PARSE_FAILED", nil, "Syntax Error"},
		{"unknown field", `{ myWorkspace { id slug } }`, "GRAPHQL_VALIDATION_FAILED", nil, "slug"},
		{"name field on target", `{ webhookTargets { edges { node { name } } } }`, "GRAPHQL_VALIDATION_FAILED", nil, "name"},
		{"missing selection", `{ myWorkspace }`, "GRAPHQL_VALIDATION_FAILED", nil, "myWorkspace"},
		{"union without fragment", `{ webhookDeliveryAttempts(webhookTargetId: "x") { edges { node { result { status } } } } }`, "GRAPHQL_VALIDATION_FAILED", nil, "status"},
		{"unknown fragment", `{ ...Nope }`, "GRAPHQL_VALIDATION_FAILED", nil, "Nope"},
		{"missing variable", `query($n: Int!) { webhookTargets(first: $n) { edges { cursor } } }`, "BAD_USER_INPUT", map[string]any{}, `"$n"`},
		{"wrong variable type", `query($n: Int!) { webhookTargets(first: $n) { edges { cursor } } }`, "BAD_USER_INPUT", map[string]any{"n": "ten"}, `"$n"`},
		{"unknown input field", `mutation($i: CreateWebhookTargetInput!) { createWebhookTarget(input: $i) { error { message } } }`, "BAD_USER_INPUT",
			map[string]any{"i": map[string]any{"url": "https://x", "description": "d", "eventSubscriptions": []any{}, "isEnabled": true, "name": "x"}}, "name"},
		{"bad enum variable", `query($s: WebhookDeliveryAttemptResultStatus) { webhookDeliveryAttempts(webhookTargetId: "x", filters: {resultStatus: $s}) { edges { cursor } } }`,
			"BAD_USER_INPUT", map[string]any{"s": "SUCCESS"}, "SUCCESS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := m.gql(c.query, c.vars)
			if r.Status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", r.Status)
			}
			if r.firstCode() != c.code {
				t.Errorf("code = %q, want %q: %s", r.firstCode(), c.code, r.Raw)
			}
			if msg, _ := r.errors()[0]["message"].(string); !strings.Contains(msg, c.msg) {
				t.Errorf("message %q lacks %q", msg, c.msg)
			}
			if _, has := r.Body["data"]; has {
				t.Errorf("a request that did not run must not carry data: %s", r.Raw)
			}
		})
	}
}

func TestOperationSelection(t *testing.T) {
	m := newMock(t, Config{})
	doc := `query A { myWorkspace { id } } query B { myPermissions { permissions } }`
	r := m.post(DefaultKey, map[string]any{"query": doc})
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Raw), "operation name") {
		t.Errorf("two operations without a name: %d %s", r.Status, r.Raw)
	}
	r = mustOK(t, m.post(DefaultKey, map[string]any{"query": doc, "operationName": "B"}))
	if r.data("myPermissions") == nil || r.data("myWorkspace") != nil {
		t.Errorf("operation B: %s", r.Raw)
	}
	r = m.post(DefaultKey, map[string]any{"query": doc, "operationName": "C"})
	if r.Status != http.StatusBadRequest {
		t.Errorf("unknown operation: %d %s", r.Status, r.Raw)
	}
	r = m.postRaw(DefaultKey, []byte(`{"query":`))
	if r.Status != http.StatusBadRequest {
		t.Errorf("truncated JSON: %d %s", r.Status, r.Raw)
	}
}

func TestIntrospectionIsReportedAsUnsupported(t *testing.T) {
	m := newMock(t, Config{})
	r := m.gql(`{ __schema { queryType { name } } }`, nil)
	if r.Status != http.StatusBadRequest || len(r.errors()) != 1 || !strings.Contains(string(r.Raw), "plain-mock does not implement Query.__schema") {
		t.Errorf("introspection: %d %s", r.Status, r.Raw)
	}
}

func TestHealthz(t *testing.T) {
	m := newMock(t, Config{})
	resp, err := m.http.Client().Get(m.http.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = fmt.Fprint(&b, resp.Status)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz = %s", resp.Status)
	}
	if m.srv.RequestCount() != 0 {
		t.Errorf("healthz counted as a GraphQL request")
	}
	resp2, err := m.http.Client().Get(m.http.URL + "/other")
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path = %d", resp2.StatusCode)
	}
}
