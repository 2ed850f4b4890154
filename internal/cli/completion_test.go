package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/plain"
)

// complete runs cobra's hidden __complete command, as a shell does, and
// returns the offered words (without the trailing directive line).
func complete(t *testing.T, env map[string]string, args ...string) []string {
	t.Helper()
	f, out, errOut := testFactory(env)
	if code := Execute(f, append([]string{"__complete"}, args...)); code != 0 {
		t.Fatalf("__complete %v: exit %d\n%s", args, code, errOut.String())
	}
	var words []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, ":") && line != "" {
			words = append(words, line)
		}
	}
	return words
}

func TestCompleteEnumFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"plan", "-o", ""}, []string{"text", "json", "markdown"}},
		{[]string{"deliveries", "--status", ""}, health.ResultKinds},
		{[]string{"export", "-o", ""}, []string{"yaml", "json"}},
		{[]string{"targets", "-o", ""}, []string{"table", "json"}},
		{[]string{"export", "--name-from", ""}, []string{"description", "id"}},
	} {
		if got := complete(t, nil, tc.args...); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("__complete %v = %v, want %v", tc.args, got, tc.want)
		}
	}
}

// Each completion list must be what the flag's help promises: a value
// added to the command but not here (or the reverse) fails.
func TestEnumFlagsMatchTheirHelp(t *testing.T) {
	f, _, _ := testFactory(nil)
	root := NewRootCmd(f)
	for _, cmd := range root.Commands() {
		fl := cmd.Flags().Lookup("output")
		if fl == nil {
			continue
		}
		values, ok := enumFlags[cmd.Name()]["output"]
		if !ok {
			t.Errorf("%s has -o but no completion values", cmd.Name())
			continue
		}
		usage := strings.TrimPrefix(fl.Usage, "output format: ")
		words := strings.FieldsFunc(usage, func(r rune) bool { return r == ',' || r == ' ' })
		var formats []string
		for _, w := range words {
			if w != "or" {
				formats = append(formats, w)
			}
		}
		if strings.Join(formats, ",") != strings.Join(values, ",") {
			t.Errorf("%s -o: help says %v, completion offers %v", cmd.Name(), formats, values)
		}
	}
	for name, flags := range enumFlags {
		cmd, _, err := root.Find([]string{name})
		if err != nil || cmd.Name() != name {
			t.Errorf("enumFlags names a command %q that does not exist", name)
			continue
		}
		for flag := range flags {
			if cmd.Flags().Lookup(flag) == nil {
				t.Errorf("enumFlags names %s --%s, which does not exist", name, flag)
			}
		}
	}
}

func TestCompleteTargetsAndEvents(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	tg := e.mock.PutTarget(plain.Target{Description: "crm-sync", URL: "https://crm.example.com/", EventTypes: []string{"thread.thread_created"}, Enabled: true})
	e.mock.PutTarget(plain.Target{Description: "evil\x1b[2J", URL: "https://e.example.com/", EventTypes: []string{"thread.thread_created"}, Enabled: true})
	withKey := map[string]string{"PLAIN_API_KEY": testKey, "PLAIN_API_URL": e.url}

	got := complete(t, withKey, "targets", "")
	// Names and ids, but never a description that would garble the
	// terminal (the evil target is offered by its id only).
	if len(got) != 3 || got[0] != "crm-sync" || !slices.Contains(got, tg.ID) || strings.Contains(strings.Join(got, ""), "\x1b") {
		t.Errorf("targets completion = %q", got)
	}
	if got := complete(t, withKey, "deliveries", "crm"); strings.Join(got, ",") != "crm-sync" {
		t.Errorf("deliveries crm<TAB> = %q", got)
	}
	// Without a key nothing is read from Plain: the names come from
	// ./plainsync.yaml, when there is one.
	t.Chdir(t.TempDir())
	if got := complete(t, nil, "targets", ""); len(got) != 0 {
		t.Errorf("targets completion without a key or a file = %q", got)
	}
	os.WriteFile("plainsync.yaml", []byte("version: 1\nwebhooks:\n  - name: from-file\n    id: whTarget_01HD4400VTDJQ646V6RY37SR06\n    url: https://${HOST}/\n    events: [\"*\"]\n"), 0o644)
	if got := complete(t, nil, "targets", ""); strings.Join(got, ",") != "from-file,whTarget_01HD4400VTDJQ646V6RY37SR06" {
		t.Errorf("targets completion from the file = %q", got)
	}
	// Event types: the snapshot without a key, the live catalog with one.
	got = complete(t, nil, "deliveries", "--event", "thread.thread_c")
	if strings.Join(got, ",") != "thread.thread_created" {
		t.Errorf("event completion without a key = %q", got)
	}
	if got := complete(t, withKey, "deliveries", "--event", "customer."); len(got) != 6 {
		t.Errorf("live event completion = %q", got)
	}
}

func TestTargetsDidYouMean(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	e.mock.PutTarget(plain.Target{Description: "crm-sync", URL: "https://crm.example.com/", EventTypes: []string{"thread.thread_created"}, Enabled: true})
	r := runRead(t, e, nil, nil, "targets", "crm_sync")
	wantExit(t, r, 1)
	if !strings.Contains(r.errOut, `no webhook target has the id or description "crm_sync" (did you mean "crm-sync"?)`) {
		t.Errorf("stderr %q", r.errOut)
	}
	r = runRead(t, e, nil, nil, "targets", "billing")
	if strings.Contains(r.errOut, "did you mean") {
		t.Errorf("a far-off name got a suggestion: %q", r.errOut)
	}
}

func TestMissingDefaultFileHintsAtYML(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(filepath.Join(dir, "plainsync.yml"), []byte("version: 1\nwebhooks: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _, errOut := testFactory(nil)
	if code := Execute(f, []string{"validate"}); code != 1 {
		t.Fatalf("exit %d", code)
	}
	want := "plainsync.yaml: file not found\nhint: ./plainsync.yml exists, but without -f plainsync reads ./plainsync.yaml: run with -f plainsync.yml, or rename the file\n"
	if errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
}

// Errors say what plainsync was doing, in words, not which function or
// GraphQL operation failed.
func TestErrorsAreWordedForUsers(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	for _, args := range [][]string{{"plan", "-f", filepath.Join(e.dir, "plainsync.yaml")}, {"targets"}, {"events"}, {"export"}} {
		r := runRead(t, e, map[string]string{"PLAIN_API_KEY": "plainApiKey_wrong", "TOKEN": testToken}, nil, args...)
		wantExit(t, r, 1)
		for _, internal := range []string{"Snapshot", "read live state", "ListWebhookTargets", "EventTypes:", "WebhookVersions"} {
			if strings.Contains(r.errOut, internal) {
				t.Errorf("%v: error shows %q: %s", args, internal, r.errOut)
			}
		}
		if !strings.Contains(r.errOut, "API key rejected") {
			t.Errorf("%v: stderr %q", args, r.errOut)
		}
	}
}

// Flags map to CompletionOptions; an unknown shell is refused before any
// script is written, and no shell shows the help.
func TestNewCmdCompletionOptions(t *testing.T) {
	var got *CompletionOptions
	cmd := NewCmdCompletion(optionsFactory(), func(o *CompletionOptions) error { got = o; return nil })
	if err := runCmd(t, cmd, "zsh", "--no-descriptions"); err != nil {
		t.Fatal(err)
	}
	if got.shell != "zsh" || !got.noDesc || got.root != cmd {
		t.Errorf("options %+v", got)
	}
	for _, bad := range [][]string{{"foo"}, {"bash", "zsh"}, {"bash", "--descriptions"}} {
		got = nil
		if err := runCmd(t, NewCmdCompletion(optionsFactory(), func(o *CompletionOptions) error { got = o; return nil }), bad...); err == nil || got != nil {
			t.Errorf("%q: err %v, ran %v", bad, err, got != nil)
		}
	}
	got = nil
	if err := runCmd(t, NewCmdCompletion(optionsFactory(), func(o *CompletionOptions) error { got = o; return nil })); err != nil || got != nil {
		t.Errorf("no shell: err %v, ran %v", err, got != nil)
	}
}

// plainsync completion SHELL writes cobra's script for that shell, as the
// default completion command did; an unknown shell is an error.
func TestCompletionScripts(t *testing.T) {
	for _, tc := range []struct {
		shell, head string
		gen         func(root *cobra.Command, w io.Writer, desc bool) error
	}{
		{"bash", "# bash completion V2 for plainsync", func(r *cobra.Command, w io.Writer, d bool) error { return r.GenBashCompletionV2(w, d) }},
		{"zsh", "#compdef plainsync", func(r *cobra.Command, w io.Writer, d bool) error {
			if d {
				return r.GenZshCompletion(w)
			}
			return r.GenZshCompletionNoDesc(w)
		}},
		{"fish", "# fish completion for plainsync", func(r *cobra.Command, w io.Writer, d bool) error { return r.GenFishCompletion(w, d) }},
		{"powershell", "# powershell completion for plainsync", func(r *cobra.Command, w io.Writer, d bool) error {
			if d {
				return r.GenPowerShellCompletionWithDesc(w)
			}
			return r.GenPowerShellCompletion(w)
		}},
	} {
		// Under GitHub Actions too: the script is a document a step
		// captures (completion zsh > _plainsync), never wrapped in the
		// Actions glue's stop-commands markers.
		for _, env := range []map[string]string{nil, {"GITHUB_ACTIONS": "true"}} {
			for _, desc := range []bool{true, false} {
				args := []string{"completion", tc.shell}
				if !desc {
					args = append(args, "--no-descriptions")
				}
				f, out, errOut := testFactory(env)
				if code := Execute(f, args); code != 0 || errOut.Len() != 0 {
					t.Fatalf("%v %v: exit %d\n%s", env, args, code, errOut)
				}
				var want bytes.Buffer
				ff, _, _ := testFactory(nil)
				if err := tc.gen(NewRootCmd(ff), &want, desc); err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(out.String(), tc.head) || out.String() != want.String() {
					t.Errorf("%v %v: script differs from cobra's (starts %q)", env, args, strings.SplitN(out.String(), "\n", 2)[0])
				}
			}
		}
	}
	f, out, errOut := testFactory(nil)
	if code := Execute(f, []string{"completion", "tcsh"}); code != 1 || out.Len() != 0 || !strings.Contains(errOut.String(), `unknown shell "tcsh" (want one of bash, fish, powershell, zsh)`) {
		t.Errorf("tcsh: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Still listed in plainsync --help, as cobra's own command was.
	f, out, _ = testFactory(nil)
	if Execute(f, []string{"--help"}); !strings.Contains(out.String(), "  completion  Generate the autocompletion script for the specified shell\n") {
		t.Errorf("--help lacks completion:\n%s", out)
	}
	if got := complete(t, nil, "completion", ""); strings.Join(got, ",") != "bash\tGenerate the autocompletion script for bash,fish\tGenerate the autocompletion script for fish,powershell\tGenerate the autocompletion script for powershell,zsh\tGenerate the autocompletion script for zsh" {
		t.Errorf("completion <TAB> = %q", got)
	}
}
