package health

import (
	"sort"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// RetrySchedule is Plain's documented wait before each retry of a failed
// delivery (Plain's webhooks docs, "Retries": after a non-2xx answer, a
// timeout or a connection error, 12 retries at 10 s, 30 s, 5 min, 30 min,
// 1 h, 3 h, 6 h, 12 h, then 1 day four times). RetrySchedule[n-1] is the
// wait after attempt n; after attempt len+1 Plain gives up.
var RetrySchedule = []time.Duration{
	10 * time.Second, 30 * time.Second, 5 * time.Minute, 30 * time.Minute,
	time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour,
}

// MaxAttemptsPerEvent is the first attempt plus every retry.
var MaxAttemptsPerEvent = len(RetrySchedule) + 1

// Event outcomes, one per event and target.
const (
	// OutcomeDelivered: an attempt got a 2xx answer.
	OutcomeDelivered = "delivered"
	// OutcomeRetrying: no success yet, and Plain's schedule has a next
	// attempt.
	OutcomeRetrying = "retrying"
	// OutcomeFailed: no success, and Plain will not try again.
	OutcomeFailed = "failed"
)

// EventRow is one event's delivery to one target: its attempts summed up.
type EventRow struct {
	EventID        string    `json:"eventId"`
	EventType      string    `json:"eventType"`
	TargetID       string    `json:"targetId"`
	Target         string    `json:"target"` // the target's description
	FirstAttemptAt time.Time `json:"firstAttemptAt"`
	LastAttemptAt  time.Time `json:"lastAttemptAt"`
	Attempts       int       `json:"attempts"`
	// Outcome is OutcomeDelivered, OutcomeRetrying or OutcomeFailed.
	Outcome string `json:"outcome"`
	// DeliveredAfter is the number of attempts up to the first success
	// (delivered only).
	DeliveredAfter int `json:"deliveredAfter,omitempty"`
	// NextAttemptAt is when Plain's schedule makes the next attempt
	// (retrying only).
	NextAttemptAt *time.Time `json:"nextAttemptAt,omitempty"`
	// LastFailure is the newest failed attempt, if any.
	LastFailure *DeliveryRow `json:"lastFailure,omitempty"`
}

// notRetried says which results Plain does not retry: its docs retry
// after "a non-2xx response, a timeout or a connection error" (a failed
// response or an error); a delivery Plain rejected itself or whose payload
// failed schema validation is not one of those, and sending the same body
// again could not change the result.
func notRetried(result string) bool {
	return result == plain.ResultRejected || result == plain.ResultSchemaValidationFailed
}

// GroupEvents folds attempts into one row per (target, event), newest last
// attempt first. Attempts are counted within what rows holds (a window or
// a cap can hide an event's earliest attempts; Plain's attempt records
// carry no attempt number).
func GroupEvents(rows []DeliveryRow) []EventRow {
	type key struct{ target, event string }
	groups := map[key][]DeliveryRow{}
	var order []key
	for _, r := range rows {
		k := key{r.WebhookTargetID, r.PublicEventID}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	out := make([]EventRow, 0, len(order))
	for _, k := range order {
		out = append(out, foldEvent(groups[k]))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].LastAttemptAt.Equal(out[j].LastAttemptAt) {
			return out[i].LastAttemptAt.After(out[j].LastAttemptAt)
		}
		if out[i].EventID != out[j].EventID {
			return out[i].EventID < out[j].EventID
		}
		return out[i].TargetID < out[j].TargetID
	})
	return out
}

// foldEvent sums up one event's attempts to one target.
func foldEvent(as []DeliveryRow) EventRow {
	as = append([]DeliveryRow(nil), as...)
	sort.SliceStable(as, func(i, j int) bool {
		if !as[i].AttemptedAt.Equal(as[j].AttemptedAt) {
			return as[i].AttemptedAt.Before(as[j].AttemptedAt)
		}
		return as[i].ID < as[j].ID
	})
	first, last := as[0], as[len(as)-1]
	e := EventRow{
		EventID: first.PublicEventID, EventType: first.EventType, TargetID: first.WebhookTargetID, Target: first.Target,
		FirstAttemptAt: first.AttemptedAt.UTC(), LastAttemptAt: last.AttemptedAt.UTC(), Attempts: len(as),
	}
	for i, a := range as {
		if a.Result == plain.ResultSuccessfulResponse {
			if e.DeliveredAfter == 0 {
				e.DeliveredAfter = i + 1
			}
			continue
		}
		a := a
		e.LastFailure = &a
	}
	switch {
	case e.DeliveredAfter > 0:
		e.Outcome = OutcomeDelivered
	case notRetried(last.Result) || len(as) >= MaxAttemptsPerEvent:
		e.Outcome = OutcomeFailed
	default:
		e.Outcome = OutcomeRetrying
		next := last.AttemptedAt.Add(RetrySchedule[len(as)-1]).UTC()
		e.NextAttemptAt = &next
	}
	return e
}

// EventCounts are a target's events by outcome.
type EventCounts struct {
	Events    int `json:"events"`
	Delivered int `json:"eventsDelivered"`
	Retrying  int `json:"eventsRetrying"`
	Failed    int `json:"eventsFailed"`
}

// CountEvents counts the outcomes of rows' events.
func CountEvents(es []EventRow) EventCounts {
	var c EventCounts
	for _, e := range es {
		c.Events++
		switch e.Outcome {
		case OutcomeDelivered:
			c.Delivered++
		case OutcomeRetrying:
			c.Retrying++
		case OutcomeFailed:
			c.Failed++
		}
	}
	return c
}
