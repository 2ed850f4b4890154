package plainmock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const wsQuery = `{ myWorkspace { id } }`

func TestRateLimitHeadersOnEveryResponse(t *testing.T) {
	m := newMock(t, Config{RateLimit: 450})
	responses := map[string]response{
		"ok":         m.gql(wsQuery, nil),
		"parse":      m.gql(`{`, nil),
		"validation": m.gql(`{ nope }`, nil),
		"401":        m.post("", map[string]any{"query": wsQuery}),
	}
	m.srv.SetFaults(Faults{RateLimit: 450, FailRate: 1})
	responses["502"] = m.gql(wsQuery, nil)
	for name, r := range responses {
		if r.Header.Get("x-ratelimit-limit") != "450" {
			t.Errorf("%s: x-ratelimit-limit = %q", name, r.Header.Get("x-ratelimit-limit"))
		}
		if r.Header.Get("x-ratelimit-remaining") == "" {
			t.Errorf("%s: no x-ratelimit-remaining", name)
		}
		if reset := r.Header.Get("x-ratelimit-reset"); reset != "2026-05-11T10:01:00.000Z" {
			t.Errorf("%s: x-ratelimit-reset = %q, want ISO-8601 end of the window", name, reset)
		}
	}
	if got := responses["validation"].Header.Get("x-ratelimit-remaining"); got != "447" {
		t.Errorf("remaining after 3 authenticated requests = %s, want 447", got)
	}

	// Unlimited still sends the headers, with a limit no client trips on.
	u := newMock(t, Config{})
	r := u.gql(wsQuery, nil)
	if r.Header.Get("x-ratelimit-limit") == "" || r.Header.Get("x-ratelimit-remaining") == "0" {
		t.Errorf("unlimited headers: %v", r.Header)
	}
}

func TestRateLimitAnswers429PerKeyAndWindow(t *testing.T) {
	m := newMock(t, Config{RateLimit: 3, Keys: map[string][]string{"a": AllPermissions, "b": AllPermissions}})
	for i, want := range []string{"2", "1", "0"} {
		r := mustOK(t, m.post("a", map[string]any{"query": wsQuery}))
		if got := r.Header.Get("x-ratelimit-remaining"); got != want {
			t.Errorf("request %d: remaining = %s, want %s", i+1, got, want)
		}
	}
	m.clock.Advance(15 * time.Second)
	r := m.post("a", map[string]any{"query": wsQuery})
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("4th request: status %d, want 429", r.Status)
	}
	const body = `{"errors":[{"message":"Too Many Requests - Rate limit exceeded","extensions":{"code":"RATE_LIMITED"}}]}`
	if strings.TrimSpace(string(r.Raw)) != body {
		t.Errorf("429 body = %s", r.Raw)
	}
	if r.Header.Get("Retry-After") != "45" || r.Header.Get("x-ratelimit-remaining") != "0" ||
		r.Header.Get("x-ratelimit-reset") != "2026-05-11T10:01:00.000Z" {
		t.Errorf("429 headers: %v", r.Header)
	}
	// A limited request must not run: a mutation is not applied.
	r = m.post("a", map[string]any{"query": createDoc, "variables": map[string]any{"input": createInput("https://a.example.com/", "a")}})
	if r.Status != http.StatusTooManyRequests || len(m.srv.Targets()) != 0 {
		t.Errorf("rate-limited mutation: %d, %d targets", r.Status, len(m.srv.Targets()))
	}
	// Other keys have their own budget.
	mustOK(t, m.post("b", map[string]any{"query": wsQuery}))
	// The next window starts fresh.
	m.clock.Advance(45 * time.Second)
	r = mustOK(t, m.post("a", map[string]any{"query": wsQuery}))
	if r.Header.Get("x-ratelimit-remaining") != "2" || r.Header.Get("x-ratelimit-reset") != "2026-05-11T10:02:00.000Z" {
		t.Errorf("new window headers: %v", r.Header)
	}
}

func TestFailRateAnswers502HTMLBeforeDoingAnything(t *testing.T) {
	m := newMock(t, Config{FailRate: 1})
	r := m.gql(createDoc, map[string]any{"input": createInput("https://a.example.com/", "a")})
	if r.Status != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", r.Status)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q", ct)
	}
	if !bytes.Contains(r.Raw, []byte("<h1>502 Bad Gateway</h1>")) {
		t.Errorf("body = %s", r.Raw)
	}
	if len(m.srv.Targets()) != 0 {
		t.Error("a failed request applied its mutation")
	}
	// Even an unauthenticated request fails first: the gateway is down.
	if r := m.post("wrong", map[string]any{"query": wsQuery}); r.Status != http.StatusBadGateway {
		t.Errorf("unauthenticated during outage: %d", r.Status)
	}
	m.srv.SetFaults(Faults{})
	mustOK(t, m.gql(wsQuery, nil))
	if m.srv.RequestCount() != 3 {
		t.Errorf("RequestCount = %d, want 3", m.srv.RequestCount())
	}
}

func TestFaultsAreDeterministicForASeed(t *testing.T) {
	statuses := func(seed int64) string {
		m := newMock(t, Config{FailRate: 0.5, Seed: seed})
		var b strings.Builder
		for range 24 {
			if m.gql(wsQuery, nil).Status == http.StatusOK {
				b.WriteByte('.')
			} else {
				b.WriteByte('x')
			}
		}
		return b.String()
	}
	a, b := statuses(7), statuses(7)
	if a != b {
		t.Errorf("same seed, different faults: %s vs %s", a, b)
	}
	if !strings.Contains(a, ".") || !strings.Contains(a, "x") {
		t.Errorf("fail rate 0.5 gave %s", a)
	}
	if c := statuses(8); c == a {
		t.Logf("seeds 7 and 8 happen to agree: %s", c)
	}
}

func TestDropAfterCommitAppliesMutationAndClosesConnection(t *testing.T) {
	m := newMock(t, Config{DropAfterCommit: 1})
	// Queries are never dropped.
	mustOK(t, m.gql(wsQuery, nil))

	body := `{"query":"mutation($i: CreateWebhookTargetInput!) { createWebhookTarget(input: $i) { webhookTarget { id } } }",` +
		`"variables":{"i":{"url":"https://a.example.com/","description":"dropped","eventSubscriptions":[],"isEnabled":true}}}`
	req, _ := http.NewRequest(http.MethodPost, m.url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+DefaultKey)
	resp, err := m.http.Client().Do(req)
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("want a dropped connection, got %d %s", resp.StatusCode, b)
	}
	if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
		t.Errorf("error = %v, want EOF or reset", err)
	}
	got := m.srv.Targets()
	if len(got) != 1 || got[0].Description != "dropped" {
		t.Fatalf("mutation was not committed before the drop: %+v", got)
	}
}

func TestLatencyDelaysTheAnswer(t *testing.T) {
	m := newMock(t, Config{})
	m.srv.SetFaults(Faults{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, m.url, strings.NewReader(`{"query":"{ myWorkspace { id } }"}`))
	req.Header.Set("Authorization", "Bearer "+DefaultKey)
	resp, err := m.http.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("an hour of latency answered within the client's timeout")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want deadline exceeded", err)
	}
	m.srv.SetFaults(Faults{})
	mustOK(t, m.gql(wsQuery, nil))
}

func TestNewRejectsBadFaultSettings(t *testing.T) {
	for _, cfg := range []Config{{FailRate: 1.5}, {DropAfterCommit: -0.1}, {RateLimit: -1}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestRequestLogNeverShowsTheKey(t *testing.T) {
	m := newMock(t, Config{Keys: map[string][]string{"plainApiKey_topsecret": AllPermissions}})
	buf := &syncWriter{w: &bytes.Buffer{}}
	m.srv.SetRequestLog(buf)
	mustOK(t, m.post("plainApiKey_topsecret", map[string]any{"query": snapshotDoc, "operationName": "Snapshot", "variables": map[string]any{"first": 5}}))
	m.post("plainApiKey_wrong", map[string]any{"query": wsQuery})
	m.post("plainApiKey_topsecret", map[string]any{"query": createDoc, "variables": map[string]any{"input": createInput("https://h.example.com/?token=tok_123", "x")}})
	out := buf.String()
	if !strings.Contains(out, "op=Snapshot status=200") || !strings.Contains(out, "status=401") || !strings.Contains(out, "op=Create") {
		t.Errorf("log = %q", out)
	}
	for _, secret := range []string{"topsecret", "plainApiKey_wrong", "tok_123"} {
		if strings.Contains(out, secret) {
			t.Errorf("log shows %q: %s", secret, out)
		}
	}
}

// syncWriter serialises writes from handler goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.w)
}
