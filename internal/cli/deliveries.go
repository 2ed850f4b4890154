package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

// defaultDeliveryLimit keeps the listing to a screenful; the health
// summary still counts every attempt in the selection.
const defaultDeliveryLimit = 20

// DeliveriesOptions are what the deliveries command needs: where it
// writes, how it reaches Plain, its clock, and the flag values.
type DeliveriesOptions struct {
	ctx     context.Context
	f       *Factory
	connect func() (PlainClient, error)
	target  string // id or description; "" is every target
	output  string
	query   health.Query
	since   time.Duration
	// attempts lists attempts instead of events (--attempts).
	attempts bool
}

// NewCmdDeliveries binds the flags to DeliveriesOptions and checks the
// rules flags alone decide; runF does the work (nil: deliveriesRun; tests
// capture it).
func NewCmdDeliveries(f *Factory, runF func(*DeliveriesOptions) error) *cobra.Command {
	if runF == nil {
		runF = deliveriesRun
	}
	var (
		rf     remoteFlags
		keyEnv string
	)
	opts := &DeliveriesOptions{f: f}
	opts.connect = func() (PlainClient, error) { return f.connect(&rf, keyEnv) }
	cmd := &cobra.Command{
		Use:   "deliveries [TARGET]",
		Short: "Show webhook deliveries by event (or by attempt) and each target's delivery health",
		Long: `deliveries lists the events Plain delivered, or tried to deliver, to one
target (TARGET is an id or a description) or to every target, newest first:
one line per event and target with its first and last attempt, the number
of attempts, and its outcome:

  delivered   an attempt got a 2xx answer (after N attempts)
  retrying    no success yet; the next attempt is due at the time shown,
              from Plain's retry schedule (10s, 30s, 5m, 30m, 1h, 3h, 6h,
              12h, then 1 day four times)
  failed      retries exhausted, or a result Plain does not retry

with the last failure's reason. --attempts lists every attempt instead.
Then each target's health: attempts and their share of successful
responses, events and how many were delivered, a trend (one mark per hour,
or per day beyond 48h: ▁ none succeeded … █ all did, · no attempts), and
the last failure with its HTTP status or error.

Attempts are counted within what is read: --since (or the newest 5000
attempts per target) can hide an event's earliest attempts.

--event (an exact type or a glob such as thread.*) and --since narrow both
the listing and the health summary; --status narrows only the listing
(attempts with that result, events with such an attempt), so the success
rate stays meaningful. --limit caps the listing (0: no cap).

Results: ` + strings.Join(health.ResultKinds, ", ") + `.
Parts of target URLs that may be secrets are redacted in Plain's messages.`,
		Example: `  plainsync deliveries
  plainsync deliveries crm-sync --since 24h
  plainsync deliveries --status failed_response --event 'thread.*' --limit 50
  plainsync deliveries crm-sync --attempts
  plainsync deliveries whTarget_01HD4400VTDJQ646V6RY37SR7K -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(args); err != nil {
				return err
			}
			opts.ctx = cmd.Context()
			return runF(opts)
		},
	}
	addRemoteFlags(cmd, &rf)
	fl := cmd.Flags()
	fl.StringVarP(&opts.output, "output", "o", "table", "output format: table or json")
	fl.StringVar(&keyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key")
	fl.StringVar(&opts.query.Status, "status", "", "list only attempts with this result: "+strings.Join(health.ResultKinds, ", "))
	fl.StringVar(&opts.query.Event, "event", "", "only attempts for event types matching `GLOB` (thread.*, an exact type, *)")
	fl.DurationVar(&opts.since, "since", 0, "only attempts in this window back from now, e.g. 24h or 30m (default: all)")
	fl.IntVar(&opts.query.Limit, "limit", defaultDeliveryLimit, "list at most `N` events (or attempts), newest first (0: all)")
	fl.BoolVar(&opts.attempts, "attempts", false, "list every delivery attempt instead of one line per event")
	return cmd
}

// check refuses what the flags and arguments alone decide is wrong, and
// records the arguments.
func (opts *DeliveriesOptions) check(args []string) error {
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
	return nil
}

// deliveriesRun reads the targets, picks the one asked for, and prints
// health.List's report.
func deliveriesRun(opts *DeliveriesOptions) error {
	f, ctx := opts.f, opts.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	c, err := opts.connect()
	if err != nil {
		return err
	}
	ts, err := c.ListWebhookTargets(ctx)
	if err != nil {
		return err
	}
	redact := view.URLRedactor(ts, f.gate().Mask)
	plain.SortTargets(ts)
	if opts.target != "" {
		t, err := findTarget(ts, opts.target)
		if err != nil {
			return err
		}
		ts = []plain.Target{t}
	}
	q := opts.query
	q.Now = f.now()
	if opts.since > 0 {
		q.Since = q.Now.Add(-opts.since)
	}
	rep, err := health.List(ctx, c, ts, q, redact)
	if err != nil {
		return err
	}
	if opts.output == "json" {
		return writeJSON(f, rep)
	}
	if !opts.attempts {
		return view.DeliveryEvents(f.IO.Out, rep, len(ts))
	}
	return view.DeliveriesTable(f.IO.Out, rep, len(ts))
}
