// Package completion is plainsync's shell completion: the words offered for
// target and event-type arguments (live from Plain when a client is
// given, else from the file or the embedded catalog), and the shells'
// completion scripts.
package completion

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/eventtypes"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// TargetLister reads the live targets; plainsync's Plain client has it.
type TargetLister interface {
	ListWebhookTargets(ctx context.Context) ([]plain.Target, error)
}

// EventLister reads Plain's live event catalog; plainsync's Plain client
// has it.
type EventLister interface {
	EventTypes(ctx context.Context) ([]plain.EventType, error)
}

// Client is what live completion reads; plainsync's Plain client has it.
type Client interface {
	TargetLister
	EventLister
}

// Words completes target and event-type arguments for cobra.
type Words struct {
	// Open connects for one completion, or returns a nil Client (no API
	// key): completion never prompts and never fails loudly. The cancel
	// it returns is never nil.
	Open func(cmd *cobra.Command) (Client, context.Context, context.CancelFunc)
	// File is what target names are offered from without a client, its
	// variables read with LookupEnv.
	File      string
	LookupEnv func(string) (string, bool)
}

// TargetArg completes a command's first argument, a TARGET (see Targets).
func (w Words) TargetArg(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c, ctx, cancel := w.Open(cmd)
	defer cancel()
	return Targets(ctx, c, w.File, w.LookupEnv, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// EventFlag completes an --event value (see Events).
func (w Words) EventFlag(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	c, ctx, cancel := w.Open(cmd)
	defer cancel()
	return Events(ctx, c, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// Targets offers the live targets' descriptions and ids when c is not
// nil, or else the webhook names (and pinned ids) of file, loaded with
// lookupEnv: those starting with prefix, sorted, each once. A failed live
// read offers nothing.
func Targets(ctx context.Context, c TargetLister, file string, lookupEnv func(string) (string, bool), prefix string) []string {
	var words []string
	if c != nil {
		ts, err := c.ListWebhookTargets(ctx)
		if err != nil {
			return nil
		}
		for _, t := range ts {
			words = append(words, t.Description, t.ID)
		}
	} else if d, _ := spec.LoadForValidate(file, lookupEnv); d != nil {
		for _, w := range d.Webhooks {
			words = append(words, w.Name.Value, w.ID.Value)
		}
	}
	var out []string
	for _, s := range words {
		// A completion is a word the shell prints: skip descriptions a
		// terminal would misread.
		if s != "" && strings.HasPrefix(s, prefix) && !strings.ContainsFunc(s, inert.NeedsEscape) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Events offers event types starting with prefix, sorted, each once: the
// live catalog when c is not nil and can read it, else the embedded
// snapshot.
func Events(ctx context.Context, c EventLister, prefix string) []string {
	types := eventtypes.Snapshot()
	if c != nil {
		if live, err := c.EventTypes(ctx); err == nil {
			types = types[:0]
			for _, et := range live {
				if !strings.ContainsFunc(et.EventType, inert.NeedsEscape) {
					types = append(types, et.EventType)
				}
			}
		}
	}
	var out []string
	for _, t := range types {
		if strings.HasPrefix(t, prefix) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Shells are the shells Script writes for, in the order completion offers
// them.
var Shells = []string{"bash", "fish", "powershell", "zsh"}

// ShellArg completes the completion command's SHELL argument.
func ShellArg(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []string
	for _, s := range Shells {
		if len(args) == 0 && strings.HasPrefix(s, toComplete) {
			out = append(out, s+"\tGenerate the autocompletion script for "+s)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// CheckShell refuses a shell Script cannot write for.
func CheckShell(shell string) error {
	if slices.Contains(Shells, shell) {
		return nil
	}
	return fmt.Errorf("unknown shell %q (want one of %s)", shell, strings.Join(Shells, ", "))
}

// Script writes root's completion script for shell to w, as cobra
// generates it: with the commands' and flags' descriptions unless noDesc.
// The script asks root's hidden __complete command for the words.
func Script(w io.Writer, root *cobra.Command, shell string, noDesc bool) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, !noDesc)
	case "fish":
		return root.GenFishCompletion(w, !noDesc)
	case "powershell":
		if noDesc {
			return root.GenPowerShellCompletion(w)
		}
		return root.GenPowerShellCompletionWithDesc(w)
	case "zsh":
		if noDesc {
			return root.GenZshCompletionNoDesc(w)
		}
		return root.GenZshCompletion(w)
	}
	return CheckShell(shell)
}
