// Package health computes delivery health: how many of a webhook target's
// recent delivery attempts succeeded, read page by page from Plain.
package health

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
)

// MaxAttemptsPerTarget bounds how many delivery attempts one target's
// summary reads: a busy target can have millions, and a health figure over
// the newest few thousand says what matters.
const MaxAttemptsPerTarget = 5000

// ResultKinds lists the plain.Result* values, for flag checks and help.
var ResultKinds = []string{
	plain.ResultSuccessfulResponse,
	plain.ResultFailedResponse,
	plain.ResultError,
	plain.ResultRejected,
	plain.ResultSchemaValidationFailed,
}

// FetchAttempts reads a target's delivery attempts, newest first, back to
// since (zero: all of them) and at most MaxAttemptsPerTarget; truncated
// says the cap cut the list inside the window. Plain lists attempts newest
// first but offers no time filter, so the pages are read once, in order,
// and the reading stops at the first page that reaches past since.
func FetchAttempts(ctx context.Context, c Lister, targetID string, eventTypes []string, since time.Time) (out []plain.DeliveryAttempt, truncated bool, err error) {
	all, err := FetchAttemptsOf(ctx, c, []string{targetID}, eventTypes, since)
	if err != nil {
		return nil, false, err
	}
	return all[targetID].Attempts, all[targetID].Truncated, nil
}

// Fetched is one target's attempts as FetchAttemptsOf read them.
type Fetched struct {
	Attempts  []plain.DeliveryAttempt
	Truncated bool
}

// FetchAttemptsOf is FetchAttempts for many targets in a constant number
// of requests: one alias per target in each request (see
// api.Client.ListDeliveryAttemptsForTargets), a target's next page asked
// for only while its window goes on.
func FetchAttemptsOf(ctx context.Context, c Lister, targetIDs []string, eventTypes []string, since time.Time) (map[string]Fetched, error) {
	res := make(map[string]Fetched, len(targetIDs))
	if len(targetIDs) == 0 {
		return res, nil
	}
	all, err := c.ListDeliveryAttemptsForTargets(ctx, targetIDs, api.DeliveryFilter{EventTypes: eventTypes, Limit: MaxAttemptsPerTarget, Since: since})
	if err != nil {
		return nil, err
	}
	for _, id := range targetIDs {
		as := all[id]
		sortAttempts(as)
		full := len(as) >= MaxAttemptsPerTarget
		oldestOutside := !since.IsZero() && len(as) > 0 && as[len(as)-1].AttemptedAt.Before(since)
		out := make([]plain.DeliveryAttempt, 0, len(as))
		for _, a := range as {
			if since.IsZero() || !a.AttemptedAt.Before(since) {
				out = append(out, a)
			}
		}
		// Only a cap reached inside the window loses attempts that matter.
		res[id] = Fetched{Attempts: out, Truncated: full && !oldestOutside}
	}
	return res, nil
}

// sortAttempts orders attempts newest first (ties by id, for stable
// output).
func sortAttempts(as []plain.DeliveryAttempt) {
	sort.SliceStable(as, func(i, j int) bool {
		if !as[i].AttemptedAt.Equal(as[j].AttemptedAt) {
			return as[i].AttemptedAt.After(as[j].AttemptedAt)
		}
		return as[i].ID < as[j].ID
	})
}

// TargetHealth summarises one target's delivery attempts.
type TargetHealth struct {
	TargetID   string `json:"targetId"`
	Name       string `json:"name"`
	Attempts   int    `json:"attempts"`
	Successful int    `json:"successful"`
	// SuccessRate is Successful/Attempts in 0..1; null without attempts.
	SuccessRate *float64     `json:"successRate"`
	LastFailure *DeliveryRow `json:"lastFailure,omitempty"`
	// Truncated: only the newest attempts were counted.
	Truncated bool `json:"truncated,omitempty"`
	// EventCounts count the events the attempts belong to, by outcome
	// (see GroupEvents): a receiver that failed twice then succeeded has
	// 3 attempts, 1 successful, and 1 event delivered.
	EventCounts
	// LastSuccessAt is the newest successful attempt's time, if any.
	LastSuccessAt *time.Time `json:"lastSuccessAt,omitempty"`
	// Trend buckets the attempts over the window (see NewTrend).
	Trend *Trend `json:"trend,omitempty"`
	// Silent is set by drift's --max-silence check: an enabled target
	// subscribed to events had no successful delivery for that long.
	Silent bool `json:"silent,omitempty"`
	// Healthy is set by drift's check: no attempts, or a rate at or above
	// the minimum.
	Healthy *bool `json:"healthy,omitempty"`
}

// Summarize computes a target's health from its attempts (newest first).
func Summarize(id, name string, as []plain.DeliveryAttempt, truncated bool, redact func(string) string) TargetHealth {
	h := TargetHealth{TargetID: id, Name: name, Attempts: len(as), Truncated: truncated}
	rows := make([]DeliveryRow, 0, len(as))
	for _, a := range as {
		rows = append(rows, NewDeliveryRow(a, name, redact))
		if a.Result == plain.ResultSuccessfulResponse {
			h.Successful++
			if h.LastSuccessAt == nil || a.AttemptedAt.After(*h.LastSuccessAt) {
				at := a.AttemptedAt.UTC()
				h.LastSuccessAt = &at
			}
		} else if h.LastFailure == nil {
			row := NewDeliveryRow(a, name, redact)
			h.LastFailure = &row
		}
	}
	if h.Attempts > 0 {
		r := float64(h.Successful) / float64(h.Attempts)
		h.SuccessRate = &r
	}
	h.EventCounts = CountEvents(GroupEvents(rows))
	return h
}

// DeliveryRow is an attempt as deliveries and drift print it.
type DeliveryRow struct {
	plain.DeliveryAttempt
	Target string `json:"target"` // the target's description
}

// NewDeliveryRow is a as printed for target, with redact applied to the
// server's text.
func NewDeliveryRow(a plain.DeliveryAttempt, target string, redact func(string) string) DeliveryRow {
	a.Message = redact(a.Message)
	a.ErrorCode = redact(a.ErrorCode)
	return DeliveryRow{DeliveryAttempt: a, Target: target}
}

// Detail is a row's outcome in a few words: the HTTP status, or the error
// code and message.
func (r DeliveryRow) Detail() string {
	var parts []string
	if r.HTTPStatusCode != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", r.HTTPStatusCode))
	}
	if r.ErrorCode != "" {
		parts = append(parts, r.ErrorCode)
	}
	if r.Message != "" {
		parts = append(parts, strings.Join(strings.Fields(r.Message), " "))
	}
	return strings.Join(parts, " ")
}

// FormatTime is how tables print a time.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// Report is drift's delivery-health finding for one file.
type Report struct {
	Window         string    `json:"window"`
	Since          time.Time `json:"since"`
	MinSuccessRate float64   `json:"minSuccessRate"`
	Unhealthy      int       `json:"unhealthy"`
	// MaxSilence and Silent are set by MarkSilent (--max-silence).
	MaxSilence string         `json:"maxSilence,omitempty"`
	Silent     int            `json:"silent"`
	Targets    []TargetHealth `json:"targets"`
}

// Lister reads delivery attempts of many targets at once; *api.Client
// satisfies it.
type Lister interface {
	ListDeliveryAttemptsForTargets(ctx context.Context, targetIDs []string, f api.DeliveryFilter) (map[string][]plain.DeliveryAttempt, error)
}

// Check reads the delivery attempts of a plan's managed targets (matched
// live targets, whether in sync or drifted) since now-window and marks
// each healthy when it has no attempts or a success rate of at least
// minRate.
func Check(ctx context.Context, c Lister, changes []diff.Change, window time.Duration, minRate float64, now time.Time, redact func(string) string) (*Report, error) {
	since := now.Add(-window)
	r := &Report{Window: window.String(), Since: since.UTC(), MinSuccessRate: minRate, Targets: []TargetHealth{}}
	var checked []diff.Change
	var ids []string
	for _, ch := range changes {
		if ch.TargetID == "" || (ch.Action != diff.ActionNoop && ch.Action != diff.ActionUpdate) {
			continue
		}
		checked = append(checked, ch)
		ids = append(ids, ch.TargetID)
	}
	fetched, err := FetchAttemptsOf(ctx, c, ids, nil, since)
	if err != nil {
		return nil, fmt.Errorf("delivery health: %w", err)
	}
	for _, ch := range checked {
		got := fetched[ch.TargetID]
		th := Summarize(ch.TargetID, ch.Name, got.Attempts, got.Truncated, redact)
		th.Trend = NewTrend(got.Attempts, since, now)
		healthy := th.SuccessRate == nil || *th.SuccessRate >= minRate
		th.Healthy = &healthy
		if !healthy {
			r.Unhealthy++
		}
		r.Targets = append(r.Targets, th)
	}
	sort.SliceStable(r.Targets, func(i, j int) bool { return r.Targets[i].Name < r.Targets[j].Name })
	return r, nil
}

// AnyUnhealthy reports whether any target is below the minimum, or
// silent for longer than --max-silence allows; nil-safe.
func (r *Report) AnyUnhealthy() bool { return r != nil && (r.Unhealthy > 0 || r.Silent > 0) }
