package health

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/glob"
	"github.com/plainsync/plainsync/internal/plain"
)

// Query selects the delivery attempts a listing shows.
type Query struct {
	// Event is an exact event type or a glob (thread.*); "" is every type.
	// It narrows the listing and the health summary.
	Event string
	// Status is a plain.Result* value; "" is every result. It narrows only
	// the listing (attempts with that result, events with such an
	// attempt), so that the success rate stays meaningful.
	Status string
	// Since bounds the window; zero is all history.
	Since time.Time
	// Limit caps the listing (0: no cap); Matched still counts every match.
	// It caps events and attempts alike.
	Limit int
	// Now, when set, ends each target's trend (see NewTrend).
	Now time.Time
}

// Listing is the deliveries command's report (its -o json shape).
// Events (one per target and event, with its outcome) and Attempts are
// newest first and capped by Query.Limit; EventsMatched and Matched count
// them before the cap. Health has one entry per target listed.
type Listing struct {
	FormatVersion int            `json:"formatVersion"`
	Since         *time.Time     `json:"since,omitempty"`
	EventsMatched int            `json:"eventsMatched"`
	Events        []EventRow     `json:"events"`
	Matched       int            `json:"matched"`
	Attempts      []DeliveryRow  `json:"attempts"`
	Health        []TargetHealth `json:"health"`
}

// List reads the delivery attempts of ts (in their order) that q selects,
// with each target's health. redact hides URL secrets in Plain's texts.
func List(ctx context.Context, c Lister, ts []plain.Target, q Query, redact func(string) string) (*Listing, error) {
	l := &Listing{FormatVersion: 1, Events: []EventRow{}, Attempts: []DeliveryRow{}, Health: []TargetHealth{}}
	if !q.Since.IsZero() {
		utc := q.Since.UTC()
		l.Since = &utc
	}
	// An exact type is filtered by Plain; a glob only here.
	var serverEvents []string
	if q.Event != "" && !glob.IsGlob(q.Event) {
		serverEvents = []string{q.Event}
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	fetched, err := FetchAttemptsOf(ctx, c, ids, serverEvents, q.Since)
	if err != nil {
		return nil, err
	}
	var read [][]plain.DeliveryAttempt // per target, for the trends
	for _, t := range ts {
		as, truncated := fetched[t.ID].Attempts, fetched[t.ID].Truncated
		if q.Event != "" {
			kept := as[:0]
			for _, a := range as {
				if glob.Match(q.Event, a.EventType) {
					kept = append(kept, a)
				}
			}
			as = kept
		}
		name := TargetLabel(t)
		l.Health = append(l.Health, Summarize(t.ID, name, as, truncated, redact))
		read = append(read, as)
		rows := make([]DeliveryRow, 0, len(as))
		withStatus := map[string]bool{} // events with an attempt of q.Status
		for _, a := range as {
			row := NewDeliveryRow(a, name, redact)
			rows = append(rows, row)
			if q.Status == "" || a.Result == q.Status {
				l.Attempts = append(l.Attempts, row)
				withStatus[a.PublicEventID] = true
			}
		}
		for _, e := range GroupEvents(rows) {
			if withStatus[e.EventID] {
				l.Events = append(l.Events, e)
			}
		}
	}
	if !q.Now.IsZero() {
		// One time axis for every target: the window, or from the oldest
		// attempt read.
		since := q.Since
		if since.IsZero() {
			for _, as := range read {
				for _, a := range as {
					if since.IsZero() || a.AttemptedAt.Before(since) {
						since = a.AttemptedAt
					}
				}
			}
		}
		if !since.IsZero() {
			for i, as := range read {
				l.Health[i].Trend = NewTrend(as, since, q.Now)
			}
		}
	}
	sort.SliceStable(l.Events, func(i, j int) bool { return l.Events[i].LastAttemptAt.After(l.Events[j].LastAttemptAt) })
	l.EventsMatched = len(l.Events)
	if q.Limit > 0 && len(l.Events) > q.Limit {
		l.Events = l.Events[:q.Limit]
	}
	sort.SliceStable(l.Attempts, func(i, j int) bool {
		a, b := l.Attempts[i], l.Attempts[j]
		if !a.AttemptedAt.Equal(b.AttemptedAt) {
			return a.AttemptedAt.After(b.AttemptedAt)
		}
		return a.ID < b.ID
	})
	l.Matched = len(l.Attempts)
	if q.Limit > 0 && len(l.Attempts) > q.Limit {
		l.Attempts = l.Attempts[:q.Limit]
	}
	return l, nil
}

// TargetLabel names a target in tables: its description, or its id when
// the description is blank.
func TargetLabel(t plain.Target) string {
	if strings.TrimSpace(t.Description) == "" {
		return t.ID
	}
	return t.Description
}
