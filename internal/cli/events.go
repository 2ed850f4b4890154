package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

func newEventsCmd(f *Factory) *cobra.Command {
	var (
		rf     remoteFlags
		output string
		keyEnv string
	)
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
			if err := outputFormat(output, "table", "json"); err != nil {
				return err
			}
			c, err := f.connect(&rf, keyEnv)
			if err != nil {
				return err
			}
			types, err := c.EventTypes(cmd.Context())
			if err != nil {
				return err
			}
			versions, err := c.WebhookVersions(cmd.Context())
			if err != nil {
				return err
			}
			types = append([]plain.EventType(nil), types...)
			sort.Slice(types, func(i, j int) bool { return types[i].EventType < types[j].EventType })
			if output == "json" {
				if versions == nil {
					versions = []plain.WebhookVersion{}
				}
				return writeJSON(f, eventsJSON{FormatVersion: 1, EventTypes: types, Versions: versions})
			}
			return writeEventsTable(f, types, versions)
		},
	}
	addRemoteFlags(cmd, &rf)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	cmd.Flags().StringVar(&keyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key")
	return cmd
}

// eventsJSON is the -o json shape of events: event types sorted by name,
// versions in the order Plain lists them (newest first).
type eventsJSON struct {
	FormatVersion int                    `json:"formatVersion"`
	EventTypes    []plain.EventType      `json:"eventTypes"`
	Versions      []plain.WebhookVersion `json:"versions"`
}

func writeEventsTable(f *Factory, types []plain.EventType, versions []plain.WebhookVersion) error {
	w := f.IO.Out
	fmt.Fprintf(w, "Event types (%d):\n", len(types))
	// One width for every group, so the descriptions line up down the
	// whole list rather than per namespace.
	width := 0
	for _, et := range types {
		width = max(width, len(et.EventType))
	}
	for i := 0; i < len(types); {
		ns := plain.Namespace(types[i].EventType)
		j := i
		for j < len(types) && plain.Namespace(types[j].EventType) == ns {
			j++
		}
		// The glob heads the group: it is how to subscribe to all of it.
		fmt.Fprintf(w, "\n  %s.* (%d)\n", ns, j-i)
		for _, et := range types[i:j] {
			fmt.Fprintf(w, "    %s\n", strings.TrimRight(fmt.Sprintf("%-*s  %s", width, inert.Text(et.EventType), inert.Text(oneLine(et.Description))), " "))
		}
		i = j
	}
	fmt.Fprintf(w, "\nWebhook versions (%d):\n", len(versions))
	vwidth := 0
	for _, v := range versions {
		vwidth = max(vwidth, len(v.Version))
	}
	for _, v := range versions {
		var marks []string
		if v.IsLatest {
			marks = append(marks, "latest")
		}
		if v.IsDeprecated {
			marks = append(marks, "deprecated")
		}
		line := fmt.Sprintf("  %-*s  %s", vwidth, inert.Text(v.Version), strings.Join(marks, ", "))
		if _, err := fmt.Fprintln(w, strings.TrimRight(line, " ")); err != nil {
			return err
		}
	}
	return nil
}

// oneLine keeps a description on its row of the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
