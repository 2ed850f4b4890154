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
	// the listing, so that the success rate stays meaningful.
	Status string
	// Since bounds the window; zero is all history.
	Since time.Time
	// Limit caps the listing (0: no cap); Matched still counts every match.
	Limit int
}

// Listing is the deliveries command's report (its -o json shape).
// Attempts are newest first and capped by Query.Limit; Matched counts them
// before the cap. Health has one entry per target listed.
type Listing struct {
	FormatVersion int            `json:"formatVersion"`
	Since         *time.Time     `json:"since,omitempty"`
	Matched       int            `json:"matched"`
	Attempts      []DeliveryRow  `json:"attempts"`
	Health        []TargetHealth `json:"health"`
}

// List reads the delivery attempts of ts (in their order) that q selects,
// with each target's health. redact hides URL secrets in Plain's texts.
func List(ctx context.Context, c Lister, ts []plain.Target, q Query, redact func(string) string) (*Listing, error) {
	l := &Listing{FormatVersion: 1, Attempts: []DeliveryRow{}, Health: []TargetHealth{}}
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
		for _, a := range as {
			if q.Status == "" || a.Result == q.Status {
				l.Attempts = append(l.Attempts, NewDeliveryRow(a, name, redact))
			}
		}
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
