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
)

// twoWorkspaces is a mock with the primary workspace (key "a") and
// w_second (key "b").
func twoWorkspaces(t *testing.T, cfg Config) *mock {
	t.Helper()
	cfg.Keys = map[string][]string{"a": AllPermissions}
	cfg.WorkspaceKeys = append(cfg.WorkspaceKeys, WorkspaceKey{Key: "b", WorkspaceID: "w_second", Permissions: AllPermissions})
	return newMock(t, cfg)
}

func (m *mock) createAs(key string, input map[string]any) response {
	m.t.Helper()
	return mustOK(m.t, m.post(key, map[string]any{"query": createDoc, "variables": map[string]any{"input": input}}))
}

func TestTheKeyDecidesTheWorkspace(t *testing.T) {
	m := twoWorkspaces(t, Config{})
	ra := mustOK(t, m.post("a", map[string]any{"query": `{ myWorkspace { id name } }`}))
	rb := mustOK(t, m.post("b", map[string]any{"query": `{ myWorkspace { id name } }`}))
	if ra.data("myWorkspace.id") != defaultWorkspace.ID || rb.data("myWorkspace.id") != "w_second" || rb.data("myWorkspace.name") != "w_second" {
		t.Fatalf("workspaces: a=%v b=%v", ra.data("myWorkspace"), rb.data("myWorkspace"))
	}

	m.createAs("a", createInput("https://a.example.com/", "in-a", "thread.thread_created"))
	idB, _ := m.createAs("b", createInput("https://b.example.com/", "in-b")).data("createWebhookTarget.webhookTarget.id").(string)

	list := func(key string) []string {
		r := mustOK(t, m.post(key, map[string]any{"query": `{ webhookTargets(first: 100) { edges { node { description } } } }`}))
		var out []string
		for _, e := range r.data("webhookTargets.edges").([]any) {
			out = append(out, e.(map[string]any)["node"].(map[string]any)["description"].(string))
		}
		return out
	}
	if got := list("a"); strings.Join(got, ",") != "in-a" {
		t.Errorf("workspace a lists %v", got)
	}
	if got := list("b"); strings.Join(got, ",") != "in-b" {
		t.Errorf("workspace b lists %v", got)
	}
	// Another workspace's target is invisible: get answers null, update
	// and delete answer NOT_FOUND and change nothing.
	r := mustOK(t, m.post("a", map[string]any{"query": `query($id: ID!) { webhookTarget(webhookTargetId: $id) { id } }`, "variables": map[string]any{"id": idB}}))
	if r.data("webhookTarget") != nil {
		t.Errorf("a sees b's target: %s", r.Raw)
	}
	r = mustOK(t, m.post("a", map[string]any{"query": deleteDoc, "variables": map[string]any{"id": idB}}))
	if r.data("deleteWebhookTarget.error.fields") == nil || len(m.srv.TargetsIn("w_second")) != 1 {
		t.Errorf("a deleted b's target: %s", r.Raw)
	}
	r = mustOK(t, m.post("a", map[string]any{"query": updateDoc, "variables": map[string]any{"input": map[string]any{"webhookTargetId": idB, "description": map[string]any{"value": "hijacked"}}}}))
	if r.data("updateWebhookTarget.error") == nil || m.srv.TargetsIn("w_second")[0].Description != "in-b" {
		t.Errorf("a updated b's target: %s", r.Raw)
	}
	if len(m.srv.Targets()) != 1 || m.srv.Targets()[0].Description != "in-a" {
		t.Errorf("primary holds %+v", m.srv.Targets())
	}

	// Delivery attempts belong to their workspace too.
	m.srv.AddDeliveryAttemptsIn("w_second", plain.DeliveryAttempt{WebhookTargetID: idB, EventType: "thread.thread_created", Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200})
	q := map[string]any{"query": `query($id: ID!) { webhookDeliveryAttempts(webhookTargetId: $id) { edges { node { id } } } }`, "variables": map[string]any{"id": idB}}
	if n := len(mustOK(t, m.post("b", q)).data("webhookDeliveryAttempts.edges").([]any)); n != 1 {
		t.Errorf("b sees %d attempts, want 1", n)
	}
	if n := len(mustOK(t, m.post("a", q)).data("webhookDeliveryAttempts.edges").([]any)); n != 0 {
		t.Errorf("a sees %d of b's attempts", n)
	}

	got := m.srv.Workspaces()
	if len(got) != 2 || got[0].ID != defaultWorkspace.ID || got[1].ID != "w_second" {
		t.Errorf("Workspaces() = %v", got)
	}
}

func TestEachWorkspaceHasItsOwnRateLimitWindow(t *testing.T) {
	m := twoWorkspaces(t, Config{RateLimit: 2})
	for i := 0; i < 2; i++ {
		mustOK(t, m.post("a", map[string]any{"query": wsQuery}))
	}
	if r := m.post("a", map[string]any{"query": wsQuery}); r.Status != http.StatusTooManyRequests {
		t.Fatalf("a's 3rd request: %d, want 429", r.Status)
	}
	r := mustOK(t, m.post("b", map[string]any{"query": wsQuery}))
	if r.Header.Get("x-ratelimit-remaining") != "1" {
		t.Errorf("b's first request: remaining %s, want 1 (a's use counted against b)", r.Header.Get("x-ratelimit-remaining"))
	}
}

func TestEachWorkspaceHasItsOwnCatalogAndHMAC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	state := `{
  "workspace": {"id": "w_main", "name": "Main"},
  "keys": {"k_main": ["webhookTarget:read", "webhookTarget:create"]},
  "hmac": {"hmacSecret": "main-secret", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"},
  "targets": [],
  "deliveryAttempts": [],
  "workspaces": [
    {"workspace": {"id": "w_small", "name": "Small"},
     "keys": {"k_small": ["webhookTarget:read", "webhookTarget:create"]},
     "eventTypes": [{"eventType": "thread.thread_created", "description": "A thread was created."}],
     "webhookVersions": [{"version": "2025-08-06", "isDeprecated": false, "isLatest": true}],
     "targets": [], "deliveryAttempts": []}
  ]
}`
	if err := os.WriteFile(path, []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	m := newMock(t, Config{StatePath: path})
	countTypes := func(key string) int {
		r := mustOK(t, m.post(key, map[string]any{"query": `{ subscriptionEventTypes { eventType } }`}))
		return len(r.data("subscriptionEventTypes").([]any))
	}
	if n := countTypes("k_main"); n != len(eventCatalog) {
		t.Errorf("main catalog has %d event types, want the built-in %d", n, len(eventCatalog))
	}
	if n := countTypes("k_small"); n != 1 {
		t.Errorf("small catalog has %d event types, want 1", n)
	}
	// Create checks the key's own catalog and picks its own latest version.
	r := m.createAs("k_small", createInput("https://s.example.com/", "s", "customer.customer_created"))
	if r.data("createWebhookTarget.error.fields") == nil {
		t.Errorf("small workspace accepted an event type outside its catalog: %s", r.Raw)
	}
	r = m.createAs("k_small", createInput("https://s.example.com/", "s", "thread.thread_created"))
	if r.data("createWebhookTarget.webhookTarget.version") != "2025-08-06" {
		t.Errorf("small workspace's latest version not used: %s", r.Raw)
	}
	r = m.createAs("k_main", createInput("https://m.example.com/", "m", "customer.customer_created"))
	if r.data("createWebhookTarget.error") != nil {
		t.Errorf("main workspace refused a built-in event type: %s", r.Raw)
	}

	if h, ok := m.srv.WorkspaceHMAC("w_main"); !ok || h.Secret != "main-secret" {
		t.Errorf("main HMAC = %+v, %v", h, ok)
	}
	if _, ok := m.srv.WorkspaceHMAC("w_small"); ok {
		t.Error("small workspace has an HMAC secret it was never given")
	}
	m.srv.SetWorkspaceHMAC("w_small", "small-secret")

	// Everything, in both workspaces, survives a restart.
	m2 := newMock(t, Config{StatePath: path})
	if h, ok := m2.srv.WorkspaceHMAC("w_small"); !ok || h.Secret != "small-secret" || h.CreatedAt.IsZero() {
		t.Errorf("small HMAC after restart = %+v, %v", h, ok)
	}
	if h, _ := m2.srv.WorkspaceHMAC(""); h.Secret != "main-secret" {
		t.Errorf("primary HMAC after restart = %+v", h)
	}
	if len(m2.srv.TargetsIn("w_small")) != 1 || len(m2.srv.TargetsIn("w_main")) != 1 {
		t.Errorf("targets after restart: small %v, main %v", m2.srv.TargetsIn("w_small"), m2.srv.TargetsIn("w_main"))
	}
	if n := len(mustOK(t, m2.post("k_small", map[string]any{"query": `{ subscriptionEventTypes { eventType } }`})).data("subscriptionEventTypes").([]any)); n != 1 {
		t.Errorf("small catalog after restart has %d event types", n)
	}
	raw, _ := os.ReadFile(path)
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	// The primary stays at the top level, where single-workspace readers look.
	if st["workspace"].(map[string]any)["id"] != "w_main" || len(st["targets"].([]any)) != 1 || len(st["workspaces"].([]any)) != 1 {
		t.Errorf("state file layout: %s", raw)
	}
}

func TestWorkspaceKeysPersistWithTheirWorkspace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	m := twoWorkspaces(t, Config{StatePath: path})
	m.createAs("b", createInput("https://b.example.com/", "in-b"))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Keys from Config never reach the file; the workspace does.
	if strings.Contains(string(raw), `"b"`) || !strings.Contains(string(raw), `"w_second"`) {
		t.Errorf("state file: %s", raw)
	}
	// A later run that names the key again finds its targets.
	m2 := twoWorkspaces(t, Config{StatePath: path})
	r := mustOK(t, m2.post("b", map[string]any{"query": `{ webhookTargets { edges { node { description } } } }`}))
	if edges := r.data("webhookTargets.edges").([]any); len(edges) != 1 {
		t.Errorf("second run: %s", r.Raw)
	}
}

func TestOldSingleWorkspaceStateStillLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(handWrittenState), 0o644); err != nil {
		t.Fatal(err)
	}
	// An extra workspace given by key leaves the file's primary alone.
	m := newMock(t, Config{StatePath: path, WorkspaceKeys: []WorkspaceKey{{Key: "k2", WorkspaceID: "w_extra", Permissions: AllPermissions}}})
	r := mustOK(t, m.post("plainApiKey_ci", map[string]any{"query": `{ myWorkspace { id } webhookTargets { edges { node { id } } } }`}))
	if r.data("myWorkspace.id") != "w_handwritten" || len(r.data("webhookTargets.edges").([]any)) != 1 {
		t.Errorf("old state file: %s", r.Raw)
	}
	r = mustOK(t, m.post("k2", map[string]any{"query": `{ myWorkspace { id } webhookTargets { edges { node { id } } } }`}))
	if r.data("myWorkspace.id") != "w_extra" || len(r.data("webhookTargets.edges").([]any)) != 0 {
		t.Errorf("extra workspace: %s", r.Raw)
	}
}

func TestBadMultiWorkspaceStateIsRefused(t *testing.T) {
	for name, state := range map[string]string{
		"workspace without id": `{"workspace": {"id": "w_a"}, "targets": [], "deliveryAttempts": [], "workspaces": [{"workspace": {"name": "x"}, "targets": [], "deliveryAttempts": []}]}`,
		"duplicate id":         `{"workspace": {"id": "w_a"}, "targets": [], "deliveryAttempts": [], "workspaces": [{"workspace": {"id": "w_a"}, "targets": [], "deliveryAttempts": []}]}`,
		"key in two":           `{"workspace": {"id": "w_a"}, "keys": {"k": []}, "targets": [], "deliveryAttempts": [], "workspaces": [{"workspace": {"id": "w_b"}, "keys": {"k": []}, "targets": [], "deliveryAttempts": []}]}`,
	} {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := os.WriteFile(path, []byte(state), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Config{StatePath: path}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// --workspace-id may not rename the primary onto another workspace.
	path := filepath.Join(t.TempDir(), "state.json")
	_ = os.WriteFile(path, []byte(`{"workspace": {"id": "w_a"}, "targets": [], "deliveryAttempts": [], "workspaces": [{"workspace": {"id": "w_b"}, "targets": [], "deliveryAttempts": []}]}`), 0o600)
	if _, err := New(Config{StatePath: path, Workspace: plain.Workspace{ID: "w_b"}}); err == nil {
		t.Error("primary renamed onto w_b: accepted")
	}
}

func TestTargetIndexKeepsListingOrder(t *testing.T) {
	x := targetIndex{byID: map[string]plain.Target{}}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Out-of-order inserts, equal timestamps broken by id, a replace that
	// keeps createdAt and one that moves it.
	for _, t0 := range []plain.Target{
		{ID: "whTarget_0000000000000000000000000C", CreatedAt: base.Add(2 * time.Second)},
		{ID: "whTarget_0000000000000000000000000A", CreatedAt: base},
		{ID: "whTarget_0000000000000000000000000E", CreatedAt: base.Add(time.Second)},
		{ID: "whTarget_0000000000000000000000000B", CreatedAt: base.Add(time.Second)},
		{ID: "whTarget_0000000000000000000000000D", CreatedAt: base.Add(3 * time.Second)},
	} {
		x.put(t0)
	}
	x.put(plain.Target{ID: "whTarget_0000000000000000000000000C", CreatedAt: base.Add(2 * time.Second), Description: "replaced"})
	x.put(plain.Target{ID: "whTarget_0000000000000000000000000A", CreatedAt: base.Add(4 * time.Second)})
	x.remove("whTarget_0000000000000000000000000D")
	x.remove("whTarget_01HD4400VTDJQ646V6RY37SR10")
	var ids []string
	for _, t0 := range x.sorted() {
		ids = append(ids, t0.ID)
	}
	if got := strings.Join(ids, ","); got != "whTarget_0000000000000000000000000B,whTarget_0000000000000000000000000E,whTarget_0000000000000000000000000C,whTarget_0000000000000000000000000A" {
		t.Errorf("order = %s", got)
	}
	if c, _ := x.get("whTarget_0000000000000000000000000C"); c.Description != "replaced" || len(x.byID) != 4 {
		t.Errorf("replace lost: %+v, %d", c, len(x.byID))
	}
}

func TestListingCursorSurvivesDeletion(t *testing.T) {
	m := newMock(t, Config{})
	var ids []string
	for i := 0; i < 7; i++ {
		ids = append(ids, m.srv.PutTarget(plain.Target{URL: "https://x.example.com/", Description: fmt.Sprint(i), CreatedAt: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)}).ID)
	}
	page := func(after string) ([]string, string, bool) {
		r := mustOK(t, m.gql(`query($a: String) { webhookTargets(first: 3, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"a": after}))
		var got []string
		for _, e := range r.data("webhookTargets.edges").([]any) {
			got = append(got, e.(map[string]any)["node"].(map[string]any)["id"].(string))
		}
		end, _ := r.data("webhookTargets.pageInfo.endCursor").(string)
		return got, end, r.data("webhookTargets.pageInfo.hasNextPage") == true
	}
	first, cursor, more := page("")
	if strings.Join(first, ",") != strings.Join(ids[:3], ",") || !more {
		t.Fatalf("first page %v (more %v)", first, more)
	}
	// The target the cursor names disappears; the next page still starts
	// right after where it was.
	mustOK(t, m.gql(deleteDoc, map[string]any{"id": ids[2]}))
	second, cursor, more := page(cursor)
	if strings.Join(second, ",") != strings.Join(ids[3:6], ",") || !more {
		t.Fatalf("second page %v (more %v)", second, more)
	}
	third, _, more := page(cursor)
	if strings.Join(third, ",") != ids[6] || more {
		t.Fatalf("third page %v (more %v)", third, more)
	}
}

// TestListingCostIsPerPage proves the listing is O(page): a page from
// 20,000 targets allocates no more than a page from 100. (Allocation
// counts are exact and machine-independent, unlike timings.)
func TestListingCostIsPerPage(t *testing.T) {
	allocs := func(n int) float64 {
		srv, err := New(Config{})
		if err != nil {
			t.Fatal(err)
		}
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < n; i++ {
			srv.primary.targets.put(plain.Target{ID: fmt.Sprintf("whTarget_%026d", i), CreatedAt: base.Add(time.Duration(i) * time.Millisecond)})
		}
		mid := srv.primary.targets.order[n/2].key()
		args := map[string]any{"first": 10, "after": encodeCursor("target", mid)}
		oc := &opCtx{ws: srv.primary, perms: map[string]bool{plain.PermRead: true}}
		return testing.AllocsPerRun(20, func() {
			v, ferr := srv.resolveTargets(args, oc)
			if ferr != nil || len(v.(obj)["edges"].([]obj)) != 10 {
				t.Fatalf("page: %v %v", v, ferr)
			}
		})
	}
	small, large := allocs(100), allocs(20_000)
	if large > small+5 {
		t.Errorf("a page from 20,000 targets allocates %.0f times, from 100 %.0f: listing is not O(page)", large, small)
	}
}
