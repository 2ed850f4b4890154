package cli

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

const slackHookToken = "XXXXslackXXXXtoken1234XX"

// targets redacts hook tokens in every form; --show-secrets reveals one
// target's full URL only on a terminal and never inside GitHub Actions.
func TestTargetsShowSecretsOnlyOnATerminal(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	slack := e.mock.PutTarget(plain.Target{Description: "slack", URL: "https://hooks.slack.com/services/T0/B0/" + slackHookToken,
		EventTypes: []string{"thread.chat_sent"}, Version: "2026-05-06", Enabled: true})
	for _, args := range [][]string{{"targets"}, {"targets", "-o", "json"}, {"targets", "slack"}, {"targets", slack.ID, "-o", "json"}} {
		r := runRead(t, e, nil, []string{slackHookToken}, args...)
		wantExit(t, r, 0)
		if !strings.Contains(r.out, "https://hooks.slack.com/services/T0/B0/REDACTED") {
			t.Errorf("%v: host not readable or token not redacted:\n%s", args, r.out)
		}
	}

	reveal := func(env map[string]string, terminal bool, args ...string) (int, string, string) {
		full := map[string]string{"PLAIN_API_KEY": testKey, "PLAIN_API_URL": e.url}
		for k, v := range env {
			full[k] = v
		}
		f, out, errOut := testFactory(full)
		f.IO.OutIsTerminal = terminal
		return Execute(f, args), out.String(), errOut.String()
	}
	code, out, _ := reveal(nil, true, "targets", "slack", "--show-secrets")
	if code != 0 || !strings.Contains(out, slackHookToken) {
		t.Fatalf("on a terminal: exit %d\n%s", code, out)
	}
	for _, c := range []struct {
		env      map[string]string
		terminal bool
		args     []string
		want     string
	}{
		{nil, false, []string{"targets", "slack", "--show-secrets"}, "only with stdout on a terminal"},
		{map[string]string{"GITHUB_ACTIONS": "true"}, true, []string{"targets", "slack", "--show-secrets"}, "refused inside GitHub Actions"},
		{nil, true, []string{"targets", "--show-secrets"}, "name the one target"},
	} {
		code, out, errOut := reveal(c.env, c.terminal, c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) || strings.Contains(out+errOut, slackHookToken) {
			t.Errorf("%v (terminal %v, env %v): exit %d\nstdout %s\nstderr %s", c.args, c.terminal, c.env, code, out, errOut)
		}
	}
}

// plan --api-url http://<not loopback> exits 1 before any request: the
// dialer fails the test if anything is dialled.
func TestPlanRefusesPlainHTTPToANonLoopbackAPI(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plainsync.yaml")
	if err := os.WriteFile(file, []byte(testYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, apiURL := range []string{"http://192.0.2.10/graphql/v1", "http://10.0.0.7:8080/graphql/v1"} {
		f, out, errOut := testFactory(map[string]string{"PLAIN_API_KEY": testKey, "TOKEN": testToken})
		f.NewClient = func(o api.Options) (PlainClient, error) {
			o.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				t.Errorf("dialled %s", addr)
				return nil, net.ErrClosed
			}}}
			return newAPIClient(o)
		}
		code := Execute(f, []string{"plan", "-f", file, "--api-url", apiURL})
		if code != 1 || !strings.Contains(errOut.String(), "use an https:// API URL") || strings.Contains(out.String()+errOut.String(), testKey) {
			t.Errorf("%s: exit %d\nstdout %s\nstderr %s", apiURL, code, out, errOut)
		}
	}
}

// --debug lines quoting a URL (Go's url.Error does) have its secret parts
// redacted, not only the known ${VAR} values masked.
func TestDebugStreamRedactsURLs(t *testing.T) {
	f, _, errOut := testFactory(nil)
	f.Secrets = &secret.Masker{}
	w := f.gate().Writer(errOut)
	if _, err := w.Write([]byte(`<-- Snapshot failed: Post "https://hooks.slack.com/services/T0/B0/` + slackHookToken + `": EOF` + "\n")); err != nil {
		t.Fatal(err)
	}
	if got := errOut.String(); strings.Contains(got, slackHookToken) || !strings.Contains(got, "https://hooks.slack.com/services/T0/B0/REDACTED") {
		t.Fatalf("debug line: %s", got)
	}
}
