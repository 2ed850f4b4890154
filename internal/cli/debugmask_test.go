package cli

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/api"
)

// --debug prints each request's variables with URLs re-encoded, so a ${VAR}
// value in a URL path reaches the debug stream percent-encoded: the mask
// must cover that form too, not just the value as the file gave it.
func TestDebugOutputMasksEncodedSecrets(t *testing.T) {
	const tok = "tok|SECRET^123"
	e := newRemoteEnv(t, `version: 1
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: crm-sync
    url: https://crm.example.com/hook/${PATH_TOKEN}
    events: [thread.thread_created]
`)
	f, out, errOut := testFactory(map[string]string{
		"PLAIN_API_KEY": testKey,
		"PLAIN_API_URL": e.url,
		"PATH_TOKEN":    tok,
	})
	code := Execute(f, []string{"apply", "--auto-approve", "--debug", "-f", filepath.Join(e.dir, "plainsync.yaml")})
	if code != 0 || len(e.mock.Targets()) != 1 {
		t.Fatalf("exit %d, %d targets\n%s\n%s", code, len(e.mock.Targets()), out, errOut)
	}
	if !strings.Contains(errOut.String(), "createWebhookTarget") && !strings.Contains(errOut.String(), "CreateWebhookTarget") {
		t.Fatalf("debug output lacks the create request:\n%s", errOut)
	}
	for _, form := range []string{tok, url.PathEscape(tok), url.QueryEscape(tok)} {
		for name, s := range map[string]string{"stdout": out.String(), "stderr": errOut.String()} {
			if strings.Contains(s, form) {
				t.Errorf("%s holds the secret as %q:\n%s", name, form, s)
			}
		}
	}
}

// Errors are masked in escaped forms too: an error quoting a URL with %q,
// or as Plain echoed it back percent-encoded, must not show the value.
func TestErrorsMaskEncodedSecrets(t *testing.T) {
	const tok = `tok"SECRET|123`
	e := newRemoteEnv(t, `version: 1
webhooks:
  - name: crm-sync
    url: https://crm.example.com/hook/${PATH_TOKEN}
    events: [thread.thread_created]
`)
	f, out, errOut := testFactory(map[string]string{"PLAIN_API_KEY": testKey, "PATH_TOKEN": tok})
	f.NewClient = func(api.Options) (PlainClient, error) {
		u := "https://crm.example.com/hook/" + tok
		return nil, fmt.Errorf("refused %q (as sent: %s)", u, "https://crm.example.com/hook/"+url.PathEscape(tok))
	}
	if code := Execute(f, []string{"plan", "-f", filepath.Join(e.dir, "plainsync.yaml")}); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errOut.String(), "refused") {
		t.Fatalf("stderr lacks the error:\n%s", errOut)
	}
	quoted := strconv.Quote(tok)
	for _, form := range []string{tok, quoted[1 : len(quoted)-1], url.PathEscape(tok)} {
		if strings.Contains(out.String()+errOut.String(), form) {
			t.Errorf("output holds the secret as %q:\n%s", form, errOut)
		}
	}
}
