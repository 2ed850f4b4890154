package plainmock

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock so that timestamps, ids and rate-limit
// windows are deterministic.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 5, 11, 10, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type mock struct {
	t     *testing.T
	srv   *Server
	http  *httptest.Server
	url   string
	clock *testClock
}

func newMock(t *testing.T, cfg Config) *mock {
	t.Helper()
	clock := newClock()
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &mock{t: t, srv: srv, http: hs, url: hs.URL + GraphQLPath, clock: clock}
}

type response struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// errors returns the top-level errors.
func (r response) errors() []map[string]any {
	list, _ := r.Body["errors"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		m, _ := e.(map[string]any)
		out = append(out, m)
	}
	return out
}

func (r response) firstCode() string {
	errs := r.errors()
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0]["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

// data walks the response's data along path ("webhookTargets.edges").
func (r response) data(path string) any {
	var cur any = r.Body["data"]
	if path == "" {
		return cur
	}
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func (m *mock) post(key string, body any) response {
	m.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		m.t.Fatal(err)
	}
	return m.postRaw(key, b)
}

func (m *mock) postRaw(key string, body []byte) response {
	m.t.Helper()
	req, err := http.NewRequest(http.MethodPost, m.url, bytes.NewReader(body))
	if err != nil {
		m.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := m.http.Client().Do(req)
	if err != nil {
		m.t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		m.t.Fatalf("read body: %v", err)
	}
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			m.t.Fatalf("response is not JSON: %v\n%s", err, raw)
		}
	}
	return out
}

// gql sends query with variables using the default key.
func (m *mock) gql(query string, vars map[string]any) response {
	m.t.Helper()
	return m.post(DefaultKey, map[string]any{"query": query, "variables": vars})
}

// mustOK fails unless the response is HTTP 200 without errors.
func mustOK(t *testing.T, r response) response {
	t.Helper()
	if r.Status != http.StatusOK || len(r.errors()) > 0 {
		t.Fatalf("want 200 without errors, got %d: %s", r.Status, r.Raw)
	}
	return r
}

const createDoc = `mutation Create($input: CreateWebhookTargetInput!) {
  createWebhookTarget(input: $input) {
    webhookTarget { id url description version isEnabled eventSubscriptions { eventType }
      createdAt { iso8601 unixTimestamp } updatedAt { iso8601 unixTimestamp } }
    error { message type code fields { field message type } }
  }
}`

const updateDoc = `mutation Update($input: UpdateWebhookTargetInput!) {
  updateWebhookTarget(input: $input) {
    webhookTarget { id url description version isEnabled eventSubscriptions { eventType }
      createdAt { iso8601 } updatedAt { iso8601 } }
    error { message type code fields { field message type } }
  }
}`

const deleteDoc = `mutation Delete($id: ID!) {
  deleteWebhookTarget(input: { webhookTargetId: $id }) {
    error { message type code fields { field message type } }
  }
}`

func createInput(url, desc string, events ...string) map[string]any {
	subs := make([]any, len(events))
	for i, e := range events {
		subs[i] = map[string]any{"eventType": e}
	}
	return map[string]any{"url": url, "description": desc, "eventSubscriptions": subs, "isEnabled": true}
}

// create makes a target over the API and returns its id.
func (m *mock) create(input map[string]any) string {
	m.t.Helper()
	r := mustOK(m.t, m.gql(createDoc, map[string]any{"input": input}))
	if e := r.data("createWebhookTarget.error"); e != nil {
		m.t.Fatalf("create failed: %v", e)
	}
	id, _ := r.data("createWebhookTarget.webhookTarget.id").(string)
	if id == "" {
		m.t.Fatalf("create returned no id: %s", r.Raw)
	}
	return id
}
