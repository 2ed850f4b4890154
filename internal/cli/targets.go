package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/lookalike"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
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
			if err := outputFormat(opts.output, "table", "json"); err != nil {
				return err
			}
			if opts.reveal {
				if err := f.checkReveal(len(args)); err != nil {
					return err
				}
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
		for i := range ts {
			ts[i].URL = view.RedactURL(ts[i].URL)
		}
	}
	if opts.ref != "" {
		t, err := findTarget(ts, opts.ref)
		if err != nil {
			return err
		}
		if opts.output == "json" {
			return writeJSON(f, targetJSON{FormatVersion: 1, Target: &t})
		}
		f.gate().ShowTarget(f.IO.Out, t)
		return nil
	}
	if opts.output == "json" {
		return writeJSON(f, targetJSON{FormatVersion: 1, Targets: ts})
	}
	if len(ts) == 0 {
		fmt.Fprintln(f.IO.Out, "No webhook targets.")
		return nil
	}
	return f.gate().TargetsTable(f.IO.Out, ts)
}

// firstArg is args[0], or "".
func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// checkReveal allows --show-secrets only where no log keeps the output: one
// named target, stdout a terminal, not inside GitHub Actions (whose logs
// are kept, and whose runners can fake a terminal).
func (f *Factory) checkReveal(nargs int) error {
	const why = "--show-secrets prints a full webhook URL, credentials included"
	switch {
	case nargs != 1:
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s: name the one target to show (plainsync targets TARGET --show-secrets)", why)}
	case f.Getenv("GITHUB_ACTIONS") == "true":
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s, so it is refused inside GitHub Actions, whose logs are kept; run it by hand in a terminal", why)}
	case !f.IO.OutIsTerminal:
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s, so it runs only with stdout on a terminal, not into a pipe or a file", why)}
	}
	return nil
}

// targetJSON is the -o json shape of targets: Targets for a list, Target
// for one.
type targetJSON struct {
	FormatVersion int            `json:"formatVersion"`
	Targets       []plain.Target `json:"targets,omitempty"`
	Target        *plain.Target  `json:"target,omitempty"`
}

func writeJSON(f *Factory, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f.IO.Out, string(f.gate().JSON(data)))
	return err
}

// findTarget picks a target by id, then by exact description.
func findTarget(ts []plain.Target, ref string) (plain.Target, error) {
	var byDesc []plain.Target
	for _, t := range ts {
		if t.ID == ref {
			return t, nil
		}
		if t.Description == ref {
			byDesc = append(byDesc, t)
		}
	}
	switch len(byDesc) {
	case 1:
		return byDesc[0], nil
	case 0:
		msg := fmt.Sprintf("no webhook target has the id or description %q", ref)
		// A lookalike is not the target asked for, and a did-you-mean
		// quoting it would look like the very same name.
		if t, ok := lookalikeTarget(ts, ref); ok {
			msg += fmt.Sprintf("; %s is described %q, which looks like it but is different text (%s): name it by id", t.ID, t.Description, lookalike.Explain(t.Description, ref))
		} else if s := closestDescription(ts, ref); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return plain.Target{}, &ExitError{Code: ExitFailure, Err: errors.New(msg)}
	default:
		ids := make([]string, len(byDesc))
		for i, t := range byDesc {
			ids[i] = t.ID
		}
		return plain.Target{}, &ExitError{Code: ExitFailure, Err: fmt.Errorf("%d webhook targets have the description %q (%s); name one by id", len(byDesc), ref, strings.Join(ids, ", "))}
	}
}

// lookalikeTarget returns the first target whose description looks like
// ref without being it (see internal/lookalike).
func lookalikeTarget(ts []plain.Target, ref string) (plain.Target, bool) {
	for _, t := range ts {
		if lookalike.Confusable(t.Description, ref) {
			return t, true
		}
	}
	return plain.Target{}, false
}

// closestDescription returns the live description nearest to ref (ignoring
// case, and "_" against "-"), when close enough to be a typo, or "".
func closestDescription(ts []plain.Target, ref string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "-") }
	best, bestD := "", -1
	for _, t := range ts {
		if t.Description == "" || strings.ContainsFunc(t.Description, isControl) {
			continue
		}
		d := levenshtein.ComputeDistance(norm(ref), norm(t.Description))
		if bestD < 0 || d < bestD || (d == bestD && t.Description < best) {
			best, bestD = t.Description, d
		}
	}
	if bestD < 0 || bestD > max(len([]rune(ref))/4, 2) {
		return ""
	}
	return best
}
