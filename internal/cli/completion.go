package cli

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/eventtypes"
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
	for _, cmd := range root.Commands() {
		for flag, values := range enumFlags[cmd.Name()] {
			if cmd.Flags().Lookup(flag) == nil {
				continue
			}
			_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
		}
		switch cmd.Name() {
		case "targets", "deliveries":
			cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return completeTargets(f, cmd, toComplete), cobra.ShellCompDirectiveNoFileComp
			}
		}
		if cmd.Flags().Lookup("event") != nil {
			_ = cmd.RegisterFlagCompletionFunc("event", func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				return completeEvents(f, cmd, toComplete), cobra.ShellCompDirectiveNoFileComp
			})
		}
	}
}

// completionClient connects for a completion when the command's key
// variable is set, or returns nil: completion never prompts and never
// fails loudly, and a short timeout keeps the shell responsive.
func completionClient(f *Factory, cmd *cobra.Command) (PlainClient, context.Context, context.CancelFunc) {
	keyEnv := spec.DefaultAPIKeyEnv
	if fl := cmd.Flags().Lookup("api-key-env"); fl != nil && fl.Value.String() != "" {
		keyEnv = fl.Value.String()
	}
	if key, _ := f.LookupEnv(keyEnv); strings.TrimSpace(key) == "" {
		return nil, nil, nil
	}
	rf := remoteFlags{rateLimit: 450, timeout: 5 * time.Second}
	if fl := cmd.Flags().Lookup("api-url"); fl != nil {
		rf.apiURL = fl.Value.String()
	}
	c, err := f.connect(&rf, keyEnv)
	if err != nil {
		return nil, nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	return c, ctx, cancel
}

// completeTargets offers the live targets' descriptions and ids, or,
// without an API key, the webhook names (and pinned ids) of
// ./plainsync.yaml.
func completeTargets(f *Factory, cmd *cobra.Command, prefix string) []string {
	var words []string
	if c, ctx, cancel := completionClient(f, cmd); c != nil {
		defer cancel()
		ts, err := c.ListWebhookTargets(ctx)
		if err != nil {
			return nil
		}
		for _, t := range ts {
			words = append(words, t.Description, t.ID)
		}
	} else if d, _ := spec.LoadForValidate(defaultFile, f.LookupEnv); d != nil {
		for _, w := range d.Webhooks {
			words = append(words, w.Name.Value, w.ID.Value)
		}
	}
	var out []string
	for _, s := range words {
		// A completion is a word the shell prints: skip descriptions a
		// terminal would misread.
		if s != "" && strings.HasPrefix(s, prefix) && !strings.ContainsFunc(s, isControl) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// completeEvents offers event types: the live catalog with a key, else the
// embedded snapshot.
func completeEvents(f *Factory, cmd *cobra.Command, prefix string) []string {
	types := eventtypes.Snapshot()
	if c, ctx, cancel := completionClient(f, cmd); c != nil {
		defer cancel()
		if live, err := c.EventTypes(ctx); err == nil {
			types = types[:0]
			for _, et := range live {
				if !strings.ContainsFunc(et.EventType, isControl) {
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
