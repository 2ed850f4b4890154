package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/atomicfile"
	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

// EventOptions are the event command's inputs.
type EventOptions struct {
	ctx     context.Context
	f       *Factory
	rf      remoteFlags
	keyEnv  string
	eventID string
	output  string
	body    bool   // --body
	out     string // --out: the body's file
}

// NewCmdEvent binds the flags to EventOptions and checks the rules flags
// and the environment alone decide; runF does the work (nil: eventRun).
func NewCmdEvent(f *Factory, runF func(*EventOptions) error) *cobra.Command {
	if runF == nil {
		runF = eventRun
	}
	opts := &EventOptions{f: f}
	cmd := &cobra.Command{
		Use:   "event EVENT_ID",
		Short: "Show one event's delivery attempts across targets, and the body Plain sent",
		Long: `event shows every attempt Plain made to deliver one event (EVENT_ID is
pEv_ and a 26-character ULID, as deliveries lists it) to each of the
workspace's targets, oldest first, and the event's outcome per target.

--body adds the body Plain delivered (Plain keeps it for 30 days),
pretty-printed. Bodies hold customers' personal data, so --body prints only
to a terminal, never in CI (GITHUB_ACTIONS=true or CI=true) or into a pipe;
there, --out FILE writes the exact bytes Plain sent to FILE (mode 0600,
replaced atomically). A body never goes to a step summary or a comment.`,
		Example: `  plainsync event pEv_01HD450JT0RPBT7RRKS1ZQJYBA
  plainsync event pEv_01HD450JT0RPBT7RRKS1ZQJYBA --body
  plainsync event pEv_01HD450JT0RPBT7RRKS1ZQJYBA --body --out event.json`,
		Args: cobra.ExactArgs(1),
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
	fl.BoolVar(&opts.body, "body", false, "also show the body Plain delivered (terminal only; see --out)")
	fl.StringVar(&opts.out, "out", "", "write the exact body Plain delivered to `FILE` (mode 0600); implies --body")
	return cmd
}

// check refuses what the flags and arguments alone decide is wrong, and
// records the arguments.
func (opts *EventOptions) check(args []string) error {
	if err := view.CheckFormat(opts.output, "table", "json"); err != nil {
		return err
	}
	if err := health.CheckEventID(args[0]); err != nil {
		return err
	}
	opts.eventID, opts.body = args[0], opts.body || opts.out != ""
	if opts.body && opts.out == "" {
		return view.BodyToTerminal(opts.f.Getenv, opts.f.IO.OutIsTerminal, opts.output)
	}
	return nil
}

// eventRun reads the targets and the event's attempts, then the body
// when asked, and shows them (the body on the terminal, or into --out).
func eventRun(opts *EventOptions) error {
	f := opts.f
	c, err := f.connect(&opts.rf, opts.keyEnv)
	if err != nil {
		return err
	}
	rep, body, err := health.ReadEvent(opts.ctx, c, opts.eventID, opts.body, f.now(), f.gate().Redactor)
	if err != nil {
		return err
	}
	if err := f.gate().Event(f.IO.Out, rep, opts.output); err != nil || body == nil {
		return err
	}
	if opts.out == "" {
		return view.DeliveredBody(f.IO.Out, body)
	}
	if err := atomicfile.Write(opts.out, body, 0o600); err != nil {
		return err
	}
	f.gate().BodyWritten(f.IO.ErrOut, opts.eventID, len(body), opts.out)
	return nil
}
