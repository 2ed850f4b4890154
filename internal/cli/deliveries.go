package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

// defaultDeliveryLimit keeps the listing to a screenful; the health
// summary still counts every attempt in the selection.
const defaultDeliveryLimit = 20

// DeliveriesOptions are what the deliveries command needs: where it
// writes, how it reaches Plain, its clock, and the flag values.
type DeliveriesOptions struct {
	ctx    context.Context
	f      *Factory
	rf     remoteFlags
	keyEnv string
	target string // id or description; "" is every target
	output string
	query  health.Query
	since  time.Duration
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
	opts := &DeliveriesOptions{f: f}
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
	addRemoteFlags(cmd, &opts.rf)
	fl := cmd.Flags()
	fl.StringVarP(&opts.output, "output", "o", "table", "output format: table or json")
	fl.StringVar(&opts.keyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key")
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
	if err := view.CheckFormat(opts.output, "table", "json"); err != nil {
		return err
	}
	if err := opts.query.Check(opts.since); err != nil {
		return err
	}
	opts.target = firstArg(args)
	return nil
}

// deliveriesRun reads the targets, picks the one asked for, and prints
// health.List's report.
func deliveriesRun(opts *DeliveriesOptions) error {
	f := opts.f
	c, err := f.connect(&opts.rf, opts.keyEnv)
	if err != nil {
		return err
	}
	rep, n, err := health.ReadDeliveries(opts.ctx, c, opts.target, opts.query.Window(f.now(), opts.since), f.gate().Redactor)
	if err != nil {
		return err
	}
	return f.gate().Deliveries(f.IO.Out, rep, n, opts.output, opts.attempts)
}
