package main

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plainmock/deliver"
)

// startReceive runs "plain-mock receive" in-process; it returns the
// receiver's URL and its growing stdout.
func startReceive(t *testing.T, args ...string) (string, *syncBuilder) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urlFile := filepath.Join(t.TempDir(), "receiver.url")
	out := &syncBuilder{b: &strings.Builder{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"receive", "--url-file", urlFile}, args...), out, out)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("receive: %v", err)
		}
	})
	for range 200 {
		if b, err := os.ReadFile(urlFile); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b)), out
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("receiver did not start: %s", out.String())
	return "", nil
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e strings.Builder
	err = run(context.Background(), args, &o, &e)
	return o.String(), e.String(), err
}

func createTarget(t *testing.T, url, key, hook, version, events string) string {
	t.Helper()
	_, out := post(t, url, key, `mutation { createWebhookTarget(input: { url: "`+hook+`", description: "receiver",
		eventSubscriptions: [`+events+`], isEnabled: true, version: "`+version+`" }) {
		webhookTarget { id } error { message } } }`)
	data, _ := out["data"].(map[string]any)
	res, _ := data["createWebhookTarget"].(map[string]any)
	tg, _ := res["webhookTarget"].(map[string]any)
	id, _ := tg["id"].(string)
	if id == "" {
		t.Fatalf("create target: %v", out)
	}
	return id
}

func TestEmitReachesTheReceiverSignedAndRetried(t *testing.T) {
	state := filepath.Join(t.TempDir(), "ws.json")
	url, stop := startRun(t, "--state", state, "--key", "k_emit", "--hmac-secret", "whsec-cmd-test", "--retry-schedule", "5ms,5ms")
	t.Setenv("RECEIVER_SECRET", "whsec-cmd-test")
	hook, log := startReceive(t, "--secret-env", "RECEIVER_SECRET", "--fail-first", "1")
	target := createTarget(t, url, "k_emit", hook+"threads", "2026-02-27", `{ eventType: "thread.thread_created" }`)

	t.Setenv("PLAIN_API_KEY", "k_emit")
	out, errOut, err := runCmd(t, "emit", "thread.thread_created", "--count", "2", "--url", url)
	if err != nil {
		t.Fatalf("emit: %v %s", err, errOut)
	}
	if !regexp.MustCompile(`^emitted 2 thread\.thread_created events \(pEv_[0-9A-HJKMNP-TV-Z]{26}, pEv_[0-9A-HJKMNP-TV-Z]{26}\): 2 deliveries\n$`).MatchString(out) {
		t.Errorf("emit printed %q", out)
	}
	// The first delivery is refused once (--fail-first 1) and retried.
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(log.String(), "received ") < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "receiver listening on http://127.0.0.1:") {
		t.Fatalf("receiver log:\n%s", log.String())
	}
	var fails, oks int
	for _, l := range lines[1:] {
		if !strings.Contains(l, "signature ok") {
			t.Errorf("unverified delivery: %s", l)
		}
		switch {
		case strings.Contains(l, "attempt 1 ") && strings.HasSuffix(l, "-> 500"):
			fails++
		case strings.HasSuffix(l, "-> 200"):
			oks++
		}
	}
	if fails != 1 || oks != 2 || !strings.Contains(log.String(), "attempt 2 ") {
		t.Errorf("want one refused first attempt, its retry and one success:\n%s", log.String())
	}

	// The receiver logs a delivery before plain-mock has read its answer and
	// recorded the attempt, so wait for the mock's own record of all three.
	for recordedAttempts(t, url, "k_emit", target) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	out, _, err = runCmd(t, "age-attempts", "2h", "--url", url)
	if err != nil || out != "moved 3 delivery attempts 2h into the past\n" {
		t.Errorf("age-attempts: %q %v", out, err)
	}
	if errOut, err := stop(); err != nil {
		t.Fatalf("run: %v %s", err, errOut)
	}
	raw, _ := os.ReadFile(state)
	if !strings.Contains(string(raw), `"hmacSecret": "whsec-cmd-test"`) || strings.Count(string(raw), `"webhookTargetId": "`) != 3 {
		t.Errorf("state file lacks the secret or the 3 attempts:\n%s", raw)
	}
}

// recordedAttempts counts the delivery attempts plain-mock lists for target.
func recordedAttempts(t *testing.T, url, key, target string) int {
	t.Helper()
	_, out := post(t, url, key, `{ webhookDeliveryAttempts(webhookTargetId: "`+target+`", first: 100) { edges { node { id } } } }`)
	data, _ := out["data"].(map[string]any)
	conn, _ := data["webhookDeliveryAttempts"].(map[string]any)
	edges, _ := conn["edges"].([]any)
	return len(edges)
}

func TestEmitRefusals(t *testing.T) {
	url, stop := startRun(t, "--key", "k_emit")
	defer stop()
	dir := t.TempDir()
	urlFile := filepath.Join(dir, "mock.url")
	if err := os.WriteFile(urlFile, []byte(url+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PLAIN_API_KEY", "")
	if _, _, err := runCmd(t, "emit", "thread.thread_created", "--url-file", urlFile); err == nil || !strings.Contains(err.Error(), "PLAIN_API_KEY") {
		t.Errorf("no key: %v", err)
	}
	t.Setenv("PLAIN_API_KEY", "k_emit")
	if _, _, err := runCmd(t, "emit", "thread.nope", "--url-file", urlFile); err == nil || !strings.Contains(err.Error(), `unknown event type "thread.nope"`) {
		t.Errorf("unknown type: %v", err)
	}
	if _, _, err := runCmd(t, "emit", "thread.thread_created", "--url", "http://plain.example.com/graphql/v1"); err == nil || !strings.Contains(err.Error(), "refusing to send the API key") {
		t.Errorf("non-loopback http: %v", err)
	}
	t.Setenv("PLAIN_API_KEY", "k_wrong_SECRET")
	if _, _, err := runCmd(t, "emit", "thread.thread_created", "--url-file", urlFile); err == nil || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), "k_wrong_SECRET") {
		t.Errorf("wrong key: %v", err)
	}
	for _, args := range [][]string{
		{"emit"},
		{"emit", "thread.thread_created", "-o", "yaml", "--url", url},
		{"emit", "thread.thread_created", "--payload", "[1]", "--url", url},
		{"age-attempts", "soon", "--url", url},
		{"receive", "--addr", "0.0.0.0:0"},
	} {
		if _, _, err := runCmd(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}

func TestEmitJSONOutput(t *testing.T) {
	url, stop := startRun(t, "--key", "k_emit")
	defer stop()
	t.Setenv("PLAIN_API_KEY", "k_emit")
	out, _, err := runCmd(t, "emit", "customer.customer_created", "--url", url, "-o", "json", "--payload", `{"customer": {"fullName": "Grace"}}`)
	if err != nil || !regexp.MustCompile(`^\{"eventIds":\["pEv_[0-9A-HJKMNP-TV-Z]{26}"\],"deliveries":0\}\n$`).MatchString(out) {
		t.Errorf("emit -o json: %q %v", out, err)
	}
}

func TestDeliveryFlags(t *testing.T) {
	for v, want := range map[string]string{"plain": "", "none": "", "10ms, 30ms,1s": "10ms 30ms 1s"} {
		if got, err := parseSchedule(v); err != nil || stringsOf(got) != want {
			t.Errorf("parseSchedule(%q) = %v, %v", v, got, err)
		}
	}
	if got, _ := parseSchedule("plain"); got != nil {
		t.Error("plain must mean Plain's own schedule (nil)")
	}
	if got, _ := parseSchedule("none"); got == nil || len(got) != 0 {
		t.Error("none must mean no retries (empty)")
	}
	for _, bad := range []string{"10ms,", "fast", "-1s", "0s"} {
		if _, err := parseSchedule(bad); err == nil {
			t.Errorf("parseSchedule(%q) accepted", bad)
		}
	}
	var s secretFlag
	if err := s.Set("abc=def@w_x"); err != nil || s[0] != (workspaceSecret{"abc=def", "w_x"}) {
		t.Errorf("secretFlag = %v, %v", s, err)
	}
	if s.String() != "1 secret(s)" {
		t.Errorf("String() = %q: must never show the secret", s.String())
	}
	for _, bad := range []string{"", "@w_x", "abc@"} {
		if err := new(secretFlag).Set(bad); err == nil {
			t.Errorf("secretFlag accepted %q", bad)
		}
	}
	if _, errOut, err := runCmd(t, "--hmac-secret", "s@w_unknown"); err == nil || !strings.Contains(err.Error(), "no such workspace") {
		t.Errorf("secret for an unknown workspace: %v %s", err, errOut)
	}
	if _, _, err := runCmd(t, "--retry-schedule", "soon"); !errors.Is(err, errUsage) {
		t.Errorf("bad --retry-schedule: %v", err)
	}
	if _, _, err := runCmd(t, "--delivery-timeout", "0s"); !errors.Is(err, errUsage) {
		t.Errorf("zero --delivery-timeout: %v", err)
	}
}

func stringsOf(ds []time.Duration) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, d.String())
	}
	return strings.Join(parts, " ")
}

func TestHelpDocumentsDeliveries(t *testing.T) {
	_, errOut, err := runCmd(t, "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"POST /mock/v1/events", `{"eventIds": [...], "deliveries": N}`, "plain-mock emit EVENT_TYPE",
		"age-attempts", "plain-mock receive", "-retry-schedule", "-hmac-secret", "-delivery-timeout", "-emit-every", "ENOTLOOPBACK"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

func TestEmitEveryKeepsAStream(t *testing.T) {
	url, stop := startRun(t, "--key", "k_emit", "--emit-every", "30ms", "--emit-type", "customer.customer_created")
	defer stop()
	hook, log := startReceive(t)
	createTarget(t, url, "k_emit", hook+"stream", "2026-04-21", `{ eventType: "customer.customer_created" }`)
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(log.String(), "received customer.customer_created ") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(log.String(), "received customer.customer_created "); n < 2 {
		t.Fatalf("%d events in the stream, want at least 2:\n%s", n, log.String())
	}
	if strings.Contains(log.String(), "pEv_") && strings.Count(log.String(), "attempt 1 ") < 2 {
		t.Errorf("stream deliveries are not first attempts of new events:\n%s", log.String())
	}
}

func TestReceiveChecksDeliveriesWithPackageWebhookAndQuotesHostileHeaders(t *testing.T) {
	t.Setenv("RECEIVER_SECRET", "right-secret")
	hook, log := startReceive(t, "--secret-env", "RECEIVER_SECRET", "--fail-first", "1")
	event := deliver.Event{ID: "pEv_01HD450JT0RPBT7RRKS1ZQJYBA", Type: "thread.thread_created",
		WorkspaceID: "w_01HD43ZS4WJR2ZB0V3A2K5B4MD", Timestamp: time.Now()}
	body := func(at time.Time, n int) []byte {
		b, err := deliver.Body(event, deliver.Metadata{TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Version: "2026-02-27",
			AttemptID: "whAttempt_01HD450N6X782MDTDBMS6Z14DJ", AttemptNumber: n, AttemptAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	fresh, retry, stale := body(time.Now(), 1), body(time.Now(), 2), body(time.Now().Add(-10*time.Minute), 3)
	tampered := []byte(strings.Replace(string(fresh), `"webhookDeliveryAttemptNumber":1`, `"webhookDeliveryAttemptNumber":7`, 1))
	for _, d := range []struct {
		body []byte
		sig  string
		want int
	}{
		{fresh, deliver.Sign(fresh, "right-secret"), 500},    // --fail-first 1
		{retry, deliver.Sign(retry, "right-secret"), 200},    // the retry
		{fresh, deliver.Sign(fresh, "wrong-secret"), 401},    // another workspace's secret
		{tampered, deliver.Sign(fresh, "right-secret"), 401}, // changed on the way
		{fresh, "", 401},
		{stale, deliver.Sign(stale, "right-secret"), 401}, // 10 minutes old: a replay
		{[]byte(`{"id":"pEv_01HD450JT0RPBT7RRKS1ZQJYBA"}`), deliver.Sign([]byte(`{"id":"pEv_01HD450JT0RPBT7RRKS1ZQJYBA"}`), "right-secret"), 400},
	} {
		req, _ := http.NewRequest(http.MethodPost, hook+"hook", strings.NewReader(string(d.body)))
		if d.sig != "" {
			req.Header.Set("Plain-Request-Signature", d.sig)
		}
		req.Header.Set("Plain-Event-Type", "thread.thread_created\u202egnp.exe") // a right-to-left override
		req.Header.Set("Plain-Event-Id", "pEv_01HD450JT0RPBT7RRKS1ZQJYBA")
		req.Header.Set("Plain-Webhook-Delivery-Attempt-Number", "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != d.want {
			t.Errorf("answered %d, want %d", resp.StatusCode, d.want)
		}
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	want := []string{
		`^received thread\.thread_created pEv_01HD450JT0RPBT7RRKS1ZQJYBA attempt 1 \(\d+ bytes, signature ok\) -> 500$`,
		`^received thread\.thread_created pEv_01HD450JT0RPBT7RRKS1ZQJYBA attempt 2 \(\d+ bytes, signature ok\) -> 200$`,
		`^received "thread\.thread_created\\u202egnp\.exe" pEv_01HD450JT0RPBT7RRKS1ZQJYBA attempt 1 \(\d+ bytes, BAD SIGNATURE\) -> 401$`,
		`^received "thread\.thread_created\\u202egnp\.exe" pEv_01HD450JT0RPBT7RRKS1ZQJYBA attempt 1 \(\d+ bytes, BAD SIGNATURE\) -> 401$`,
		`^received "thread\.thread_created\\u202egnp\.exe" pEv_01HD450JT0RPBT7RRKS1ZQJYBA attempt 1 \(\d+ bytes, NO SIGNATURE\) -> 401$`,
		`^received thread\.thread_created pEv_01HD450JT0RPBT7RRKS1ZQJYBA attempt 3 \(\d+ bytes, signature ok, STALE ATTEMPT TIMESTAMP\) -> 401$`,
		`^received "thread\.thread_created\\u202egnp\.exe" pEv_01HD450JT0RPBT7RRKS1ZQJYBA attempt 1 \(39 bytes, signature ok, NOT A PLAIN EVENT\) -> 400$`,
	}
	if len(lines) != len(want)+1 {
		t.Fatalf("receiver log:\n%s", log.String())
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i+1]) {
			t.Errorf("log line %d = %q, want %s", i+1, lines[i+1], re)
		}
	}
	if strings.Contains(log.String(), "\u202e") || strings.Contains(log.String(), "right-secret") {
		t.Errorf("a hostile header or the secret reached the log raw:\n%s", log.String())
	}
}
