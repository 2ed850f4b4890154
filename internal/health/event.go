package health

import (
	"context"
	"sort"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/plainsync/plainsync/internal/plain"
)

// EventReport is the event command's report (its -o json shape): one
// event's attempts across the workspace's targets, oldest first, and its
// outcome per target. The body is never part of it.
type EventReport struct {
	FormatVersion int    `json:"formatVersion"`
	EventID       string `json:"eventId"`
	EventType     string `json:"eventType,omitempty"`
	// OccurredAt is the time the event id's ULID carries, when plausible.
	OccurredAt *time.Time    `json:"occurredAt,omitempty"`
	Targets    []EventRow    `json:"targets"`
	Attempts   []DeliveryRow `json:"attempts"`
}

// eventSlack is how far before the time in an event id the attempts are
// read: the id is made when the event happens, and every attempt follows.
const eventSlack = time.Hour

// EventTime is the time in a ULID-based id's last 26 characters, if it
// parses and is not in the future.
func EventTime(id string, now time.Time) (time.Time, bool) {
	if len(id) < 26 {
		return time.Time{}, false
	}
	u, err := ulid.ParseStrict(id[len(id)-26:])
	if err != nil {
		return time.Time{}, false
	}
	t := ulid.Time(u.Time()).UTC()
	if t.After(now.Add(eventSlack)) {
		return time.Time{}, false
	}
	return t, true
}

// FindEvent reads each target's attempts for eventID. Plain filters
// delivery attempts by target, event type and result only
// (WebhookDeliveryAttemptFilter), so every target is read, back to a
// little before the time the event id carries.
func FindEvent(ctx context.Context, c Lister, ts []plain.Target, eventID string, now time.Time, redact func(string) string) (*EventReport, error) {
	r := &EventReport{FormatVersion: 1, EventID: eventID, Targets: []EventRow{}, Attempts: []DeliveryRow{}}
	var since time.Time
	if at, ok := EventTime(eventID, now); ok {
		r.OccurredAt = &at
		since = at.Add(-eventSlack)
	}
	// Every target in one batched read (see FetchAttemptsOf), not one
	// request per target.
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	fetched, err := FetchAttemptsOf(ctx, c, ids, nil, since)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		as := fetched[t.ID].Attempts
		name := TargetLabel(t)
		var rows []DeliveryRow
		for _, a := range as {
			if a.PublicEventID == eventID {
				rows = append(rows, NewDeliveryRow(a, name, redact))
			}
		}
		r.Attempts = append(r.Attempts, rows...)
		r.Targets = append(r.Targets, GroupEvents(rows)...)
	}
	sort.SliceStable(r.Attempts, func(i, j int) bool {
		if !r.Attempts[i].AttemptedAt.Equal(r.Attempts[j].AttemptedAt) {
			return r.Attempts[i].AttemptedAt.Before(r.Attempts[j].AttemptedAt)
		}
		return r.Attempts[i].ID < r.Attempts[j].ID
	})
	if len(r.Attempts) > 0 {
		r.EventType = r.Attempts[0].EventType
	}
	return r, nil
}
