package cli

import (
	"cmp"
	"context"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/replay"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

// ReplayOptions are the replay command's inputs.
type ReplayOptions struct {
	ctx         context.Context
	f           *Factory
	rf          remoteFlags
	keyEnv      string
	eventID     string
	to          *url.URL
	toRaw       string
	secretEnv   string // --hmac-secret-env
	secret      string // its value
	autoApprove bool
	output      string
}

// NewCmdReplay binds the flags to ReplayOptions and checks what flags
// alone decide (the event id's shape, --to's scheme and host, the secret's
// variable); runF does the work (nil: replayRun).
func NewCmdReplay(f *Factory, runF func(*ReplayOptions) error) *cobra.Command {
	if runF == nil {
		runF = replayRun
	}
	opts := &ReplayOptions{f: f}
	cmd := &cobra.Command{
		Use:   "replay EVENT_ID --to URL",
		Short: "Send an event Plain delivered again, as a new attempt, to a receiver",
		Long: `replay fetches the body Plain delivered for an event (kept 30 days) and sends
it to --to as a new attempt of the same event, the way Plain's retries do:
the same event id, type and payload; a new attempt id, the next attempt
number and the current time in Plain's headers and in the body's
webhookMetadata. It is signed (Plain-Request-Signature) with the
workspace's HMAC secret, or with the secret in --hmac-secret-env for a
receiver that has its own, and carries every header Plain documents.

--to is https, or http only to a loopback receiver (127.0.0.1, ::1,
localhost). Sending to a live target's host (any path) delivers the event to
production again: that asks for confirmation on a terminal, or
--auto-approve. Redirects are not followed.

The receiver's status is shown with at most a short, escaped excerpt of its
answer. Exit codes: 0 the receiver answered 2xx, 1 otherwise or on error.`,
		Example: `  plainsync replay pEv_01HD450JT0RPBT7RRKS1ZQJYBA --to http://127.0.0.1:8080/hooks/plain
  plainsync replay pEv_01HD450JT0RPBT7RRKS1ZQJYBA --to https://staging.example.com/plain --hmac-secret-env STAGING_HMAC`,
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
	fl.StringVar(&opts.toRaw, "to", "", "the receiver's `URL` (required): https, or http to loopback")
	fl.StringVar(&opts.secretEnv, "hmac-secret-env", "", "sign with the secret in this environment `VAR` instead of the workspace's HMAC secret")
	fl.BoolVar(&opts.autoApprove, "auto-approve", false, "send to a live target's host without asking")
	fl.StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	fl.StringVar(&opts.keyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key")
	return cmd
}

// check refuses what the flags and arguments alone decide is wrong (see
// replay.CheckFlags), and records the arguments.
func (opts *ReplayOptions) check(args []string) (err error) {
	if err := view.CheckFormat(opts.output, "text", "json"); err != nil {
		return err
	}
	if err := health.CheckEventID(args[0]); err != nil {
		return err
	}
	opts.eventID = args[0]
	opts.f.Secrets = cmp.Or(opts.f.Secrets, &secret.Masker{})
	opts.to, opts.secret, err = replay.CheckFlags(opts.toRaw, opts.secretEnv, opts.f.Getenv, opts.f.Secrets)
	return err
}

// replayRun replays the event (see replay.Run) and shows the outcome.
func replayRun(opts *ReplayOptions) error {
	f, g := opts.f, opts.f.gate()
	c, err := f.connect(&opts.rf, opts.keyEnv)
	if err != nil {
		return err
	}
	out, err := replay.Run(opts.ctx, c, replay.Options{EventID: opts.eventID, To: opts.to, Secret: opts.secret, AutoApprove: opts.autoApprove, Secrets: f.Secrets, Now: f.now},
		view.ProductionPrompt{In: f.IO.In, Out: f.IO.Out, InIsTerminal: f.IO.InIsTerminal, Gate: g}, view.ReplayNotes{W: f.IO.ErrOut, Gate: g})
	if err != nil {
		return g.ReplayFailed(opts.eventID, opts.toRaw, err)
	}
	if opts.output != "json" {
		g.ReplayText(f.IO.Out, out, opts.toRaw)
	} else if err := g.WriteJSON(f.IO.Out, g.ReplayReport(out, opts.toRaw)); err != nil {
		return err
	}
	return out.Accepted() // exitcode.Failure, like every error
}
