package cli

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock"
)

// twoWorkspaces is two plain-mock workspaces, each with its own key, and a
// directory for desired-state files. The endpoint is one URL for every
// file, as in production; the factory routes each key to its workspace.
type twoWorkspaces struct {
	t          *testing.T
	prod, stag *plainmock.Server
	urls       map[string]string // key → endpoint
	dir        string
}

const (
	prodKey = "plainApiKey_prodSECRET"
	stagKey = "plainApiKey_stagSECRET"
)

func newTwoWorkspaces(t *testing.T) *twoWorkspaces {
	t.Helper()
	w := &twoWorkspaces{t: t, urls: map[string]string{}, dir: t.TempDir()}
	for _, ws := range []struct {
		srv **plainmock.Server
		key string
		id  string
	}{{&w.prod, prodKey, "w_PROD"}, {&w.stag, stagKey, "w_STAGING"}} {
		srv, err := plainmock.New(plainmock.Config{
			Keys:      map[string][]string{ws.key: plainmock.AllPermissions},
			Workspace: plain.Workspace{ID: ws.id, Name: ws.id},
		})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		*ws.srv = srv
		w.urls[ws.key] = hs.URL + plainmock.GraphQLPath
	}
	return w
}

func (w *twoWorkspaces) write(name, yaml string) string {
	w.t.Helper()
	p := filepath.Join(w.dir, name)
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *twoWorkspaces) run(args ...string) (int, string, string) {
	w.t.Helper()
	f, out, errOut := testFactory(map[string]string{
		"PLAIN_API_KEY_PROD":    prodKey,
		"PLAIN_API_KEY_STAGING": stagKey,
		"PLAIN_API_URL":         "http://127.0.0.1:1/unused",
	})
	f.NewClient = func(o api.Options) (PlainClient, error) {
		o.URL = w.urls[o.APIKey]
		return newAPIClient(o)
	}
	code := Execute(f, args)
	for _, s := range []string{out.String(), errOut.String()} {
		if strings.Contains(s, prodKey) || strings.Contains(s, stagKey) {
			w.t.Fatalf("secret in output of %v:\n%s", args, s)
		}
	}
	return code, out.String(), errOut.String()
}

func wsYAML(keyEnv, extra, hooks string) string {
	return "version: 1\napiKeyEnv: " + keyEnv + "\ndefaults:\n  webhookVersion: \"2026-05-06\"\n" + extra + "webhooks:\n" + hooks
}

const oneHook = `  - name: crm-sync
    url: https://crm.example.com/hook
    events: [thread.thread_created]
`

// A refusal of a later file must come before an earlier file is applied:
// otherwise one workspace is changed and the other is not.
func TestApplySeveralFilesGuardsEveryPlanBeforeAnyWrite(t *testing.T) {
	w := newTwoWorkspaces(t)
	for i := 0; i < 6; i++ {
		w.stag.PutTarget(plain.Target{Description: "old-" + string(rune('a'+i)), URL: "https://old.example.com/" + string(rune('a'+i)),
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	}
	prod := w.write("prod.yaml", wsYAML("PLAIN_API_KEY_PROD", "", oneHook))
	stag := w.write("staging.yaml", wsYAML("PLAIN_API_KEY_STAGING", "workspace: w_STAGING\nprune: true\n", oneHook))

	code, out, errOut := w.run("apply", "--auto-approve", "-f", prod, "-f", stag)
	if code != 1 || !strings.Contains(errOut, "staging.yaml: refused") || !strings.Contains(errOut, "max-delete-percent") {
		t.Fatalf("exit %d, want a refusal naming staging.yaml\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if n := len(w.prod.Targets()); n != 0 {
		t.Fatalf("prod.yaml was applied before staging.yaml was refused: %d targets", n)
	}
	if n := len(w.stag.Targets()); n != 6 {
		t.Fatalf("staging changed: %d targets", n)
	}

	// With the guard overridden both files apply, after a single approval.
	code, out, errOut = w.run("apply", "--auto-approve", "--force", "-f", prod, "-f", stag)
	if code != 0 {
		t.Fatalf("--force: exit %d\n%s\n%s", code, out, errOut)
	}
	if len(w.prod.Targets()) != 1 || len(w.stag.Targets()) != 1 {
		t.Fatalf("after apply: prod %d, staging %d targets", len(w.prod.Targets()), len(w.stag.Targets()))
	}
	for _, want := range []string{"Applying " + prod + ":", "Applying " + stag + ":"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// A missing permission in a later workspace also stops everything.
func TestApplySeveralFilesPreflightsEveryPlanBeforeAnyWrite(t *testing.T) {
	w := newTwoWorkspaces(t)
	w.stag.AddKey(stagKey, []string{plain.PermRead})
	prod := w.write("prod.yaml", wsYAML("PLAIN_API_KEY_PROD", "", oneHook))
	stag := w.write("staging.yaml", wsYAML("PLAIN_API_KEY_STAGING", "", oneHook))
	code, out, errOut := w.run("apply", "--auto-approve", "-f", prod, "-f", stag)
	if code != 1 || !strings.Contains(errOut, "staging.yaml:") || !strings.Contains(errOut, plain.PermCreate) {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if n := len(w.prod.Targets()); n != 0 {
		t.Fatalf("prod.yaml was applied although staging.yaml's key cannot create: %d targets", n)
	}
}

// Two files for one workspace would undo each other on every apply (one
// prunes what the other creates), so plan, drift and apply refuse them
// before anything is written.
func TestSeveralFilesForOneWorkspaceAreRefused(t *testing.T) {
	w := newTwoWorkspaces(t)
	a := w.write("a.yaml", wsYAML("PLAIN_API_KEY_PROD", "workspace: w_PROD\nprune: true\n", oneHook))
	b := w.write("b.yaml", wsYAML("PLAIN_API_KEY_PROD", "", `  - name: other
    url: https://other.example.com/hook
    events: [thread.thread_created]
`))
	for _, cmd := range [][]string{{"plan"}, {"drift"}, {"apply", "--auto-approve"}} {
		code, out, errOut := w.run(append(cmd, "-f", a, "-f", b)...)
		if code != 1 || !strings.Contains(errOut, a+" and "+b+" both describe workspace w_PROD: files may share a workspace only when each has a scope:") {
			t.Fatalf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", cmd, code, out, errOut)
		}
	}
	if n := len(w.prod.Targets()); n != 0 {
		t.Fatalf("apply wrote %d targets", n)
	}
	// Scoped, disjoint files may share it: each sees only its own targets.
	sa := w.write("sa.yaml", wsYAML("PLAIN_API_KEY_PROD", "workspace: w_PROD\nprune: true\nscope: [crm-*]\n", oneHook))
	sb := w.write("sb.yaml", wsYAML("PLAIN_API_KEY_PROD", "workspace: w_PROD\nprune: true\nscope: [other]\n", `  - name: other
    url: https://other.example.com/hook
    events: [thread.thread_created]
`))
	if code, out, errOut := w.run("apply", "--auto-approve", "-f", sa, "-f", sb); code != 0 || len(w.prod.Targets()) != 2 {
		t.Fatalf("scoped files: exit %d, %d targets\n%s\n%s", code, len(w.prod.Targets()), out, errOut)
	}
	// Overlapping scopes are refused: offline by the declared names...
	sc := w.write("sc.yaml", wsYAML("PLAIN_API_KEY_PROD", "scope: [\"*-sync\", other]\n", `  - name: other
    url: https://other.example.com/hook
    events: [thread.thread_created]
`))
	if code, _, errOut := w.run("plan", "-f", sa, "-f", sc); code != 1 || !strings.Contains(errOut, `"crm-sync" is also in the scope of `+sc) {
		t.Fatalf("overlapping scopes: exit %d\n%s", code, errOut)
	}
	// ...and by the live ones, which no file declares.
	w.prod.PutTarget(plain.Target{Description: "crm-legacy-sync", URL: "https://legacy.example.com/", EventTypes: []string{"thread.thread_created"}, Enabled: true})
	sd := w.write("sd.yaml", wsYAML("PLAIN_API_KEY_PROD", "scope: [\"*-legacy-*\"]\n", "  []\n"))
	if code, _, errOut := w.run("plan", "-f", sa, "-f", sd); code != 1 || !strings.Contains(errOut, `("crm-legacy-sync") is in the scope of both`) {
		t.Fatalf("live name in two scopes: exit %d\n%s", code, errOut)
	}

	// Files for different workspaces are fine.
	s := w.write("s.yaml", wsYAML("PLAIN_API_KEY_STAGING", "", oneHook))
	if code, out, errOut := w.run("apply", "--auto-approve", "--force", "-f", a, "-f", s); code != 0 {
		t.Fatalf("two workspaces: exit %d\n%s\n%s", code, out, errOut)
	}
}

// plan and drift -o json print one document per file, one after another,
// as the README promises; each decodes on its own.
func TestSeveralFilesJSONIsOneDocumentPerFile(t *testing.T) {
	w := newTwoWorkspaces(t)
	prod := w.write("prod.yaml", wsYAML("PLAIN_API_KEY_PROD", "", oneHook))
	stag := w.write("staging.yaml", wsYAML("PLAIN_API_KEY_STAGING", "", oneHook))
	for _, cmd := range []string{"plan", "drift"} {
		code, out, errOut := w.run(cmd, "-o", "json", "-f", prod, "-f", stag)
		if (cmd == "plan" && code != 0) || (cmd == "drift" && code != 2) {
			t.Fatalf("%s: exit %d\n%s", cmd, code, errOut)
		}
		dec := json.NewDecoder(strings.NewReader(out))
		var files []string
		for dec.More() {
			var doc struct {
				FormatVersion int    `json:"formatVersion"`
				File          string `json:"file"`
			}
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("%s: %v\n%s", cmd, err, out)
			}
			if doc.FormatVersion != 1 {
				t.Fatalf("%s: formatVersion %d", cmd, doc.FormatVersion)
			}
			files = append(files, doc.File)
		}
		if len(files) != 2 || files[0] != prod || files[1] != stag {
			t.Fatalf("%s: documents for %v, want [%s %s]", cmd, files, prod, stag)
		}
	}
}
