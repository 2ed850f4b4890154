package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

// Workflow commands plainsync writes itself, inside Actions.
var ownCommand = regexp.MustCompile(`^(::add-mask::|::stop-commands::plainsync-[0-9a-f]{32}$|::plainsync-[0-9a-f]{32}::$|::(error|warning|notice)( [^:]*)?::)`)

// noWorkflowCommands fails when out holds a workflow command the runner
// would obey that plainsync did not write: the legacy "##[command]"
// anywhere in a line, or a line that starts with "::" (after blanks) and is
// not one of plainsync's own. A mask line must not mask live words.
func noWorkflowCommands(t *testing.T, where, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "##[") {
			t.Errorf("%s: line %d holds a legacy workflow command: %q", where, i+1, line)
		}
		trimmed := strings.TrimLeft(line, " \t")
		if !strings.HasPrefix(trimmed, "::") {
			continue
		}
		if trimmed != line || !ownCommand.MatchString(line) {
			t.Errorf("%s: line %d starts a workflow command: %q", where, i+1, line)
			continue
		}
		if strings.HasPrefix(line, "::add-mask::") {
			if v := strings.TrimPrefix(line, "::add-mask::"); !strings.Contains(apiKey+" "+crmToken, v) {
				t.Errorf("%s: line %d masks %q, which is no secret", where, i+1, v)
			}
		}
		if strings.Contains(line, "FORGED") && !strings.Contains(line, `#\x23[`) {
			t.Errorf("%s: line %d carries live text unescaped: %q", where, i+1, line)
		}
	}
}

// TestWorkflowCommandsInEverySyntaxStayInert seeds a live workspace whose
// name, descriptions and URLs carry workflow commands of both syntaxes
// (issue 20: "##[error]", "##[add-mask]", "##[set-output …]" anywhere in a
// line, "::error::" after a newline), and a file whose names do too, and
// runs every command in every output format, with and without
// GITHUB_ACTIONS=true: no stream, file or summary carries a usable
// command.
func TestWorkflowCommandsInEverySyntaxStayInert(t *testing.T) {
	t.Parallel()
	const (
		forged = "innocent ##[error]FORGED"
		mask   = "x ##[add-mask]delete"
		output = "##[set-output name=has-changes;]false"
		newer  = "ok\n::error::FORGED after a newline"
	)
	seed := ws()
	seed.Workspace.Name = "ws ##[error]FORGED"
	seed.Targets = []plain.Target{
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Description: forged, URL: "https://e.example.com/h?a=##[error]FORGED", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7M", Description: mask, URL: "https://f.example.com/h#" + output, EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7N", Description: output, URL: "https://g.example.com/h", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7P", Description: newer, URL: "https://h.example.com/h?x=\n::error::FORGED", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
	}
	m := startMock(t, seed, "--simulate-deliveries", "1")
	// The file updates the first target (its name matches) to a
	// description that is itself a command, and creates one named so.
	yaml := "version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n" +
		"  - name: \"" + forged + "\"\n    url: https://e.example.com/changed\n    events: [thread.thread_created]\n" +
		"  - name: \"new ##[warning]FORGED ::error::x\"\n    url: https://n.example.com/h\n    events: [thread.note_created]\n"
	runs := [][]string{
		{"validate"}, {"validate", "-o", "json"},
		{"plan"}, {"plan", "-o", "json"}, {"plan", "-o", "markdown"}, {"plan", "--prune"}, {"plan", "--prune", "-o", "markdown"},
		{"drift"}, {"drift", "-o", "json"},
		{"targets"}, {"targets", "-o", "json"}, {"targets", "whTarget_01HD4400VTDJQ646V6RY37SR7K"}, {"targets", "-o", "json", "whTarget_01HD4400VTDJQ646V6RY37SR7M"},
		{"targets", "innocent ##[error]FORGEX"}, // did-you-mean on stderr
		{"deliveries"}, {"deliveries", "-o", "json"},
		{"export"}, {"export", "-o", "json"},
	}
	for _, actions := range []bool{false, true} {
		dir := workdir(t, yaml)
		var env []string
		var g ghaFiles
		if actions {
			g = newGHAFiles(t)
			env = g.env()
		}
		for _, args := range runs {
			r := m.runEnv(dir, env, args...)
			where := fmt.Sprintf("%v (actions=%v)", args, actions)
			if r.code > 1 && args[0] != "drift" {
				t.Errorf("%s: exit %d:\n%s", where, r.code, r.all())
			}
			noWorkflowCommands(t, where+" stdout", r.stdout)
			noWorkflowCommands(t, where+" stderr", r.stderr)
		}
		if r := m.runEnv(dir, env, "targets", "innocent ##[error]FORGEX"); !strings.Contains(r.stderr, `#\x23[error]FORGED`) {
			t.Errorf("the did-you-mean does not show the description escaped:\n%s", r.stderr)
		}
		// Saved plans, then apply of the plan and with --prune.
		r := m.runEnv(dir, env, "plan", "--out", "plan.json")
		noWorkflowCommands(t, "plan --out", r.all())
		data, err := os.ReadFile(filepath.Join(dir, "plan.json"))
		if err != nil {
			t.Fatal(err)
		}
		noWorkflowCommands(t, "plan.json", string(data))
		r = m.runEnv(dir, env, "apply", "--auto-approve", "plan.json")
		noWorkflowCommands(t, fmt.Sprintf("apply PLAN (actions=%v)", actions), r.all())
		if r.code != 0 {
			t.Errorf("apply PLAN: exit %d:\n%s", r.code, r.all())
		}
		if actions {
			outputs, summary := g.read(t)
			noWorkflowCommands(t, "step summary", summary)
			noWorkflowCommands(t, "outputs", outputs)
			for _, name := range []string{"plan-markdown", "plan-json"} {
				if p, ok := outputValue(outputs, name); ok {
					data, _ := os.ReadFile(p)
					noWorkflowCommands(t, name, string(data))
				}
			}
			if !strings.Contains(summary, `#\x23[`) {
				t.Errorf("the step summary does not show the live text escaped:\n%s", summary)
			}
		}
	}
	// The last run, inside Actions, deletes the hostile targets.
	g := newGHAFiles(t)
	dir := workdir(t, yaml)
	r := m.runEnv(dir, g.env(), "apply", "--auto-approve", "--prune", "--max-delete-percent", "100")
	noWorkflowCommands(t, "apply --prune", r.all())
	if r.code != 0 {
		t.Fatalf("apply --prune: exit %d:\n%s", r.code, r.all())
	}
	_, summary := g.read(t)
	noWorkflowCommands(t, "apply --prune summary", summary)
}
