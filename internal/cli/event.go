package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/atomicfile"
	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

// eventClient is what event and replay need beyond PlainClient;
// *api.Client has it.
type eventClient interface {
	PublicEventRequestBody(ctx context.Context, eventID string) ([]byte, error)
	WorkspaceHmacSecret(ctx context.Context) (string, error)
}

// EventOptions are the event command's inputs.
type EventOptions struct {
	ctx     context.Context
	f       *Factory
	connect func() (PlainClient, error)
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
	var (
		rf     remoteFlags
		keyEnv string
	)
	opts := &EventOptions{f: f}
	opts.connect = func() (PlainClient, error) { return f.connect(&rf, keyEnv) }
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
	addRemoteFlags(cmd, &rf)
	fl := cmd.Flags()
	fl.StringVarP(&opts.output, "output", "o", "table", "output format: table or json")
	fl.StringVar(&keyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key")
	fl.BoolVar(&opts.body, "body", false, "also show the body Plain delivered (terminal only; see --out)")
	fl.StringVar(&opts.out, "out", "", "write the exact body Plain delivered to `FILE` (mode 0600); implies --body")
	return cmd
}

// check refuses what the flags and arguments alone decide is wrong, and
// records the arguments.
func (opts *EventOptions) check(args []string) error {
	f := opts.f
	if err := outputFormat(opts.output, "table", "json"); err != nil {
		return err
	}
	if err := checkEventID(args[0]); err != nil {
		return err
	}
	opts.eventID = args[0]
	if opts.out != "" {
		opts.body = true
	}
	if opts.body && opts.out == "" {
		if err := bodyToTerminal(f, opts.output); err != nil {
			return err
		}
	}
	return nil
}

// checkEventID refuses an id that is not Plain's public event id shape.
func checkEventID(id string) error {
	if api.PublicEventIDPattern.MatchString(id) {
		return nil
	}
	return fmt.Errorf("%q is not a Plain event id: want pEv_ and 26 Crockford base32 characters, e.g. pEv_01HD450JT0RPBT7RRKS1ZQJYBA (plainsync deliveries lists them)", view.Gate{}.Text(id))
}

// inCI reports whether the command runs in CI, where output ends up in
// logs that others read.
func inCI(f *Factory) bool {
	return f.Getenv("GITHUB_ACTIONS") == "true" || f.Getenv("CI") == "true"
}

// bodyToTerminal refuses to print a body where it would be kept: in CI,
// into a pipe or a file, or inside JSON.
func bodyToTerminal(f *Factory, output string) error {
	switch {
	case inCI(f):
		return errors.New("refusing to print an event body in CI (it holds customers' personal data and would stay in the logs); write it to a file with --out FILE")
	case !f.IO.OutIsTerminal:
		return errors.New("refusing to print an event body: stdout is not a terminal (it holds customers' personal data); write it to a file with --out FILE")
	case output == "json":
		return errors.New("-o json never carries an event body; write it to a file with --out FILE")
	}
	return nil
}

// eventRun reads the targets and the event's attempts, then the body
// when asked.
func eventRun(opts *EventOptions) error {
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
	plain.SortTargets(ts)
	rep, err := health.FindEvent(ctx, c, ts, opts.eventID, f.now(), view.URLRedactor(ts, f.gate().Mask))
	if err != nil {
		return err
	}
	var body []byte
	if opts.body {
		ec, ok := c.(eventClient)
		if !ok {
			return errors.New("this client cannot read event bodies")
		}
		if body, err = ec.PublicEventRequestBody(ctx, opts.eventID); err != nil {
			return err
		}
	}
	if opts.output == "json" {
		if err := writeJSON(f, rep); err != nil {
			return err
		}
	} else if err := view.EventReport(f.IO.Out, rep); err != nil {
		return err
	}
	switch {
	case body == nil:
		return nil
	case opts.out != "":
		if err := atomicfile.Write(opts.out, body, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "Wrote the body Plain delivered for %s (%d bytes) to %s.\n", opts.eventID, len(body), f.gate().Text(opts.out))
		return nil
	default:
		fmt.Fprintf(f.IO.Out, "\nBody Plain delivered (its latest attempt):\n")
		return view.PrettyBody(f.IO.Out, body)
	}
}
