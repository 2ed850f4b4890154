package e2e

import (
	"bufio"
	"bytes"
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
)

var (
	kitOnce sync.Once
	kitErr  error
)

// buildKitReceiver builds examples/receiver, a receiver written against
// package webhook and the standard library only.
func buildKitReceiver(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(binDir, "example-receiver")
	kitOnce.Do(func() {
		out, err := exec.Command("go", "build", "-o", bin, "../../examples/receiver").CombinedOutput()
		if err != nil {
			kitErr = fmt.Errorf("build examples/receiver: %v\n%s", err, out)
		}
	})
	if kitErr != nil {
		t.Fatal(kitErr)
	}
	return bin
}

// startKitReceiver runs examples/receiver on a free loopback port with the
// workspace's secret in its environment; it returns its URL and its
// growing output.
func startKitReceiver(t *testing.T, secret string) (string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(buildKitReceiver(t), "-addr", "127.0.0.1:0")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PLAIN_WEBHOOK_SECRET=" + secret}
	out := &syncBuffer{}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			fmt.Fprintf(os.Stderr, "example receiver output:\n%s", out.String())
		}
	})
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read the receiver's banner: %v", err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "receiver listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("unexpected receiver banner %q", line)
	}
	go func() { _, _ = io.Copy(out, r) }()
	return url, out
}

// waitForKitLine waits until out has a line matching re and returns it.
func waitForKitLine(t *testing.T, out *syncBuffer, re string) string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, l := range strings.Split(out.String(), "\n") {
			if rx.MatchString(l) {
				return l
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no line matching %s in:\n%s", re, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// capture is a loopback receiver that keeps each delivery as it came.
type capture struct {
	mu    sync.Mutex
	reqs  []http.Header
	bodys [][]byte
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.reqs, c.bodys = append(c.reqs, r.Header.Clone()), append(c.bodys, b)
	c.mu.Unlock()
}

func (c *capture) first(t *testing.T) (http.Header, []byte) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.mu.Lock()
		if len(c.reqs) > 0 {
			defer c.mu.Unlock()
			return c.reqs[0], c.bodys[0]
		}
		c.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatal("no delivery captured")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestGoReceiverKitVerifiesRealDeliveries: a Go program using only
// package webhook (examples/receiver) handles plain-mock's signed
// deliveries, answers a resent copy as a duplicate, and refuses a
// tampered or unsigned one with 401.
func TestGoReceiverKitVerifiesRealDeliveries(t *testing.T) {
	t.Parallel()
	const secret = "whsec_e2e_go_kit_SECRET"
	m := startMock(t, nil, "--hmac-secret", secret)
	url, out := startKitReceiver(t, secret)
	capt := &capture{}
	side := httptest.NewServer(capt) // 127.0.0.1
	defer side.Close()
	for desc, hook := range map[string]string{"go-kit": url + "plain", "capture": side.URL + "/capture"} {
		data := m.gql(`mutation($i: CreateWebhookTargetInput!) { createWebhookTarget(input: $i) { webhookTarget { id } error { message } } }`,
			map[string]any{"i": map[string]any{"url": hook, "description": desc, "isEnabled": true, "version": "2026-02-27",
				"eventSubscriptions": []any{map[string]any{"eventType": "thread.thread_created"}}}})
		if e := data["createWebhookTarget"].(map[string]any)["error"]; e != nil {
			t.Fatalf("create %s: %v", desc, e)
		}
	}

	emitted := m.emit("thread.thread_created")
	if !strings.HasSuffix(emitted, ": 2 deliveries\n") {
		t.Fatalf("emit: %q", emitted)
	}
	id := regexp.MustCompile(`\(([A-Za-z]+_[0-9A-Z]{26})\)`).FindStringSubmatch(emitted)
	if id == nil {
		t.Fatalf("no event id in %q", emitted)
	}
	// The real delivery reached the function once, with the body's event.
	waitForKitLine(t, out, `level=INFO msg=event event=`+id[1]+` type=thread\.thread_created workspace=w_\w+ version=2026-02-27 payloadBytes=\d+$`)

	// The same event, delivered to the other target, is signed with the
	// same workspace secret: resent to the Go receiver it verifies, and is
	// a duplicate of the event it handled.
	hdr, body := capt.first(t)
	post := func(body []byte, sig string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url+"plain", bytes.NewReader(body))
		for k, v := range hdr {
			req.Header[k] = v
		}
		req.Header.Del("Plain-Request-Signature")
		if sig != "" {
			req.Header.Set("Plain-Request-Signature", sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	sig := hdr.Get("Plain-Request-Signature")
	if sig == "" {
		t.Fatal("plain-mock sent no Plain-Request-Signature")
	}
	if code := post(body, sig); code != http.StatusOK {
		t.Errorf("resent delivery answered %d, want 200", code)
	}
	waitForKitLine(t, out, `level=INFO msg=duplicate status=200 bytes=\d+ event=`+id[1]+` `)

	// Tampered (the thread's title changed) or unsigned: 401, and the
	// function never sees it.
	tampered := bytes.Replace(body, []byte(`"title":"`), []byte(`"title":"PWNED `), 1)
	if bytes.Equal(tampered, body) {
		t.Fatal("the captured body has no title to tamper with")
	}
	if code := post(tampered, sig); code != http.StatusUnauthorized {
		t.Errorf("tampered delivery answered %d, want 401", code)
	}
	if code := post(body, ""); code != http.StatusUnauthorized {
		t.Errorf("unsigned delivery answered %d, want 401", code)
	}
	waitForKitLine(t, out, `level=WARN msg=refused status=401 bytes=\d+ error="webhook: signature does not match the body"$`)
	waitForKitLine(t, out, `level=WARN msg=refused status=401 bytes=\d+ error="webhook: missing Plain-Request-Signature header"$`)
	if n := strings.Count(out.String(), "msg=event "); n != 1 {
		t.Errorf("the function ran %d times, want once:\n%s", n, out.String())
	}
	if strings.Contains(out.String(), secret) || strings.Contains(out.String(), "PWNED") {
		t.Errorf("the receiver printed the secret or a body:\n%s", out.String())
	}
}
