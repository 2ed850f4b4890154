package plainmock

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/plainsync/plainsync/internal/plain"
)

// sdkTargetDoc is what @team-plain/typescript-sdk 5.12.1 sends for
// getWebhookTargetById: its generated document, fragments and all (the
// actor fragments select union members the mock never produces).
const sdkTargetDoc = `query webhookTarget($id: ID!) {
  webhookTarget(webhookTargetId: $id) {
    ...WebhookTargetParts
  }
}
fragment WebhookTargetParts on WebhookTarget {
  id url isEnabled description
  createdAt { ...DateTimeParts }
  createdBy { ...ActorParts }
  updatedAt { ...DateTimeParts }
  updatedBy { ...ActorParts }
  eventSubscriptions { ...WebhookTargetEventSubscriptionParts }
}
fragment DateTimeParts on DateTime { __typename iso8601 unixTimestamp }
fragment ActorParts on Actor {
  ... on UserActor { ...UserActorParts }
  ... on CustomerActor { ...CustomerActorParts }
  ... on SystemActor { ...SystemActorParts }
  ... on MachineUserActor { ...MachineUserActorParts }
  ... on DeletedCustomerActor { ...DeletedCustomerActorParts }
}
fragment UserActorParts on UserActor { __typename userId }
fragment CustomerActorParts on CustomerActor { __typename customerId }
fragment SystemActorParts on SystemActor { __typename systemId }
fragment MachineUserActorParts on MachineUserActor { __typename machineUserId }
fragment DeletedCustomerActorParts on DeletedCustomerActor { __typename customerId }
fragment WebhookTargetEventSubscriptionParts on WebhookTargetEventSubscription { __typename eventType }`

func TestAnswersTheSDKsTargetDocument(t *testing.T) {
	m := newMock(t, Config{})
	id := m.create(createInput("https://a.example.com/h", "a", "thread.thread_created"))
	r := mustOK(t, m.gql(sdkTargetDoc, map[string]any{"id": id}))
	mu := machineUserID(m.srv.primary)
	want := `{"data":{"webhookTarget":{"id":"` + id + `","url":"https://a.example.com/h","isEnabled":true,"description":"a",` +
		`"createdAt":{"__typename":"DateTime","iso8601":"2026-05-11T10:00:00.000Z","unixTimestamp":"1778493600000"},` +
		`"createdBy":{"__typename":"MachineUserActor","machineUserId":"` + mu + `"},` +
		`"updatedAt":{"__typename":"DateTime","iso8601":"2026-05-11T10:00:00.000Z","unixTimestamp":"1778493600000"},` +
		`"updatedBy":{"__typename":"MachineUserActor","machineUserId":"` + mu + `"},` +
		`"eventSubscriptions":[{"__typename":"WebhookTargetEventSubscription","eventType":"thread.thread_created"}]}}}`
	if got := strings.TrimSpace(string(r.Raw)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !regexp.MustCompile(`^mu_[0-9A-F]{26}$`).MatchString(mu) {
		t.Errorf("machine user id %q", mu)
	}
}

func TestMachineUserAndTypenameEverywhere(t *testing.T) {
	m := newMock(t, Config{})
	m.create(createInput("https://a.example.com/h", "a"))
	r := mustOK(t, m.gql(`query Q($first: Int = 1) {
  __typename
  webhookTargets(first: $first) {
    __typename
    edges { __typename cursor node { __typename
      createdBy { __typename ... on MachineUserActor { machineUser { __typename id fullName type isDeleted deletedAt { iso8601 } createdBy { ... on SystemActor { systemId } } } } } } }
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
  }
  myWorkspace { __typename id domainNames logo { id } createdBy { __typename } }
}`, nil))
	checks := map[string]any{
		"__typename":                              "Query",
		"webhookTargets.__typename":               "WebhookTargetConnection",
		"webhookTargets.pageInfo.__typename":      "PageInfo",
		"webhookTargets.pageInfo.hasPreviousPage": false,
		"myWorkspace.__typename":                  "Workspace",
		"myWorkspace.logo":                        nil,
		"myWorkspace.createdBy.__typename":        "SystemActor",
	}
	for path, want := range checks {
		if got := r.data(path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	node := r.data("webhookTargets.edges").([]any)[0].(map[string]any)
	if node["__typename"] != "WebhookTargetEdge" {
		t.Errorf("edge = %v", node)
	}
	mu := node["node"].(map[string]any)["createdBy"].(map[string]any)["machineUser"].(map[string]any)
	if mu["__typename"] != "MachineUser" || mu["id"] != machineUserID(m.srv.primary) || mu["type"] != "API_USER" ||
		mu["isDeleted"] != false || mu["deletedAt"] != nil || mu["createdBy"].(map[string]any)["systemId"] != "system" {
		t.Errorf("machineUser = %v", mu)
	}
}

func TestVariableDefaultsAndArgumentDefaults(t *testing.T) {
	m := newMock(t, Config{})
	for i := 0; i < 4; i++ {
		m.create(createInput("https://a.example.com/h", "a"))
	}
	r := mustOK(t, m.gql(`query($n: Int = 3) { webhookTargets(first: $n) { edges { cursor } } }`, nil))
	if n := len(r.data("webhookTargets.edges").([]any)); n != 3 {
		t.Errorf("default $n = 3 gave %d edges", n)
	}
	r = mustOK(t, m.gql(`query($n: Int = 3) { webhookTargets(first: $n) { edges { cursor } } }`, map[string]any{"n": 1}))
	if n := len(r.data("webhookTargets.edges").([]any)); n != 1 {
		t.Errorf("$n = 1 gave %d edges", n)
	}
	r = mustOK(t, m.gql(`query($skip: Boolean = true) { myWorkspace { id name @skip(if: $skip) } }`, nil))
	if _, has := r.data("myWorkspace").(map[string]any)["name"]; has {
		t.Errorf("@skip with a defaulted variable: %s", r.Raw)
	}
}

func TestOutsideTheSurfaceIsOneClearError(t *testing.T) {
	m := newMock(t, Config{})
	id := m.create(createInput("https://a.example.com/h", "a"))
	for _, c := range []struct{ doc, field string }{
		{`{ myWorkspace { id } customers(first: 1) { edges { node { id } } } }`, "Query.customers"},
		{`{ myWorkspace { workspaceChatSettings { isEnabled } } }`, "Workspace.workspaceChatSettings"},
		{`query($id: ID!) { webhookTarget(webhookTargetId: $id) { createdBy { ... on MachineUserActor { machineUser { apiKeys { edges { node { id } } } } } } } }`, "MachineUser.apiKeys"},
		{`query A { myWorkspace { id } } query B { tenants { edges { node { id } } } }`, "Query.tenants"},
		{`mutation { deleteWebhookTarget(input: {webhookTargetId: "` + id + `"}) { error { message } } deleteCustomer(input: {customerId: "c_1"}) { error { message } } }`, "Mutation.deleteCustomer"},
	} {
		body := map[string]any{"query": c.doc, "variables": map[string]any{"id": id}}
		if strings.HasPrefix(c.doc, "query A") {
			body["operationName"] = "B"
		}
		r := m.post(DefaultKey, body)
		errs := r.errors()
		if r.Status != http.StatusBadRequest || len(errs) != 1 || r.firstCode() != codeNotImplemented || r.Body["data"] != nil {
			t.Errorf("%s: %d %s", c.field, r.Status, r.Raw)
			continue
		}
		if msg, _ := errs[0]["message"].(string); !strings.HasPrefix(msg, "plain-mock does not implement "+c.field+".") {
			t.Errorf("%s: message %q", c.field, msg)
		}
	}
	// Nothing ran: the mutation that named deleteCustomer deleted nothing.
	if len(m.srv.Targets()) != 1 {
		t.Errorf("a refused mutation ran: %d targets", len(m.srv.Targets()))
	}
	// Several at once are named in one error.
	r := m.gql(`{ customers(first: 1) { edges { cursor } } tenants { edges { cursor } } }`, nil)
	if errs := r.errors(); len(errs) != 1 || !strings.Contains(errs[0]["message"].(string), "Query.customers, Query.tenants") {
		t.Errorf("two fields: %s", r.Raw)
	}
	// Selections on union members the mock never produces are fine.
	r = mustOK(t, m.gql(`query($id: ID!) { webhookTarget(webhookTargetId: $id) { createdBy { ... on UserActor { user { fullName } } ... on MachineUserActor { machineUserId } } } }`, map[string]any{"id": id}))
	if r.data("webhookTarget.createdBy.machineUserId") == nil {
		t.Errorf("union member selection: %s", r.Raw)
	}
	// Skipped fields are not executed, so they are not refused either.
	mustOK(t, m.gql(`{ myWorkspace { id workspaceChatSettings @skip(if: true) { isEnabled } } }`, nil))
	// Invalid documents still fail validation exactly as on Plain.
	if r := m.gql(`{ customers { nope } }`, nil); r.Status != http.StatusBadRequest || r.firstCode() != codeValidationFailed {
		t.Errorf("invalid document: %d %s", r.Status, r.Raw)
	}
}

// TestExecutorOnInterfacesAndNullPropagation runs the generic executor
// with a schema where webhookTarget returns an interface (Plain's schema
// has no interface on the webhook surface) and one where a non-null field
// is null.
func TestExecutorOnInterfacesAndNullPropagation(t *testing.T) {
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "t", Input: `
interface Node { id: ID! }
type WebhookTarget implements Node { id: ID! url: String! }
type Query { webhookTarget(webhookTargetId: ID!): Node  webhookTargets: WebhookTarget! }`})
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := New(Config{})
	tgt := srv.PutTarget(plain.Target{URL: "https://i.example.com/", Description: "i"})
	run := func(q string) (*orderedMap, bool, []gqlErr) {
		doc, perr := parser.ParseQuery(&ast.Source{Input: q})
		if perr != nil {
			t.Fatal(perr)
		}
		oc := &opCtx{s: srv, ws: srv.primary, perms: map[string]bool{plain.PermRead: true}}
		e := &executor{schema: schema, doc: doc, vars: map[string]any{}, oc: oc}
		data, ok := e.executeObject("Query", nil, doc.Operations[0].SelectionSet, nil)
		return data, ok, e.errs
	}
	data, ok, errs := run(`{ webhookTarget(webhookTargetId: "` + tgt.ID + `") { __typename id ... on WebhookTarget { url } ... on Node { again: id } } }`)
	b, _ := json.Marshal(data)
	want := `{"webhookTarget":{"__typename":"WebhookTarget","id":"` + tgt.ID + `","url":"https://i.example.com/","again":"` + tgt.ID + `"}}`
	if !ok || len(errs) != 0 || string(b) != want {
		t.Errorf("interface: ok %v errs %v\n got %s\nwant %s", ok, errs, b, want)
	}
	// webhookTargets is a connection in reality; typed WebhookTarget! here
	// the resolver's object lacks "url" and the field is refused, and a
	// missing target for a non-null type nulls the data.
	_, ok, errs = run(`{ webhookTargets { url } }`)
	if ok || len(errs) != 1 || errs[0].Code != codeNotImplemented {
		t.Errorf("non-null violation: ok %v errs %+v", ok, errs)
	}
}

func TestWorkspaceHmacQueryAndRegenerate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	m := newMock(t, Config{StatePath: path, Keys: map[string][]string{"admin": AllPermissions, "ro": {plain.PermRead}}})
	const q = `{ workspaceHmac { __typename hmacSecret createdAt { iso8601 } updatedAt { iso8601 } createdBy { __typename ... on MachineUserActor { machineUserId } } } }`
	r := mustOK(t, m.post("admin", map[string]any{"query": q}))
	if v, ok := r.data("").(map[string]any)["workspaceHmac"]; !ok || v != nil {
		t.Errorf("no secret yet: want null, got %s", r.Raw)
	}
	const regen = `mutation { regenerateWorkspaceHmac { __typename workspaceHmac { hmacSecret createdAt { iso8601 } updatedAt { iso8601 } } error { __typename message type code } } }`
	if r := mustOK(t, m.post("ro", map[string]any{"query": regen})); r.data("regenerateWorkspaceHmac.error.type") != "FORBIDDEN" ||
		r.data("regenerateWorkspaceHmac.error.code") != "forbidden" || r.data("regenerateWorkspaceHmac.workspaceHmac") != nil {
		t.Errorf("read-only key regenerated: %s", r.Raw)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a forbidden regenerate wrote the state file")
	}
	r = mustOK(t, m.post("admin", map[string]any{"query": regen}))
	first, _ := r.data("regenerateWorkspaceHmac.workspaceHmac.hmacSecret").(string)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(first) || r.data("regenerateWorkspaceHmac.error") != nil ||
		r.data("regenerateWorkspaceHmac.__typename") != "RegenerateWorkspaceHmacOutput" {
		t.Fatalf("regenerate: %s", r.Raw)
	}
	if h, ok := m.srv.WorkspaceHMAC(""); !ok || h.Secret != first {
		t.Errorf("WorkspaceHMAC = %+v after regenerate", h)
	}
	r = mustOK(t, m.post("ro", map[string]any{"query": q}))
	if r.data("workspaceHmac.hmacSecret") != first || r.data("workspaceHmac.createdBy.__typename") != "MachineUserActor" ||
		r.data("workspaceHmac.__typename") != "WorkspaceHmac" {
		t.Errorf("workspaceHmac after regenerate: %s", r.Raw)
	}
	m.clock.Advance(time.Hour)
	r = mustOK(t, m.post("admin", map[string]any{"query": regen}))
	second, _ := r.data("regenerateWorkspaceHmac.workspaceHmac.hmacSecret").(string)
	if second == first || second == "" || r.data("regenerateWorkspaceHmac.workspaceHmac.createdAt.iso8601") != "2026-05-11T10:00:00.000Z" ||
		r.data("regenerateWorkspaceHmac.workspaceHmac.updatedAt.iso8601") != "2026-05-11T11:00:00.000Z" {
		t.Errorf("second regenerate: %s", r.Raw)
	}
	// The new secret is in the state file, so the next run signs with it.
	m2 := newMock(t, Config{StatePath: path})
	if h, _ := m2.srv.WorkspaceHMAC(""); h.Secret != second {
		t.Errorf("secret after restart = %q", h.Secret)
	}
	// And webhookTarget:read is needed to read it.
	nm := newMock(t, Config{Keys: map[string][]string{"none": {}}})
	if r := nm.post("none", map[string]any{"query": q}); r.firstCode() != codeForbidden {
		t.Errorf("workspaceHmac without read: %s", r.Raw)
	}
}

func TestTheTwentySixthCreateIsRefused(t *testing.T) {
	m := twoWorkspaces(t, Config{})
	for i := 0; i < DefaultMaxTargets; i++ {
		if r := m.createAs("a", createInput("https://a.example.com/", "a")); r.data("createWebhookTarget.error") != nil {
			t.Fatalf("create %d: %s", i+1, r.Raw)
		}
	}
	r := m.createAs("a", createInput("https://a.example.com/", "26th"))
	if r.data("createWebhookTarget.webhookTarget") != nil || r.data("createWebhookTarget.error.type") != "VALIDATION" ||
		// Plain's error-codes reference: too_many_webhook_targets.
		r.data("createWebhookTarget.error.code") != "too_many_webhook_targets" ||
		!strings.HasPrefix(r.data("createWebhookTarget.error.message").(string), "The maximum number of webhook targets has been reached") ||
		!strings.Contains(r.data("createWebhookTarget.error.message").(string), "at most 25 webhook targets") ||
		len(r.data("createWebhookTarget.error.fields").([]any)) != 0 {
		t.Errorf("26th create: %s", r.Raw)
	}
	if n := len(m.srv.Targets()); n != 25 {
		t.Errorf("%d targets after the refused create", n)
	}
	// The limit is per workspace.
	if r := m.createAs("b", createInput("https://b.example.com/", "b")); r.data("createWebhookTarget.error") != nil {
		t.Errorf("other workspace refused: %s", r.Raw)
	}
	// Deleting one makes room again.
	mustOK(t, m.post("a", map[string]any{"query": deleteDoc, "variables": map[string]any{"id": m.srv.Targets()[0].ID}}))
	if r := m.createAs("a", createInput("https://a.example.com/", "again")); r.data("createWebhookTarget.error") != nil {
		t.Errorf("create after delete: %s", r.Raw)
	}

	small := newMock(t, Config{MaxTargets: 2})
	small.create(createInput("https://a.example.com/", "1"))
	small.create(createInput("https://a.example.com/", "2"))
	if r := mustOK(t, small.gql(createDoc, map[string]any{"input": createInput("https://a.example.com/", "3")})); !strings.Contains(string(r.Raw), "at most 2 webhook targets") {
		t.Errorf("MaxTargets 2: %s", r.Raw)
	}
	unlimited := newMock(t, Config{MaxTargets: -1})
	for i := 0; i < 30; i++ {
		unlimited.create(createInput("https://a.example.com/", "x"))
	}
}

func TestBasicAuthURLsAreStoredAndReturnedVerbatim(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	m := newMock(t, Config{StatePath: path})
	const u1 = "https://hook-user:s3cr%3At@hooks.example.com/p?x=1&y=2"
	const u2 = "https://other:pa%40ss@hooks.example.com:8443/q"
	r := mustOK(t, m.gql(createDoc, map[string]any{"input": createInput(u1, "basic", "thread.thread_created")}))
	if r.data("createWebhookTarget.webhookTarget.url") != u1 {
		t.Fatalf("create returned %v", r.data("createWebhookTarget.webhookTarget.url"))
	}
	id := r.data("createWebhookTarget.webhookTarget.id").(string)
	r = mustOK(t, m.gql(updateDoc, map[string]any{"input": map[string]any{"webhookTargetId": id, "url": map[string]any{"value": u2}}}))
	if r.data("updateWebhookTarget.webhookTarget.url") != u2 {
		t.Fatalf("update returned %v", r.data("updateWebhookTarget.webhookTarget.url"))
	}
	r = mustOK(t, m.gql(`query($id: ID!) { webhookTarget(webhookTargetId: $id) { url } }`, map[string]any{"id": id}))
	if r.data("webhookTarget.url") != u2 {
		t.Errorf("get returned %v", r.data("webhookTarget.url"))
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), `"url": "`+u2+`"`) {
		t.Errorf("state file does not hold the URL verbatim: %s", raw)
	}
	// A rejected update with credentials never echoes them.
	r = mustOK(t, m.gql(updateDoc, map[string]any{"input": map[string]any{"webhookTargetId": id, "url": map[string]any{"value": "ftp://u:hunter2@x/"}}}))
	if r.data("updateWebhookTarget.error") == nil || strings.Contains(string(r.Raw), "hunter2") {
		t.Errorf("bad URL error: %s", r.Raw)
	}
}
