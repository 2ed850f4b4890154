package replay

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	eventID   = "pEv_01HD450JT0RPBT7RRKS1ZQJYBA"
	targetID  = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
	attemptID = "whAttempt_01HD450N6X782MDTDBMS6Z14DJ"
	wsID      = "w_01HD44FEFZ8ZNP7Q5QRXRCTWV5"
)

var delivered = `{"timestamp":"2026-11-20T11:59:00.000Z","workspaceId":"` + wsID + `","payload":{"eventType":"thread.thread_created","thread":{"title":"Ünïcode <b>"}},` +
	`"id":"` + eventID + `","type":"thread.thread_created","webhookMetadata":{"webhookTargetId":"` + targetID + `","webhookTargetVersion":"2026-02-27",` +
	`"webhookDeliveryAttemptId":"whAttempt_01HD450N6X782MDTDBMS6Z14D0","webhookDeliveryAttemptNumber":3,"webhookDeliveryAttemptTimestamp":"2026-11-20T11:59:40.000Z"}}`

var now = time.Date(2026, 11, 20, 12, 0, 0, 123456789, time.UTC)

func TestPrepareMakesTheNextAttempt(t *testing.T) {
	d, err := Prepare([]byte(delivered), attemptID, now)
	if err != nil {
		t.Fatal(err)
	}
	if d.EventID != eventID || d.EventType != "thread.thread_created" || d.WorkspaceID != wsID || d.TargetID != targetID ||
		d.TargetVersion != "2026-02-27" || d.AttemptNumber != 4 || d.AttemptID != attemptID || !d.AttemptAt.Equal(now.Truncate(time.Millisecond)) {
		t.Fatalf("delivery %+v", d)
	}
	var got, was map[string]any
	if err := json.Unmarshal(d.Body, &got); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(delivered), &was)
	md := got["webhookMetadata"].(map[string]any)
	if md["webhookDeliveryAttemptId"] != attemptID || md["webhookDeliveryAttemptNumber"] != 4.0 ||
		md["webhookDeliveryAttemptTimestamp"] != "2026-11-20T12:00:00.123Z" || md["webhookTargetId"] != targetID || md["webhookTargetVersion"] != "2026-02-27" {
		t.Errorf("metadata %v", md)
	}
	// Everything but the attempt's metadata is the event as delivered.
	for _, k := range []string{"timestamp", "workspaceId", "payload", "id", "type"} {
		a, _ := json.Marshal(got[k])
		b, _ := json.Marshal(was[k])
		if string(a) != string(b) {
			t.Errorf("%s changed: %s, was %s", k, a, b)
		}
	}
}

func TestPrepareRefusesWhatIsNotAnEventBody(t *testing.T) {
	for _, body := range []string{
		``, `[]`, `{"id":"x"}`,
		`{"id":"` + eventID + `","type":"t","workspaceId":"w","webhookMetadata":{"webhookTargetId":"x","webhookTargetVersion":"v"}}`,
		`{"type":"t","workspaceId":"w","webhookMetadata":{"webhookTargetId":"x","webhookTargetVersion":"v","webhookDeliveryAttemptNumber":1}}`,
	} {
		if _, err := Prepare([]byte(body), attemptID, now); err == nil {
			t.Errorf("Prepare(%q) accepted it", body)
		}
	}
}

func TestNewAttemptID(t *testing.T) {
	a, b := NewAttemptID(now), NewAttemptID(now)
	// The payload schema's id pattern, with Plain's attempt prefix.
	re := regexp.MustCompile(`^whAttempt_[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$`)
	if !re.MatchString(a) || a == b {
		t.Errorf("ids %s %s", a, b)
	}
}

func TestCheckURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.example.com/plain":  "",
		"http://127.0.0.1:8080/hook":       "",
		"http://[::1]:9/x":                 "",
		"http://localhost/x":               "",
		"http://hooks.example.com/plain":   "http is only for loopback",
		"ftp://example.com/":               "must be an https URL",
		"/relative":                        "absolute URL",
		"http://127.0.0.1.example.com/x":   "http is only for loopback",
		"https://user:pass@example.com/ok": "",
	} {
		_, err := CheckURL(raw)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckURL(%q) = %v, want %q", raw, err, want)
		}
	}
}

func TestSameEndpoint(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"https://Hooks.Example.com/plain?x=1", "https://hooks.example.com:443/plain?x=1", true},
		{"https://u:p@hooks.example.com/plain", "https://hooks.example.com/plain#frag", true},
		{"https://hooks.example.com", "https://hooks.example.com/", true},
		{"https://hooks.example.com/plain", "https://hooks.example.com/plain2", false},
		{"https://hooks.example.com/plain?x=1", "https://hooks.example.com/plain?x=2", false},
		{"http://127.0.0.1:1/a", "http://127.0.0.1:2/a", false},
	} {
		if got := SameEndpoint(tc.a, tc.b); got != tc.same {
			t.Errorf("SameEndpoint(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

// Send posts the prepared attempt with Plain's headers and a signature the
// receiver can check, follows no redirect, and returns the answer as it
// came (view makes an inert, clipped summary of it).
func TestSend(t *testing.T) {
	const secret = "whsec_replay_unit"
	var got *http.Request
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		gotBody, _ = io.ReadAll(r.Body)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "ok\x1b[31m red "+strings.Repeat("x", 500))
	}))
	defer srv.Close()
	d, err := Prepare([]byte(delivered), attemptID, now)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(strings.Replace(srv.URL, "http://", "http://hook-user:hook-pass@", 1) + "/in")
	res, err := Send(context.Background(), nil, u, d, secret)
	if err != nil {
		t.Fatal(err)
	}
	// The answer comes back as it was: view screens it (its summary is
	// tested in view's TestReplayResponseScreensTheAnswer).
	if !res.OK() || res.Status != 202 || res.Bytes != 512 || res.ContentType != "text/plain" || string(res.Body) != "ok\x1b[31m red "+strings.Repeat("x", 500) {
		t.Errorf("result %+v", res)
	}
	if string(gotBody) != string(d.Body) || got.Header.Get("Plain-Request-Signature") != Sign(d.Body, secret) {
		t.Errorf("body or signature differ")
	}
	want := map[string]string{
		"Accept": "application/json", "Content-Type": "application/json", "User-Agent": UserAgent,
		"Plain-Workspace-Id": wsID, "Plain-Webhook-Target-Id": targetID, "Plain-Webhook-Target-Version": "2026-02-27",
		"Plain-Webhook-Delivery-Attempt-Id": attemptID, "Plain-Webhook-Delivery-Attempt-Number": "4",
		"Plain-Webhook-Delivery-Attempt-Timestamp": "2026-11-20T12:00:00.123Z", "Plain-Event-Type": "thread.thread_created",
		"Plain-Event-Id": eventID, "Authorization": "Basic aG9vay11c2VyOmhvb2stcGFzcw==",
	}
	for k, v := range want {
		if got.Header.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, got.Header.Get(k), v)
		}
	}
	if got.Header.Get("Accept-Encoding") != "" {
		t.Errorf("Accept-Encoding %q: Plain sends none", got.Header.Get("Accept-Encoding"))
	}
	if got.URL.User != nil || got.URL.Path != "/in" {
		t.Errorf("request URL %s", got.URL)
	}

	u, _ = url.Parse(srv.URL + "/redirect")
	res, err = Send(context.Background(), nil, u, d, "")
	if err != nil || res.Status != http.StatusTemporaryRedirect || res.OK() || got.URL.Path != "/redirect" || got.Header.Get("Plain-Request-Signature") != "" {
		t.Errorf("redirect: %+v %v, last request %s", res, err, got.URL.Path)
	}

	srv.Close()
	if _, err := Send(context.Background(), nil, u, d, ""); err == nil || strings.Contains(err.Error(), srv.URL) {
		t.Errorf("a dead receiver: %v (must not quote the URL)", err)
	}
}

// Sign is Plain's signature: a known vector.
func TestSign(t *testing.T) {
	// HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231-style known answer.
	if got := Sign([]byte("The quick brown fox jumps over the lazy dog"), "key"); got != "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8" {
		t.Errorf("Sign = %s", got)
	}
}
