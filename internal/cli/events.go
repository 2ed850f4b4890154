package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

// EventsOptions are the events command's inputs.
type EventsOptions struct {
	ctx    context.Context
	f      *Factory
	rf     remoteFlags
	output string
	keyEnv string
}

// NewCmdEvents binds the flags to EventsOptions; runF does the work (nil:
// eventsRun; tests capture it).
func NewCmdEvents(f *Factory, runF func(*EventsOptions) error) *cobra.Command {
	if runF == nil {
		runF = eventsRun
	}
	opts := &EventsOptions{f: f}
	cmd := &cobra.Command{
		Use:   "events",
		Short: "List the event types a webhook can subscribe to, and the webhook versions",
		Long: `events lists Plain's subscribable event types, grouped by namespace, and the
webhook payload versions, marking the latest and the deprecated ones. These
are the names the file's events (exact types or globs such as thread.*) and
webhookVersion are checked against at plan time.`,
		Example: `  plainsync events
  plainsync events -o json | jq -r '.eventTypes[].eventType'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := view.CheckFormat(opts.output, "table", "json"); err != nil {
				return err
			}
			opts.ctx = cmd.Context()
			return runF(opts)
		},
	}
	addRemoteFlags(cmd, &opts.rf)
	cmd.Flags().StringVarP(&opts.output, "output", "o", "table", "output format: table or json")
	cmd.Flags().StringVar(&opts.keyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key")
	return cmd
}

// eventsRun lists the catalog and the webhook versions.
func eventsRun(opts *EventsOptions) error {
	c, err := opts.f.connect(&opts.rf, opts.keyEnv)
	if err != nil {
		return err
	}
	types, err := c.EventTypes(opts.ctx)
	if err != nil {
		return err
	}
	versions, err := c.WebhookVersions(opts.ctx)
	if err != nil {
		return err
	}
	return opts.f.gate().Events(opts.f.IO.Out, types, versions, opts.output)
}
