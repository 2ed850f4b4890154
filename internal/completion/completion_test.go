package completion

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/plain"
)

type fakeClient struct {
	targets []plain.Target
	types   []plain.EventType
	err     error
}

func (c fakeClient) ListWebhookTargets(context.Context) ([]plain.Target, error) {
	return c.targets, c.err
}
func (c fakeClient) EventTypes(context.Context) ([]plain.EventType, error) { return c.types, c.err }

func noEnv(string) (string, bool) { return "", false }

// Live targets offer descriptions and ids, each once, sorted, never a
// description that would garble the terminal.
func TestTargetsLive(t *testing.T) {
	c := fakeClient{targets: []plain.Target{
		{ID: "whTarget_2", Description: "crm-sync"},
		{ID: "whTarget_1", Description: "crm-sync"},
		{ID: "whTarget_3", Description: "evil\x1b[2J"},
		{ID: "whTarget_4", Description: "bad\u0085"},
		{ID: "whTarget_5"},
	}}
	got := Targets(context.Background(), c, "nope.yaml", noEnv, "")
	if want := []string{"crm-sync", "whTarget_1", "whTarget_2", "whTarget_3", "whTarget_4", "whTarget_5"}; !slices.Equal(got, want) {
		t.Errorf("Targets = %q, want %q", got, want)
	}
	if got := Targets(context.Background(), c, "", noEnv, "crm"); !slices.Equal(got, []string{"crm-sync"}) {
		t.Errorf("crm<TAB> = %q", got)
	}
	// A failed live read offers nothing, not the file's names.
	if got := Targets(context.Background(), fakeClient{err: errors.New("down")}, "", noEnv, ""); got != nil {
		t.Errorf("failed read = %q", got)
	}
}

// Without a client the names (and pinned ids) come from the file, when
// there is one.
func TestTargetsFromTheFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plainsync.yaml")
	if got := Targets(context.Background(), nil, file, noEnv, ""); len(got) != 0 {
		t.Errorf("without a file = %q", got)
	}
	if err := os.WriteFile(file, []byte("version: 1\nwebhooks:\n  - name: from-file\n    id: whTarget_01HD4400VTDJQ646V6RY37SR06\n    url: https://${HOST}/\n    events: [\"*\"]\n  - name: other\n    url: https://x.example.com/\n    events: [\"*\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := Targets(context.Background(), nil, file, noEnv, "")
	if want := []string{"from-file", "other", "whTarget_01HD4400VTDJQ646V6RY37SR06"}; !slices.Equal(got, want) {
		t.Errorf("from the file = %q, want %q", got, want)
	}
}

// Event types: the live catalog when it can be read, else the snapshot.
func TestEvents(t *testing.T) {
	if got := Events(context.Background(), nil, "thread.thread_c"); !slices.Equal(got, []string{"thread.thread_created"}) {
		t.Errorf("snapshot = %q", got)
	}
	live := fakeClient{types: []plain.EventType{{EventType: "x.b"}, {EventType: "x.a"}, {EventType: "x.a"}, {EventType: "x.\x1b[2J"}, {EventType: "y.c"}}}
	if got := Events(context.Background(), live, "x."); !slices.Equal(got, []string{"x.a", "x.b"}) {
		t.Errorf("live = %q", got)
	}
	if got := Events(context.Background(), fakeClient{err: errors.New("down")}, "thread.thread_c"); !slices.Equal(got, []string{"thread.thread_created"}) {
		t.Errorf("failed live read = %q", got)
	}
}

// Words asks Open for a client and always cancels; a TARGET completes
// only the first argument.
func TestWordsOpenAndCancel(t *testing.T) {
	cancelled := 0
	w := Words{File: "nope.yaml", LookupEnv: noEnv, Open: func(*cobra.Command) (Client, context.Context, context.CancelFunc) {
		return fakeClient{targets: []plain.Target{{ID: "whTarget_1", Description: "a"}}}, context.Background(), func() { cancelled++ }
	}}
	got, dir := w.TargetArg(nil, nil, "")
	if !slices.Equal(got, []string{"a", "whTarget_1"}) || dir != cobra.ShellCompDirectiveNoFileComp || cancelled != 1 {
		t.Errorf("TargetArg = %q %v, cancelled %d", got, dir, cancelled)
	}
	if got, _ := w.TargetArg(nil, []string{"a"}, ""); got != nil || cancelled != 1 {
		t.Errorf("second argument = %q", got)
	}
	// The live catalog (empty here) wins over the snapshot.
	if got, _ := w.EventFlag(nil, nil, "thread.thread_c"); len(got) != 0 || cancelled != 2 {
		t.Errorf("EventFlag = %q, cancelled %d", got, cancelled)
	}
}

func TestShells(t *testing.T) {
	root := &cobra.Command{Use: "prog"}
	root.AddCommand(&cobra.Command{Use: "sub", Run: func(*cobra.Command, []string) {}})
	for shell, head := range map[string]string{"bash": "# bash completion V2 for prog", "zsh": "#compdef prog", "fish": "# fish completion for prog", "powershell": "# powershell completion for prog"} {
		for _, noDesc := range []bool{false, true} {
			var b bytes.Buffer
			if err := CheckShell(shell); err != nil {
				t.Errorf("CheckShell(%s): %v", shell, err)
			}
			if err := Script(&b, root, shell, noDesc); err != nil || !strings.HasPrefix(b.String(), head) {
				t.Errorf("Script(%s, %v): %v, starts %q", shell, noDesc, err, strings.SplitN(b.String(), "\n", 2)[0])
			}
			// Without descriptions the script asks for none.
			if got := strings.Contains(b.String(), "__completeNoDesc"); got != noDesc {
				t.Errorf("Script(%s, noDesc %v): asks __completeNoDesc: %v", shell, noDesc, got)
			}
		}
	}
	var b bytes.Buffer
	if err := Script(&b, root, "tcsh", false); err == nil || err.Error() != `unknown shell "tcsh" (want one of bash, fish, powershell, zsh)` || b.Len() != 0 {
		t.Errorf("tcsh: %v, wrote %d bytes", err, b.Len())
	}
	if got, dir := ShellArg(nil, nil, "p"); !slices.Equal(got, []string{"powershell\tGenerate the autocompletion script for powershell"}) || dir != cobra.ShellCompDirectiveNoFileComp {
		t.Errorf("ShellArg(p) = %q", got)
	}
	if got, _ := ShellArg(nil, []string{"bash"}, ""); got != nil {
		t.Errorf("ShellArg after a shell = %q", got)
	}
}
