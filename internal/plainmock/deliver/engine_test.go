package deliver

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// received is one request a test receiver got.
type received struct {
	header http.Header
	body   []byte
	url    string
	host   string
}

// receiver is a loopback HTTP server that answers with statuses in turn
// (the last one repeats) and keeps what it got.
type receiver struct {
	mu       sync.Mutex
	got      []received
	statuses []int
	srv      *httptest.Server
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rv := &receiver{statuses: statuses}
	rv.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rv.mu.Lock()
		rv.got = append(rv.got, received{header: r.Header.Clone(), body: body, url: r.URL.String(), host: r.Host})
		status := 200
		if len(rv.statuses) > 0 {
			status = rv.statuses[0]
			if len(rv.statuses) > 1 {
				rv.statuses = rv.statuses[1:]
			}
		}
		rv.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rv.srv.Close)
	return rv
}

func (rv *receiver) requests() []received {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]received(nil), rv.got...)
}

// recorder collects recorded attempts.
type recorder struct {
	mu sync.Mutex
	as []Attempt
}

func (r *recorder) record(a Attempt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.as = append(r.as, a)
}

func (r *recorder) attempts() []Attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Attempt(nil), r.as...)
}

func newTestEngine(t *testing.T, cfg Config) (*Engine, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg.Record = rec.record
	if cfg.Schedule == nil {
		cfg.Schedule = []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}
	}
	e := New(cfg)
	t.Cleanup(e.Close)
	return e, rec
}

// waitIdle waits until no retry is pending.
func waitIdle(t *testing.T, e *Engine) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for e.Pending() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("retries still pending after 30s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func testTarget(url, version string) Target {
	return Target{ID: "whTarget_01KBTARGET0000000000000000", WorkspaceID: "w_01KBWSPACE0000000000000000", URL: url, Version: version, Enabled: true}
}

func TestDeliverySendsPlainsHeadersAndSignature(t *testing.T) {
	rv := newReceiver(t, 200)
	e, rec := newTestEngine(t, Config{Secret: func(ws string) string {
		if ws != "w_01KBWSPACE0000000000000000" {
			t.Errorf("secret asked for workspace %q", ws)
		}
		return "whsec-test"
	}})
	u := strings.Replace(rv.srv.URL, "http://", "http://hook-user:p%40ss@", 1) + "/plain/hook?team=support"
	ev := testEvent("thread.thread_created")
	first := e.Deliver(ev, testTarget(u, "2026-02-27"))

	reqs := rv.requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.url != "/plain/hook?team=support" || strings.Contains(r.host, "@") {
		t.Errorf("request URL %q host %q: want the path and query without user info", r.url, r.host)
	}
	h := r.header
	want := map[string]string{
		"Accept":                                   "application/json",
		"Content-Type":                             "application/json",
		"User-Agent":                               "Plain-Webhooks/1.0 (plain.com; help@plain.com)",
		"Plain-Workspace-Id":                       ev.WorkspaceID,
		"Plain-Webhook-Target-Id":                  "whTarget_01KBTARGET0000000000000000",
		"Plain-Webhook-Target-Version":             "2026-02-27",
		"Plain-Webhook-Delivery-Attempt-Id":        first.ID,
		"Plain-Webhook-Delivery-Attempt-Number":    "1",
		"Plain-Webhook-Delivery-Attempt-Timestamp": isoMillis(first.AttemptedAt),
		"Plain-Event-Type":                         "thread.thread_created",
		"Plain-Event-Id":                           ev.ID,
		"Authorization":                            "Basic " + base64.StdEncoding.EncodeToString([]byte("hook-user:p@ss")),
		"Plain-Request-Signature":                  Sign(r.body, "whsec-test"),
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if sig := h.Get("Plain-Request-Signature"); len(sig) != 64 || strings.ToLower(sig) != sig {
		t.Errorf("signature %q is not lowercase hex SHA-256", sig)
	}
	if err := Validate("2026-02-27", r.body); err != nil {
		t.Errorf("body: %v", err)
	}
	var doc struct {
		WebhookMetadata map[string]any `json:"webhookMetadata"`
	}
	_ = json.Unmarshal(r.body, &doc)
	if doc.WebhookMetadata["webhookDeliveryAttemptId"] != first.ID || doc.WebhookMetadata["webhookDeliveryAttemptNumber"] != 1.0 {
		t.Errorf("webhookMetadata %v does not name attempt %s", doc.WebhookMetadata, first.ID)
	}
	as := rec.attempts()
	if len(as) != 1 || as[0].Result != plain.ResultSuccessfulResponse || as[0].HTTPStatusCode != 200 ||
		as[0].PublicEventID != ev.ID || as[0].EventType != ev.Type || as[0].Number != 1 || !idPattern.MatchString(as[0].ID) {
		t.Errorf("recorded %+v", as)
	}
	// The record keeps the exact bytes sent, for publicEventRequestBody.
	if len(as) == 1 && (!bytes.Equal(as[0].Body, r.body) || !as[0].EventAt.Equal(ev.Timestamp)) {
		t.Errorf("recorded body %q at %v, sent %q for an event at %v", as[0].Body, as[0].EventAt, r.body, ev.Timestamp)
	}
}

func TestNoSignatureWithoutSecretNoAuthorizationWithoutUserInfo(t *testing.T) {
	rv := newReceiver(t, 204)
	e, rec := newTestEngine(t, Config{})
	e.Deliver(testEvent("customer.customer_created"), testTarget(rv.srv.URL, "2026-04-21"))
	r := rv.requests()[0]
	if r.header.Get("Plain-Request-Signature") != "" || r.header.Get("Authorization") != "" {
		t.Errorf("headers %v", r.header)
	}
	if a := rec.attempts()[0]; a.Result != plain.ResultSuccessfulResponse || a.HTTPStatusCode != 204 {
		t.Errorf("attempt %+v", a)
	}
}

// forbiddenDial fails the test if anything is dialled.
func forbiddenDial(t *testing.T) DialFunc {
	return func(_ context.Context, network, addr string) (net.Conn, error) {
		t.Errorf("dialled %s %s", network, addr)
		return nil, errors.New("test dialer: must not be called")
	}
}

func TestNonLoopbackTargetsAreNeverDialled(t *testing.T) {
	e, rec := newTestEngine(t, Config{Dial: forbiddenDial(t)})
	urls := []string{
		"https://example.com/hook",
		"https://user:pw@hooks.example.com/plain",
		"http://10.0.0.7:8080/hook",
		"http://192.168.1.1/",
		"http://[2001:db8::1]/hook",
		"http://127.1/hook",                  // not a literal loopback address
		"http://localhost.example.com/hook",  // a name, not localhost
		"ftp://127.0.0.1/hook",               // not http(s)
		"http://0.0.0.0:9/hook",              // unspecified, not loopback
		"http://[::ffff:10.0.0.1]:8080/hook", // IPv4-mapped private
	}
	for _, u := range urls {
		e.Deliver(testEvent("thread.thread_created"), testTarget(u, "2026-02-27"))
	}
	waitIdle(t, e)
	as := rec.attempts()
	if len(as) != len(urls) {
		t.Fatalf("%d attempts for %d targets (non-loopback ones are not retried)", len(as), len(urls))
	}
	for i, a := range as {
		if a.Result != plain.ResultError || a.ErrorCode != CodeNotLoopback || !strings.Contains(a.Message, "loopback") {
			t.Errorf("%s: attempt %+v, want ERROR %s", urls[i], a, CodeNotLoopback)
		}
		if strings.Contains(a.Message, "pw") || strings.Contains(a.Message, "/hook") {
			t.Errorf("%s: message quotes the URL: %q", urls[i], a.Message)
		}
	}
}

func TestDialGuardRefusesNonLoopbackAddresses(t *testing.T) {
	var dialled []string
	inner := func(_ context.Context, _, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		return nil, errors.New("stop here")
	}
	guard := loopbackOnly(inner)
	for _, addr := range []string{"93.184.216.34:443", "example.com:80", "[2001:db8::1]:443", "10.1.2.3:80"} {
		if _, err := guard(context.Background(), "tcp", addr); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("%s: err = %v, want ErrNotLoopback", addr, err)
		}
	}
	if len(dialled) != 0 {
		t.Fatalf("guard passed %v to the dialer", dialled)
	}
	_, _ = guard(context.Background(), "tcp", "localhost:8080")
	_, _ = guard(context.Background(), "tcp", "127.0.0.9:81")
	_, _ = guard(context.Background(), "tcp", "[::1]:82")
	want := []string{"127.0.0.1:8080", "[::1]:8080", "127.0.0.9:81", "[::1]:82"}
	if strings.Join(dialled, " ") != strings.Join(want, " ") {
		t.Errorf("dialled %v, want %v (localhost without a resolver)", dialled, want)
	}
}

func TestRetriesKeepTheEventAndNumberTheAttempts(t *testing.T) {
	rv := newReceiver(t, 500, 500, 200)
	e, rec := newTestEngine(t, Config{Secret: func(string) string { return "k" }})
	ev := testEvent("thread.thread_created")
	e.Deliver(ev, testTarget(rv.srv.URL, "2026-02-27"))
	waitIdle(t, e)
	as := rec.attempts()
	if len(as) != 3 {
		t.Fatalf("%d attempts, want 3: %+v", len(as), as)
	}
	wantResult := []string{plain.ResultFailedResponse, plain.ResultFailedResponse, plain.ResultSuccessfulResponse}
	wantStatus := []int{500, 500, 200}
	seen := map[string]bool{}
	for i, a := range as {
		if a.Number != i+1 || a.PublicEventID != ev.ID || a.Result != wantResult[i] || a.HTTPStatusCode != wantStatus[i] {
			t.Errorf("attempt %d: %+v", i+1, a)
		}
		if seen[a.ID] {
			t.Errorf("attempt id %s reused", a.ID)
		}
		seen[a.ID] = true
	}
	for i, r := range rv.requests() {
		if r.header.Get("Plain-Event-Id") != ev.ID || r.header.Get("Plain-Webhook-Delivery-Attempt-Number") != strconv.Itoa(i+1) ||
			r.header.Get("Plain-Webhook-Delivery-Attempt-Id") != as[i].ID {
			t.Errorf("request %d headers %v", i+1, r.header)
		}
		if r.header.Get("Plain-Request-Signature") != Sign(r.body, "k") {
			t.Errorf("request %d: bad signature", i+1)
		}
	}
}

func TestRetryScheduleRunsOutAfterItsLastStep(t *testing.T) {
	rv := newReceiver(t, 503)
	e, rec := newTestEngine(t, Config{Schedule: []time.Duration{time.Millisecond, 2 * time.Millisecond}})
	e.Deliver(testEvent("thread.thread_created"), testTarget(rv.srv.URL, "2026-02-27"))
	waitIdle(t, e)
	if n := len(rec.attempts()); n != 3 {
		t.Errorf("%d attempts, want 1 + 2 retries", n)
	}
	e2, rec2 := newTestEngine(t, Config{Schedule: []time.Duration{}})
	e2.Deliver(testEvent("thread.thread_created"), testTarget(rv.srv.URL, "2026-02-27"))
	waitIdle(t, e2)
	if n := len(rec2.attempts()); n != 1 {
		t.Errorf("empty schedule: %d attempts, want 1", n)
	}
}

func TestPlainScheduleIsTheDocumentedOne(t *testing.T) {
	want := "10s 30s 5m0s 30m0s 1h0m0s 3h0m0s 6h0m0s 12h0m0s 24h0m0s 24h0m0s 24h0m0s 24h0m0s"
	var got []string
	for _, d := range PlainSchedule {
		got = append(got, d.String())
	}
	if strings.Join(got, " ") != want {
		t.Errorf("PlainSchedule = %v", got)
	}
	if e := New(Config{}); len(e.cfg.Schedule) != 12 || e.cfg.Timeout != 10*time.Second {
		t.Errorf("defaults: schedule %v timeout %v", e.cfg.Schedule, e.cfg.Timeout)
	}
}

func TestRetriesStopWhenTheTargetIsDisabledOrDeleted(t *testing.T) {
	for name, lookup := range map[string]func(string, string) (Target, bool){
		"disabled": func(string, string) (Target, bool) { return Target{Enabled: false}, true },
		"deleted":  func(string, string) (Target, bool) { return Target{}, false },
	} {
		rv := newReceiver(t, 500)
		e, rec := newTestEngine(t, Config{Lookup: lookup})
		e.Deliver(testEvent("thread.thread_created"), testTarget(rv.srv.URL, "2026-02-27"))
		waitIdle(t, e)
		if n := len(rec.attempts()); n != 1 {
			t.Errorf("%s: %d attempts, want 1", name, n)
		}
	}
}

func TestRotatedSecretSignsLaterAttempts(t *testing.T) {
	var mu sync.Mutex
	secret := "old-secret"
	var reqs []received
	// The receiver rotates the secret while the first attempt is in
	// flight (already signed) and refuses it, so the retry comes after the
	// rotation, whatever the machine's speed.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		reqs = append(reqs, received{header: r.Header.Clone(), body: body})
		if len(reqs) == 1 {
			secret = "new-secret"
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	e, _ := newTestEngine(t, Config{
		Secret: func(string) string {
			mu.Lock()
			defer mu.Unlock()
			return secret
		},
	})
	e.Deliver(testEvent("thread.thread_created"), testTarget(srv.URL, "2026-02-27"))
	waitIdle(t, e)
	mu.Lock()
	defer mu.Unlock()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if reqs[0].header.Get("Plain-Request-Signature") != Sign(reqs[0].body, "old-secret") {
		t.Error("first attempt not signed with the old secret")
	}
	if got := reqs[1].header.Get("Plain-Request-Signature"); got != Sign(reqs[1].body, "new-secret") || got == Sign(reqs[1].body, "old-secret") {
		t.Error("retry after rotation not signed with the new secret only")
	}
}

func TestFailuresAreClassifiedTruthfully(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // so that net/http notices the client leaving
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	reset := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		_ = conn.Close()
	}))
	defer reset.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://example.com/elsewhere", http.StatusFound)
	}))
	defer redirect.Close()
	untrusted := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	untrusted.StartTLS()
	defer untrusted.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	// Only the slow receiver meets the short timeout; the others get a
	// generous one, so that a busy machine's slow TLS handshake is not
	// mistaken for a timeout.
	short, shortRec := newTestEngine(t, Config{Timeout: 100 * time.Millisecond, Schedule: []time.Duration{}})
	short.Deliver(testEvent("thread.thread_created"), testTarget(slow.URL, "2026-02-27"))
	e, rec := newTestEngine(t, Config{Timeout: 20 * time.Second, Schedule: []time.Duration{}, Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasSuffix(addr, ":1") {
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "localhost", IsNotFound: true}}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}})
	cases := []struct {
		url, result, code string
		status            int
	}{
		{closedURL, plain.ResultError, CodeRefused, 0},
		{"http://localhost:1/hook", plain.ResultError, CodeNotFound, 0},
		{reset.URL, plain.ResultError, CodeReset, 0},
		{untrusted.URL, plain.ResultError, CodeCertUnverified, 0},
		{redirect.URL, plain.ResultFailedResponse, "", 302},
	}
	for _, c := range cases {
		e.Deliver(testEvent("thread.thread_created"), testTarget(c.url, "2026-02-27"))
	}
	as := append(shortRec.attempts(), rec.attempts()...)
	cases = append([]struct {
		url, result, code string
		status            int
	}{{slow.URL, plain.ResultError, CodeTimeout, 0}}, cases...)
	for i, c := range cases {
		a := as[i]
		if a.Result != c.result || a.ErrorCode != c.code || a.HTTPStatusCode != c.status {
			t.Errorf("%s: %+v, want %s %s %d", c.url, a, c.result, c.code, c.status)
		}
		if c.result == plain.ResultError && a.Message == "" {
			t.Errorf("%s: ERROR without a message", c.url)
		}
	}
	if as[0].DurationInMilliseconds < 100 || as[0].Message != "The webhook target did not respond within 100ms." {
		t.Errorf("timeout attempt %+v: want the real duration (>= the 100ms timeout)", as[0])
	}
}

func TestHTTPSToLoopbackWithTrustedCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	e, rec := newTestEngine(t, Config{RootCAs: pool})
	e.Deliver(testEvent("thread.thread_created"), testTarget(srv.URL, "2026-02-27"))
	if a := rec.attempts()[0]; a.Result != plain.ResultSuccessfulResponse || a.HTTPStatusCode != 200 {
		t.Errorf("attempt %+v", a)
	}
}

func TestEventWithoutPayloadInVersionIsASchemaFailureNotSent(t *testing.T) {
	rv := newReceiver(t, 200)
	e, rec := newTestEngine(t, Config{})
	e.Deliver(testEvent("thread.thread_tenant_updated"), testTarget(rv.srv.URL, "2026-02-27"))
	waitIdle(t, e)
	if n := len(rv.requests()); n != 0 {
		t.Errorf("receiver got %d requests", n)
	}
	as := rec.attempts()
	if len(as) != 1 || as[0].Result != plain.ResultSchemaValidationFailed || !strings.Contains(as[0].Message, "2026-02-27") && !strings.Contains(as[0].Message, "schema") {
		t.Errorf("attempts %+v", as)
	}
}

func TestCloseCancelsScheduledRetries(t *testing.T) {
	rv := newReceiver(t, 500)
	rec := &recorder{}
	e := New(Config{Schedule: []time.Duration{time.Hour}, Record: rec.record})
	e.Deliver(testEvent("thread.thread_created"), testTarget(rv.srv.URL, "2026-02-27"))
	if e.Pending() != 1 {
		t.Fatalf("pending %d, want the scheduled retry", e.Pending())
	}
	done := make(chan struct{})
	go func() { e.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for an hour-long retry")
	}
	if e.Pending() != 0 || len(rec.attempts()) != 1 {
		t.Errorf("pending %d attempts %d", e.Pending(), len(rec.attempts()))
	}
	if a := e.Deliver(testEvent("thread.thread_created"), testTarget(rv.srv.URL, "2026-02-27")); a.ID != "" {
		t.Error("a closed engine still delivers")
	}
}
