package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testKey is distinctive so that a leak into any text is easy to grep for.
const testKey = "plainApiKey_SECRET123"

// fastOptions keep retries and backoffs short so tests run quickly; no test
// asserts on elapsed time.
func fastOptions(url string) Options {
	return Options{
		URL:              url,
		APIKey:           testKey,
		Timeout:          5 * time.Second,
		RateLimit:        -1,
		MaxRetries:       2,
		BackoffBase:      time.Millisecond,
		BackoffMax:       4 * time.Millisecond,
		MaxRateLimitWait: 5 * time.Second,
	}
}

func newClient(t *testing.T, o Options) *Client {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// gqlRequest is what machinebox sends.
type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
	Header    http.Header    `json:"-"`
}

var opNameRe = regexp.MustCompile(`^\s*(query|mutation)\s+(\w+)`)

// Op returns the operation name of the request's document.
func (r gqlRequest) Op() string {
	if m := opNameRe.FindStringSubmatch(r.Query); m != nil {
		return m[2]
	}
	return ""
}

// fakeServer is a scripted GraphQL endpoint: handle is called for every
// request with its 1-based sequence number and decides the answer.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []gqlRequest
	count  atomic.Int64
	handle func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request)
}

func newFakeServer(t *testing.T, handle func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request)) *fakeServer {
	t.Helper()
	fs := &fakeServer{handle: handle}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req gqlRequest
		_ = json.Unmarshal(body, &req)
		req.Header = r.Header.Clone()
		n := int(fs.count.Add(1))
		fs.mu.Lock()
		fs.reqs = append(fs.reqs, req)
		fs.mu.Unlock()
		fs.handle(n, req, w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fakeServer) requests() []gqlRequest {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]gqlRequest(nil), fs.reqs...)
}

func (fs *fakeServer) hits() int { return int(fs.count.Load()) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func gqlErrors(codeMsgs ...string) map[string]any {
	var errs []any
	for i := 0; i+1 < len(codeMsgs); i += 2 {
		errs = append(errs, map[string]any{"message": codeMsgs[i+1], "extensions": map[string]any{"code": codeMsgs[i]}})
	}
	return map[string]any{"errors": errs}
}

// workspaceData is a valid answer to the Workspace query.
var workspaceData = map[string]any{"data": map[string]any{"myWorkspace": map[string]any{"id": "w_1", "name": "Acme"}}}

// dropConnection closes the TCP connection without answering.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Errorf("response writer cannot hijack")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}
