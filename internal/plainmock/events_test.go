package plainmock

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock/deliver"
)

// hookReceiver is a loopback receiver answering statuses in turn (the last
// repeats), keeping every request.
type hookReceiver struct {
	mu       sync.Mutex
	reqs     []*http.Request
	bodies   [][]byte
	statuses []int
	srv      *httptest.Server
}

func newHookReceiver(t *testing.T, statuses ...int) *hookReceiver {
	h := &hookReceiver{statuses: statuses}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs = append(h.reqs, r)
		h.bodies = append(h.bodies, body)
		status := 200
		if len(h.statuses) > 0 {
			status = h.statuses[0]
			if len(h.statuses) > 1 {
				h.statuses = h.statuses[1:]
			}
		}
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reqs)
}

func (h *hookReceiver) request(i int) (*http.Request, []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reqs[i], h.bodies[i]
}

// admin posts body to an admin path with key.
func (m *mock) admin(key, path string, body any) response {
	m.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, m.http.URL+path, bytes.NewReader(b))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := m.http.Client().Do(req)
	if err != nil {
		m.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

func (m *mock) emit(key string, req EmitRequest) EmitResult {
	m.t.Helper()
	r := m.admin(key, EventsPath, req)
	if r.Status != http.StatusOK {
		m.t.Fatalf("emit: %d %s", r.Status, r.Raw)
	}
	var res EmitResult
	if err := json.Unmarshal(r.Raw, &res); err != nil {
		m.t.Fatal(err)
	}
	return res
}

func waitDeliveries(t *testing.T, s *Server) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.PendingDeliveries() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("deliveries still pending after 30s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

const realAttemptsDoc = `query($id: ID!, $f: WebhookDeliveryAttemptFilter) { webhookDeliveryAttempts(webhookTargetId: $id, filters: $f, first: 100) {
  edges { node { id publicEventId publicEventEventType durationInMilliseconds attemptedAt { iso8601 }
    result { __typename ... on WebhookDeliveryAttemptSuccessfulResult { status httpStatusCode }
      ... on WebhookDeliveryAttemptFailedResult { status httpStatusCode }
      ... on WebhookDeliveryAttemptErrorResult { status errorCode errorMessage } } } } } }`

type listedAttempt struct {
	ID, EventID, EventType, Status, At string
	HTTPStatus                         int
}

func (m *mock) attempts(key, targetID string, filters map[string]any) []listedAttempt {
	m.t.Helper()
	vars := map[string]any{"id": targetID}
	if filters != nil {
		vars["f"] = filters
	}
	r := mustOK(m.t, m.post(key, map[string]any{"query": realAttemptsDoc, "variables": vars}))
	var out []listedAttempt
	edges, _ := r.data("webhookDeliveryAttempts.edges").([]any)
	for _, e := range edges {
		n := e.(map[string]any)["node"].(map[string]any)
		res := n["result"].(map[string]any)
		code, _ := res["httpStatusCode"].(float64)
		out = append(out, listedAttempt{
			ID: n["id"].(string), EventID: n["publicEventId"].(string), EventType: n["publicEventEventType"].(string),
			Status: res["status"].(string), HTTPStatus: int(code), At: n["attemptedAt"].(map[string]any)["iso8601"].(string),
		})
	}
	return out
}

func fastDelivery() DeliveryConfig {
	return DeliveryConfig{Schedule: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}, Timeout: 5 * time.Second}
}

func TestEmitDeliversToEnabledSubscribedTargetsOnly(t *testing.T) {
	state := filepath.Join(t.TempDir(), "ws.json")
	m := newMock(t, Config{StatePath: state, Delivery: fastDelivery()})
	t.Cleanup(m.srv.Close)
	rv := newHookReceiver(t)
	threads := m.srv.PutTarget(plain.Target{URL: rv.srv.URL + "/threads", Description: "threads", EventTypes: []string{"thread.thread_created"}, Version: "2026-02-27", Enabled: true})
	customers := m.srv.PutTarget(plain.Target{URL: rv.srv.URL + "/customers", Description: "customers", EventTypes: []string{"customer.*"}, Version: "2026-04-21", Enabled: true})
	everything := m.srv.PutTarget(plain.Target{URL: rv.srv.URL + "/all", Description: "all", EventTypes: []string{"*"}, Version: "2026-04-21", Enabled: true})
	disabled := m.srv.PutTarget(plain.Target{URL: rv.srv.URL + "/off", Description: "off", EventTypes: []string{"thread.thread_created"}, Version: "2026-02-27", Enabled: false})

	res := m.emit(DefaultKey, EmitRequest{EventType: "thread.thread_created", Count: 2})
	if len(res.EventIDs) != 2 || res.Deliveries != 4 {
		t.Fatalf("emit = %+v, want 2 events and 4 deliveries (threads and all, twice)", res)
	}
	res2 := m.emit(DefaultKey, EmitRequest{EventType: "customer.customer_created"})
	if res2.Deliveries != 2 {
		t.Fatalf("customer emit = %+v, want 2 deliveries (customers and all)", res2)
	}
	if rv.count() != 6 {
		t.Fatalf("receiver got %d requests, want 6", rv.count())
	}
	paths := map[string]int{}
	for i := range rv.count() {
		r, body := rv.request(i)
		paths[r.URL.Path]++
		version := "2026-04-21"
		if r.URL.Path == "/threads" {
			version = "2026-02-27"
		}
		if err := deliver.Validate(version, body); err != nil {
			t.Errorf("%s: %v", r.URL.Path, err)
		}
	}
	if paths["/threads"] != 2 || paths["/all"] != 3 || paths["/customers"] != 1 || paths["/off"] != 0 {
		t.Errorf("requests by path %v", paths)
	}

	got := m.attempts(DefaultKey, threads.ID, nil)
	if len(got) != 2 || got[0].Status != "SUCCESSFUL_RESPONSE" || got[0].HTTPStatus != 200 || got[0].EventType != "thread.thread_created" {
		t.Fatalf("threads attempts %+v", got)
	}
	if got[0].At < got[1].At {
		t.Errorf("attempts not newest first: %+v", got)
	}
	if ids := map[string]bool{got[0].EventID: true, got[1].EventID: true}; !ids[res.EventIDs[0]] || !ids[res.EventIDs[1]] {
		t.Errorf("attempts name events %v, emitted %v", got, res.EventIDs)
	}
	if n := len(m.attempts(DefaultKey, disabled.ID, nil)); n != 0 {
		t.Errorf("disabled target has %d attempts", n)
	}
	if n := len(m.attempts(DefaultKey, customers.ID, map[string]any{"eventTypes": []string{"thread.thread_created"}})); n != 0 {
		t.Errorf("customers target has %d thread attempts", n)
	}
	if n := len(m.attempts(DefaultKey, everything.ID, map[string]any{"eventTypes": []string{"customer.customer_created"}})); n != 1 {
		t.Errorf("all target: %d customer attempts, want 1", n)
	}

	// Persisted: a new server on the same file lists them.
	raw, _ := os.ReadFile(state)
	if !strings.Contains(string(raw), res.EventIDs[0]) {
		t.Fatal("state file lacks the attempts")
	}
	m2 := newMock(t, Config{StatePath: state})
	if n := len(m2.attempts(DefaultKey, everything.ID, nil)); n != 3 {
		t.Errorf("reloaded: %d attempts, want 3", n)
	}
}

func TestEmitRetriesAFailingReceiverWithTheSameEvent(t *testing.T) {
	m := newMock(t, Config{Delivery: fastDelivery()})
	t.Cleanup(m.srv.Close)
	rv := newHookReceiver(t, 500, 500, 200)
	tg := m.srv.PutTarget(plain.Target{URL: rv.srv.URL, Description: "flaky", EventTypes: []string{"thread.thread_created"}, Version: "2026-02-27", Enabled: true})
	res := m.emit(DefaultKey, EmitRequest{EventType: "thread.thread_created"})
	waitDeliveries(t, m.srv)
	got := m.attempts(DefaultKey, tg.ID, nil)
	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3: %+v", len(got), got)
	}
	for _, a := range got {
		if a.EventID != res.EventIDs[0] {
			t.Errorf("attempt %s names event %s, want %s", a.ID, a.EventID, res.EventIDs[0])
		}
	}
	// The test clock does not move, so all three share a timestamp; the
	// statuses are what count.
	statuses := map[string]int{}
	for _, a := range got {
		statuses[a.Status]++
	}
	if statuses["FAILED_RESPONSE"] != 2 || statuses["SUCCESSFUL_RESPONSE"] != 1 {
		t.Errorf("statuses %v", statuses)
	}
	if n := len(m.attempts(DefaultKey, tg.ID, map[string]any{"resultStatus": "FAILED_RESPONSE"})); n != 2 {
		t.Errorf("resultStatus filter: %d, want 2", n)
	}
	for i := range 3 {
		r, _ := rv.request(i)
		if r.Header.Get("Plain-Webhook-Delivery-Attempt-Number") != []string{"1", "2", "3"}[i] || r.Header.Get("Plain-Event-Id") != res.EventIDs[0] {
			t.Errorf("request %d headers %v", i, r.Header)
		}
	}
}

func TestEmitSignsWithTheWorkspaceSecretAndItsRotation(t *testing.T) {
	m := newMock(t, Config{Delivery: fastDelivery()})
	t.Cleanup(m.srv.Close)
	rv := newHookReceiver(t)
	m.srv.PutTarget(plain.Target{URL: rv.srv.URL, Description: "signed", EventTypes: []string{"thread.thread_created"}, Version: "2026-02-27", Enabled: true})
	m.emit(DefaultKey, EmitRequest{EventType: "thread.thread_created"})
	if r, _ := rv.request(0); r.Header.Get("Plain-Request-Signature") != "" {
		t.Error("signed without a workspace secret")
	}
	m.srv.SetWorkspaceHMAC("", "first-secret")
	m.emit(DefaultKey, EmitRequest{EventType: "thread.thread_created"})
	m.srv.SetWorkspaceHMAC("", "second-secret")
	m.emit(DefaultKey, EmitRequest{EventType: "thread.thread_created"})
	r1, b1 := rv.request(1)
	r2, b2 := rv.request(2)
	if r1.Header.Get("Plain-Request-Signature") != deliver.Sign(b1, "first-secret") {
		t.Error("second delivery not signed with the first secret")
	}
	if sig := r2.Header.Get("Plain-Request-Signature"); sig != deliver.Sign(b2, "second-secret") || sig == deliver.Sign(b2, "first-secret") {
		t.Error("delivery after rotation not signed with the new secret only")
	}
}

func TestEmitActsOnTheKeysWorkspace(t *testing.T) {
	m := newMock(t, Config{Delivery: fastDelivery(), Keys: map[string][]string{"k_main": AllPermissions},
		WorkspaceKeys: []WorkspaceKey{{Key: "k_eu", WorkspaceID: "w_01KBEVR0PE0000000000000000", Permissions: AllPermissions}}})
	t.Cleanup(m.srv.Close)
	rv := newHookReceiver(t)
	m.srv.PutTargetIn("", plain.Target{URL: rv.srv.URL + "/main", Description: "main", EventTypes: []string{"thread.thread_created"}, Version: "2026-02-27", Enabled: true})
	m.srv.PutTargetIn("w_01KBEVR0PE0000000000000000", plain.Target{URL: rv.srv.URL + "/eu", Description: "eu", EventTypes: []string{"thread.thread_created"}, Version: "2026-02-27", Enabled: true})
	m.srv.SetWorkspaceHMAC("w_01KBEVR0PE0000000000000000", "eu-secret")
	if res := m.emit("k_eu", EmitRequest{EventType: "thread.thread_created"}); res.Deliveries != 1 {
		t.Fatalf("eu emit %+v", res)
	}
	r, body := rv.request(0)
	if r.URL.Path != "/eu" || r.Header.Get("Plain-Workspace-Id") != "w_01KBEVR0PE0000000000000000" || r.Header.Get("Plain-Request-Signature") != deliver.Sign(body, "eu-secret") {
		t.Errorf("eu delivery %s %v", r.URL.Path, r.Header)
	}
	if !strings.Contains(string(body), `"workspaceId":"w_01KBEVR0PE0000000000000000"`) {
		t.Errorf("body %s", body)
	}
}

func TestAdminAPIRefusesBadRequests(t *testing.T) {
	m := newMock(t, Config{Delivery: fastDelivery()})
	t.Cleanup(m.srv.Close)
	m.srv.PutTarget(plain.Target{URL: "http://127.0.0.1:9/hook", Description: "x", EventTypes: []string{"thread.thread_created"}, Version: "2026-02-27", Enabled: true})
	cases := []struct {
		name, key, path string
		body            any
		status          int
		msg             string
	}{
		{"no key", "", EventsPath, EmitRequest{EventType: "thread.thread_created"}, 401, "API key"},
		{"wrong key", "plainApiKey_nope", EventsPath, EmitRequest{EventType: "thread.thread_created"}, 401, "API key"},
		{"unknown type", DefaultKey, EventsPath, EmitRequest{EventType: "thread.nope"}, 400, "unknown event type"},
		{"count", DefaultKey, EventsPath, EmitRequest{EventType: "thread.thread_created", Count: 101}, 400, "count"},
		{"unknown field", DefaultKey, EventsPath, map[string]any{"eventType": "thread.thread_created", "cuont": 2}, 400, "cuont"},
		{"invalid override", DefaultKey, EventsPath, EmitRequest{EventType: "thread.thread_created", Payload: map[string]any{"thread": map[string]any{"title": 42}}}, 400, "2026-02-27"},
		{"bad age", DefaultKey, AgeAttemptsPath, map[string]any{"by": "soon"}, 400, "duration"},
		{"negative age", DefaultKey, AgeAttemptsPath, map[string]any{"by": "-1h"}, 400, "negative"},
	}
	for _, c := range cases {
		r := m.admin(c.key, c.path, c.body)
		msg, _ := r.Body["error"].(string)
		if r.Status != c.status || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: %d %s, want %d mentioning %q", c.name, r.Status, r.Raw, c.status, c.msg)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, m.http.URL+EventsPath, nil)
	req.Header.Set("Authorization", "Bearer "+DefaultKey)
	resp, err := m.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	if n := len(m.attempts(DefaultKey, m.srv.Targets()[0].ID, nil)); n != 0 {
		t.Errorf("refused requests recorded %d attempts", n)
	}
}

func TestAgeAttemptsMovesHistoryIntoThePast(t *testing.T) {
	m := newMock(t, Config{Delivery: fastDelivery()})
	t.Cleanup(m.srv.Close)
	rv := newHookReceiver(t)
	tg := m.srv.PutTarget(plain.Target{URL: rv.srv.URL, Description: "x", EventTypes: []string{"thread.thread_created"}, Version: "2026-02-27", Enabled: true})
	m.emit(DefaultKey, EmitRequest{EventType: "thread.thread_created"})
	before := m.attempts(DefaultKey, tg.ID, nil)[0].At
	r := m.admin(DefaultKey, AgeAttemptsPath, map[string]any{"by": "2h"})
	if r.Status != 200 || r.Body["aged"] != 1.0 {
		t.Fatalf("age: %d %s", r.Status, r.Raw)
	}
	after := m.attempts(DefaultKey, tg.ID, nil)[0].At
	b, _ := time.Parse(time.RFC3339, before)
	a, _ := time.Parse(time.RFC3339, after)
	if b.Sub(a) != 2*time.Hour {
		t.Errorf("attemptedAt %s → %s, want 2h earlier", before, after)
	}
}

func TestHandWrittenIdsGiveASchemaFailureNamingTheId(t *testing.T) {
	m := newMock(t, Config{Delivery: fastDelivery(), Workspace: plain.Workspace{ID: "w_handwritten"}})
	t.Cleanup(m.srv.Close)
	rv := newHookReceiver(t)
	tg := m.srv.PutTarget(plain.Target{URL: rv.srv.URL, Description: "x", EventTypes: []string{"thread.thread_created"}, Version: "2026-02-27", Enabled: true})
	m.emit(DefaultKey, EmitRequest{EventType: "thread.thread_created"})
	if rv.count() != 0 {
		t.Error("an invalid payload was sent")
	}
	r := mustOK(t, m.gql(`query($id: ID!) { webhookDeliveryAttempts(webhookTargetId: $id) { edges { node { result {
		... on WebhookDeliveryAttemptSchemaValidationFailedResult { status errorMessage } } } } } }`, map[string]any{"id": tg.ID}))
	if !strings.Contains(string(r.Raw), "SCHEMA_VALIDATION_FAILED") || !strings.Contains(string(r.Raw), "w_handwritten") {
		t.Errorf("attempts %s", r.Raw)
	}
}
