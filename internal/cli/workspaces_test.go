package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock"
	"github.com/plainsync/plainsync/internal/reconcile"
)

// manyWorkspaces is one plain-mock serving n workspaces, each with its own
// key (as Plain does: the key decides the workspace), and one file per
// workspace. It counts the requests in flight at once.
type manyWorkspaces struct {
	tb     testing.TB
	mock   *plainmock.Server
	url    string
	env    map[string]string
	files  []string
	dir    string
	busy   atomic.Int32
	peak   atomic.Int32
	served atomic.Int32
}

func workspaceKeyEnv(i int) string { return fmt.Sprintf("WS%03d_KEY", i) }
func workspaceID(i int) string     { return fmt.Sprintf("w_01WS%03dMOCK", i) }

// newManyWorkspaces creates n workspaces holding live targets each, and
// files describing them: webhook j in sync, or with create set, missing.
func newManyWorkspaces(tb testing.TB, n, targets int, latency time.Duration, create bool) *manyWorkspaces {
	tb.Helper()
	w := &manyWorkspaces{tb: tb, env: map[string]string{}}
	cfg := plainmock.Config{Latency: latency}
	for i := range n {
		key := fmt.Sprintf("plainApiKey_ws%03dSECRET", i)
		cfg.WorkspaceKeys = append(cfg.WorkspaceKeys, plainmock.WorkspaceKey{Key: key, WorkspaceID: workspaceID(i), Permissions: plainmock.AllPermissions})
		w.env[workspaceKeyEnv(i)] = key
	}
	srv, err := plainmock.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	w.mock = srv
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		now := w.busy.Add(1)
		defer w.busy.Add(-1)
		w.served.Add(1)
		for p := w.peak.Load(); now > p && !w.peak.CompareAndSwap(p, now); p = w.peak.Load() {
		}
		srv.ServeHTTP(rw, r)
	}))
	tb.Cleanup(hs.Close)
	tb.Cleanup(srv.Close)
	w.url = hs.URL + plainmock.GraphQLPath
	w.env["PLAIN_API_URL"] = w.url
	dir := tb.TempDir()
	w.dir = dir
	for i := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "version: 1\nworkspace: %s\napiKeyEnv: %s\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n", workspaceID(i), workspaceKeyEnv(i))
		for j := range targets {
			name, url := fmt.Sprintf("hook-%02d", j), fmt.Sprintf("https://ws%d-h%d.example.com/hook", i, j)
			fmt.Fprintf(&b, "  - name: %s\n    url: %s\n    events: [thread.thread_created]\n", name, url)
			if !create {
				srv.PutTargetIn(workspaceID(i), plain.Target{Description: name, URL: url, EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
			}
		}
		path := filepath.Join(dir, fmt.Sprintf("ws%03d.yaml", i))
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			tb.Fatal(err)
		}
		w.files = append(w.files, path)
	}
	return w
}

// run executes plainsync with every file, then args.
func (w *manyWorkspaces) run(args ...string) (int, string, string) {
	w.tb.Helper()
	f, out, errOut := testFactory(w.env)
	f.Now = func() time.Time { return testNow }
	full := append([]string{}, args[:1]...)
	for _, p := range w.files {
		full = append(full, "-f", p)
	}
	full = append(full, args[1:]...)
	w.busy.Store(0)
	w.peak.Store(0)
	code := Execute(f, full)
	for _, key := range w.env {
		if strings.HasPrefix(key, "plainApiKey_") && (strings.Contains(out.String(), key) || strings.Contains(errOut.String(), key)) {
			w.tb.Fatalf("a key leaked in the output of %v", args)
		}
	}
	return code, out.String(), errOut.String()
}

// Plan and drift read the workspaces concurrently, each with its own key,
// and print exactly what a run one workspace after another prints.
func TestWorkspacesArePlannedConcurrentlyInFileOrder(t *testing.T) {
	w := newManyWorkspaces(t, 5, 3, 40*time.Millisecond, false)
	w.mock.PutTargetIn(workspaceID(3), plain.Target{Description: "stray", URL: "https://stray.example.com/", EventTypes: []string{"thread.thread_created"}, Enabled: true})
	for _, cmd := range [][]string{{"plan"}, {"plan", "-o", "json"}, {"drift", "--prune"}, {"drift", "-o", "json", "--health-window", "24h"}} {
		code1, serial, _ := w.run(append(cmd, "--workspaces-parallelism", "1")...)
		if p := w.peak.Load(); p != 1 {
			t.Fatalf("%v at parallelism 1: %d requests at once", cmd, p)
		}
		code5, parallel, _ := w.run(append(cmd, "--workspaces-parallelism", "5")...)
		if p := w.peak.Load(); p < 2 {
			t.Errorf("%v at parallelism 5: never more than %d request at once", cmd, p)
		}
		if code1 != code5 || serial != parallel {
			t.Fatalf("%v: parallel output differs from serial (exit %d vs %d):\n%s\n---\n%s", cmd, code1, code5, serial, parallel)
		}
		// File order: workspace i's document before workspace i+1's.
		last := -1
		for i := range 5 {
			at := strings.Index(parallel, workspaceID(i))
			if at < last {
				t.Fatalf("%v: workspace %d printed out of file order:\n%s", cmd, i, parallel)
			}
			last = at
		}
	}
}

// elapsedRE and idRE match what differs between two runs: times and the
// ids of new targets.
var (
	elapsedRE = regexp.MustCompile(`in [0-9.]+m?s\b`)
	idRE      = regexp.MustCompile(`whTarget_[0-9A-HJKMNP-TV-Z]{26}`)
)

// Apply creates in every workspace at once, keeps each workspace's phases
// and the single confirmation, and prints the sections in file order.
func TestWorkspacesAreAppliedConcurrentlyInFileOrder(t *testing.T) {
	outputs := map[string]string{}
	for _, par := range []string{"1", "4"} {
		w := newManyWorkspaces(t, 4, 3, 30*time.Millisecond, true)
		code, out, errOut := w.run("apply", "--auto-approve", "--parallelism", "1", "--workspaces-parallelism", par)
		if code != 0 {
			t.Fatalf("parallelism %s: exit %d\n%s\n%s", par, code, out, errOut)
		}
		for i := range 4 {
			if n := len(w.mock.TargetsIn(workspaceID(i))); n != 3 {
				t.Fatalf("parallelism %s: workspace %d has %d targets, want 3", par, i, n)
			}
		}
		if p := w.peak.Load(); (par == "1") != (p == 1) {
			t.Errorf("parallelism %s: peak of %d requests at once", par, p)
		}
		outputs[par] = idRE.ReplaceAllString(elapsedRE.ReplaceAllString(strings.ReplaceAll(out, w.dir, "DIR"), "in T"), "TARGET_ID")
		if strings.Count(out, "Do you want to apply") > 0 || strings.Count(out, "Applying ") != 4 {
			t.Fatalf("parallelism %s: want four sections and no prompt:\n%s", par, out)
		}
	}
	if outputs["1"] != outputs["4"] {
		t.Fatalf("parallel apply output differs from serial:\n%s\n---\n%s", outputs["1"], outputs["4"])
	}
}

func TestWorkspacesParallelismFlag(t *testing.T) {
	w := newManyWorkspaces(t, 1, 1, 0, false)
	code, _, errOut := w.run("plan", "--workspaces-parallelism", "0")
	if code != 1 || !strings.Contains(errOut, "--workspaces-parallelism must be at least 1, got 0") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// By default every file's workspace is read at once (each has its own key
// and limit), up to 32 at a time; the flag's help says so.
func TestWorkspacesParallelismDefault(t *testing.T) {
	w := newManyWorkspaces(t, 40, 1, 300*time.Millisecond, false)
	all := w.files
	w.files = all[:20]
	if code, out, errOut := w.run("plan"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	// The old default, 8, is the bar: all 20 are meant to be in flight.
	if p := w.peak.Load(); p <= 8 || p > 20 {
		t.Errorf("20 files: %d reads at once, want all 20 together", p)
	}
	w.files = all
	if code, out, errOut := w.run("plan"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if p := w.peak.Load(); p <= 20 || p > reconcile.MaxWorkspaces {
		t.Errorf("40 files: %d reads at once, want up to %d", p, reconcile.MaxWorkspaces)
	}
	if code, _, _ := w.run("plan", "--workspaces-parallelism", "3"); code != 0 || w.peak.Load() > 3 {
		t.Errorf("--workspaces-parallelism 3: exit %d, %d reads at once", code, w.peak.Load())
	}
	code, out, _ := w.run("plan", "--help")
	if code != 0 || !strings.Contains(out, "(default: one per file, at most 32)") || strings.Contains(out, "(default 0)") {
		t.Errorf("plan --help does not give the default:\n%s", out)
	}
}

// BenchmarkScalePlan plans W files, one per workspace, each with Plain's
// maximum of 25 targets (all in sync), against plain-mock answering every
// request after 100 ms, at the default --workspaces-parallelism (one per
// file, at most 32). A plan reads a workspace in one round trip (the
// catalog and the first page of targets come in one request), so the
// ideal is one round trip per wave of up to 32 workspaces:
// ceil(W/32) × 100 ms.
func BenchmarkScalePlan(b *testing.B) {
	const latency = 100 * time.Millisecond
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("W=%d", n), func(b *testing.B) {
			w := newManyWorkspaces(b, n, 25, latency, false)
			var elapsed time.Duration
			for b.Loop() {
				w.served.Store(0)
				start := time.Now()
				if code, out, errOut := w.run("plan"); code != 0 {
					b.Fatalf("exit %d\n%s\n%s", code, out, errOut)
				}
				elapsed = time.Since(start)
			}
			perWorkspace := float64(w.served.Load()) / float64(n)
			ideal := time.Duration((n+reconcile.MaxWorkspaces-1)/reconcile.MaxWorkspaces) * time.Duration(perWorkspace*float64(latency))
			b.ReportMetric(perWorkspace, "req/workspace")
			b.ReportMetric(float64(elapsed.Milliseconds()), "measured-ms")
			b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
			b.ReportMetric(float64(elapsed)/float64(ideal), "measured/ideal")
		})
	}
}
