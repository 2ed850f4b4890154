package plainmock

import (
	"fmt"
	"sort"
	"time"
)

// PublicEventRetention is how long Plain keeps a public event, and so the
// body publicEventRequestBody answers: the schema's doc comment on the
// query says "Returns null if the event has expired (events are retained
// for 30 days)". It is measured on the server's clock (Config.Now) from the
// moment the event happened; POST /mock/v1/age-attempts moves events into
// the past with the attempts.
const PublicEventRetention = 30 * 24 * time.Hour

// publicEvent is the request body last delivered (or built for delivery)
// for one event, with the event's time.
type publicEvent struct {
	at   time.Time
	body string
}

// PublicEventRecord is one event body in the state file.
type PublicEventRecord struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"createdAt"`
	Body      string    `json:"body"`
}

// recordEventBody keeps body as event id's request body. Each attempt of
// each target replaces the one before, so the answer is the body of the
// latest attempt (the bodies differ only in webhookMetadata).
func (w *workspace) recordEventBody(id string, at time.Time, body []byte) {
	if id == "" || body == nil {
		return
	}
	w.events[id] = publicEvent{at: at.UTC(), body: string(body)}
}

func expired(at, now time.Time) bool { return now.Sub(at) >= PublicEventRetention }

// pruneEvents forgets the bodies Plain would have dropped by now.
func (w *workspace) pruneEvents(now time.Time) {
	for id, ev := range w.events {
		if expired(ev.at, now) {
			delete(w.events, id)
		}
	}
}

// eventRecords lists the kept event bodies for the state file, oldest
// first, then by id, so that the file's bytes depend only on its content.
func (w *workspace) eventRecords() []PublicEventRecord {
	out := make([]PublicEventRecord, 0, len(w.events))
	for id, ev := range w.events {
		out = append(out, PublicEventRecord{ID: id, CreatedAt: ev.at, Body: ev.body})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (w *workspace) adoptEvents(recs []PublicEventRecord) error {
	for i, r := range recs {
		if r.ID == "" || r.CreatedAt.IsZero() || r.Body == "" {
			return fmt.Errorf("publicEvents[%d]: id, createdAt and body are required", i)
		}
		if _, dup := w.events[r.ID]; dup {
			return fmt.Errorf("publicEvents[%d]: duplicate id %s", i, r.ID)
		}
		w.events[r.ID] = publicEvent{at: r.CreatedAt.UTC(), body: r.Body}
	}
	return nil
}

// resolvePublicEventBody answers publicEventRequestBody(publicEventId):
// the exact bytes plain-mock POSTed for the event, as a string; null for an
// event it never built a body for (an unknown id, another workspace's
// event, an attempt seeded from the state file) and once the event is
// older than PublicEventRetention. Plain's GraphQL reference says the
// query "Requires the webhookTarget:read permission", the permission of
// every other webhook read, so needRead guards it (surface.go).
func (s *Server) resolvePublicEventBody(args map[string]any, oc *opCtx) (any, *fieldError) {
	id, _ := asString(args["publicEventId"])
	ev, ok := oc.ws.events[id]
	if !ok || expired(ev.at, s.nowMS()) {
		return nil, nil
	}
	return ev.body, nil
}
