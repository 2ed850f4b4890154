package health

import (
	"context"
	"errors"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// EventReader reads what ReadEvent needs; *api.Client has it.
type EventReader interface {
	Lister
	ListWebhookTargets(ctx context.Context) ([]plain.Target, error)
}

// BodyReader reads the body Plain delivered for an event; *api.Client has
// it.
type BodyReader interface {
	PublicEventRequestBody(ctx context.Context, eventID string) ([]byte, error)
}

// ReadEvent reads the workspace's targets and eventID's attempts across
// them (see FindEvent), URLs' secrets redacted and the run's secrets
// masked with mask, then, when withBody, the body Plain delivered (which
// c must be able to read, see BodyReader).
func ReadEvent(ctx context.Context, c EventReader, eventID string, withBody bool, now time.Time, mask func(string) string) (*EventReport, []byte, error) {
	ts, err := c.ListWebhookTargets(ctx)
	if err != nil {
		return nil, nil, err
	}
	plain.SortTargets(ts)
	rep, err := FindEvent(ctx, c, ts, eventID, now, URLRedactor(ts, mask))
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
