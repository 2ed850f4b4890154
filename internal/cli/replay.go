package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/api"
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
	connect     func() (PlainClient, error)
	eventID     string
	to          *url.URL
	toRaw       string
	secretEnv   string // --hmac-secret-env
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
	var (
		rf     remoteFlags
		keyEnv string
	)
	opts := &ReplayOptions{f: f}
	opts.connect = func() (PlainClient, error) { return f.connect(&rf, keyEnv) }
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
	addRemoteFlags(cmd, &rf)
	fl := cmd.Flags()
	fl.StringVar(&opts.toRaw, "to", "", "the receiver's `URL` (required): https, or http to loopback")
	fl.StringVar(&opts.secretEnv, "hmac-secret-env", "", "sign with the secret in this environment `VAR` instead of the workspace's HMAC secret")
	fl.BoolVar(&opts.autoApprove, "auto-approve", false, "send to a live target's host without asking")
	fl.StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	fl.StringVar(&keyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key")
	return cmd
}

// check refuses what the flags and arguments alone decide is wrong, and
// records the arguments.
func (opts *ReplayOptions) check(args []string) error {
	f := opts.f
	if err := outputFormat(opts.output, "text", "json"); err != nil {
		return err
	}
	if err := checkEventID(args[0]); err != nil {
		return err
	}
	opts.eventID = args[0]
	if opts.toRaw == "" {
		return errors.New("--to URL is required (the receiver to send the event to, e.g. http://127.0.0.1:8080/hooks/plain)")
	}
	u, err := replay.CheckURL(opts.toRaw)
	if err != nil {
		return err
	}
	opts.to = u
	if f.Secrets == nil {
		f.Secrets = &secret.Masker{}
	}
	// A password in --to is a secret like any other: masked, and its
	// Basic-auth header form too, so that a receiver echoing the request's
	// Authorization header shows neither.
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			f.Secrets.Add("REPLAY_TO_PASSWORD", pw)
		}
	}
	f.Secrets.AddBasicAuthOf(opts.toRaw)
	if opts.secretEnv != "" {
		v := f.Getenv(opts.secretEnv)
		if v == "" {
			return fmt.Errorf("--hmac-secret-env %s: the variable is not set or empty", opts.secretEnv)
		}
		f.Secrets.Add(opts.secretEnv, v)
	}
	return nil
}

// replayReport is replay's -o json shape.
type replayReport struct {
	FormatVersion int            `json:"formatVersion"`
	EventID       string         `json:"eventId"`
	EventType     string         `json:"eventType"`
	AttemptID     string         `json:"attemptId"`
	AttemptNumber int            `json:"attemptNumber"`
	AttemptedAt   time.Time      `json:"attemptedAt"`
	To            string         `json:"to"`
	Signed        bool           `json:"signed"`
	Response      *replay.Result `json:"response"`
}

// replayRun checks --to against the live targets, fetches the body and
// the secret, and sends the new attempt.
func replayRun(opts *ReplayOptions) error {
	f, ctx := opts.f, opts.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	c, err := opts.connect()
	if err != nil {
		return err
	}
	ec, ok := c.(eventClient)
	if !ok {
		return errors.New("this client cannot read event bodies")
	}
	ts, err := c.ListWebhookTargets(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		// The safer reading of "production": any URL on a live target's
		// host and port, whatever the path (see replay.SameHost).
		if replay.SameHost(opts.toRaw, t.URL) {
			if err := confirmProduction(f, health.TargetLabel(t), opts.autoApprove); err != nil {
				return err
			}
			break
		}
	}
	body, err := ec.PublicEventRequestBody(ctx, opts.eventID)
	if err != nil {
		return err
	}
	key := ""
	if opts.secretEnv != "" {
		key = f.Getenv(opts.secretEnv)
	} else {
		key, err = ec.WorkspaceHmacSecret(ctx)
		switch {
		case errors.Is(err, api.ErrNoHmacSecret):
			fmt.Fprintln(f.IO.ErrOut, "note: the workspace has no HMAC secret; sending without Plain-Request-Signature, as Plain does")
		case err != nil:
			return fmt.Errorf("read the workspace's HMAC secret (or pass --hmac-secret-env): %w", err)
		default:
			f.Secrets.Add("workspace HMAC secret", key)
		}
	}
	now := f.now()
	d, err := replay.Prepare(body, replay.NewAttemptID(now), now)
	if err != nil {
		return fmt.Errorf("event %s: %w", opts.eventID, err)
	}
	shown := f.gate().URL(opts.toRaw)
	res, err := replay.Send(ctx, nil, opts.to, d, key)
	if err != nil {
		return fmt.Errorf("replay %s to %s: %w", opts.eventID, f.gate().Text(shown), err)
	}
	res.Screen(f.gate().Untrusted)
	if opts.output == "json" {
		if err := writeJSON(f, replayReport{FormatVersion: 1, EventID: d.EventID, EventType: d.EventType, AttemptID: d.AttemptID,
			AttemptNumber: d.AttemptNumber, AttemptedAt: d.AttemptAt, To: shown, Signed: key != "", Response: res}); err != nil {
			return err
		}
	} else {
		w := f.IO.Out
		fmt.Fprintf(w, "Replayed %s (%s) as attempt %d (%s) to %s.\n", d.EventID, f.gate().Text(d.EventType), d.AttemptNumber, d.AttemptID, f.gate().Text(shown))
		fmt.Fprintf(w, "The receiver answered HTTP %d %s in %dms (%d bytes", res.Status, res.StatusText, res.Duration.Milliseconds(), res.Bytes)
		if res.ContentType != "" {
			fmt.Fprintf(w, ", %s", res.ContentType)
		}
		fmt.Fprint(w, ")")
		if res.Summary != "" {
			fmt.Fprintf(w, ": %s", res.Summary)
		}
		fmt.Fprintln(w)
	}
	if !res.OK() {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("the receiver did not accept the replayed delivery (HTTP %d); Plain would count it as failed", res.Status)}
	}
	return nil
}

// confirmProduction asks before sending to a live target's host.
func confirmProduction(f *Factory, target string, autoApprove bool) error {
	if autoApprove {
		fmt.Fprintf(f.IO.ErrOut, "note: --to is on the host of live target %s; sending as --auto-approve says\n", f.gate().Text(target))
		return nil
	}
	if !f.IO.InIsTerminal {
		return fmt.Errorf("refusing to replay to the host of live target %s (production) without confirmation: stdin is not a terminal; pass --auto-approve", f.gate().Text(target))
	}
	fmt.Fprintf(f.IO.Out, "--to is on the host of live target %s: the event goes to production again. Only 'yes' will be accepted: ", f.gate().Text(target))
	view.FlushOut(f.IO.Out)
	line, err := bufio.NewReader(f.IO.In).ReadString('\n')
	if err != nil && line == "" || strings.TrimSpace(line) != "yes" {
		return &ExitError{Code: ExitFailure, Err: errors.New("replay cancelled")}
	}
	return nil
}
