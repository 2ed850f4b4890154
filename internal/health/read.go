package health

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/targetref"
)

// CheckEventID refuses an id that is not Plain's public event id shape.
// The id is quoted raw: the error leaves through the output gate, which
// masks, redacts URL secrets and makes it inert.
func CheckEventID(id string) error {
	if api.PublicEventIDPattern.MatchString(id) {
		return nil
	}
	return fmt.Errorf("%q is not a Plain event id: want pEv_ and 26 Crockford base32 characters, e.g. pEv_01HD450JT0RPBT7RRKS1ZQJYBA (plainsync deliveries lists them)", id)
}

// Reader reads what ReadEvent and ReadDeliveries need; *api.Client has
// it.
type Reader interface {
	Lister
	ListWebhookTargets(ctx context.Context) ([]plain.Target, error)
}

// BodyReader reads the body Plain delivered for an event; *api.Client has
// it.
type BodyReader interface {
	PublicEventRequestBody(ctx context.Context, eventID string) ([]byte, error)
}

// ReadEvent reads the workspace's targets and eventID's attempts across
// them (see FindEvent), Plain's messages passed through redactFor(the
// targets; view.URLRedactor hides URL secrets and the run's secrets),
// then, when withBody, the body Plain delivered (which c must be able to
// read, see BodyReader).
func ReadEvent(ctx context.Context, c Reader, eventID string, withBody bool, now time.Time, redactFor func([]plain.Target) func(string) string) (*EventReport, []byte, error) {
	ts, err := c.ListWebhookTargets(ctx)
	if err != nil {
		return nil, nil, err
	}
	plain.SortTargets(ts)
	rep, err := FindEvent(ctx, c, ts, eventID, now, redactFor(ts))
	if err != nil || !withBody {
		return rep, nil, err
	}
	br, ok := c.(BodyReader)
	if !ok {
		return nil, nil, errors.New("this client cannot read event bodies")
	}
	body, err := br.PublicEventRequestBody(ctx, eventID)
	if err != nil {
		return nil, nil, err
	}
	return rep, body, nil
}

// ReadDeliveries reads the workspace's targets, keeps the one ref names
// (see targetref.Narrow; "" keeps every one), and lists their attempts q
// selects (see List), Plain's messages passed through redactFor(every
// live target). It also returns how many targets it listed.
func ReadDeliveries(ctx context.Context, c Reader, ref string, q Query, redactFor func([]plain.Target) func(string) string) (*Listing, int, error) {
	ts, err := c.ListWebhookTargets(ctx)
	if err != nil {
		return nil, 0, err
	}
	// Every live URL's secrets are redacted, the other targets' too.
	redact := redactFor(ts)
	plain.SortTargets(ts)
	if ts, err = targetref.Narrow(ts, ref); err != nil {
		return nil, 0, err
	}
	l, err := List(ctx, c, ts, q, redact)
	if err != nil {
		return nil, 0, err
	}
	return l, len(ts), nil
}
