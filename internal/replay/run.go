package replay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

// Targets lists the live targets (to recognise production).
type Targets interface {
	ListWebhookTargets(ctx context.Context) ([]plain.Target, error)
}

// Client is what a replay needs of Plain: the live targets, the body Plain
// kept and the workspace's HMAC secret.
type Client interface {
	Targets
	PublicEventRequestBody(ctx context.Context, eventID string) ([]byte, error)
	WorkspaceHmacSecret(ctx context.Context) (string, error)
}

// Confirmer asks before a replay goes to the host of a live target (named
// by its label): false is a "no"; an error is a refusal (for example: no
// terminal to ask on).
type Confirmer interface {
	ConfirmProduction(target string) (bool, error)
}

// Notes hears what a replay tells the user on its way.
type Notes interface {
	// AutoApproved: --to is on the host of the live target, and the
	// replay goes there without asking.
	AutoApproved(target string)
	// NoHmacSecret: the workspace has no HMAC secret, so the attempt goes
	// without Plain-Request-Signature, as Plain sends it.
	NoHmacSecret()
}

// ErrCancelled is a "no" to the confirmation.
var ErrCancelled = errors.New("replay cancelled")

// Options are one replay: the event, the receiver and how to sign.
type Options struct {
	EventID string
	To      *url.URL
	// Secret signs instead of the workspace's HMAC secret (a receiver
	// with its own); empty: the workspace's.
	Secret string
	// AutoApprove sends to a live target's host without asking.
	AutoApprove bool
	// Secrets learns the workspace's HMAC secret, so that whatever shows
	// the outcome masks it. It is required: the receiver may echo the
	// signature's key.
	Secrets *secret.Masker
	// Now is the attempt's time (nil: time.Now).
	Now func() time.Time
	// HTTP sends the attempt (nil: Send's own client).
	HTTP *http.Client
}

// Outcome is what a replay did: the attempt sent, the receiver's raw
// answer and whether the attempt was signed.
type Outcome struct {
	Delivery *Delivery
	Result   *Result
	Signed   bool
}

// Accepted is nil when the receiver answered 2xx, else the error that
// says Plain would count the attempt as failed.
func (o *Outcome) Accepted() error {
	if o.Result.OK() {
		return nil
	}
	return fmt.Errorf("the receiver did not accept the replayed delivery (HTTP %d); Plain would count it as failed", o.Result.Status)
}

// SendError is a replay the receiver did not answer; the caller names the
// receiver as it shows it.
type SendError struct{ Err error }

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// Run replays r.EventID to r.To: it asks confirm first when r.To is on a
// live target's host (unless r.AutoApprove, which notes say), fetches the
// body Plain kept and the secret to sign with, prepares the next attempt
// and sends it. c must be a Client: a client that cannot read event bodies
// is refused.
func Run(ctx context.Context, t Targets, r Options, confirm Confirmer, notes Notes) (*Outcome, error) {
	if r.Secrets == nil {
		return nil, errors.New("replay: Options.Secrets is required")
	}
	c, ok := t.(Client)
	if !ok {
		return nil, errors.New("this client cannot read event bodies")
	}
	ts, err := c.ListWebhookTargets(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		// The safer reading of "production": any URL on a live target's
		// host and port, whatever the path (see SameHost).
		if SameHost(r.To.String(), t.URL) {
			if err := confirmProduction(health.TargetLabel(t), r.AutoApprove, confirm, notes); err != nil {
				return nil, err
			}
			break
		}
	}
	body, err := c.PublicEventRequestBody(ctx, r.EventID)
	if err != nil {
		return nil, err
	}
	key, err := signingKey(ctx, c, r, notes)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	at := now()
	d, err := Prepare(body, NewAttemptID(at), at)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", r.EventID, err)
	}
	res, err := Send(ctx, r.HTTP, r.To, d, key)
	if err != nil {
		return nil, &SendError{Err: err}
	}
	return &Outcome{Delivery: d, Result: res, Signed: key != ""}, nil
}

// confirmProduction asks before sending to a live target's host.
func confirmProduction(target string, autoApprove bool, confirm Confirmer, notes Notes) error {
	if autoApprove {
		notes.AutoApproved(target)
		return nil
	}
	ok, err := confirm.ConfirmProduction(target)
	if err != nil {
		return err
	}
	if !ok {
		return ErrCancelled
	}
	return nil
}

// signingKey is r.Secret, else the workspace's HMAC secret; empty (with a
// note) when the workspace has none, as Plain then signs nothing.
func signingKey(ctx context.Context, c Client, r Options, notes Notes) (string, error) {
	if r.Secret != "" {
		return r.Secret, nil
	}
	key, err := c.WorkspaceHmacSecret(ctx)
	switch {
	case errors.Is(err, api.ErrNoHmacSecret):
		notes.NoHmacSecret()
		return "", nil
	case err != nil:
		return "", fmt.Errorf("read the workspace's HMAC secret (or pass --hmac-secret-env): %w", err)
	}
	r.Secrets.Add("workspace HMAC secret", key)
	return key, nil
}

// CheckFlags checks --to (required; see CheckURL) and reads the secret in
// the variable secretEnv names, if any, before Plain is asked anything. m
// learns both: a password in --to is a secret like any other, masked, and
// its Basic-auth header form too, so that a receiver echoing the request's
// Authorization header shows neither.
func CheckFlags(toRaw, secretEnv string, getenv func(string) string, m *secret.Masker) (to *url.URL, key string, err error) {
	if toRaw == "" {
		return nil, "", errors.New("--to URL is required (the receiver to send the event to, e.g. http://127.0.0.1:8080/hooks/plain)")
	}
	if to, err = CheckURL(toRaw); err != nil {
		return nil, "", err
	}
	if to.User != nil {
		if pw, ok := to.User.Password(); ok {
			m.Add("REPLAY_TO_PASSWORD", pw)
		}
	}
	m.AddBasicAuthOf(toRaw)
	if secretEnv != "" {
		if key = getenv(secretEnv); key == "" {
			return nil, "", fmt.Errorf("--hmac-secret-env %s: the variable is not set or empty", secretEnv)
		}
		m.Add(secretEnv, key)
	}
	return to, key, nil
}
