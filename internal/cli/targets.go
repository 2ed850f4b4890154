package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/targetref"
	"github.com/plainsync/plainsync/internal/view"
)

// TargetsOptions are the targets command's inputs.
type TargetsOptions struct {
	ctx    context.Context
	f      *Factory
	rf     remoteFlags
	output string
	keyEnv string
	reveal bool
	// ref is the TARGET argument; "" lists every target.
	ref string
}

// NewCmdTargets binds the flags to TargetsOptions and checks what flags
// alone decide; runF does the work (nil: targetsRun; tests capture it).
func NewCmdTargets(f *Factory, runF func(*TargetsOptions) error) *cobra.Command {
	if runF == nil {
		runF = targetsRun
	}
	opts := &TargetsOptions{f: f}
	cmd := &cobra.Command{
		Use:   "targets [TARGET]",
		Short: "List the live webhook targets, or show one in full",
		Long: `targets lists the workspace's live webhook targets. Given TARGET (an id, or a
description), it shows that one target in full.

A webhook URL is often a credential, so the parts of URLs that may be
secret (user info, credential query values, hook tokens in the path, the
fragment) read REDACTED. --show-secrets reveals one target's full URL, on
purpose: only with stdout on a terminal and never inside GitHub Actions, so
that a CI log or a piped file never gets one.`,
		Example: `  plainsync targets
  plainsync targets crm-sync
  plainsync targets whTarget_01HD44… -o json
  plainsync targets crm-sync --show-secrets`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := view.CheckFormat(opts.output, "table", "json"); err != nil {
				return err
			}
			if err := view.CheckReveal(opts.reveal, len(args), f.Getenv, f.IO.OutIsTerminal); err != nil {
				return err
			}
			opts.ctx, opts.ref = cmd.Context(), firstArg(args)
			return runF(opts)
		},
	}
	addRemoteFlags(cmd, &opts.rf)
	cmd.Flags().StringVarP(&opts.output, "output", "o", "table", "output format: table or json")
	cmd.Flags().StringVar(&opts.keyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key")
	cmd.Flags().BoolVar(&opts.reveal, "show-secrets", false, "show TARGET's full URL, secrets included (only on a terminal, never in GitHub Actions)")
	return cmd
}

// targetsRun lists the live targets, or shows the one opts.ref names.
func targetsRun(opts *TargetsOptions) error {
	f := opts.f
	c, err := f.connect(&opts.rf, opts.keyEnv)
	if err != nil {
		return err
	}
	ts, err := c.ListWebhookTargets(opts.ctx)
	if err != nil {
		return err
	}
	plain.SortTargets(ts)
	if !opts.reveal {
		view.RedactTargets(ts)
	}
	if opts.ref == "" {
		return f.gate().Targets(f.IO.Out, ts, opts.output)
	}
	t, err := targetref.Resolve(ts, opts.ref)
	if err != nil {
		return err
	}
	return f.gate().Target(f.IO.Out, t, opts.output)
}

// firstArg is args[0], or "".
func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}
