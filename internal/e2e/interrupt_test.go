package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startApply starts plainsync apply in dir against m without waiting.
func (m *mock) startApply(dir string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	m.t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "plainsync"), append([]string{"apply", "--auto-approve"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PLAIN_API_KEY=" + apiKey,
		"PLAIN_API_URL=" + m.url, "CRM_TOKEN=" + crmToken, "NO_COLOR=1"}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	return cmd, &out, &errOut
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
func waitForLine(t *testing.T, buf *bytes.Buffer, sub string) {
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
// exits 1, and a re-run converges without duplicates.
func TestInterruptedApplyStopsCleanlyAndReRunConverges(t *testing.T) {
	m := startMock(t, ws(), "--latency", "300ms")
	dir := workdir(t, slowFile())
	cmd, out, errOut := m.startApply(dir, "--parallelism", "1")
	waitForLine(t, out, "[1/8]")
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
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

// A second Ctrl-C ends the process at once.
func TestSecondInterruptQuitsAtOnce(t *testing.T) {
	m := startMock(t, ws(), "--latency", "2s")
	dir := workdir(t, slowFile())
	cmd, out, errOut := m.startApply(dir, "--parallelism", "1")
	// Once the lease is held, apply re-reads live state (one request of
	// 2s), then sends the first create (another 2s): signal in between.
	waitForLine(t, errOut, "Holding the apply lease")
	time.Sleep(3 * time.Second) // the first create is in flight
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitForLine(t, errOut, "Interrupted")
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("process ended with %v", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("not ended by the second SIGINT: %v (after %s)\n%s", err, time.Since(start), out)
	}
}
