package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

// TestSecretsNeverLeakThroughEncodedEchoes: a hostile proxy in front of
// plain-mock answers the create request by echoing its body, which holds a
// ${VAR} value in the URL, in the four encodings of issue 20 (every byte
// percent-encoded, HTML entities, base64, a case-folded copy cut at 200
// characters, plus base64url at an odd offset), in 4xx and 5xx HTML bodies,
// GraphQL error messages and a mutation's error. No piece of the secret,
// in any encoding, reaches stdout, stderr, the step summary or the outputs.
func TestSecretsNeverLeakThroughEncodedEchoes(t *testing.T) {
	t.Parallel()
	const value = "Zq9+sec/ret=Value!42xy"
	encodings := map[string]func(string) string{
		"percent": func(s string) string {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				fmt.Fprintf(&b, "%%%02x", s[i])
			}
			return b.String()
		},
		"entities": func(s string) string {
			var b strings.Builder
			for i, r := range s {
				if i%2 == 0 {
					fmt.Fprintf(&b, "&#%d;", r)
				} else {
					fmt.Fprintf(&b, "&#x%x;", r)
				}
			}
			return b.String()
		},
		"base64":    func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"base64url": func(s string) string { return "=" + base64.RawURLEncoding.EncodeToString([]byte("ab"+s)) },
		// From the variables on: the query document fills the first 200.
		"folded": func(s string) string {
			s = s[max(0, strings.Index(s, "https://collector")-20):]
			return strings.ToLower(s)[:min(200, len(s))]
		},
	}
	places := []string{"400 html", "502 html", "400 graphql", "500 graphql", "mutation error"}
	for name, enc := range encodings {
		for _, place := range places {
			// Each case has its own plain-mock and proxy, so the cases run
			// at once (most of their time is the client's retry backoff).
			t.Run(name+"/"+place, func(t *testing.T) {
				t.Parallel()
				m := startMock(t, ws())
				p := startProxy(t, m)
				dir := workdir(t, "version: 1\nwebhooks:\n  - name: s\n    url: https://collector.example.net/?k=${SENTINEL}\n    events: [\"thread.*\"]\n")
				p.mu.Lock()
				p.intercept = func(w http.ResponseWriter, r *http.Request, body []byte) bool {
					if !isCreate(body) || bytes.Contains(body, []byte(plain.LeasePrefix)) {
						return false
					}
					// The echo must hold the secret: the request carries it raw.
					if !bytes.Contains(body, []byte(value)) {
						t.Errorf("the create request does not carry the value; the test would prove nothing")
					}
					e := enc(string(body))
					gql := func(status int, v any) {
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(status)
						_ = json.NewEncoder(w).Encode(v)
					}
					switch place {
					case "400 html", "502 html":
						w.Header().Set("Content-Type", "text/html")
						w.WriteHeader(map[string]int{"400 html": 400, "502 html": 502}[place])
						fmt.Fprintf(w, "<html><pre>%s</pre></html>", e)
					case "400 graphql":
						gql(400, map[string]any{"errors": []any{map[string]any{"message": "bad: " + e, "path": []any{e}, "extensions": map[string]any{"code": "BAD_USER_INPUT"}}}})
					case "500 graphql":
						gql(500, map[string]any{"errors": []any{map[string]any{"message": e, "extensions": map[string]any{"code": "INTERNAL_SERVER_ERROR"}}}})
					default:
						gql(200, map[string]any{"data": map[string]any{"createWebhookTarget": map[string]any{"webhookTarget": nil,
							"error": map[string]any{"message": e, "type": "VALIDATION", "code": "input_validation", "fields": []any{
								map[string]any{"field": "url", "message": e, "type": "VALIDATION"}}}}}})
					}
					return true
				}
				p.mu.Unlock()
				g := newGHAFiles(t)
				for _, env := range [][]string{{"SENTINEL=" + value}, append([]string{"SENTINEL=" + value}, g.env()...)} {
					r := m.runVia(p, dir, env, "apply", "--auto-approve", "--timeout", "1s")
					if r.code == 0 {
						t.Errorf("%s/%s: apply succeeded against a failing create", name, place)
					}
					outputs, summary := g.read(t)
					shown := withoutMasks(r.all()) + "\n" + summary + "\n" + outputs
					shown = strings.NewReplacer(secret.Withheld, "", "${SENTINEL}", "").Replace(shown)
					if secret.Echoes(shown, value) {
						t.Errorf("%s/%s: output gives the secret away:\n%s", name, place, shown)
					}
					if !strings.Contains(r.all(), "create") {
						t.Errorf("%s/%s: the failure is not reported:\n%s", name, place, r.all())
					}
				}
			})
		}
	}
}
