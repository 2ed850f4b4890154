package cli

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

func init() { register(newDeliveriesCmd) }

// defaultDeliveryLimit keeps the listing to a screenful; the health
// summary still counts every attempt in the selection.
const defaultDeliveryLimit = 20

func newDeliveriesCmd(f *Factory) *cobra.Command {
	var (
		rf     remoteFlags
		output string
		keyEnv string
		status string
		event  string
		since  time.Duration
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "deliveries [TARGET]",
		Short: "Show webhook delivery attempts and each target's delivery health",
		Long: `deliveries lists Plain's attempts to deliver events to one target (TARGET is
an id or a description) or to every target, newest first, followed by each
target's health: attempts, share of successful responses, and the last
failure with its HTTP status or error.

--event (an exact type or a glob such as thread.*) and --since narrow both
the listing and the health summary; --status narrows only the listing, so
the success rate stays meaningful. --limit caps the listing (0: no cap).

Results: ` + strings.Join(health.ResultKinds, ", ") + `.
Parts of target URLs that may be secrets are redacted in Plain's messages.`,
		Example: `  plainsync deliveries
  plainsync deliveries crm-sync --since 24h
  plainsync deliveries --status failed_response --event 'thread.*' --limit 50
  plainsync deliveries wht_01J8Z… -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFormat(output, "table", "json"); err != nil {
				return err
			}
			status = strings.ToLower(strings.TrimSpace(status))
			if status != "" && !slices.Contains(health.ResultKinds, status) {
				return fmt.Errorf("unknown --status %q (want one of %s)", status, strings.Join(health.ResultKinds, ", "))
			}
			if limit < 0 {
				return fmt.Errorf("--limit must not be negative, got %d", limit)
			}
			if since < 0 {
				return fmt.Errorf("--since must not be negative, got %s", since)
			}
			c, err := f.connect(&rf, keyEnv)
			if err != nil {
				return err
			}
			ts, err := c.ListWebhookTargets(cmd.Context())
			if err != nil {
				return err
			}
			redact := health.URLRedactor(ts, f.Secrets.Mask)
			plain.SortTargets(ts)
			if len(args) == 1 {
				t, err := findTarget(ts, args[0])
				if err != nil {
					return err
				}
				ts = []plain.Target{t}
			}
			var cutoff time.Time
			if since > 0 {
				cutoff = f.now().Add(-since)
			}
			// An exact type is filtered by Plain; a glob only here.
			var serverEvents []string
			if event != "" && !diff.IsGlob(event) {
				serverEvents = []string{event}
			}
			rep := deliveriesJSON{FormatVersion: 1, Attempts: []health.DeliveryRow{}, Health: []health.TargetHealth{}}
			if !cutoff.IsZero() {
				utc := cutoff.UTC()
				rep.Since = &utc
			}
			for _, t := range ts {
				as, truncated, err := health.FetchAttempts(cmd.Context(), c, t.ID, serverEvents, cutoff)
				if err != nil {
					return err
				}
				if event != "" {
					kept := as[:0]
					for _, a := range as {
						if diff.MatchGlob(event, a.EventType) {
							kept = append(kept, a)
						}
					}
					as = kept
				}
				name := targetLabel(t)
				rep.Health = append(rep.Health, health.Summarize(t.ID, name, as, truncated, redact))
				for _, a := range as {
					if status == "" || a.Result == status {
						rep.Attempts = append(rep.Attempts, health.NewDeliveryRow(a, name, redact))
					}
				}
			}
			sort.SliceStable(rep.Attempts, func(i, j int) bool {
				a, b := rep.Attempts[i], rep.Attempts[j]
				if !a.AttemptedAt.Equal(b.AttemptedAt) {
					return a.AttemptedAt.After(b.AttemptedAt)
				}
				return a.ID < b.ID
			})
			rep.Matched = len(rep.Attempts)
			if limit > 0 && len(rep.Attempts) > limit {
				rep.Attempts = rep.Attempts[:limit]
			}
			if output == "json" {
				return writeJSON(f, rep)
			}
			return writeDeliveriesTable(f.IO.Out, rep, len(ts))
		},
	}
	addRemoteFlags(cmd, &rf)
	fl := cmd.Flags()
	fl.StringVarP(&output, "output", "o", "table", "output format: table or json")
	fl.StringVar(&keyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key")
	fl.StringVar(&status, "status", "", "list only attempts with this result: "+strings.Join(health.ResultKinds, ", "))
	fl.StringVar(&event, "event", "", "only attempts for event types matching `GLOB` (thread.*, an exact type, *)")
	fl.DurationVar(&since, "since", 0, "only attempts in this window back from now, e.g. 24h or 30m (default: all)")
	fl.IntVar(&limit, "limit", defaultDeliveryLimit, "list at most `N` attempts, newest first (0: all)")
	return cmd
}

// deliveriesJSON is the -o json shape of deliveries. Attempts are newest
// first and capped by --limit; Matched counts them before the cap. Health
// has one entry per selected target.
type deliveriesJSON struct {
	FormatVersion int                   `json:"formatVersion"`
	Since         *time.Time            `json:"since,omitempty"`
	Matched       int                   `json:"matched"`
	Attempts      []health.DeliveryRow  `json:"attempts"`
	Health        []health.TargetHealth `json:"health"`
}

func writeDeliveriesTable(w io.Writer, rep deliveriesJSON, targets int) error {
	window := ""
	if rep.Since != nil {
		window = " since " + health.FormatTime(*rep.Since)
	}
	if targets == 0 {
		fmt.Fprintln(w, "No webhook targets.")
		return nil
	}
	if len(rep.Attempts) == 0 {
		fmt.Fprintf(w, "No delivery attempts match%s.\n", window)
	} else {
		shown := ""
		if len(rep.Attempts) < rep.Matched {
			shown = fmt.Sprintf("; %d of %d shown, raise --limit for more", len(rep.Attempts), rep.Matched)
		}
		fmt.Fprintf(w, "Delivery attempts%s (newest first%s):\n", window, shown)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ATTEMPTED\tTARGET\tEVENT\tRESULT\tDURATION\tDETAIL")
		for _, a := range rep.Attempts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%dms\t%s\n", health.FormatTime(a.AttemptedAt), a.Target, a.EventType, a.Result, a.DurationInMilliseconds, a.Detail())
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nHealth%s:\n", window)
	return health.WriteTable(w, rep.Health, nil)
}

// targetLabel names a target in tables: its description, or its id when
// the description is blank.
func targetLabel(t plain.Target) string {
	if strings.TrimSpace(t.Description) == "" {
		return t.ID
	}
	return t.Description
}
