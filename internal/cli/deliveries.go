package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

func init() { register(newDeliveriesCmd) }

// defaultDeliveryLimit keeps the listing to a screenful; the health
// summary still counts every attempt in the selection.
const defaultDeliveryLimit = 20

// deliveriesOptions are what the deliveries command needs: where it
// writes, how it reaches Plain, its clock, and the flag values.
type deliveriesOptions struct {
	f       *Factory
	connect func() (PlainClient, error)
	target  string // id or description; "" is every target
	output  string
	query   health.Query
	since   time.Duration
}

func newDeliveriesCmd(f *Factory) *cobra.Command {
	return newDeliveriesCmdWith(f, deliveriesRun)
}

// newDeliveriesCmdWith binds the flags to deliveriesOptions and checks the
// rules flags alone decide; runF does the work (tests capture it).
func newDeliveriesCmdWith(f *Factory, runF func(context.Context, *deliveriesOptions) error) *cobra.Command {
	var (
		rf     remoteFlags
		keyEnv string
	)
	opts := &deliveriesOptions{f: f}
	opts.connect = func() (PlainClient, error) { return f.connect(&rf, keyEnv) }
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
  plainsync deliveries whTarget_01HD44… -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFormat(opts.output, "table", "json"); err != nil {
				return err
			}
			q := &opts.query
			q.Status = strings.ToLower(strings.TrimSpace(q.Status))
			if q.Status != "" && !slices.Contains(health.ResultKinds, q.Status) {
				return fmt.Errorf("unknown --status %q (want one of %s)", q.Status, strings.Join(health.ResultKinds, ", "))
			}
			if q.Limit < 0 {
				return fmt.Errorf("--limit must not be negative, got %d", q.Limit)
			}
			if opts.since < 0 {
				return fmt.Errorf("--since must not be negative, got %s", opts.since)
			}
			if len(args) == 1 {
				opts.target = args[0]
			}
			return runF(cmd.Context(), opts)
		},
	}
	addRemoteFlags(cmd, &rf)
	fl := cmd.Flags()
	fl.StringVarP(&opts.output, "output", "o", "table", "output format: table or json")
	fl.StringVar(&keyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key")
	fl.StringVar(&opts.query.Status, "status", "", "list only attempts with this result: "+strings.Join(health.ResultKinds, ", "))
	fl.StringVar(&opts.query.Event, "event", "", "only attempts for event types matching `GLOB` (thread.*, an exact type, *)")
	fl.DurationVar(&opts.since, "since", 0, "only attempts in this window back from now, e.g. 24h or 30m (default: all)")
	fl.IntVar(&opts.query.Limit, "limit", defaultDeliveryLimit, "list at most `N` attempts, newest first (0: all)")
	return cmd
}

// deliveriesRun reads the targets, picks the one asked for, and prints
// health.List's report.
func deliveriesRun(ctx context.Context, opts *deliveriesOptions) error {
	f := opts.f
	c, err := opts.connect()
	if err != nil {
		return err
	}
	ts, err := c.ListWebhookTargets(ctx)
	if err != nil {
		return err
	}
	redact := health.URLRedactor(ts, f.Secrets.Mask)
	plain.SortTargets(ts)
	if opts.target != "" {
		t, err := findTarget(ts, opts.target)
		if err != nil {
			return err
		}
		ts = []plain.Target{t}
	}
	q := opts.query
	if opts.since > 0 {
		q.Since = f.now().Add(-opts.since)
	}
	rep, err := health.List(ctx, c, ts, q, redact)
	if err != nil {
		return err
	}
	if opts.output == "json" {
		return writeJSON(f, rep)
	}
	return writeDeliveriesTable(f.IO.Out, rep, len(ts))
}

func writeDeliveriesTable(w io.Writer, rep *health.Listing, targets int) error {
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
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%dms\t%s\n", health.FormatTime(a.AttemptedAt), inert.Text(a.Target), inert.Text(a.EventType), inert.Text(a.Result), a.DurationInMilliseconds, inert.Text(a.Detail()))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nHealth%s:\n", window)
	return health.WriteTable(w, rep.Health, nil)
}
