package plainmock

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/plainsync/plainsync/internal/plain"
)

// targetIDPattern is a webhook target id as Plain's docs show one
// (whTarget_01HD4400VTDJQ646V6RY37SR7K): the payload schema's id pattern
// with the target prefix.
var targetIDPattern = regexp.MustCompile(`^whTarget_[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$`)

func TestCreateFillsIDsTimestampsAndLatestVersion(t *testing.T) {
	m := newMock(t, Config{})
	r := mustOK(t, m.gql(createDoc, map[string]any{"input": createInput("https://crm.example.com/h?a=1&b=2", "crm", "thread.thread_created", "thread.thread_created")}))
	tg := r.data("createWebhookTarget.webhookTarget").(map[string]any)
	if r.data("createWebhookTarget.error") != nil {
		t.Fatalf("unexpected error: %s", r.Raw)
	}
	id := tg["id"].(string)
	if !targetIDPattern.MatchString(id) {
		t.Errorf("id %q is not whTarget_ + ULID", id)
	}
	if u, err := ulid.ParseStrict(strings.TrimPrefix(id, "whTarget_")); err != nil || int64(u.Time()) != m.clock.Now().UnixMilli() {
		t.Errorf("ULID %s (%v): want the creation time %d", id, err, m.clock.Now().UnixMilli())
	}
	if tg["version"] != "2026-05-06" {
		t.Errorf("version = %v, want the latest", tg["version"])
	}
	if fmt.Sprint(tg["eventSubscriptions"]) != "[map[eventType:thread.thread_created]]" {
		t.Errorf("duplicate event types not merged: %v", tg["eventSubscriptions"])
	}
	created := tg["createdAt"].(map[string]any)
	if created["iso8601"] != "2026-05-11T10:00:00.000Z" || created["unixTimestamp"] != "1778493600000" {
		t.Errorf("createdAt = %v", created)
	}
	if tg["url"] != "https://crm.example.com/h?a=1&b=2" || !strings.Contains(string(r.Raw), "a=1&b=2") {
		t.Errorf("url mangled: %s", r.Raw)
	}
	if got := m.srv.Targets(); len(got) != 1 || got[0].ID != id || !got[0].Enabled {
		t.Errorf("Targets() = %+v", got)
	}
}

func TestUpdateChangesOnlyGivenFields(t *testing.T) {
	m := newMock(t, Config{})
	in := createInput("https://a.example.com/", "alpha", "thread.thread_created")
	in["version"] = "2025-08-06"
	id := m.create(in)
	m.clock.Advance(time.Minute)

	r := mustOK(t, m.gql(updateDoc, map[string]any{"input": map[string]any{
		"webhookTargetId": id,
		"description":     map[string]any{"value": "beta"},
		"url":             nil, // explicit null: unchanged
	}}))
	tg := r.data("updateWebhookTarget.webhookTarget").(map[string]any)
	if tg["description"] != "beta" || tg["url"] != "https://a.example.com/" || tg["version"] != "2025-08-06" ||
		tg["isEnabled"] != true || fmt.Sprint(tg["eventSubscriptions"]) != "[map[eventType:thread.thread_created]]" {
		t.Errorf("update changed more than the description: %v", tg)
	}
	if tg["updatedAt"].(map[string]any)["iso8601"] != "2026-05-11T10:01:00.000Z" || tg["createdAt"].(map[string]any)["iso8601"] != "2026-05-11T10:00:00.000Z" {
		t.Errorf("timestamps: created %v updated %v", tg["createdAt"], tg["updatedAt"])
	}

	// Every other field, given inline rather than by variable.
	r = mustOK(t, m.gql(fmt.Sprintf(`mutation { updateWebhookTarget(input: {
  webhookTargetId: %q, url: {value: "https://b.example.com/"}, isEnabled: {value: false},
  version: {value: "2026-05-06"}, eventSubscriptions: [{eventType: "customer.customer_created"}]
}) { webhookTarget { url isEnabled version description eventSubscriptions { eventType } } error { message } } }`, id), nil))
	tg = r.data("updateWebhookTarget.webhookTarget").(map[string]any)
	if tg["url"] != "https://b.example.com/" || tg["isEnabled"] != false || tg["version"] != "2026-05-06" ||
		tg["description"] != "beta" || fmt.Sprint(tg["eventSubscriptions"]) != "[map[eventType:customer.customer_created]]" {
		t.Errorf("inline update = %v", tg)
	}

	// An update that changes nothing keeps updatedAt.
	m.clock.Advance(time.Minute)
	r = mustOK(t, m.gql(updateDoc, map[string]any{"input": map[string]any{"webhookTargetId": id, "description": map[string]any{"value": "beta"}}}))
	if got := r.data("updateWebhookTarget.webhookTarget.updatedAt.iso8601"); got != "2026-05-11T10:01:00.000Z" {
		t.Errorf("no-op update moved updatedAt to %v", got)
	}
}

func TestDeleteRemovesTarget(t *testing.T) {
	m := newMock(t, Config{})
	id := m.create(createInput("https://a.example.com/", "a"))
	keep := m.create(createInput("https://b.example.com/", "b"))
	r := mustOK(t, m.gql(deleteDoc, map[string]any{"id": id}))
	if r.data("deleteWebhookTarget.error") != nil {
		t.Fatalf("delete error: %s", r.Raw)
	}
	if got := m.srv.Targets(); len(got) != 1 || got[0].ID != keep {
		t.Errorf("after delete: %+v", got)
	}
	r = mustOK(t, m.gql(`query($id: ID!) { webhookTarget(webhookTargetId: $id) { id } }`, map[string]any{"id": id}))
	if r.data("webhookTarget") != nil {
		t.Errorf("deleted target still readable: %s", r.Raw)
	}
}

// fieldErrors maps field → type of a mutation's error.fields.
func fieldErrors(t *testing.T, r response, root string) map[string]string {
	t.Helper()
	e, ok := r.data(root + ".error").(map[string]any)
	if !ok {
		t.Fatalf("%s: want a MutationError, got %s", root, r.Raw)
	}
	if e["type"] != "VALIDATION" || e["code"] == "" || e["message"] == "" {
		t.Errorf("error = %v, want type VALIDATION with code and message", e)
	}
	out := map[string]string{}
	for _, f := range e["fields"].([]any) {
		fm := f.(map[string]any)
		if fm["message"] == "" {
			t.Errorf("field error without message: %v", fm)
		}
		out[fm["field"].(string)] = fm["type"].(string)
	}
	return out
}

func TestCreateValidationErrors(t *testing.T) {
	m := newMock(t, Config{})
	secretURL := "ftp://hooks.example.com/?token=s3cr3t-value"
	in := createInput(secretURL, "  ", "thread.thread_created", "thread.no_such_event")
	in["version"] = "1999-01-01"
	r := mustOK(t, m.gql(createDoc, map[string]any{"input": in}))
	if r.data("createWebhookTarget.webhookTarget") != nil {
		t.Errorf("failed create returned a target: %s", r.Raw)
	}
	got := fieldErrors(t, r, "createWebhookTarget")
	want := map[string]string{
		"url":                             "VALIDATION",
		"description":                     "REQUIRED",
		"eventSubscriptions[1].eventType": "VALIDATION",
		"version":                         "VALIDATION",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("field errors = %v, want %v", got, want)
	}
	if strings.Contains(string(r.Raw), "s3cr3t") {
		t.Errorf("error echoes the URL and its secret: %s", r.Raw)
	}
	if len(m.srv.Targets()) != 0 {
		t.Error("invalid create stored a target")
	}

	for _, bad := range []string{"not a url", "https://", "/relative/path", "mailto:x@example.com"} {
		r := mustOK(t, m.gql(createDoc, map[string]any{"input": createInput(bad, "d")}))
		if got := fieldErrors(t, r, "createWebhookTarget"); got["url"] == "" {
			t.Errorf("url %q accepted", bad)
		}
	}
}

func TestUpdateAndDeleteValidationErrors(t *testing.T) {
	m := newMock(t, Config{})
	r := mustOK(t, m.gql(updateDoc, map[string]any{"input": map[string]any{"webhookTargetId": "whTarget_01HD4400VTDJQ646V6RY37SR10", "description": map[string]any{"value": "x"}}}))
	if got := fieldErrors(t, r, "updateWebhookTarget"); got["webhookTargetId"] != "NOT_FOUND" {
		t.Errorf("update of missing id: %v", got)
	}
	r = mustOK(t, m.gql(deleteDoc, map[string]any{"id": "whTarget_01HD4400VTDJQ646V6RY37SR10"}))
	if got := fieldErrors(t, r, "deleteWebhookTarget"); got["webhookTargetId"] != "NOT_FOUND" {
		t.Errorf("delete of missing id: %v", got)
	}

	id := m.create(createInput("https://a.example.com/", "a", "thread.thread_created"))
	r = mustOK(t, m.gql(updateDoc, map[string]any{"input": map[string]any{
		"webhookTargetId":    id,
		"url":                map[string]any{"value": "nope"},
		"description":        map[string]any{"value": ""},
		"version":            map[string]any{"value": "2000-01-01"},
		"eventSubscriptions": []any{map[string]any{"eventType": "bogus"}},
	}}))
	got := fieldErrors(t, r, "updateWebhookTarget")
	for _, f := range []string{"url", "description", "version", "eventSubscriptions[0].eventType"} {
		if got[f] == "" {
			t.Errorf("update: no error for %s (got %v)", f, got)
		}
	}
	if tg := m.srv.Targets()[0]; tg.URL != "https://a.example.com/" || tg.Description != "a" {
		t.Errorf("invalid update changed the target: %+v", tg)
	}
}

func TestMutationsWithoutPermissionAreForbidden(t *testing.T) {
	m := newMock(t, Config{Keys: map[string][]string{"reader": {plain.PermRead}}})
	m.srv.AddKey("admin", AllPermissions)
	existing := m.srv.PutTarget(plain.Target{URL: "https://a.example.com/", Description: "a"})

	docs := map[string]struct {
		doc  string
		vars map[string]any
		perm string
	}{
		"createWebhookTarget": {createDoc, map[string]any{"input": createInput("https://b.example.com/", "b")}, plain.PermCreate},
		"updateWebhookTarget": {updateDoc, map[string]any{"input": map[string]any{"webhookTargetId": existing.ID, "description": map[string]any{"value": "z"}}}, plain.PermEdit},
		"deleteWebhookTarget": {deleteDoc, map[string]any{"id": existing.ID}, plain.PermDelete},
	}
	for root, d := range docs {
		r := m.post("reader", map[string]any{"query": d.doc, "variables": d.vars})
		if r.Status != http.StatusOK {
			t.Errorf("%s: status %d, want 200", root, r.Status)
		}
		e, _ := r.data(root + ".error").(map[string]any)
		// Plain's error-handling docs: type FORBIDDEN; its error-codes
		// reference: code forbidden, the code Plain's TypeScript SDK maps to
		// its forbidden result.
		if e["type"] != "FORBIDDEN" || e["code"] != "forbidden" || !strings.Contains(fmt.Sprint(e["message"]), d.perm) {
			t.Errorf("%s: error = %v, want FORBIDDEN naming %s", root, e, d.perm)
		}
	}
	if got := m.srv.Targets(); len(got) != 1 || got[0].Description != "a" {
		t.Errorf("forbidden mutations changed state: %+v", got)
	}
	// The admin key added at run time may.
	r := mustOK(t, m.post("admin", map[string]any{"query": deleteDoc, "variables": map[string]any{"id": existing.ID}}))
	if r.data("deleteWebhookTarget.error") != nil || len(m.srv.Targets()) != 0 {
		t.Errorf("admin delete: %s", r.Raw)
	}
}

func TestQueriesNeedReadPermission(t *testing.T) {
	m := newMock(t, Config{Keys: map[string][]string{"writer": {plain.PermCreate}}})
	r := m.post("writer", map[string]any{"query": snapshotDoc, "variables": map[string]any{"first": 10}})
	// HTTP 403, as Plain's SDKs expect a missing permission (resolve.go).
	if r.Status != http.StatusForbidden || r.firstCode() != "FORBIDDEN" {
		t.Fatalf("want 403 with FORBIDDEN, got %d %s", r.Status, r.Raw)
	}
	if msg := fmt.Sprint(r.errors()[0]["message"]); !strings.Contains(msg, plain.PermRead) {
		t.Errorf("message %q does not name the missing permission", msg)
	}
	if r.data("") != nil {
		t.Errorf("non-null webhookTargets failed, so data must be null: %s", r.Raw)
	}
	// The permission check itself stays available.
	r = mustOK(t, m.post("writer", map[string]any{"query": `{ myPermissions { permissions } myWorkspace { id } }`}))
	if fmt.Sprint(r.data("myPermissions.permissions")) != "[webhookTarget:create]" {
		t.Errorf("permissions = %v", r.data("myPermissions.permissions"))
	}
	// A nullable field fails alone.
	r = m.post("writer", map[string]any{"query": `{ myWorkspace { id } webhookTarget(webhookTargetId: "x") { id } }`})
	if r.Status != http.StatusForbidden || r.firstCode() != "FORBIDDEN" || r.data("myWorkspace.id") != defaultWorkspace.ID {
		t.Errorf("nullable forbidden field: %d %s", r.Status, r.Raw)
	}
}

func TestAuthentication(t *testing.T) {
	m := newMock(t, Config{Keys: map[string][]string{"k1": AllPermissions}})
	for name, key := range map[string]string{"missing": "", "unknown": "plainApiKey_wrong", "default key not configured": DefaultKey} {
		r := m.post(key, map[string]any{"query": `{ myWorkspace { id } }`})
		if r.Status != http.StatusUnauthorized || r.firstCode() != "UNAUTHENTICATED" {
			t.Errorf("%s key: %d %s", name, r.Status, r.Raw)
		}
		if key != "" && strings.Contains(string(r.Raw), key) {
			t.Errorf("%s key echoed in the response", name)
		}
		if r.Header.Get("x-ratelimit-limit") == "" {
			t.Errorf("%s key: 401 lacks rate-limit headers", name)
		}
	}
	mustOK(t, m.post("k1", map[string]any{"query": `{ myWorkspace { id } }`}))

	// Malformed Authorization headers.
	for _, h := range []string{"k1", "Basic k1", "Bearer"} {
		req, _ := http.NewRequest(http.MethodPost, m.url, strings.NewReader(`{"query":"{ myWorkspace { id } }"}`))
		req.Header.Set("Authorization", h)
		resp, err := m.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d", h, resp.StatusCode)
		}
	}
}

func TestConfigWorkspaceAndKeys(t *testing.T) {
	m := newMock(t, Config{Workspace: plain.Workspace{ID: "w_custom", Name: "Prod"}})
	r := mustOK(t, m.gql(`{ myWorkspace { id name publicName isDemoWorkspace createdAt { iso8601 } } }`, nil))
	if r.data("myWorkspace.id") != "w_custom" || r.data("myWorkspace.name") != "Prod" || r.data("myWorkspace.publicName") != "Prod" {
		t.Errorf("workspace = %v", r.data("myWorkspace"))
	}
}

// With RefuseInvalidHosts (--refuse-invalid-hosts), a URL whose host is in
// the reserved .invalid domain is a VALIDATION error on url, for create
// and update alike; without it, it is an ordinary URL.
func TestRefuseInvalidHosts(t *testing.T) {
	m := newMock(t, Config{RefuseInvalidHosts: true})
	for _, u := range []string{"https://plainsync.invalid/lease", "https://INVALID./x", "https://a.b.invalid:8443/x"} {
		r := mustOK(t, m.gql(createDoc, map[string]any{"input": createInput(u, "lease", "thread.thread_created")}))
		if got := fieldErrors(t, r, "createWebhookTarget"); got["url"] != "VALIDATION" {
			t.Errorf("%s: field errors %v, want url VALIDATION", u, got)
		}
	}
	if len(m.srv.Targets()) != 0 {
		t.Fatal("a refused create stored a target")
	}
	r := mustOK(t, m.gql(createDoc, map[string]any{"input": createInput("https://invalid.example.com/x", "ok", "thread.thread_created")}))
	id, _ := r.data("createWebhookTarget.webhookTarget.id").(string)
	if id == "" {
		t.Fatalf("a host merely containing \"invalid\" was refused: %s", r.Raw)
	}
	r = mustOK(t, m.gql(updateDoc, map[string]any{"input": map[string]any{"webhookTargetId": id, "url": map[string]any{"value": "https://x.invalid/"}}}))
	if got := fieldErrors(t, r, "updateWebhookTarget"); got["url"] != "VALIDATION" {
		t.Errorf("update: field errors %v, want url VALIDATION", got)
	}

	plainMock := newMock(t, Config{})
	r = mustOK(t, plainMock.gql(createDoc, map[string]any{"input": createInput("https://plainsync.invalid/lease", "lease", "thread.thread_created")}))
	if r.data("createWebhookTarget.webhookTarget.id") == nil {
		t.Fatalf("without the option a .invalid host was refused: %s", r.Raw)
	}
}
