package e2e

import (
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/plainsync/plainsync/internal/plain"
)

// echoSecret is a ${VAR} value with characters that every escaping
// changes, so that its encoded forms differ from it.
const echoSecret = "Zq9+sec/ret=V@lue!42"

// echoForms are the forms of a secret a live description echoes.
func echoForms(v string) []string {
	return []string{v, url.QueryEscape(v), url.PathEscape(v), strings.Trim(strconv.Quote(v), `"`)}
}

// hostileSecretState is a live workspace whose every piece of text is
// hostile: workflow commands in both syntaxes, terminal escapes, bidi
// overrides, Markdown links, and the API key and a ${VAR} value echoed in
// several encodings.
func hostileSecretState() *mockState {
	st := ws()
	st.Workspace.Name = "ws ##[error]FORGED"
	echo := strings.Join(append(echoForms(apiKey), echoForms(echoSecret)...), " ")
	add := func(id, desc, u string) {
		st.Targets = append(st.Targets, plain.Target{ID: id, Description: desc, URL: u,
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	}
	add("whTarget_01HD4400VTDJQ646V6RY37SR7K", "crm", "https://crm.example.com/old?token=liveTOKENabcdef123456")
	add("whTarget_01HD4400VTDJQ646V6RY37SR7M", "innocent ##[error]FORGED \x1b[2J\x1b]8;;https://evil.example/x\x07", "https://e.example.com/h?a=##[error]FORGED")
	add("whTarget_01HD4400VTDJQ646V6RY37SR7N", "ok\n::error::FORGED after a newline \u202etxt.exe", "https://f.example.com/h")
	add("whTarget_01HD4400VTDJQ646V6RY37SR7P", "[click me](https://evil.example/phish) echo "+echo, "https://g.example.com/h?secret="+url.QueryEscape(echoSecret))
	return st
}

// The file manages crm with a ${VAR} in its URL and leaves the rest
// unmanaged (deleted with --prune).
const hostileSecretYAML = `version: 1
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: crm
    url: https://crm.example.com/h?token=${ECHO_SECRET}
    events: [thread.thread_created]
`

// clean fails when s, written for people or a log, shows a secret in any
// form, a workflow command plainsync did not write, a terminal escape or
// a bidi override (human says s is not a JSON document, whose encoder
// escapes what it must), or, for Markdown, a link to the hostile host.
func clean(t *testing.T, where, s string, human, markdown bool) {
	t.Helper()
	s = withoutMasks(s)
	secrets := append(echoForms(apiKey), crmToken, ghToken, "liveTOKENabcdef123456")
	if knowsFile(where) {
		secrets = append(secrets, echoForms(echoSecret)...)
	}
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("%s: shows a secret (%q…)", where, secret[:6])
		}
	}
	noWorkflowCommands(t, where, s)
	if strings.ContainsRune(s, '\x1b') || strings.ContainsRune(s, '\x07') {
		t.Errorf("%s: holds a raw terminal escape", where)
	}
	if human && strings.ContainsAny(s, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
		t.Errorf("%s: holds a raw bidi control", where)
	}
	if !markdown {
		return
	}
	src := []byte(s)
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			if l, ok := n.(*ast.Link); ok && strings.Contains(string(l.Destination), "evil.example") {
				t.Errorf("%s: renders a link to %s", where, l.Destination)
			}
			if l, ok := n.(*ast.AutoLink); ok && strings.Contains(string(l.URL(src)), "evil.example") {
				t.Errorf("%s: renders an autolink to %s", where, l.URL(src))
			}
		}
		return ast.WalkContinue, nil
	})
}

// knowsFile reports whether the run where names read the file, and so
// knows its ${VAR} values as secrets (targets, events, deliveries and
// export never read it: to them the value is live text like any other).
func knowsFile(where string) bool {
	for _, c := range []string{"validate", "plan", "drift", "apply", "pull-request comment"} {
		if strings.HasPrefix(where, c) {
			return true
		}
	}
	return false
}

// TestEveryWriterComesOutClean runs plainsync inside GitHub Actions
// (GITHUB_ACTIONS=true, a pull-request event, the comment on, a fake
// GitHub API) against a hostile, secret-laden live workspace, and checks
// every writer the program has: stdout and stderr of every command in
// every format (annotations are stderr lines), the step summary, the
// GITHUB_OUTPUT file, the plan-markdown and plan-json files, the saved
// plan, an exported file and every pull-request comment body.
func TestEveryWriterComesOutClean(t *testing.T) {
	m := startMock(t, hostileSecretState(), "--simulate-deliveries", "1")
	gh, ghURL := startGitHub(t)
	dir := workdir(t, hostileSecretYAML)
	event := prEvent(t, 7, false)
	runs := [][]string{
		{"validate"}, {"validate", "-o", "json"},
		{"plan"}, {"plan", "-o", "json"}, {"plan", "-o", "markdown"}, {"plan", "--prune", "-o", "markdown"},
		{"plan", "--out", "plan.json"},
		{"drift"}, {"drift", "-o", "json"}, {"drift", "--prune", "-o", "markdown"},
		{"targets"}, {"targets", "-o", "json"}, {"targets", "whTarget_01HD4400VTDJQ646V6RY37SR7P"},
		{"events"}, {"deliveries"}, {"deliveries", "-o", "json"},
		{"export"}, {"export", "--out", "exported.yaml"},
		{"apply", "--dry-run", "--prune", "--force"},
		{"apply", "--auto-approve", "plan.json"},
		{"apply", "--auto-approve", "--prune", "--force"},
	}
	for _, args := range runs {
		g := newGHAFiles(t)
		env := append(g.env(), "ECHO_SECRET="+echoSecret,
			"PLAINSYNC_COMMENT=true", "PLAINSYNC_GITHUB_TOKEN="+ghToken, "GITHUB_API_URL="+ghURL,
			"GITHUB_REPOSITORY=acme/config", "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH="+event,
			"GITHUB_WORKSPACE="+dir, "GITHUB_SERVER_URL=https://github.com", "GITHUB_RUN_ID=4242")
		r := m.runEnv(dir, env, args...)
		where := strings.Join(args, " ")
		if r.code > 2 || (r.code == 1 && args[0] != "validate") {
			t.Errorf("%s: exit %d:\n%s", where, r.code, r.all())
		}
		json := len(args) > 2 && args[1] == "-o" && args[2] == "json"
		clean(t, where+" stdout", r.stdout, !json, len(args) > 2 && args[2] == "markdown")
		clean(t, where+" stderr (annotations included)", r.stderr, true, false)
		outputs, summary := g.read(t)
		clean(t, where+" GITHUB_OUTPUT", outputs, true, false)
		clean(t, where+" step summary", summary, true, true)
		for _, name := range []string{"plan-markdown", "plan-json"} {
			if p, ok := outputValue(outputs, name); ok {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatalf("%s: %s: %v", where, name, err)
				}
				clean(t, where+" "+name+" file", string(data), name == "plan-markdown", name == "plan-markdown")
			}
		}
	}
	for _, name := range []string{"plan.json", "exported.yaml"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		clean(t, name, string(data), false, false)
	}
	bodies := gh.snapshot()
	if len(bodies) == 0 {
		t.Fatal("no pull-request comment was written")
	}
	for _, b := range bodies {
		clean(t, "pull-request comment", b, true, true)
	}
}
