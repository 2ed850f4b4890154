package e2e

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// restartMock starts plain-mock again on statePath, the file an earlier
// (killed) plain-mock used.
func restartMock(t *testing.T, statePath string) *mock {
	t.Helper()
	m := &mock{t: t, state: statePath}
	m.cmd = exec.Command(filepath.Join(binDir, "plain-mock"), "--addr", "127.0.0.1:0", "--state", statePath, "--key", apiKey)
	stdout, err := m.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	m.cmd.Stderr = &m.stderr
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = m.cmd.Process.Kill()
		_ = m.cmd.Wait()
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
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return m
}

// plain-mock writes delivery attempts in batches, but nothing it has
// acknowledged is lost to a kill -9: a create answered, then the
// deliveries an emit reported, are in the state file the next plain-mock
// starts from.
func TestMockKilledRightAfterAcknowledgedWritesLosesNothing(t *testing.T) {
	t.Parallel()
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	defer rcv.Close()
	m := startMock(t, nil)
	data := m.gql(`mutation($input: CreateWebhookTargetInput!) {
		createWebhookTarget(input: $input) { webhookTarget { id } error { message } } }`,
		map[string]any{"input": map[string]any{"url": rcv.URL + "/hook", "description": "survivor", "isEnabled": true,
			"eventSubscriptions": []any{map[string]any{"eventType": "thread.thread_created"}}}})
	out := data["createWebhookTarget"].(map[string]any)
	if out["error"] != nil {
		t.Fatalf("create: %v", out["error"])
	}
	id := out["webhookTarget"].(map[string]any)["id"].(string)
	// kill -9 at once: no chance for a deferred or batched write.
	if err := m.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = m.cmd.Wait()

	m2 := restartMock(t, m.state)
	found := false
	for _, tg := range m2.targets() {
		found = found || tg.ID == id
	}
	if !found {
		t.Fatalf("target %s created before the kill is gone after the restart", id)
	}

	m2.emit("thread.thread_created", "--count", "7")
	if err := m2.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = m2.cmd.Wait()
	m3 := restartMock(t, m.state)
	data = m3.gql(`query($id: ID!) { webhookDeliveryAttempts(webhookTargetId: $id, first: 100) { edges { node { id } } } }`, map[string]any{"id": id})
	if n := len(data["webhookDeliveryAttempts"].(map[string]any)["edges"].([]any)); n != 7 {
		t.Fatalf("%d delivery attempts after the restart, want the 7 the emit reported", n)
	}
}
