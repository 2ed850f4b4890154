package api

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/version"
)

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		wantErr string
	}{
		{name: "empty key", o: Options{}, wantErr: "no API key: set PLAIN_API_KEY"},
		{name: "blank key", o: Options{APIKey: "  \n"}, wantErr: "no API key: set PLAIN_API_KEY"},
		{name: "key with inner space", o: Options{APIKey: "plainApiKey_SECRET123 x"}, wantErr: "whitespace or control characters"},
		{name: "not http", o: Options{APIKey: testKey, URL: "ftp://example.com/graphql"}, wantErr: "invalid API URL"},
		{name: "relative", o: Options{APIKey: testKey, URL: "graphql/v1"}, wantErr: "invalid API URL"},
		{name: "unparseable", o: Options{APIKey: testKey, URL: "http://[::1"}, wantErr: "invalid API URL"},
		{name: "secret in bad URL is redacted", o: Options{APIKey: testKey, URL: "ftp://u:hunter2@example.com/?key=hunter2"}, wantErr: "invalid API URL"},
		{name: "default URL", o: Options{APIKey: testKey}},
		{name: "custom URL", o: Options{APIKey: testKey, URL: "http://127.0.0.1:1/graphql/v1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.o)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New = %v, %v; want a client", c, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want it to contain %q", err, tt.wantErr)
			}
			for _, secret := range []string{testKey, "hunter2"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error %q leaks %q", err, secret)
				}
			}
		})
	}
}

func TestDefaultsApplied(t *testing.T) {
	c := newClient(t, Options{APIKey: testKey})
	tr := c.tr
	if tr.timeout != DefaultTimeout || tr.maxRetries != DefaultMaxRetries || tr.backoffBase != DefaultBackoffBase ||
		tr.backoffMax != DefaultBackoffMax || tr.maxRLWait != DefaultMaxRateLimitWait {
		t.Fatalf("defaults not applied: %+v", tr)
	}
	if len(tr.limiter.slots) != DefaultRateLimit {
		t.Fatalf("default limiter not 450/min: %+v", tr.limiter)
	}
	c = newClient(t, Options{APIKey: testKey, RateLimit: -1, MaxRetries: -1})
	if c.tr.limiter.slots != nil || c.tr.maxRetries != 0 {
		t.Fatalf("negative RateLimit/MaxRetries should disable: limiter %+v retries %d", c.tr.limiter, c.tr.maxRetries)
	}
}

func TestRequestHeadersAndBody(t *testing.T) {
	fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, workspaceData)
	})
	c := newClient(t, fastOptions(fs.URL))
	ws, err := c.Workspace(context.Background())
	if err != nil {
		t.Fatalf("Workspace: %v", err)
	}
	if ws != (plain.Workspace{ID: "w_1", Name: "Acme"}) {
		t.Fatalf("workspace = %+v", ws)
	}
	req := fs.requests()[0]
	if got := req.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
	if got, want := req.Header.Get("User-Agent"), version.UserAgent(); got != want || !strings.HasPrefix(got, "plainsync/") {
		t.Errorf("User-Agent = %q, want %q", got, want)
	}
	if got := req.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if req.Op() != "Workspace" {
		t.Errorf("operation = %q", req.Op())
	}
	if c.RequestCount() != 1 {
		t.Errorf("RequestCount = %d, want 1", c.RequestCount())
	}
}

// TestStatusHandling covers how each kind of answer becomes an error, and
// whether a query is retried.
func TestStatusHandling(t *testing.T) {
	html502 := "<html><head><title>502 Bad Gateway</title><style>body{}</style></head><body><h1>502 Bad Gateway</h1>" +
		strings.Repeat("<p>upstream unavailable</p>", 30) + "</body></html>"
	tests := []struct {
		name      string
		status    int
		body      string
		ctype     string
		wantIs    error
		wantText  []string
		wantHits  int // requests the server saw (MaxRetries is 2)
		checkGQL  func(t *testing.T, g *GraphQLError)
		notInText []string
	}{
		{
			name: "401 json", status: 401, body: `{"errors":[{"message":"Invalid API key","extensions":{"code":"UNAUTHENTICATED"}}]}`,
			wantIs: ErrUnauthorized, wantText: []string{"API key rejected", "HTTP 401", "Invalid API key"}, wantHits: 1,
		},
		{
			name: "401 html", status: 401, body: "<html><body>Unauthorized</body></html>", ctype: "text/html",
			wantIs: ErrUnauthorized, wantText: []string{"HTTP 401", "Unauthorized"}, wantHits: 1, notInText: []string{"<"},
		},
		{
			name: "403 says what", status: 403, body: `{"errors":[{"message":"Missing permission: webhookTarget:read","extensions":{"code":"FORBIDDEN"}}]}`,
			wantIs: ErrForbidden, wantText: []string{"forbidden", "webhookTarget:read"}, wantHits: 1,
		},
		{
			name: "200 forbidden code", status: 200, body: `{"data":null,"errors":[{"message":"You need webhookTarget:read","path":["webhookTargets"],"extensions":{"code":"FORBIDDEN"}}]}`,
			wantIs: ErrForbidden, wantText: []string{"webhookTarget:read", "at webhookTargets"}, wantHits: 1,
		},
		{
			name: "400 validation not retried", status: 400, body: `{"errors":[{"message":"Cannot query field \"nope\"","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`,
			wantText: []string{"GRAPHQL_VALIDATION_FAILED", `Cannot query field "nope"`}, wantHits: 1,
		},
		{
			name: "every error kept", status: 200,
			body:     `{"data":null,"errors":[{"message":"first problem","extensions":{"code":"BAD_USER_INPUT"}},{"message":"second problem","extensions":{"code":"FORBIDDEN"}}]}`,
			wantText: []string{"first problem", "second problem", "BAD_USER_INPUT", "FORBIDDEN"}, wantHits: 1,
			checkGQL: func(t *testing.T, g *GraphQLError) {
				if got := g.Codes(); len(got) != 2 || got[0] != CodeBadUserInput || got[1] != CodeForbidden {
					t.Errorf("codes = %v", got)
				}
			},
		},
		{
			name: "500 json retried", status: 500, body: `{"errors":[{"message":"boom","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`,
			wantText: []string{"HTTP 500", "boom", "gave up after 3 attempts"}, wantHits: 3,
		},
		{
			name: "200 internal server error retried", status: 200, body: `{"errors":[{"message":"oops","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`,
			wantText: []string{"INTERNAL_SERVER_ERROR", "oops"}, wantHits: 3,
		},
		{
			name: "502 html retried and excerpted", status: 502, body: html502, ctype: "text/html",
			wantText: []string{"non-JSON", "HTTP 502 Bad Gateway", "text/html body"}, wantHits: 3, notInText: []string{"<", ">", "style"},
		},
		{
			name: "200 not json", status: 200, body: "Service temporarily unavailable", ctype: "text/plain",
			wantText: []string{"non-JSON", "HTTP 200", "text/plain body of 31 bytes"}, wantHits: 3, notInText: []string{"Service"},
		},
		{
			name: "200 json without data", status: 200, body: `{"hello":"world"}`,
			wantText: []string{"neither data nor errors", "HTTP 200"}, wantHits: 3,
		},
		{
			name: "501 not retried", status: 501, body: "Not Implemented", ctype: "text/plain",
			wantText: []string{"HTTP 501", "Not Implemented"}, wantHits: 1,
		},
		{
			name: "404 text not retried", status: 404, body: "no such route", ctype: "text/plain",
			wantText: []string{"HTTP 404 Not Found", "text/plain body of 13 bytes"}, wantHits: 1, notInText: []string{"route"},
		},
		{
			name: "302 never followed", status: 302, body: "", ctype: "text/plain",
			wantText: []string{"redirect", "HTTP 302"}, wantHits: 1, notInText: []string{"elsewhere", "steal"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
				if tt.status == 302 {
					w.Header().Set("Location", "https://elsewhere.example/steal?token=abc")
				}
				ct := tt.ctype
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			c := newClient(t, fastOptions(fs.URL))
			_, err := c.Workspace(context.Background())
			if err == nil {
				t.Fatal("Workspace succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "read the workspace from Plain: ") {
				t.Errorf("error %q does not name the operation", msg)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			for _, w := range tt.notInText {
				if strings.Contains(msg, w) {
					t.Errorf("error %q contains %q", msg, w)
				}
			}
			if len(msg) > 400 {
				t.Errorf("error is %d bytes long: %q", len(msg), msg)
			}
			if errors.Is(err, plain.ErrOutcomeUnknown) {
				t.Errorf("a query error must not be outcome-unknown: %v", err)
			}
			if got := fs.hits(); got != tt.wantHits {
				t.Errorf("server saw %d requests, want %d", got, tt.wantHits)
			}
			if tt.checkGQL != nil {
				var g *GraphQLError
				if !errors.As(err, &g) {
					t.Fatalf("error %v is not a *GraphQLError", err)
				}
				tt.checkGQL(t, g)
			}
		})
	}
}

// TestBodiesAreDescribedNeverQuoted: a body that is not GraphQL is the
// text of whoever answered; an error names its status, type and size only.
func TestBodiesAreDescribedNeverQuoted(t *testing.T) {
	for _, tt := range []struct {
		ctype, want string
		body        string
	}{
		{"text/html; charset=utf-8", "unexpected non-JSON response (HTTP 400 Bad Request), text/html body of 26 bytes, not shown", "<h1>proxy said SECRET</h1>"},
		{"", "unexpected non-JSON response (HTTP 400 Bad Request), untyped body of 6 bytes, not shown", "SECRET"},
		{"text/SECRET\r\n::error::x; a=b", "unexpected non-JSON response (HTTP 400 Bad Request), untyped body of 6 bytes, not shown", "SECRET"},
		{"text/plain", "unexpected non-JSON response (HTTP 400 Bad Request), empty body", ""},
	} {
		fs := newFakeServer(t, func(_ int, _ gqlRequest, w http.ResponseWriter, _ *http.Request) {
			w.Header()["Content-Type"] = nil // no sniffing
			if tt.ctype != "" {
				w.Header()["Content-Type"] = []string{tt.ctype}
			}
			w.WriteHeader(400)
			_, _ = w.Write([]byte(tt.body))
		})
		o := fastOptions(fs.URL)
		_, err := newClient(t, o).Workspace(context.Background())
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("Content-Type %q: error %v, want it to hold %q", tt.ctype, err, tt.want)
		}
	}
}

func TestQueryRetriedUntilSuccess(t *testing.T) {
	fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			w.WriteHeader(503)
		case 2:
			dropConnection(t, w)
		default:
			writeJSON(w, 200, workspaceData)
		}
	})
	c := newClient(t, fastOptions(fs.URL))
	ws, err := c.Workspace(context.Background())
	if err != nil || ws.ID != "w_1" {
		t.Fatalf("Workspace = %+v, %v; want success after retries", ws, err)
	}
	if fs.hits() != 3 || c.RequestCount() != 3 {
		t.Fatalf("server saw %d, client counted %d; want 3", fs.hits(), c.RequestCount())
	}
}

func TestNoRetriesWhenDisabled(t *testing.T) {
	fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
	})
	o := fastOptions(fs.URL)
	o.MaxRetries = -1
	c := newClient(t, o)
	if _, err := c.Workspace(context.Background()); err == nil {
		t.Fatal("want error")
	}
	if fs.hits() != 1 {
		t.Fatalf("server saw %d requests, want 1", fs.hits())
	}
}

const createOK = `{"data":{"createWebhookTarget":{"webhookTarget":{"id":"whTarget_00000000000000000000000001","url":"https://a.example/h","description":"d","eventSubscriptions":[{"eventType":"b.x"},{"eventType":"a.y"},{"eventType":"b.x"}],"version":"2026-05-06","isEnabled":true,"createdAt":{"iso8601":"2026-01-02T03:04:05.000Z"},"updatedAt":{"iso8601":"2026-01-02T03:04:05.000Z"}},"error":null}}}`

var createIn = plain.CreateInput{URL: "https://a.example/h", Description: "d", EventTypes: []string{"b.x", "a.y"}, Enabled: true}

// TestMutationRetryRules: a mutation is repeated only when the failure
// proves Plain applied nothing; otherwise the error is outcome-unknown.
func TestMutationRetryRules(t *testing.T) {
	tests := []struct {
		name        string
		respond     func(t *testing.T, n int, w http.ResponseWriter)
		wantOK      bool
		wantUnknown bool
		wantHits    int
		wantText    string
	}{
		{
			name: "500 after sending", wantUnknown: true, wantHits: 1, wantText: "HTTP 500",
			respond: func(t *testing.T, n int, w http.ResponseWriter) {
				writeJSON(w, 500, gqlErrors(CodeInternalServerError, "boom"))
			},
		},
		{
			name: "html 502 after sending", wantUnknown: true, wantHits: 1, wantText: "HTTP 502",
			respond: func(t *testing.T, n int, w http.ResponseWriter) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(502)
				_, _ = w.Write([]byte("<html><body>Bad Gateway</body></html>"))
			},
		},
		{
			name: "200 INTERNAL_SERVER_ERROR", wantUnknown: true, wantHits: 1, wantText: "INTERNAL_SERVER_ERROR",
			respond: func(t *testing.T, n int, w http.ResponseWriter) {
				writeJSON(w, 200, gqlErrors(CodeInternalServerError, "boom"))
			},
		},
		{
			name: "dropped connection", wantUnknown: true, wantHits: 1,
			respond: func(t *testing.T, n int, w http.ResponseWriter) { dropConnection(t, w) },
		},
		{
			name: "400 validation proves nothing applied", wantHits: 1, wantText: "GRAPHQL_VALIDATION_FAILED",
			respond: func(t *testing.T, n int, w http.ResponseWriter) {
				writeJSON(w, 400, gqlErrors(CodeValidationFailed, "bad"))
			},
		},
		{
			name: "401", wantHits: 1, wantText: "API key rejected",
			respond: func(t *testing.T, n int, w http.ResponseWriter) {
				writeJSON(w, 401, gqlErrors(CodeUnauthenticated, "no"))
			},
		},
		{
			name: "403", wantHits: 1, wantText: "forbidden",
			respond: func(t *testing.T, n int, w http.ResponseWriter) { writeJSON(w, 403, gqlErrors(CodeForbidden, "no")) },
		},
		{
			name: "429 then success is retried", wantOK: true, wantHits: 2,
			respond: func(t *testing.T, n int, w http.ResponseWriter) {
				if n == 1 {
					w.Header().Set("Retry-After", "0")
					writeJSON(w, 429, gqlErrors(CodeRateLimited, "Too Many Requests - Rate limit exceeded"))
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(createOK))
			},
		},
		{
			name: "response without data", wantUnknown: true, wantHits: 1, wantText: "neither data nor errors",
			respond: func(t *testing.T, n int, w http.ResponseWriter) { writeJSON(w, 200, map[string]any{"data": nil}) },
		},
		{
			name: "unexpected data shape", wantUnknown: true, wantHits: 1, wantText: "unexpected response shape",
			respond: func(t *testing.T, n int, w http.ResponseWriter) {
				writeJSON(w, 200, map[string]any{"data": map[string]any{"createWebhookTarget": "surprise"}})
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
				tt.respond(t, n, w)
			})
			c := newClient(t, fastOptions(fs.URL))
			got, err := c.CreateWebhookTarget(context.Background(), createIn)
			if fs.hits() != tt.wantHits {
				t.Errorf("server saw %d requests, want %d", fs.hits(), tt.wantHits)
			}
			if tt.wantOK {
				if err != nil || got.ID != "whTarget_00000000000000000000000001" {
					t.Fatalf("Create = %+v, %v; want success", got, err)
				}
				return
			}
			if err == nil {
				t.Fatal("Create succeeded, want an error")
			}
			if errors.Is(err, plain.ErrOutcomeUnknown) != tt.wantUnknown {
				t.Errorf("errors.Is(%q, ErrOutcomeUnknown) = %v, want %v", err, !tt.wantUnknown, tt.wantUnknown)
			}
			if !strings.HasPrefix(err.Error(), "create webhook target: ") || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q should name the operation and contain %q", err, tt.wantText)
			}
		})
	}
}

// countingTransport counts attempts handed to the network, as dials: a
// plain-http client needs an *http.Transport, whose dials it checks.
type countingTransport struct {
	n atomic.Int64
}

func (c *countingTransport) transport() *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.n.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
}

func TestConnectionRefusedRetriesEvenMutations(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now: every dial is refused

	ct := &countingTransport{}
	o := fastOptions("http://" + addr + "/graphql/v1")
	o.HTTPClient = &http.Client{Transport: ct.transport()}
	c := newClient(t, o)
	_, err = c.CreateWebhookTarget(context.Background(), createIn)
	if err == nil {
		t.Fatal("want an error")
	}
	if errors.Is(err, plain.ErrOutcomeUnknown) {
		t.Errorf("a refused connection proves nothing was applied, got outcome unknown: %v", err)
	}
	if !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Errorf("error %q should say it retried", err)
	}
	if got := ct.n.Load(); got != 3 {
		t.Errorf("base transport saw %d attempts, want 3 (1 + MaxRetries)", got)
	}
	if c.RequestCount() != 0 {
		t.Errorf("RequestCount = %d, want 0: nothing was sent", c.RequestCount())
	}
}

// blockingServer never answers until the test ends.
func blockingServer(t *testing.T) *fakeServer {
	done := make(chan struct{})
	fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	})
	t.Cleanup(func() { close(done) }) // runs before fs.Close
	return fs
}

func TestTimeouts(t *testing.T) {
	t.Run("query retried then fails", func(t *testing.T) {
		fs := blockingServer(t)
		o := fastOptions(fs.URL)
		o.Timeout = 30 * time.Millisecond
		o.MaxRetries = 1
		c := newClient(t, o)
		_, err := c.Workspace(context.Background())
		if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no response within 30ms") {
			t.Fatalf("err = %v, want a per-request timeout", err)
		}
		if fs.hits() != 2 {
			t.Errorf("server saw %d requests, want 2", fs.hits())
		}
	})
	t.Run("mutation is outcome unknown", func(t *testing.T) {
		fs := blockingServer(t)
		o := fastOptions(fs.URL)
		o.Timeout = 30 * time.Millisecond
		c := newClient(t, o)
		err := c.DeleteWebhookTarget(context.Background(), "whTarget_00000000000000000000000001")
		if !errors.Is(err, plain.ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want outcome unknown wrapping the timeout", err)
		}
		if fs.hits() != 1 {
			t.Errorf("server saw %d requests, want 1", fs.hits())
		}
	})
	t.Run("caller cancels a mutation after sending", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
			cancel()
			<-r.Context().Done()
		})
		c := newClient(t, fastOptions(fs.URL))
		err := c.DeleteWebhookTarget(ctx, "whTarget_00000000000000000000000001")
		if !errors.Is(err, plain.ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want outcome unknown wrapping context.Canceled", err)
		}
	})
	t.Run("cancelled before sending", func(t *testing.T) {
		fs := blockingServer(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		c := newClient(t, fastOptions(fs.URL))
		err := c.DeleteWebhookTarget(ctx, "whTarget_00000000000000000000000001")
		if !errors.Is(err, context.Canceled) || errors.Is(err, plain.ErrOutcomeUnknown) {
			t.Fatalf("err = %v, want context.Canceled only", err)
		}
		if fs.hits() != 0 {
			t.Errorf("server saw %d requests", fs.hits())
		}
	})
}

func TestRateLimit429(t *testing.T) {
	t.Run("waits for x-ratelimit-reset then retries", func(t *testing.T) {
		fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
			if n <= 3 {
				w.Header().Set("x-ratelimit-limit", "450")
				w.Header().Set("x-ratelimit-remaining", "0")
				w.Header().Set("x-ratelimit-reset", time.Now().Add(20*time.Millisecond).UTC().Format(time.RFC3339Nano))
				writeJSON(w, 429, gqlErrors(CodeRateLimited, "Too Many Requests - Rate limit exceeded"))
				return
			}
			writeJSON(w, 200, workspaceData)
		})
		o := fastOptions(fs.URL)
		o.MaxRetries = -1 // 429 waits do not consume query retries
		c := newClient(t, o)
		if _, err := c.Workspace(context.Background()); err != nil {
			t.Fatalf("Workspace: %v", err)
		}
		if fs.hits() != 4 {
			t.Errorf("server saw %d requests, want 4", fs.hits())
		}
	})
	t.Run("reset beyond the cap fails at once", func(t *testing.T) {
		fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("x-ratelimit-reset", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
			writeJSON(w, 429, gqlErrors(CodeRateLimited, "Too Many Requests - Rate limit exceeded"))
		})
		o := fastOptions(fs.URL)
		o.MaxRateLimitWait = time.Second
		c := newClient(t, o)
		_, err := c.Workspace(context.Background())
		if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "Too Many Requests") || !strings.Contains(err.Error(), "at most 1s") {
			t.Fatalf("err = %v, want rate-limited naming the cap", err)
		}
		if fs.hits() != 1 {
			t.Errorf("server saw %d requests, want 1", fs.hits())
		}
	})
	t.Run("persistent 429 gives up within the budget", func(t *testing.T) {
		fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(429)
			_, _ = w.Write([]byte("<html>slow down</html>"))
		})
		o := fastOptions(fs.URL)
		o.MaxRateLimitWait = 2500 * time.Millisecond
		c := newClient(t, o)
		_, err := c.Workspace(context.Background())
		if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "HTTP 429") {
			t.Fatalf("err = %v, want rate-limited", err)
		}
		if fs.hits() != 3 { // waits 1s, 1s, then 1s more would exceed 2.5s
			t.Errorf("server saw %d requests, want 3", fs.hits())
		}
	})
}

func TestRateLimitWaitParsing(t *testing.T) {
	now := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)
	tr := &transport{clock: &fakeClock{t: now}, backoffBase: 100 * time.Millisecond, backoffMax: time.Second}
	tests := []struct {
		name   string
		header http.Header
		lo, hi time.Duration
	}{
		{"iso reset", http.Header{"X-Ratelimit-Reset": {"2026-05-06T10:00:07.500Z"}}, 7500 * time.Millisecond, 7500 * time.Millisecond},
		{"iso reset with offset", http.Header{"X-Ratelimit-Reset": {"2026-05-06T12:00:03+02:00"}}, 3 * time.Second, 3 * time.Second},
		{"retry-after seconds", http.Header{"Retry-After": {"12"}}, 12 * time.Second, 12 * time.Second},
		{"retry-after date", http.Header{"Retry-After": {"Wed, 06 May 2026 10:00:30 GMT"}}, 30 * time.Second, 30 * time.Second},
		{"reset in the past falls back to backoff", http.Header{"X-Ratelimit-Reset": {"2026-05-06T09:00:00Z"}}, 50 * time.Millisecond, 100 * time.Millisecond},
		{"no header falls back to backoff", http.Header{}, 50 * time.Millisecond, 100 * time.Millisecond},
		{"garbage falls back to backoff", http.Header{"X-Ratelimit-Reset": {"soon"}}, 50 * time.Millisecond, 100 * time.Millisecond},
		{"garbage reset defers to retry-after", http.Header{"X-Ratelimit-Reset": {"soon"}, "Retry-After": {"12"}}, 12 * time.Second, 12 * time.Second},
		{"past reset defers to retry-after", http.Header{"X-Ratelimit-Reset": {"2026-05-06T09:00:00Z"}, "Retry-After": {"Wed, 06 May 2026 10:00:30 GMT"}}, 30 * time.Second, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tr.rateLimitWait(tt.header, 0)
			if got < tt.lo || got > tt.hi {
				t.Fatalf("wait = %v, want in [%v, %v]", got, tt.lo, tt.hi)
			}
		})
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	tr := &transport{backoffBase: 100 * time.Millisecond, backoffMax: time.Second}
	for n, want := range []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} {
		want *= time.Millisecond
		for range 20 {
			d := tr.backoffDelay(n)
			if d < want/2 || d > want {
				t.Fatalf("backoffDelay(%d) = %v, want in [%v, %v]", n, d, want/2, want)
			}
		}
	}
}

func TestDebugOutputIsRedacted(t *testing.T) {
	fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(createOK))
	})
	var buf bytes.Buffer
	o := fastOptions(fs.URL + "?token=hunter2")
	o.Debug = &buf
	c := newClient(t, o)
	in := createIn
	in.URL = "https://bob:pa55word@hooks.example.com/plain?token=tok_SUPERSECRET&mode=x"
	if _, err := c.CreateWebhookTarget(context.Background(), in); err != nil {
		t.Fatalf("Create: %v", err)
	}
	out := buf.String()
	for _, want := range []string{
		"CreateWebhookTarget", "mutation", "Authorization: Bearer [REDACTED]", "User-Agent: plainsync/",
		"https://REDACTED:REDACTED@hooks.example.com/plain?token=REDACTED\u0026mode=x", `"description":"d"`,
		"200 OK", "?token=REDACTED",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("debug output lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{testKey, "pa55word", "tok_SUPERSECRET", "hunter2"} {
		if strings.Contains(out, secret) {
			t.Errorf("debug output leaks %q:\n%s", secret, out)
		}
	}
}
