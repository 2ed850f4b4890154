package e2e

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

var eventIDRE = regexp.MustCompile(`pEv_[0-9A-HJKMNP-TV-Z]{26}`)

// emittedEventID is the event id in plain-mock emit's output line.
func emittedEventID(t *testing.T, out string) string {
	t.Helper()
	id := eventIDRE.FindString(out)
	if id == "" {
		t.Fatalf("no event id in %q", out)
	}
	return id
}

// startMockReceiver runs "plain-mock receive" with args and returns its URL.
func startMockReceiver(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "plain-mock"), append([]string{"receive"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read the receiver's banner: %v", err)
	}
	u, ok := strings.CutPrefix(strings.TrimSpace(line), "receiver listening on ")
	if !ok {
		t.Fatalf("unexpected receiver banner %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return u
}

// e2eEvents is the part of deliveries -o json this file reads.
type e2eEvents struct {
	Events []struct {
		EventID        string     `json:"eventId"`
		Target         string     `json:"target"`
		Outcome        string     `json:"outcome"`
		Attempts       int        `json:"attempts"`
		DeliveredAfter int        `json:"deliveredAfter"`
		NextAttemptAt  *time.Time `json:"nextAttemptAt"`
	} `json:"events"`
	Attempts []json.RawMessage `json:"attempts"`
	Health   []struct {
		Attempts        int `json:"attempts"`
		Successful      int `json:"successful"`
		Events          int `json:"events"`
		EventsDelivered int `json:"eventsDelivered"`
		EventsFailed    int `json:"eventsFailed"`
	} `json:"health"`
}

func deliveriesEvents(t *testing.T, m *mock, args ...string) e2eEvents {
	t.Helper()
	r := m.run(t.TempDir(), append([]string{"deliveries", "-o", "json"}, args...)...)
	wantCode(t, r, 0)
	var d e2eEvents
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	return d
}

// A receiver that fails twice and then succeeds: three attempts, one
// event, delivered after 3 attempts (text and JSON).
func TestDeliveriesShowsAnEventDeliveredAfterRetries(t *testing.T) {
	t.Parallel()
	rv := startMockReceiver(t, nil, "--fail-first", "2")
	m := startMock(t, nil, "--retry-schedule", "50ms,50ms,50ms")
	dir := workdir(t, fmt.Sprintf(`version: 1
defaults:
  webhookVersion: "2026-02-27"
webhooks:
  - name: flaky-hook
    url: %s
    events: [thread.thread_created]
`, rv))
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	ev := emittedEventID(t, m.emit("thread.thread_created"))

	var d e2eEvents
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		d = deliveriesEvents(t, m, "flaky-hook")
		if len(d.Attempts) >= 3 || time.Now().After(deadline) {
			break
		}
	}
	if len(d.Attempts) != 3 || len(d.Events) != 1 {
		t.Fatalf("%d attempts, %d events; want 3 and 1", len(d.Attempts), len(d.Events))
	}
	e := d.Events[0]
	if e.EventID != ev || e.Outcome != "delivered" || e.Attempts != 3 || e.DeliveredAfter != 3 || e.Target != "flaky-hook" {
		t.Errorf("event %+v", e)
	}
	if h := d.Health[0]; h.Attempts != 3 || h.Successful != 1 || h.Events != 1 || h.EventsDelivered != 1 {
		t.Errorf("health %+v: want 3 attempts, 1 successful, 1 of 1 events delivered", h)
	}
	r := m.run(dir, "deliveries", "flaky-hook")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, ev, "delivered after 3 attempts", "failed_response HTTP 500", "EVENTS DELIVERED", "1/1", "33.3%")
	r = m.run(dir, "deliveries", "flaky-hook", "--attempts")
	wantCode(t, r, 0)
	if n := strings.Count(r.stdout, "failed_response"); n < 2 {
		t.Errorf("--attempts lists %d failed attempts, want 2:\n%s", n, r.stdout)
	}
}

// An event whose 13 attempts (the first and Plain's 12 retries) all
// failed shows failed; one with a single failed attempt is retrying.
func TestDeliveriesShowsFailedWhenRetriesAreExhausted(t *testing.T) {
	t.Parallel()
	const (
		target    = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
		exhausted = "pEv_01HD450JT0RPBT7RRKS1ZQJYBA"
		pending   = "pEv_01HD450JT0RPBT7RRKS1ZQJYBB"
	)
	schedule := []time.Duration{10 * time.Second, 30 * time.Second, 5 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour,
		6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	at := time.Now().UTC().Add(-6 * 24 * time.Hour).Truncate(time.Second)
	var as []plain.DeliveryAttempt
	for i := 0; i < 13; i++ {
		as = append(as, plain.DeliveryAttempt{ID: fmt.Sprintf("whAttempt_01HD450N6X782MDTDBMS6Z14%02d", i), WebhookTargetID: target,
			PublicEventID: exhausted, EventType: "thread.thread_created", AttemptedAt: at, Result: plain.ResultFailedResponse, HTTPStatusCode: 503})
		if i < 12 {
			at = at.Add(schedule[i])
		}
	}
	recent := time.Now().UTC().Add(-5 * time.Second).Truncate(time.Second)
	as = append(as, plain.DeliveryAttempt{ID: "whAttempt_01HD450N6X782MDTDBMS6Z14ZZ", WebhookTargetID: target, PublicEventID: pending,
		EventType: "thread.thread_created", AttemptedAt: recent, Result: plain.ResultError, ErrorCode: "ECONNREFUSED", Message: "Connection refused by the webhook target."})
	m := startMock(t, &mockState{
		Workspace: plain.Workspace{ID: "w_01HD44FEFZ8ZNP7Q5QRXRCTWV5", Name: "Events"},
		Targets: []plain.Target{{ID: target, Description: "dead-hook", URL: "https://dead.example.com/hook", EventTypes: []string{"thread.thread_created"},
			Version: "2026-02-27", Enabled: true}},
		DeliveryAttempts: as,
	})
	d := deliveriesEvents(t, m, "dead-hook")
	if len(d.Events) != 2 {
		t.Fatalf("events %+v", d.Events)
	}
	byID := map[string]int{}
	for i, e := range d.Events {
		byID[e.EventID] = i
	}
	if e := d.Events[byID[exhausted]]; e.Outcome != "failed" || e.Attempts != 13 || e.NextAttemptAt != nil {
		t.Errorf("exhausted event %+v", e)
	}
	if e := d.Events[byID[pending]]; e.Outcome != "retrying" || e.NextAttemptAt == nil || !e.NextAttemptAt.Equal(recent.Add(10*time.Second)) {
		t.Errorf("pending event %+v", e)
	}
	if h := d.Health[0]; h.Events != 2 || h.EventsDelivered != 0 || h.EventsFailed != 1 {
		t.Errorf("health %+v", h)
	}
	r := m.run(t.TempDir(), "deliveries", "dead-hook")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "failed, retries exhausted", "retrying, next attempt due", "0/2")
}

// recorder is a loopback receiver that keeps every request.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	header http.Header
	body   []byte
}

func startRecorder(t *testing.T) *recorder {
	t.Helper()
	rc := &recorder{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, recorded{r.Header.Clone(), body})
		rc.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "thanks \x1b]0;pwned\x07")
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *recorder) wait(t *testing.T, n int) []recorded {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rc.mu.Lock()
		got := append([]recorded(nil), rc.reqs...)
		rc.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				t.Fatalf("%d requests, want %d", len(got), n)
			}
			return got
		}
	}
}

// event EVENT_ID shows the attempts; --body --out writes the exact bytes
// delivered; in CI without --out it refuses and prints no body. replay
// sends a new, signed attempt of the event to another loopback receiver.
func TestEventBodyAndReplay(t *testing.T) {
	t.Parallel()
	const secret = "whsec_e2e_replay"
	live, other := startRecorder(t), startRecorder(t)
	m := startMock(t, nil, "--hmac-secret", secret, "--retry-schedule", "none")
	dir := workdir(t, fmt.Sprintf(`version: 1
defaults:
  webhookVersion: "2026-02-27"
webhooks:
  - name: live-hook
    url: %s/live
    events: [thread.thread_created]
`, live.URL))
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	ev := emittedEventID(t, m.emit("thread.thread_created"))
	orig := live.wait(t, 1)[0]

	// The attempts, across targets.
	r := m.run(dir, "event", ev)
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "Event "+ev+" (thread.thread_created)", "live-hook", "delivered after 1 attempt", orig.header.Get("Plain-Webhook-Delivery-Attempt-Id"))

	// --body --out: the exact bytes, mode 0600; nothing of the body on stdout.
	r = m.run(dir, "event", ev, "--body", "--out", "event.json")
	wantCode(t, r, 0)
	got, err := os.ReadFile(filepath.Join(dir, "event.json"))
	if err != nil || !bytes.Equal(got, orig.body) {
		t.Fatalf("--out wrote %d bytes (%v), want the %d delivered", len(got), err, len(orig.body))
	}
	if st, _ := os.Stat(filepath.Join(dir, "event.json")); st.Mode().Perm() != 0o600 {
		t.Errorf("body file mode %v, want 0600", st.Mode().Perm())
	}
	if strings.Contains(r.stdout, `"payload"`) || strings.Contains(r.stdout, "workspaceId") {
		t.Errorf("stdout carries the body:\n%s", r.stdout)
	}
	// In CI (and into a pipe) without --out: refused, no body anywhere.
	for _, env := range [][]string{{"GITHUB_ACTIONS=true"}, {"CI=true"}, nil} {
		r = m.runEnv(dir, env, "event", ev, "--body")
		wantCode(t, r, 1)
		wantContains(t, r.stderr, "refusing to print an event body", "--out FILE")
		if strings.Contains(r.all(), `"payload"`) || strings.Contains(r.all(), ev+`"`) {
			t.Errorf("%v: the body leaked:\n%s", env, r.all())
		}
	}
	r = m.run(dir, "event", "pe_"+ev[4:])
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "is not a Plain event id: want pEv_ and 26 Crockford base32 characters")

	// replay to another loopback receiver.
	r = m.run(dir, "replay", ev, "--to", other.URL+"/replayed")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "Replayed "+ev+" (thread.thread_created) as attempt 2", "The receiver answered HTTP 200 OK", `thanks \x1b]0;pwned\x07`)
	if strings.ContainsRune(r.stdout, 0x1b) {
		t.Error("the receiver's answer reached the terminal raw")
	}
	rep := other.wait(t, 1)[0]
	checkReplayed(t, orig, rep, secret, ev, 2)

	// The live target's own URL asks first; --auto-approve sends.
	r = m.run(dir, "replay", ev, "--to", live.URL+"/live")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "refusing to replay to the host of live target live-hook")
	if n := len(live.wait(t, 1)); n != 1 {
		t.Fatalf("the refused replay reached the target")
	}
	r = m.run(dir, "replay", ev, "--to", live.URL+"/live", "--auto-approve", "-o", "json")
	wantCode(t, r, 0)
	var doc struct {
		AttemptNumber int  `json:"attemptNumber"`
		Signed        bool `json:"signed"`
		Response      struct {
			Status int `json:"status"`
		} `json:"response"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.AttemptNumber != 2 || !doc.Signed || doc.Response.Status != 200 {
		t.Errorf("replay -o json: %+v %v\n%s", doc, err, r.stdout)
	}
	checkReplayed(t, orig, live.wait(t, 2)[1], secret, ev, 2)

	// --hmac-secret-env signs with the receiver's own secret.
	r = m.runEnv(dir, []string{"OWN_SECRET=whsec_receivers_own"}, "replay", ev, "--to", other.URL+"/own", "--hmac-secret-env", "OWN_SECRET")
	wantCode(t, r, 0)
	checkReplayed(t, orig, other.wait(t, 2)[1], "whsec_receivers_own", ev, 2)
	if strings.Contains(r.all(), "whsec_receivers_own") || strings.Contains(r.all(), secret) {
		t.Error("a secret reached the output")
	}
}

// checkReplayed: rep is a new attempt (number n) of the event orig
// delivered, signed with secret.
func checkReplayed(t *testing.T, orig, rep recorded, secret, ev string, n int) {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(rep.body)
	if got := rep.header.Get("Plain-Request-Signature"); got != hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("signature %q does not verify", got)
	}
	var o, r map[string]any
	if json.Unmarshal(orig.body, &o) != nil || json.Unmarshal(rep.body, &r) != nil {
		t.Fatal("bodies are not JSON")
	}
	for _, k := range []string{"id", "type", "timestamp", "workspaceId", "payload"} {
		a, _ := json.Marshal(o[k])
		b, _ := json.Marshal(r[k])
		if !bytes.Equal(a, b) {
			t.Errorf("%s changed in the replay", k)
		}
	}
	md, omd := r["webhookMetadata"].(map[string]any), o["webhookMetadata"].(map[string]any)
	attemptID, _ := md["webhookDeliveryAttemptId"].(string)
	if !regexp.MustCompile(`^whAttempt_[0-9A-HJKMNP-TV-Z]{26}$`).MatchString(attemptID) || attemptID == omd["webhookDeliveryAttemptId"] ||
		md["webhookDeliveryAttemptNumber"] != float64(n) || md["webhookTargetId"] != omd["webhookTargetId"] || md["webhookTargetVersion"] != omd["webhookTargetVersion"] {
		t.Errorf("metadata %v (was %v)", md, omd)
	}
	ts, err := time.Parse("2006-01-02T15:04:05.000Z", rep.header.Get("Plain-Webhook-Delivery-Attempt-Timestamp"))
	if err != nil || time.Since(ts) > time.Minute || md["webhookDeliveryAttemptTimestamp"] != rep.header.Get("Plain-Webhook-Delivery-Attempt-Timestamp") {
		t.Errorf("attempt timestamp %q (%v)", rep.header.Get("Plain-Webhook-Delivery-Attempt-Timestamp"), err)
	}
	for h, want := range map[string]string{
		"Plain-Event-Id": ev, "Plain-Event-Type": "thread.thread_created", "Plain-Webhook-Delivery-Attempt-Id": attemptID,
		"Plain-Webhook-Delivery-Attempt-Number": fmt.Sprint(n), "Plain-Webhook-Target-Version": orig.header.Get("Plain-Webhook-Target-Version"),
		"Plain-Webhook-Target-Id": orig.header.Get("Plain-Webhook-Target-Id"), "Plain-Workspace-Id": orig.header.Get("Plain-Workspace-Id"),
		"User-Agent": orig.header.Get("User-Agent"), "Content-Type": "application/json", "Accept": "application/json",
	} {
		if got := rep.header.Get(h); got != want || want == "" {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
}

// Plain's TypeScript SDK (verifyPlainWebhook: signature, payload schema,
// timestamp tolerance) accepts the replayed delivery.
func TestSDKVerifiesAReplayedDelivery(t *testing.T) {
	t.Parallel()
	rv := startSDKReceiver(t)
	rv.control([]string{interopSecret}, nil)
	m := startMock(t, nil, "--hmac-secret", interopSecret, "--retry-schedule", "none", "--delivery-timeout", "2m")
	dir := workdir(t, fmt.Sprintf(`version: 1
defaults:
  webhookVersion: "2026-02-27"
webhooks:
  - name: sdk-hook
    url: %s/live
    events: [thread.thread_created]
`, rv.url))
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	ev := emittedEventID(t, m.emit("thread.thread_created"))
	rv.waitFor("/live", 1)
	// Another path on the live target's host is production too: refused
	// without a confirmation, sent with --auto-approve.
	r := m.run(dir, "replay", ev, "--to", rv.url+"/replayed")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "refusing to replay to the host of live target sdk-hook")
	r = m.run(dir, "replay", ev, "--to", rv.url+"/replayed", "--auto-approve")
	wantCode(t, r, 0)
	d := rv.waitFor("/replayed", 1)[0]
	if d.Verified[interopSecret] != "ok" {
		t.Fatalf("the SDK rejected the replayed delivery: %s", d.Verified[interopSecret])
	}
	if d.EventID != ev || d.AttemptNumber != 2 || d.Status != 200 || d.TargetVersion != "2026-02-27" {
		t.Errorf("replayed delivery %+v", d)
	}
	checkHeaders(t, d)
}

// drift's health over time: buckets in JSON, a Mermaid chart in Markdown,
// --max-silence for a target whose last success is too old.
func TestDriftHealthOverTime(t *testing.T) {
	t.Parallel()
	const target = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
	now := time.Now().UTC()
	attempt := func(i int, ago time.Duration, ok bool) plain.DeliveryAttempt {
		a := plain.DeliveryAttempt{ID: fmt.Sprintf("whAttempt_01HD450N6X782MDTDBMS6Z14%02d", i), WebhookTargetID: target,
			PublicEventID: fmt.Sprintf("pEv_01HD450JT0RPBT7RRKS1ZQJY%02d", i), EventType: "thread.thread_created",
			AttemptedAt: now.Add(-ago).Truncate(time.Second), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200}
		if !ok {
			a.Result, a.HTTPStatusCode = plain.ResultFailedResponse, 500
		}
		return a
	}
	m := startMock(t, &mockState{
		Workspace: plain.Workspace{ID: "w_01HD44FEFZ8ZNP7Q5QRXRCTWV5", Name: "Trend"},
		Targets: []plain.Target{{ID: target, Description: "crm-sync", URL: "https://crm.example.com/hook", EventTypes: []string{"thread.thread_created"},
			Version: "2026-02-27", Enabled: true, CreatedAt: now.Add(-24 * time.Hour)}},
		DeliveryAttempts: []plain.DeliveryAttempt{attempt(1, 3*time.Hour, true), attempt(2, 90*time.Minute, false), attempt(3, 70*time.Minute, false)},
	})
	dir := workdir(t, `version: 1
webhooks:
  - name: crm-sync
    url: https://crm.example.com/hook
    events: [thread.thread_created]
    webhookVersion: "2026-02-27"
`)
	r := m.run(dir, "drift", "--health-window", "6h", "--min-success-rate", "0.3", "-o", "json")
	wantCode(t, r, 0)
	var doc struct {
		InSync bool `json:"inSync"`
		Health struct {
			Targets []struct {
				Trend struct {
					Width   string `json:"width"`
					Buckets []struct {
						Attempts, Successful int
					} `json:"buckets"`
				} `json:"trend"`
			} `json:"targets"`
		} `json:"health"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if !doc.InSync || len(doc.Health.Targets) != 1 {
		t.Fatalf("drift json %s", r.stdout)
	}
	tr := doc.Health.Targets[0].Trend
	attempts, ok := 0, 0
	for _, b := range tr.Buckets {
		attempts += b.Attempts
		ok += b.Successful
	}
	if tr.Width != "1h" || len(tr.Buckets) != 7 || attempts != 3 || ok != 1 {
		t.Errorf("trend %+v", tr)
	}

	r = m.run(dir, "drift", "--health-window", "6h", "--min-success-rate", "0.3", "-o", "markdown")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "#### Delivery health (last 6h0m0s", "| T1 | `crm-sync` | 3 | 33.3% |", "```mermaid\nxychart-beta\n", "    line [")

	r = m.run(dir, "drift", "--max-silence", "2h")
	wantCode(t, r, 2)
	wantContains(t, r.stdout, "SILENT  crm-sync", "1 target(s) without a successful delivery for 2h0m0s or longer (SILENT).")
	wantCode(t, m.run(dir, "drift", "--max-silence", "4h"), 0)
}
