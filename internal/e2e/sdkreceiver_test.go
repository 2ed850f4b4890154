package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plainschema"
)

// sdkDir is the npm package that pins Plain's TypeScript SDK; the receiver
// lives there so that it imports exactly that SDK.
const sdkDir = "../../interop/plain-sdk"

var (
	sdkOnce sync.Once
	sdkErr  error
)

// ensureSDK installs the pinned SDK when make interop has not (a plain
// go test ./... on a fresh clone): npm ci from the committed lock file.
func ensureSDK(t *testing.T) {
	t.Helper()
	sdkOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(sdkDir, "node_modules", "@team-plain", "typescript-sdk", "package.json")); err == nil {
			return
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = sdkDir
		out, err := cmd.CombinedOutput()
		if err != nil {
			sdkErr = fmt.Errorf("npm ci in %s (Node.js and npm are needed for the SDK interop tests): %v\n%s", sdkDir, err, out)
		}
	})
	if sdkErr != nil {
		t.Fatal(sdkErr)
	}
}

// sdkReceiver is interop/plain-sdk/receiver.mjs, a Node.js receiver that
// checks every delivery with the SDK's verifyPlainWebhook.
type sdkReceiver struct {
	t   *testing.T
	url string
}

// sdkDelivery is one entry of the receiver's log.
type sdkDelivery struct {
	Path          string            `json:"path"`
	Method        string            `json:"method"`
	Headers       map[string]string `json:"headers"`
	Verified      map[string]string `json:"verified"` // secret → "ok" or the SDK's error
	Status        int               `json:"status"`
	EventID       string            `json:"eventId"`
	EventType     string            `json:"eventType"`
	AttemptNumber int               `json:"attemptNumber"`
	TargetVersion string            `json:"targetVersion"`
}

func startSDKReceiver(t *testing.T) *sdkReceiver {
	t.Helper()
	ensureSDK(t)
	cmd := exec.Command("node", "receiver.mjs")
	cmd.Dir = sdkDir
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the Node.js receiver: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read the receiver's banner: %v", err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "receiver listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("unexpected receiver banner %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return &sdkReceiver{t: t, url: url}
}

// control sets the secrets the receiver verifies with (the first decides
// its answer) and, per path, the statuses it answers in turn.
func (r *sdkReceiver) control(secrets []string, statuses map[string][]int) {
	r.t.Helper()
	body, _ := json.Marshal(map[string]any{"secrets": secrets, "statuses": statuses})
	resp, err := http.Post(r.url+"/_control", "application/json", bytes.NewReader(body))
	if err != nil {
		r.t.Fatalf("control the receiver: %v", err)
	}
	resp.Body.Close()
}

func (r *sdkReceiver) log() []sdkDelivery {
	r.t.Helper()
	resp, err := http.Get(r.url + "/_log")
	if err != nil {
		r.t.Fatalf("read the receiver's log: %v", err)
	}
	defer resp.Body.Close()
	var out []sdkDelivery
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		r.t.Fatalf("decode the receiver's log: %v", err)
	}
	return out
}

// waitFor polls the log until want deliveries arrived at path ("" = any).
func (r *sdkReceiver) waitFor(path string, want int) []sdkDelivery {
	r.t.Helper()
	deadline := time.Now().Add(90 * time.Second) // the SDK is slow on a busy machine
	for {
		var got []sdkDelivery
		for _, d := range r.log() {
			if path == "" || d.Path == path {
				got = append(got, d)
			}
		}
		if len(got) >= want || time.Now().After(deadline) {
			if len(got) != want {
				r.t.Fatalf("%d deliveries at %q, want %d", len(got), path, want)
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// emit runs "plain-mock emit" against m and returns its output line.
func (m *mock) emit(eventType string, args ...string) string {
	m.t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "plain-mock"), append([]string{"emit", eventType, "--url", m.url}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PLAIN_API_KEY=" + apiKey}
	out, err := cmd.CombinedOutput()
	if err != nil {
		m.t.Fatalf("plain-mock emit %s: %v\n%s", eventType, err, out)
	}
	assertNoSecrets(m.t, "plain-mock emit", string(out))
	return string(out)
}

// ageAttempts runs "plain-mock age-attempts".
func (m *mock) ageAttempts(by string) {
	m.t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "plain-mock"), "age-attempts", by, "--url", m.url)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PLAIN_API_KEY=" + apiKey}
	if out, err := cmd.CombinedOutput(); err != nil {
		m.t.Fatalf("plain-mock age-attempts: %v\n%s", err, out)
	}
}

// documentedHeaders are the headers Plain documents for every delivery,
// as Node.js names them; a receiver also sees the transport's own.
var documentedHeaders = []string{
	"accept", "content-type", "user-agent", "plain-workspace-id", "plain-webhook-target-id",
	"plain-webhook-target-version", "plain-webhook-delivery-attempt-id", "plain-webhook-delivery-attempt-number",
	"plain-webhook-delivery-attempt-timestamp", "plain-event-type", "plain-event-id", "plain-request-signature",
}

var transportHeaders = map[string]bool{"host": true, "content-length": true, "connection": true}

func checkHeaders(t *testing.T, d sdkDelivery, extra ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, h := range append(append([]string{}, documentedHeaders...), extra...) {
		want[h] = true
	}
	for h := range d.Headers {
		if !want[h] && !transportHeaders[h] {
			t.Errorf("%s: undocumented header %s", d.Path, h)
		}
	}
	for h := range want {
		if d.Headers[h] == "" {
			t.Errorf("%s: missing header %s", d.Path, h)
		}
	}
	if d.Method != "POST" || d.Headers["user-agent"] != "Plain-Webhooks/1.0 (plain.com; help@plain.com)" ||
		d.Headers["content-type"] != "application/json" || d.Headers["accept"] != "application/json" ||
		d.Headers["plain-event-type"] != d.EventType || d.Headers["plain-event-id"] != d.EventID ||
		d.Headers["plain-webhook-delivery-attempt-number"] != fmt.Sprint(d.AttemptNumber) ||
		d.Headers["plain-webhook-target-version"] != d.TargetVersion {
		t.Errorf("%s: headers disagree with the body: %v", d.Path, d.Headers)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", d.Headers["plain-webhook-delivery-attempt-timestamp"]); err != nil {
		t.Errorf("%s: attempt timestamp %q is not UTC ISO-8601 with milliseconds", d.Path, d.Headers["plain-webhook-delivery-attempt-timestamp"])
	}
}

const (
	interopSecret = "whsec_e2e_interop_first"
	hookUser      = "hook-user"
	hookPass      = "hook-PASS-s3cret"
)

// TestSDKBundlesTheSchemaPlainMockValidatesWith: the Go-side validation of
// every generated payload (internal/plainmock/deliver) uses the very schema
// the SDK verifies with.
func TestSDKBundlesTheSchemaPlainMockValidatesWith(t *testing.T) {
	t.Parallel()
	ensureSDK(t)
	bundled, err := os.ReadFile(filepath.Join(sdkDir, "node_modules", "@team-plain", "typescript-sdk", "src", "webhooks", "webhook-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bundled, plainschema.Payload20260227) {
		t.Error("the SDK's bundled webhook-schema.json differs from internal/plainschema/webhook-event-schema-2026-02-27.json")
	}
}

func TestSDKVerifiesEveryRealDelivery(t *testing.T) {
	t.Parallel()
	rv := startSDKReceiver(t)
	rv.control([]string{interopSecret}, nil)
	// The SDK takes a second or two per verification on a busy machine and
	// the receiver is single-threaded: a generous timeout keeps a queued
	// delivery from timing out.
	m := startMock(t, nil, "--hmac-secret", interopSecret, "--retry-schedule", "50ms", "--delivery-timeout", "2m")
	dir := workdir(t, fmt.Sprintf(`version: 1
defaults:
  webhookVersion: "2026-02-27"
webhooks:
  - name: thread-sync
    url: %[1]s/threads
    events: ["thread.*"]
  - name: customer-sync
    url: %[1]s/customers
    events: [customer.customer_created]
`, rv.url))
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	// A third, unmanaged target with credentials in its URL, as Plain
	// allows: they must arrive as Authorization: Basic.
	data := m.gql(`mutation($i: CreateWebhookTargetInput!) { createWebhookTarget(input: $i) { webhookTarget { id } error { message } } }`,
		map[string]any{"i": map[string]any{"url": strings.Replace(rv.url, "http://", "http://"+hookUser+":"+hookPass+"@", 1) + "/basic",
			"description": "basic-auth", "eventSubscriptions": []any{map[string]any{"eventType": "thread.thread_created"}}, "isEnabled": true, "version": "2026-02-27"}})
	if e := data["createWebhookTarget"].(map[string]any)["error"]; e != nil {
		t.Fatalf("create basic-auth target: %v", e)
	}

	for eventType, want := range map[string]string{
		"thread.thread_created":     "4 deliveries", // 2 events × thread-sync and basic-auth
		"customer.customer_created": "1 delivery",
		"thread.note_created":       "1 delivery",
		"customer.customer_updated": "0 deliveries", // nobody subscribes
	} {
		args := []string{}
		if eventType == "thread.thread_created" {
			args = []string{"--count", "2"}
		}
		if out := m.emit(eventType, args...); !strings.Contains(out, ": "+want+"\n") {
			t.Errorf("emit %s: %q, want %s", eventType, out, want)
		}
	}

	log := rv.waitFor("", 6)
	byPath := map[string]map[string]int{}
	for _, d := range log {
		if d.Verified[interopSecret] != "ok" {
			t.Errorf("the SDK rejected a delivery to %s (%s): %s", d.Path, d.EventType, d.Verified[interopSecret])
		}
		if d.Status != 200 || d.AttemptNumber != 1 || d.TargetVersion != "2026-02-27" {
			t.Errorf("delivery %+v", d)
		}
		if byPath[d.Path] == nil {
			byPath[d.Path] = map[string]int{}
		}
		byPath[d.Path][d.EventType]++
		if d.Path == "/basic" {
			checkHeaders(t, d, "authorization")
			if want := "Basic aG9vay11c2VyOmhvb2stUEFTUy1zM2NyZXQ="; d.Headers["authorization"] != want {
				t.Errorf("authorization %q, want %q", d.Headers["authorization"], want)
			}
		} else {
			checkHeaders(t, d)
		}
	}
	want := map[string]map[string]int{
		"/threads":   {"thread.thread_created": 2, "thread.note_created": 1},
		"/customers": {"customer.customer_created": 1},
		"/basic":     {"thread.thread_created": 2},
	}
	if fmt.Sprint(byPath) != fmt.Sprint(want) {
		t.Errorf("deliveries by path and type %v, want %v", byPath, want)
	}

	// Every delivery is recorded as a successful attempt.
	d := deliveries(t, m, "--limit", "0")
	ok := 0
	for _, a := range d.Attempts {
		if a.Result == "successful_response" {
			ok++
		}
	}
	if len(d.Attempts) != 6 || ok != 6 {
		t.Errorf("recorded %d attempts, %d successful; want 6 and 6", len(d.Attempts), ok)
	}

	// Rotation: later deliveries verify with the new secret only.
	rot := m.gql(`mutation { regenerateWorkspaceHmac { workspaceHmac { hmacSecret } error { message } } }`, nil)
	newSecret, _ := rot["regenerateWorkspaceHmac"].(map[string]any)["workspaceHmac"].(map[string]any)["hmacSecret"].(string)
	if newSecret == "" || newSecret == interopSecret {
		t.Fatalf("regenerateWorkspaceHmac gave %v", rot)
	}
	if got := m.gql(`{ workspaceHmac { hmacSecret } }`, nil)["workspaceHmac"].(map[string]any)["hmacSecret"]; got != newSecret {
		t.Fatalf("workspaceHmac = %v after rotation, want the new secret", got)
	}
	rv.control([]string{newSecret, interopSecret}, nil)
	m.emit("thread.thread_created")
	log = rv.waitFor("", 8)
	for _, d := range log[6:] {
		if d.Verified[newSecret] != "ok" {
			t.Errorf("after rotation the SDK rejects the new secret: %s", d.Verified[newSecret])
		}
		if v := d.Verified[interopSecret]; !strings.HasPrefix(v, "PlainWebhookSignatureVerificationError") {
			t.Errorf("after rotation the old secret still verifies (or fails otherwise): %q", v)
		}
	}
	out, _ := os.ReadFile(m.state)
	if strings.Contains(string(out), interopSecret) {
		t.Error("the state file still holds the rotated-away secret")
	}
}

func TestFailingReceiverTurnsDriftRedUntilItRecovers(t *testing.T) {
	t.Parallel()
	rv := startSDKReceiver(t)
	rv.control([]string{interopSecret}, map[string][]int{"/flaky": {500, 500, 200}})
	m := startMock(t, nil, "--hmac-secret", interopSecret, "--retry-schedule", "100ms,100ms,100ms", "--delivery-timeout", "2m")
	dir := workdir(t, fmt.Sprintf(`version: 1
defaults:
  webhookVersion: "2026-02-27"
webhooks:
  - name: flaky-hook
    url: %[1]s/flaky
    events: [thread.thread_created]
  - name: steady-hook
    url: %[1]s/steady
    events: [thread.thread_created]
`, rv.url))
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	out := m.emit("thread.thread_created")
	eventID := strings.TrimSuffix(strings.TrimPrefix(strings.Fields(out)[4], "("), "):")

	flaky := rv.waitFor("/flaky", 3)
	for i, d := range flaky {
		if d.EventID != eventID || d.AttemptNumber != i+1 || d.Verified[interopSecret] != "ok" || d.Status != []int{500, 500, 200}[i] {
			t.Errorf("flaky delivery %d: %+v (event %s)", i+1, d, eventID)
		}
		if i > 0 && d.Headers["plain-webhook-delivery-attempt-id"] == flaky[i-1].Headers["plain-webhook-delivery-attempt-id"] {
			t.Errorf("attempt %d reuses the attempt id", i+1)
		}
	}
	// The third attempt is recorded after the receiver answered it.
	deadline := time.Now().Add(10 * time.Second)
	var got e2eDeliveries
	for {
		got = deliveries(t, m, "flaky-hook")
		if len(got.Attempts) >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(got.Attempts) != 3 {
		t.Fatalf("deliveries flaky-hook: %d attempts, want 3", len(got.Attempts))
	}
	wantResults := []string{"successful_response", "failed_response", "failed_response"} // newest first
	for i, a := range got.Attempts {
		if a.Result != wantResults[i] || a.Target != "flaky-hook" || a.EventType != "thread.thread_created" {
			t.Errorf("attempt %d: %+v", i, a)
		}
	}
	r := m.run(t.TempDir(), "deliveries", "flaky-hook", "-o", "json")
	var raw struct {
		Attempts []struct {
			PublicEventID  string `json:"publicEventId"`
			HTTPStatusCode int    `json:"httpStatusCode"`
		} `json:"attempts"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	for i, a := range raw.Attempts {
		if a.PublicEventID != eventID || a.HTTPStatusCode != []int{200, 500, 500}[i] {
			t.Errorf("attempt %d: event %s status %d", i, a.PublicEventID, a.HTTPStatusCode)
		}
	}
	text := m.run(t.TempDir(), "deliveries", "flaky-hook", "--attempts")
	wantCode(t, text, 0)
	wantContains(t, text.stdout, "flaky-hook", "failed_response", "HTTP 500", "successful_response")

	// One success in three attempts: below 0.9, drift is red and names it.
	r = m.run(dir, "drift", "--health-window", "1h", "--min-success-rate", "0.9")
	wantCode(t, r, 2)
	lowLine := ""
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.Contains(l, "LOW") {
			lowLine = l
		}
	}
	if !strings.Contains(lowLine, "flaky-hook") || strings.Contains(r.stdout, "steady-hook") && strings.Contains(lineWith(r.stdout, "steady-hook"), "LOW") {
		t.Errorf("drift does not name flaky-hook alone as low:\n%s", r.stdout)
	}
	wantContains(t, r.stdout, "1 target(s) below the minimum success rate.")

	// The receiver has recovered; once the failures are older than the
	// window and a new delivery succeeds, drift is green.
	m.ageAttempts("2h")
	m.emit("thread.thread_created")
	rv.waitFor("/flaky", 4)
	r = m.run(dir, "drift", "--health-window", "1h", "--min-success-rate", "0.9")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "All targets healthy")
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// TestOffMachineTargetsGetAnErrorAttemptNotADelivery: plain-mock never
// contacts a target outside loopback; plainsync shows why.
func TestOffMachineTargetsGetAnErrorAttemptNotADelivery(t *testing.T) {
	t.Parallel()
	m := startMock(t, nil, "--retry-schedule", "10ms")
	dir := workdir(t, `version: 1
defaults:
  webhookVersion: "2026-02-27"
webhooks:
  - name: offsite
    url: https://hooks.example.invalid/plain?token=${CRM_TOKEN}
    events: [thread.thread_created]
`)
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	if out := m.emit("thread.thread_created"); !strings.Contains(out, ": 1 delivery\n") {
		t.Fatalf("emit: %q", out)
	}
	time.Sleep(100 * time.Millisecond) // a retry would have happened by now
	d := deliveries(t, m, "offsite")
	if len(d.Attempts) != 1 || d.Attempts[0].Result != "error" {
		t.Fatalf("attempts %+v, want one ERROR and no retry", d.Attempts)
	}
	r := m.run(dir, "deliveries", "offsite")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "ENOTLOOPBACK", "loopback")
}
