package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// startApply starts plainsync apply in dir against m without waiting; its
// output grows in the returned buffers, safe to read while it runs.
func (m *mock) startApply(dir string, args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	m.t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "plainsync"), append([]string{"apply", "--auto-approve"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PLAIN_API_KEY=" + apiKey,
		"PLAIN_API_URL=" + m.url, "CRM_TOKEN=" + crmToken, "NO_COLOR=1"}
	out, errOut := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	return cmd, out, errOut
}

// startApplyVia is startApply against the proxy instead of the mock.
func (m *mock) startApplyVia(p *proxy, dir string, args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	m.t.Helper()
	saved := m.url
	m.url = p.URL
	defer func() { m.url = saved }()
	return m.startApply(dir, args...)
}

// holdCreates makes p hold the webhook creates (not the lease's) from the
// n-th on: each is announced on the returned channel as it arrives and
// sent on to the mock only once release is called (at the latest when the
// test ends). A create held there is in flight for as long as the test
// needs, on a machine of any speed.
func holdCreates(t *testing.T, p *proxy, n int) (arrived <-chan int, release func()) {
	t.Helper()
	arrivals := make(chan int, 100)
	held := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(held) }) }
	t.Cleanup(release) // before p.Close, which waits for held requests
	var mu sync.Mutex
	creates := 0
	p.mu.Lock()
	defer p.mu.Unlock()
	p.intercept = func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		if !isCreate(body) || bytes.Contains(body, []byte(plain.LeasePrefix)) {
			return false
		}
		mu.Lock()
		creates++
		k := creates
		mu.Unlock()
		arrivals <- k
		if k >= n {
			<-held
		}
		return false // sent on to the mock
	}
	return arrivals, release
}

// waitArrival waits until create number n arrived at the proxy.
func waitArrival(t *testing.T, arrived <-chan int, n int) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case k := <-arrived:
			if k >= n {
				return
			}
		case <-timeout:
			t.Fatalf("create %d never reached plain-mock", n)
		}
	}
}

func slowFile() string {
	var b strings.Builder
	b.WriteString("version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n")
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&b, "  - name: slow-%d\n    url: https://s%d.example.com/x\n    events: [thread.note_created]\n", i, i)
	}
	return b.String()
}

// waitForLine polls buf until it holds sub, so the signal lands mid-apply.
func waitForLine(t *testing.T, buf *syncBuffer, sub string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(buf.String(), sub) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in output:\n%s", sub, buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Ctrl-C mid-apply lets the change in flight finish, starts nothing new,
// exits 1, and a re-run converges without duplicates. The second create
// is held at a proxy until the interrupt has been seen, so the signal
// always lands while it is in flight.
func TestInterruptedApplyStopsCleanlyAndReRunConverges(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	p := startProxy(t, m)
	arrived, release := holdCreates(t, p, 2)
	dir := workdir(t, slowFile())
	cmd, out, errOut := m.startApplyVia(p, dir, "--parallelism", "1")
	waitForLine(t, out, "[1/8]")
	waitArrival(t, arrived, 2)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitForLine(t, errOut, "Interrupted")
	release() // the change in flight finishes
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	wantContains(t, errOut.String(), "Interrupted")
	wantContains(t, out.String(), "skipped", "apply was cancelled")
	ts := m.targets()
	if n := leaseCount(ts); n != 0 {
		t.Fatalf("the interrupted apply left its lease behind: %+v", ts)
	}
	if n := len(ts); n == 0 || n == 8 {
		t.Fatalf("%d targets after the interrupt; want some but not all", n)
	}
	assertNoSecrets(t, "interrupted apply", out.String()+errOut.String())

	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	if live := byDescription(t, m.targets()); len(live) != 8 {
		t.Fatalf("%d targets after the re-run, want 8", len(live))
	}
}

// A second Ctrl-C ends the process at once, even while the first waits
// for a change in flight (held at a proxy, so it stays in flight).
func TestSecondInterruptQuitsAtOnce(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	p := startProxy(t, m)
	arrived, release := holdCreates(t, p, 1)
	dir := workdir(t, slowFile())
	cmd, out, errOut := m.startApplyVia(p, dir, "--parallelism", "1")
	waitArrival(t, arrived, 1) // the first create is in flight
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitForLine(t, errOut, "Interrupted")
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(10 * time.Second):
		release()
		_ = cmd.Process.Kill()
		<-exited
		t.Fatalf("still running 10s after the second SIGINT\n%s%s", out, errOut)
	}
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("process ended with %v", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("not ended by the second SIGINT: %v (after %s)\n%s", err, time.Since(start), out)
	}
}
