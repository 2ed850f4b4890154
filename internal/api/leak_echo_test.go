package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

// echoEncodings are the four ways the hostile proxy of issue 20 echoed a
// create request: every byte percent-encoded (lower-case hex), HTML
// entities, base64 of the body, and a case-folded copy cut at 200
// characters; plus base64url at an odd alignment.
var echoEncodings = map[string]func(string) string{
	"every byte %-escaped": func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, "%%%02x", s[i])
		}
		return b.String()
	},
	"html entities": func(s string) string {
		var b strings.Builder
		for i, r := range s {
			if i%2 == 0 {
				fmt.Fprintf(&b, "&#%d;", r)
			} else {
				fmt.Fprintf(&b, "&#x%X;", r)
			}
		}
		return b.String()
	},
	"base64":          func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	"base64url +1":    func(s string) string { return "k" + base64.RawURLEncoding.EncodeToString([]byte("x"+s)) },
	"case-folded cut": func(s string) string { return strings.ToUpper(s)[:min(200, len(s))] },
}

// TestSecretsNeverLeakThroughEchoes: a server that echoes the create
// request (the URL carries a ${VAR} value) in each encoding, in 4xx and
// 5xx bodies, GraphQL error messages and mutation errors, gets no piece
// of the secret into an error or the debug stream.
func TestSecretsNeverLeakThroughEchoes(t *testing.T) {
	const value = "Zq9+sec/ret=Value!42"
	masker := &secret.Masker{}
	masker.Add("CRM_TOKEN", value)
	// The echo is cut at 200 characters: the secret must sit inside.
	in := plain.CreateInput{URL: "https://collector.example.net/?k=" + value, Description: "crm", EventTypes: []string{"thread.thread_created"}, Enabled: true}
	var debug bytes.Buffer
	for encName, enc := range echoEncodings {
		for _, where := range []string{"400 html", "502 html", "400 graphql", "500 graphql", "200 graphql", "mutation error"} {
			t.Run(encName+"/"+where, func(t *testing.T) {
				fs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					raw, _ := io.ReadAll(r.Body)
					e := enc(string(raw))
					switch where {
					case "400 html", "502 html":
						w.Header().Set("Content-Type", "text/html")
						w.WriteHeader(map[string]int{"400 html": 400, "502 html": 502}[where])
						_, _ = io.WriteString(w, "<pre>"+e+"</pre>")
					case "400 graphql":
						writeJSON(w, 400, gqlErrors(CodeBadUserInput, "bad input: "+e))
					case "500 graphql":
						writeJSON(w, 500, gqlErrors(CodeInternalServerError, e))
					case "200 graphql":
						writeJSON(w, 200, map[string]any{"errors": []any{map[string]any{"message": e, "path": []any{e}, "extensions": map[string]any{"code": e}}}})
					default:
						me := map[string]any{"message": e, "type": "VALIDATION", "code": e, "fields": []any{
							map[string]any{"field": e, "message": e, "type": "VALIDATION"},
						}}
						writeJSON(w, 200, map[string]any{"data": map[string]any{"createWebhookTarget": map[string]any{"error": me, "webhookTarget": nil}}})
					}
				}))
				defer fs.Close()
				o := fastOptions(fs.URL)
				o.Timeout = time.Second
				o.Debug = &debug
				o.Mask, o.Untrusted = masker.Mask, masker.Untrusted
				_, err := newClient(t, o).CreateWebhookTarget(context.Background(), in)
				if err == nil {
					t.Fatal("want an error")
				}
				// The withheld note's "secret" is a piece of testKey.
				shown := strings.ReplaceAll(err.Error(), secret.Withheld, "")
				if secret.Echoes(shown, value) || secret.Echoes(shown, testKey) {
					t.Errorf("the error gives the secret away: %q", err)
				}
			})
		}
	}
	// The debug stream shows requests, which the CLI masks, and of
	// responses only their status: no echo reaches it.
	if debug.Len() == 0 {
		t.Fatal("debug stream is empty; the check below would prove nothing")
	}
	if resp := regexp.MustCompile(`(?m)^<--.*$`).FindAllString(debug.String(), -1); len(resp) == 0 || secret.Echoes(strings.Join(resp, "\n"), value) {
		t.Errorf("debug output of responses: %q", resp)
	}
}

// TestDeliveryMessagesAreScrubbed: what Plain recorded of a receiver's
// answer is server text: an echo of a secret in it, in a form masking
// cannot undo, is withheld; the rest is left to the caller's masking.
func TestDeliveryMessagesAreScrubbed(t *testing.T) {
	const value = "Zq9+sec/ret=Value!42"
	masker := &secret.Masker{}
	masker.Add("CRM_TOKEN", value)
	echo := base64.StdEncoding.EncodeToString([]byte("GET /?k=" + value))
	fs := newFakeServer(t, func(_ int, _ gqlRequest, w http.ResponseWriter, _ *http.Request) {
		node := attemptJSON(2) // an error result
		node["result"] = map[string]any{"__typename": "WebhookDeliveryAttemptErrorResult", "errorCode": "TIMEOUT", "errorMessage": "receiver said " + echo}
		plainNode := attemptJSON(3)
		plainNode["result"] = map[string]any{"__typename": "WebhookDeliveryAttemptRejectedResult", "rejectedMessage": "blocked host " + value}
		writeJSON(w, 200, map[string]any{"data": map[string]any{"webhookDeliveryAttempts": map[string]any{
			"edges": []any{map[string]any{"node": node}, map[string]any{"node": plainNode}}, "pageInfo": map[string]any{"hasNextPage": false},
		}}})
	})
	o := fastOptions(fs.URL)
	o.Mask, o.Untrusted = masker.Mask, masker.Untrusted
	got, err := newClient(t, o).ListDeliveryAttempts(context.Background(), "whTarget_01HD4400VTDJQ646V6RY37SR7K", DeliveryFilter{})
	if err != nil || len(got) != 2 {
		t.Fatalf("%d attempts, %v", len(got), err)
	}
	if got[0].Message != secret.Withheld || got[0].ErrorCode != "TIMEOUT" {
		t.Errorf("echoed message = %q (%s)", got[0].Message, got[0].ErrorCode)
	}
	// Masking it is the caller's: it redacts URLs in such text too.
	if got[1].Message != "blocked host "+value {
		t.Errorf("plain message = %q", got[1].Message)
	}
}

// TestBatchedDeliveryMessagesAreScrubbed: the batched listing (health,
// silence) withholds an echoed secret exactly as ListDeliveryAttempts does,
// since both read their pages through the same listing.
func TestBatchedDeliveryMessagesAreScrubbed(t *testing.T) {
	const value = "Zq9+sec/ret=Value!42"
	masker := &secret.Masker{}
	masker.Add("CRM_TOKEN", value)
	echo := base64.StdEncoding.EncodeToString([]byte("GET /?k=" + value))
	fs := newFakeServer(t, func(_ int, _ gqlRequest, w http.ResponseWriter, _ *http.Request) {
		node := attemptJSON(2) // an error result
		node["result"] = map[string]any{"__typename": "WebhookDeliveryAttemptErrorResult", "errorCode": "TIMEOUT", "errorMessage": "receiver said " + echo}
		writeJSON(w, 200, map[string]any{"data": map[string]any{"t0": map[string]any{
			"edges": []any{map[string]any{"node": node}}, "pageInfo": map[string]any{"hasNextPage": false},
		}}})
	})
	o := fastOptions(fs.URL)
	o.Mask, o.Untrusted = masker.Mask, masker.Untrusted
	const id = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
	got, err := newClient(t, o).ListDeliveryAttemptsForTargets(context.Background(), []string{id}, DeliveryFilter{})
	if err != nil || len(got[id]) != 1 {
		t.Fatalf("%v, %v", got, err)
	}
	if a := got[id][0]; a.Message != secret.Withheld || a.ErrorCode != "TIMEOUT" {
		t.Errorf("echoed message = %q (%s)", a.Message, a.ErrorCode)
	}
}
