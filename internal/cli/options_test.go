package cli

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runCmd runs cmd with args and no network: the command's runF captures
// the options instead of doing the work.
func runCmd(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	return cmd.Execute()
}

func optionsFactory() *Factory {
	return &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}, LookupEnv: func(string) (string, bool) { return "", false }}
}

func TestNewCmdPlanOptions(t *testing.T) {
	var got *PlanOptions
	cmd := NewCmdPlan(optionsFactory(), func(o *PlanOptions) error { got = o; return nil })
	if err := runCmd(t, cmd, "-f", "a.yaml", "--prune", "-o", "markdown", "--out", "p.json", "--detailed-exitcode", "--workspaces-parallelism", "3", "--policy", "pol/"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.files, []string{"a.yaml"}) || !got.prune || got.output != "markdown" || got.out != "p.json" || !got.detailedExitcode || got.rf.workspaces != 3 || !slices.Equal(got.rf.policy, []string{"pol/"}) {
		t.Errorf("options %+v", got)
	}
	for _, bad := range [][]string{{"-o", "yaml"}, {"-f", "a.yaml", "-f", "b.yaml", "--out", "p.json"}} {
		got = nil
		if err := runCmd(t, NewCmdPlan(optionsFactory(), func(o *PlanOptions) error { got = o; return nil }), bad...); err == nil || got != nil {
			t.Errorf("%q: err %v, ran %v", bad, err, got != nil)
		}
	}
}

func TestNewCmdValidateOptions(t *testing.T) {
	var got *ValidateOptions
	cmd := NewCmdValidate(optionsFactory(), func(o *ValidateOptions) error { got = o; return nil })
	if err := runCmd(t, cmd, "-f", "a.yaml", "-f", "dir/", "--policy", "p.yaml", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.files, []string{"a.yaml", "dir/"}) || !slices.Equal(got.policies, []string{"p.yaml"}) || got.output != "json" {
		t.Errorf("options %+v", got)
	}
	if err := runCmd(t, NewCmdValidate(optionsFactory(), func(*ValidateOptions) error { return nil }), "-o", "table"); err == nil {
		t.Error("-o table accepted")
	}
}

func TestNewCmdTargetsOptions(t *testing.T) {
	var got *TargetsOptions
	cmd := NewCmdTargets(optionsFactory(), func(o *TargetsOptions) error { got = o; return nil })
	if err := runCmd(t, cmd, "crm-sync", "-o", "json", "--api-key-env", "PROD_KEY", "--api-url", "http://127.0.0.1:1/graphql"); err != nil {
		t.Fatal(err)
	}
	if got.ref != "crm-sync" || got.output != "json" || got.keyEnv != "PROD_KEY" || got.rf.apiURL != "http://127.0.0.1:1/graphql" || got.reveal {
		t.Errorf("options %+v", got)
	}
	// --show-secrets needs a terminal: refused here before any work.
	got = nil
	if err := runCmd(t, NewCmdTargets(optionsFactory(), func(o *TargetsOptions) error { got = o; return nil }), "crm-sync", "--show-secrets"); err == nil || got != nil {
		t.Errorf("--show-secrets without a terminal: err %v", err)
	}
}

func TestNewCmdEventsOptions(t *testing.T) {
	var got *EventsOptions
	cmd := NewCmdEvents(optionsFactory(), func(o *EventsOptions) error { got = o; return nil })
	if err := runCmd(t, cmd, "-o", "json", "--api-key-env", "K"); err != nil {
		t.Fatal(err)
	}
	if got.output != "json" || got.keyEnv != "K" {
		t.Errorf("options %+v", got)
	}
}

func TestNewCmdExportOptions(t *testing.T) {
	var got *ExportOptions
	cmd := NewCmdExport(optionsFactory(), func(o *ExportOptions) error { got = o; return nil })
	if err := runCmd(t, cmd, "-o", "json", "--out", "-", "--scope", "support-*", "--name-from", "id", "--include-disabled", "--force"); err != nil {
		t.Fatal(err)
	}
	if got.out.Format != "json" || got.out.Path != "" || !slices.Equal(got.build.Scope, []string{"support-*"}) || got.build.NameFrom != "id" || !got.build.IncludeDisabled || !got.out.Force {
		t.Errorf("options %+v", got)
	}
	for _, bad := range [][]string{{"-o", "out.yaml"}, {"--scope", ""}, {"--name-from", "url"}} {
		got = nil
		if err := runCmd(t, NewCmdExport(optionsFactory(), func(o *ExportOptions) error { got = o; return nil }), bad...); err == nil || got != nil {
			t.Errorf("%q: err %v", bad, err)
		}
	}
}

func TestNewCmdVersionOptions(t *testing.T) {
	var got *VersionOptions
	if err := runCmd(t, NewCmdVersion(optionsFactory(), func(o *VersionOptions) error { got = o; return nil }), "-o", "json"); err != nil {
		t.Fatal(err)
	}
	if got.output != "json" {
		t.Errorf("options %+v", got)
	}
}
