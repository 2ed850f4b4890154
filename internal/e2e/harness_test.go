// Package e2e runs the built plainsync binary against the built plain-mock
// binary over HTTP on loopback: the same parts a user runs, with nothing
// faked in between.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
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

	"github.com/plainsync/plainsync/internal/plain"
)

var binDir string

// Secrets used throughout: neither may appear in any output.
const (
	apiKey   = "plainApiKey_e2eSECRETkey42"
	crmToken = "crm-TOKEN-s3cr3t-99"
)

// defaultParallel is how many tests of this package run at once unless
// -test.parallel says otherwise. The tests mostly wait (on plainsync and
// plain-mock processes, injected latency, retry backoff), so the default,
// GOMAXPROCS, would leave a 2-core machine idle.
const defaultParallel = 8

func TestMain(m *testing.M) {
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		if err := flag.Set("test.parallel", fmt.Sprint(defaultParallel)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	dir, err := os.MkdirTemp("", "plainsync-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	// One go build for both: it compiles their shared packages once and
	// links the two in parallel.
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "../../cmd/plainsync", "../../cmd/plain-mock")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build plainsync and plain-mock: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mockState is plain-mock's state file.
type mockState struct {
	Workspace plain.Workspace     `json:"workspace"`
	Keys      map[string][]string `json:"keys,omitempty"`
	Targets   []plain.Target      `json:"targets"`
	// DeliveryAttempts seed plain-mock's attempt history.
	DeliveryAttempts []plain.DeliveryAttempt `json:"deliveryAttempts,omitempty"`
}

type mock struct {
	t     *testing.T
	url   string
	state string
	cmd   *exec.Cmd
	// key is the API key plainsync and gql use; "" means apiKey, the
	// primary workspace's.
	key string
	// stderr is plain-mock's stderr (its request log with --verbose),
	// shown when the test fails.
	stderr syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine of exec.Cmd
// and a reading test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mutations counts the webhook-target mutations plain-mock has answered so
// far, from its request log: the mock must run with --verbose.
func (m *mock) mutations() int {
	n := 0
	for _, line := range strings.Split(m.stderr.String(), "\n") {
		for _, op := range []string{"op=CreateWebhookTarget ", "op=UpdateWebhookTarget ", "op=DeleteWebhookTarget "} {
			if strings.Contains(line, op) {
				n++
			}
		}
	}
	return n
}

// startMock writes state (when non-nil) to a fresh state file and starts
// plain-mock on a free loopback port with the test key plus extra flags.
func startMock(t *testing.T, st *mockState, extra ...string) *mock {
	t.Helper()
	m := &mock{t: t, state: filepath.Join(t.TempDir(), "ws.json")}
	if st != nil {
		data, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(m.state, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args := append([]string{"--addr", "127.0.0.1:0", "--state", m.state, "--key", apiKey}, extra...)
	m.cmd = exec.Command(filepath.Join(binDir, "plain-mock"), args...)
	stdout, err := m.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	m.cmd.Stderr = &m.stderr
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.cmd.Process.Kill()
		m.cmd.Wait()
		if t.Failed() {
			fmt.Fprintf(os.Stderr, "plain-mock stderr:\n%s", m.stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read plain-mock banner: %v", err)
	}
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("unexpected plain-mock banner %q", line)
	}
	m.url = strings.TrimSpace(line[i:])
	go io.Copy(io.Discard, stdout)
	return m
}

func (m *mock) apiKey() string {
	if m.key != "" {
		return m.key
	}
	return apiKey
}

// as is the same plain-mock seen by test t through key, which the mock was
// started with (--key KEY@WORKSPACE_ID): plainsync and gql then work on
// that key's workspace. It shares the process, not the request log.
func (m *mock) as(t *testing.T, key string) *mock {
	return &mock{t: t, url: m.url, state: m.state, cmd: m.cmd, key: key}
}

// gql sends one GraphQL request to the mock, as another Plain user would.
func (m *mock) gql(query string, vars map[string]any) map[string]any {
	m.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", m.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+m.apiKey())
	var resp *http.Response
	var err error
	for attempt := 0; attempt < 20; attempt++ { // ride out injected faults
		resp, err = http.DefaultClient.Do(req.Clone(req.Context()))
		if err == nil && resp.StatusCode == 200 {
			break
		}
		if resp != nil {
			resp.Body.Close()
		}
		time.Sleep(50 * time.Millisecond)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	if err != nil {
		m.t.Fatalf("mock request: %v", err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		m.t.Fatalf("mock response: %v", err)
	}
	if errs, ok := out["errors"]; ok {
		m.t.Fatalf("mock errors: %v", errs)
	}
	return out["data"].(map[string]any)
}

// targets lists the mock's live targets over GraphQL.
func (m *mock) targets() []plain.Target {
	m.t.Helper()
	var all []plain.Target
	after := any(nil)
	for {
		data := m.gql(`query($after: String) { webhookTargets(first: 100, after: $after) {
			edges { node { id url description eventSubscriptions { eventType } version isEnabled } }
			pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": after})
		conn := data["webhookTargets"].(map[string]any)
		for _, e := range conn["edges"].([]any) {
			n := e.(map[string]any)["node"].(map[string]any)
			t := plain.Target{ID: n["id"].(string), URL: n["url"].(string), Description: n["description"].(string),
				Version: n["version"].(string), Enabled: n["isEnabled"].(bool)}
			for _, s := range n["eventSubscriptions"].([]any) {
				t.EventTypes = append(t.EventTypes, s.(map[string]any)["eventType"].(string))
			}
			t.EventTypes = plain.SortedUnique(t.EventTypes)
			all = append(all, t)
		}
		pi := conn["pageInfo"].(map[string]any)
		if !pi["hasNextPage"].(bool) {
			return all
		}
		after = pi["endCursor"]
	}
}

// byDescription indexes targets, failing on duplicates.
func byDescription(t *testing.T, ts []plain.Target) map[string]plain.Target {
	t.Helper()
	out := map[string]plain.Target{}
	for _, x := range ts {
		if _, dup := out[x.Description]; dup {
			t.Fatalf("duplicate live targets with description %q: %+v", x.Description, ts)
		}
		out[x.Description] = x
	}
	return out
}

// update edits a live target behind plainsync's back.
func (m *mock) update(id string, input map[string]any) {
	m.t.Helper()
	input["webhookTargetId"] = id
	data := m.gql(`mutation($input: UpdateWebhookTargetInput!) { updateWebhookTarget(input: $input) {
		webhookTarget { id } error { message } } }`, map[string]any{"input": input})
	if e := data["updateWebhookTarget"].(map[string]any)["error"]; e != nil {
		m.t.Fatalf("update %s: %v", id, e)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) all() string { return r.stdout + r.stderr }

// workdir is a directory with a plainsync.yaml.
func workdir(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "plainsync.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// run runs plainsync in dir against the mock, without a terminal, and
// checks that no secret leaked into its output or its plan files.
func (m *mock) run(dir string, args ...string) result {
	m.t.Helper()
	return m.runEnv(dir, nil, args...)
}

func (m *mock) runEnv(dir string, env []string, args ...string) result {
	m.t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "plainsync"), args...)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"PLAIN_API_KEY=" + m.apiKey(),
		"PLAIN_API_URL=" + m.url,
		"CRM_TOKEN=" + crmToken,
		"NO_COLOR=1",
	}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Stdin = strings.NewReader("yes\n") // never a terminal: must still refuse without --auto-approve
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		m.t.Fatalf("run plainsync %v: %v", args, err)
	}
	// Inside Actions the ::add-mask:: lines carry the secrets by design:
	// the runner consumes them to hide the values.
	assertNoSecrets(m.t, fmt.Sprintf("plainsync %v", args), withoutMasks(r.all()))
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		assertNoSecrets(m.t, f, string(data))
	}
	return r
}

func assertNoSecrets(t *testing.T, where, s string) {
	t.Helper()
	for _, secret := range []string{apiKey, crmToken} {
		if strings.Contains(s, secret) {
			t.Errorf("%s: output contains a secret (%s…)", where, secret[:6])
		}
	}
}

func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func wantContains(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Fatalf("output lacks %q:\n%s", sub, s)
		}
	}
}

// planJSON runs plan -o json and decodes the result.
type jsonChange struct {
	Action    string `json:"action"`
	Name      string `json:"name"`
	TargetID  string `json:"targetId"`
	MatchedBy string `json:"matchedBy"`
	Fields    []struct {
		Field   string   `json:"field"`
		Added   []string `json:"added"`
		Removed []string `json:"removed"`
	} `json:"fields"`
	Ignored   bool `json:"ignored"`
	Protected bool `json:"protected"`
}

type jsonPlan struct {
	FormatVersion int          `json:"formatVersion"`
	Changes       []jsonChange `json:"changes"`
}

func (m *mock) planJSON(dir string, args ...string) jsonPlan {
	m.t.Helper()
	r := m.run(dir, append([]string{"plan", "-o", "json"}, args...)...)
	wantCode(m.t, r, 0)
	var p jsonPlan
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		m.t.Fatalf("decode plan JSON: %v\n%s", err, r.stdout)
	}
	if p.FormatVersion != 1 {
		m.t.Fatalf("formatVersion %d", p.FormatVersion)
	}
	return p
}

func (p jsonPlan) byName(t *testing.T, name string) jsonChange {
	t.Helper()
	for _, c := range p.Changes {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("plan has no change named %q: %+v", name, p.Changes)
	return jsonChange{}
}

func (p jsonPlan) count(action string) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == action {
			n++
		}
	}
	return n
}
