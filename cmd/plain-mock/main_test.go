package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock"
)

var bannerPattern = regexp.MustCompile(`^plain-mock listening on (http://127\.0\.0\.1:\d+/graphql/v1)$`)

func post(t *testing.T, url, key, query string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return resp.StatusCode, out
}

// startRun runs the command in-process and returns the endpoint from its
// banner, the rest of its stdout, and a stop function that waits for run.
func startRun(t *testing.T, args ...string) (url string, stop func() (string, error)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, outW, &syncBuilder{b: &stderr})
		outW.CloseWithError(io.EOF)
		done <- err
	}()
	sc := bufio.NewScanner(outR)
	if !sc.Scan() {
		cancel()
		err := <-done
		t.Fatalf("no banner; run returned %v", err)
	}
	m := bannerPattern.FindStringSubmatch(sc.Text())
	if m == nil {
		cancel()
		t.Fatalf("banner = %q", sc.Text())
	}
	return m[1], func() (string, error) {
		cancel()
		rest, _ := io.ReadAll(outR)
		err := <-done
		if len(rest) > 0 {
			t.Errorf("more than one line on stdout: %q", rest)
		}
		return stderr.String(), err
	}
}

// syncBuilder serialises writes from concurrent request handlers.
type syncBuilder struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func TestRunServesWithKeysStateAndDeliveries(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	urlFile := filepath.Join(dir, "url")
	url, stop := startRun(t,
		"--state", state, "--key", "plainApiKey_ro=webhookTarget:read", "--key", "plainApiKey_all",
		"--workspace-id", "w_flag", "--url-file", urlFile, "--verbose", "--rate-limit", "450/min")

	b, err := os.ReadFile(urlFile)
	if err != nil || strings.TrimSpace(string(b)) != url {
		t.Errorf("--url-file holds %q (err %v), want %s", b, err, url)
	}
	status, body := post(t, url, "plainApiKey_ro", `{ myWorkspace { id } myPermissions { permissions } }`)
	if status != 200 {
		t.Fatalf("status %d: %v", status, body)
	}
	data := body["data"].(map[string]any)
	if data["myWorkspace"].(map[string]any)["id"] != "w_flag" {
		t.Errorf("workspace = %v", data["myWorkspace"])
	}
	if perms := data["myPermissions"].(map[string]any)["permissions"].([]any); len(perms) != 1 || perms[0] != plain.PermRead {
		t.Errorf("permissions for KEY=perm = %v", perms)
	}
	if status, _ := post(t, url, plainmock.DefaultKey, `{ myWorkspace { id } }`); status != 401 {
		t.Errorf("default key accepted although --key was given: %d", status)
	}
	status, body = post(t, url, "plainApiKey_all", `mutation { createWebhookTarget(input: {url: "https://a.example.com/", description: "a", eventSubscriptions: [], isEnabled: true}) { webhookTarget { id } error { message } } }`)
	if status != 200 || body["data"].(map[string]any)["createWebhookTarget"].(map[string]any)["error"] != nil {
		t.Fatalf("create: %d %v", status, body)
	}
	stderr, err := stop()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(stderr, "status=200") || strings.Contains(stderr, "plainApiKey_") {
		t.Errorf("verbose log = %q (must log requests and never keys)", stderr)
	}

	// A second run shares the workspace and simulates deliveries for it.
	url, stop = startRun(t, "--state", state, "--key", "k", "--simulate-deliveries", "5", "--seed", "9")
	status, body = post(t, url, "k", `{ webhookTargets { edges { node { id description } } } }`)
	edges := body["data"].(map[string]any)["webhookTargets"].(map[string]any)["edges"].([]any)
	if status != 200 || len(edges) != 1 {
		t.Fatalf("second run sees %d targets: %v", len(edges), body)
	}
	id := edges[0].(map[string]any)["node"].(map[string]any)["id"].(string)
	_, body = post(t, url, "k", `{ webhookDeliveryAttempts(webhookTargetId: "`+id+`", first: 100) { edges { node { result { __typename } } } } }`)
	attempts := body["data"].(map[string]any)["webhookDeliveryAttempts"].(map[string]any)["edges"].([]any)
	if len(attempts) != 5 {
		t.Errorf("--simulate-deliveries 5 gave %d attempts", len(attempts))
	}
	if stderr, err := stop(); err != nil || stderr != "" {
		t.Errorf("quiet run: err %v, stderr %q", err, stderr)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--rate-limit", "fast"},
		{"--fail-rate", "2"},
		{"--drop-after-commit", "-1"},
		{"--key", "k=webhookTarget:write"},
		{"--key", "=webhookTarget:read"},
		{"--key", "k@"},
		{"--simulate-deliveries", "-3"},
		{"--max-targets", "-1"},
		{"extra"},
	} {
		var stderr strings.Builder
		err := run(context.Background(), args, io.Discard, &stderr)
		if !errors.Is(err, errUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
		if stderr.Len() == 0 {
			t.Errorf("%v: nothing said on stderr", args)
		}
	}
	if err := run(context.Background(), []string{"-h"}, io.Discard, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	// A broken state file is an error, not a usage error.
	bad := filepath.Join(t.TempDir(), "s.json")
	_ = os.WriteFile(bad, []byte("{"), 0o644)
	if err := run(context.Background(), []string{"--state", bad}, io.Discard, io.Discard); err == nil || errors.Is(err, errUsage) {
		t.Errorf("bad state file: %v", err)
	}
}

func TestFlagValues(t *testing.T) {
	var r rateFlag
	for in, want := range map[string]int{"450/min": 450, "600": 600, "1000/m": 1000, "0": 0} {
		if err := r.Set(in); err != nil || int(r) != want {
			t.Errorf("rate %q = %d, %v", in, r, err)
		}
	}
	k := keyFlag{}
	if err := k.Set("a=webhookTarget:read, webhookTarget:edit"); err != nil {
		t.Fatal(err)
	}
	if err := k.Set("b"); err != nil {
		t.Fatal(err)
	}
	if err := k.Set("c="); err != nil {
		t.Fatal(err)
	}
	if err := k.Set("d@w_second=webhookTarget:read"); err != nil {
		t.Fatal(err)
	}
	if err := k.Set("e@w_third"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(k["a"].perms, ",") != "webhookTarget:read,webhookTarget:edit" || len(k["b"].perms) != 4 || len(k["c"].perms) != 0 {
		t.Errorf("keys = %v", k)
	}
	if k["d"].workspaceID != "w_second" || strings.Join(k["d"].perms, ",") != "webhookTarget:read" ||
		k["e"].workspaceID != "w_third" || len(k["e"].perms) != 4 || k["a"].workspaceID != "" {
		t.Errorf("workspace keys = %v", k)
	}
	primary, others := k.split()
	if len(primary) != 3 || len(others) != 2 || others[0].Key != "d" || others[1].WorkspaceID != "w_third" {
		t.Errorf("split = %v, %v", primary, others)
	}
	for _, bad := range []string{"@w_x", "k@", "k@=webhookTarget:read", "k@w=nope"} {
		if err := (keyFlag{}).Set(bad); err == nil {
			t.Errorf("--key %q accepted", bad)
		}
	}
	if strings.Contains(k.String(), "a") {
		t.Errorf("keyFlag.String shows key names: %q", k.String())
	}
}

func TestEndpointURL(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/graphql/v1",
		"[::]:8080":      "http://127.0.0.1:8080/graphql/v1",
		"0.0.0.0:1":      "http://127.0.0.1:1/graphql/v1",
		"[::1]:9":        "http://[::1]:9/graphql/v1",
	}
	for addr, want := range cases {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := endpointURL(a); got != want {
			t.Errorf("endpointURL(%s) = %s, want %s", addr, got, want)
		}
	}
}

// TestBinaryPrintsBannerAndStopsOnSignal builds the real binary and runs it
// the way scripts do.
func TestBinaryPrintsBannerAndStopsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH; cannot build the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "plain-mock")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "--url-file", filepath.Join(dir, "url"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatalf("no banner; stderr: %s", stderr.String())
	}
	m := bannerPattern.FindStringSubmatch(sc.Text())
	if m == nil {
		t.Fatalf("banner = %q", sc.Text())
	}
	healthz := strings.TrimSuffix(m[1], plainmock.GraphQLPath) + "/healthz"
	resp, err := http.Get(healthz)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != "ok" {
		t.Errorf("healthz = %d %q", resp.StatusCode, b)
	}
	if status, _ := post(t, m[1], plainmock.DefaultKey, `{ myWorkspace { id } }`); status != 200 {
		t.Errorf("default key: %d", status)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("exit after SIGINT: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		// Not a timing assertion: a generous bound so a hang fails the
		// test instead of the whole run.
		t.Fatal("plain-mock did not stop after SIGINT")
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr without --verbose: %q", stderr.String())
	}
}

func TestRunServesOneWorkspacePerKey(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	args := []string{"--state", state, "--key", "k_main", "--key", "k_eu@w_eu", "--key", "k_eu_ro@w_eu=webhookTarget:read", "--key", "k_us@w_us", "--rate-limit", "2"}
	url, stop := startRun(t, args...)
	wsOf := func(key string) string {
		_, body := post(t, url, key, `{ myWorkspace { id } }`)
		return body["data"].(map[string]any)["myWorkspace"].(map[string]any)["id"].(string)
	}
	if wsOf("k_main") != "w_01MXCKWRKSPACE000000000000" || wsOf("k_eu") != "w_eu" || wsOf("k_eu_ro") != "w_eu" || wsOf("k_us") != "w_us" {
		t.Fatal("keys are not bound to their workspaces")
	}
	// k_eu and k_us have used one request each; each key has its own window.
	if status, _ := post(t, url, "k_eu", `mutation { createWebhookTarget(input: {url: "https://eu.example.com/", description: "eu", eventSubscriptions: [], isEnabled: true}) { error { message } } }`); status != 200 {
		t.Fatalf("create in w_eu: %d", status)
	}
	if status, _ := post(t, url, "k_eu", `{ myWorkspace { id } }`); status != http.StatusTooManyRequests {
		t.Errorf("k_eu's 3rd request: %d, want 429", status)
	}
	if status, _ := post(t, url, "k_us", `{ webhookTargets { edges { node { id } } } }`); status != 200 {
		t.Errorf("k_us limited by k_eu's traffic: %d", status)
	}
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	// The one state file holds every workspace; a new run finds w_eu's target.
	url, stop = startRun(t, "--state", state, "--key", "k@w_eu")
	_, body := post(t, url, "k", `{ webhookTargets { edges { node { description } } } }`)
	edges := body["data"].(map[string]any)["webhookTargets"].(map[string]any)["edges"].([]any)
	if len(edges) != 1 || edges[0].(map[string]any)["node"].(map[string]any)["description"] != "eu" {
		t.Errorf("second run in w_eu: %v", body)
	}
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestRunMaxTargets(t *testing.T) {
	create := `mutation { createWebhookTarget(input: {url: "https://a.example.com/", description: "a", eventSubscriptions: [], isEnabled: true}) { webhookTarget { id } error { type code message } } }`
	errorOf := func(body map[string]any) any {
		return body["data"].(map[string]any)["createWebhookTarget"].(map[string]any)["error"]
	}
	url, stop := startRun(t, "--max-targets", "1")
	if _, body := post(t, url, plainmock.DefaultKey, create); errorOf(body) != nil {
		t.Fatalf("first create: %v", body)
	}
	if _, body := post(t, url, plainmock.DefaultKey, create); errorOf(body) == nil || !strings.Contains(errorOf(body).(map[string]any)["message"].(string), "at most 1 webhook targets") {
		t.Errorf("second create with --max-targets 1: %v", body)
	}
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	url, stop = startRun(t, "--max-targets", "0")
	for i := 0; i < 27; i++ {
		if _, body := post(t, url, plainmock.DefaultKey, create); errorOf(body) != nil {
			t.Fatalf("create %d with --max-targets 0: %v", i+1, body)
		}
	}
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestHelpDocumentsWorkspacesSurfaceAndClients(t *testing.T) {
	var stderr strings.Builder
	if err := run(context.Background(), []string{"--help"}, io.Discard, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{
		"KEY[@WORKSPACE_ID][=perm,perm]", "The key decides the workspace", "-max-targets",
		"Plain's full schema", "plain-mock does not implement Query.customers.", "Basic-auth", "new PlainClient(",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}
