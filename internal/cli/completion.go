package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/completion"
	"github.com/plainsync/plainsync/internal/export"
	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/spec"
)

// enumFlags lists, per command, the flags that take one of a fixed set of
// values, for shell completion. A test checks each list against the flag's
// help text, so the two cannot drift apart.
var enumFlags = map[string]map[string][]string{
	"validate":   {"output": {"text", "json"}},
	"plan":       {"output": {"text", "json", "markdown"}},
	"drift":      {"output": {"text", "json", "markdown"}},
	"targets":    {"output": {"table", "json"}},
	"events":     {"output": {"table", "json"}},
	"deliveries": {"output": {"table", "json"}, "status": health.ResultKinds},
	"event":      {"output": {"table", "json"}},
	"replay":     {"output": {"text", "json"}},
	"export":     {"output": {"yaml", "json"}, "name-from": {export.NameFromDescription, export.NameFromID}},
	"version":    {"output": {"text", "json"}},
}

// registerCompletions adds shell completion ("plainsync completion bash",
// and cobra's hidden __complete) for enum flags, target names and ids
// (read live when an API key is set), and event types (live with a key,
// plainsync's snapshot of Plain's catalog without one).
func registerCompletions(f *Factory, root *cobra.Command) {
	open := func(cmd *cobra.Command) (completion.Client, context.Context, context.CancelFunc) {
		return completionClient(f, cmd)
	}
	words := completion.Words{Open: open, File: defaultFile, LookupEnv: f.LookupEnv}
	for _, cmd := range root.Commands() {
		for flag, values := range enumFlags[cmd.Name()] {
			if cmd.Flags().Lookup(flag) != nil {
				_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
			}
		}
		if cmd.Name() == "targets" || cmd.Name() == "deliveries" {
			cmd.ValidArgsFunction = words.TargetArg
		}
		if cmd.Flags().Lookup("event") != nil {
			_ = cmd.RegisterFlagCompletionFunc("event", words.EventFlag)
		}
	}
}

// completionClient connects for a completion when the command's key
// variable is set, or returns a nil client: completion never prompts and
// never fails loudly, and a short timeout keeps the shell responsive.
// cancel is never nil.
func completionClient(f *Factory, cmd *cobra.Command) (completion.Client, context.Context, context.CancelFunc) {
	keyEnv := spec.DefaultAPIKeyEnv
	if fl := cmd.Flags().Lookup("api-key-env"); fl != nil && fl.Value.String() != "" {
		keyEnv = fl.Value.String()
	}
	if key, _ := f.LookupEnv(keyEnv); strings.TrimSpace(key) == "" {
		return nil, nil, func() {}
	}
	rf := remoteFlags{rateLimit: api.DefaultRateLimit, timeout: 5 * time.Second}
	if fl := cmd.Flags().Lookup("api-url"); fl != nil {
		rf.apiURL = fl.Value.String()
	}
	c, err := f.connect(&rf, keyEnv)
	if err != nil {
		return nil, nil, func() {}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	return c, ctx, cancel
}

// CompletionOptions are the completion command's inputs.
type CompletionOptions struct {
	f      *Factory
	root   *cobra.Command // whose commands the script completes
	shell  string
	noDesc bool // --no-descriptions
}

// NewCmdCompletion binds the flags to CompletionOptions and refuses an
// unknown shell; runF does the work (nil: completionRun; tests capture it).
func NewCmdCompletion(f *Factory, runF func(*CompletionOptions) error) *cobra.Command {
	if runF == nil {
		runF = completionRun
	}
	opts := &CompletionOptions{f: f}
	cmd := &cobra.Command{
		Use:   "completion SHELL",
		Short: "Generate the autocompletion script for the specified shell",
		Long: `completion writes plainsync's completion script for SHELL (bash, zsh, fish or
powershell) to stdout; the bash script needs the bash-completion package.`,
		Example: `  source <(plainsync completion bash)
  plainsync completion zsh > "${fpath[1]}/_plainsync"
  plainsync completion fish > ~/.config/fish/completions/plainsync.fish
  plainsync completion powershell | Out-String | Invoke-Expression`,
		ValidArgsFunction: completion.ShellArg,
		Args:              cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			if err := completion.CheckShell(args[0]); err != nil {
				return err
			}
			opts.root, opts.shell = cmd.Root(), args[0]
			return runF(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.noDesc, "no-descriptions", false, "disable completion descriptions")
	return cmd
}

// completionRun writes the completion script for opts.shell.
func completionRun(opts *CompletionOptions) error {
	return completion.Script(opts.f.IO.Out, opts.root, opts.shell, opts.noDesc)
}
