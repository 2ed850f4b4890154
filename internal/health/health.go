// Package health computes delivery health: how many of a webhook target's
// recent delivery attempts succeeded, read page by page from Plain.
package health

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
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

// URLRedactor hides, in Plain's delivery messages, every part of the
// targets' URLs that secret.ClassifyURL calls secret: an error message can
// quote the URL it failed to reach, whole (redacted by position) or in
// pieces (each secret part of at least 4 characters is replaced wherever
// it appears, as written and decoded; "1" or "v2" would shred every
// message). mask runs next, for the secrets the caller
// knows of.
func URLRedactor(ts []plain.Target, mask func(string) string) func(string) string {
	var secrets []string
	for _, t := range ts {
		for _, p := range secret.ClassifyURL(t.URL) {
			raw := t.URL[p.Start:p.End]
			secrets = append(secrets, raw)
			if d, err := url.QueryUnescape(raw); err == nil && d != raw {
				secrets = append(secrets, d)
			}
		}
	}
	// Longest first, so that a secret containing another is replaced whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	return func(s string) string {
		for _, sec := range secrets {
			if len(sec) >= 4 {
				s = strings.ReplaceAll(s, sec, secret.Marker)
			}
		}
		return secret.RedactURLsInText(mask(s))
	}
}

// WriteTable prints per-target health: attempts and their success rate,
// the events they belong to and how many were delivered, a sparkline of
// the trend when there is one, and the last failure.
func WriteTable(w io.Writer, hs []TargetHealth, minRate *float64) error {
	trend := false
	for _, h := range hs {
		trend = trend || h.Trend != nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := "TARGET\tATTEMPTS\tSUCCESS\tEVENTS DELIVERED"
	if trend {
		head += "\tTREND"
	}
	head += "\tLAST FAILURE"
	if minRate != nil {
		head = "\t" + head
	}
	fmt.Fprintln(tw, head)
	for _, h := range hs {
		rate := "-"
		if h.SuccessRate != nil {
			rate = fmt.Sprintf("%.1f%%", *h.SuccessRate*100)
		}
		attempts := fmt.Sprint(h.Attempts)
		if h.Truncated {
			attempts += "+"
		}
		events := fmt.Sprintf("%d/%d", h.Delivered, h.Events)
		last := "-"
		if h.LastFailure != nil {
			last = fmt.Sprintf("%s %s %s", FormatTime(h.LastFailure.AttemptedAt), h.LastFailure.Result, h.LastFailure.Detail())
		}
		if minRate != nil {
			mark := "ok"
			switch {
			case h.Healthy != nil && !*h.Healthy:
				mark = "LOW"
			case h.Silent:
				mark = "SILENT"
			}
			fmt.Fprintf(tw, "%s\t", mark)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t", inert.Text(h.Name), attempts, rate, events)
		if trend {
			fmt.Fprintf(tw, "%s\t", h.Trend.Sparkline())
		}
		fmt.Fprintf(tw, "%s\n", inert.Text(strings.TrimSpace(last)))
	}
	return tw.Flush()
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

// WriteText prints the report after the drift text; nil-safe.
func (r *Report) WriteText(w io.Writer) error {
	if r == nil {
		return nil
	}
	fmt.Fprintf(w, "\nDelivery health (last %s, since %s; minimum success rate %.1f%%):\n", r.Window, FormatTime(r.Since), r.MinSuccessRate*100)
	if len(r.Targets) == 0 {
		fmt.Fprintln(w, "No managed targets in Plain to check.")
		return nil
	}
	if err := WriteTable(w, r.Targets, &r.MinSuccessRate); err != nil {
		return err
	}
	if r.Unhealthy > 0 {
		fmt.Fprintf(w, "%d target(s) below the minimum success rate.\n", r.Unhealthy)
	}
	if r.Silent > 0 {
		fmt.Fprintf(w, "%d target(s) without a successful delivery for %s or longer (SILENT).\n", r.Silent, r.MaxSilence)
	}
	if r.Unhealthy == 0 && r.Silent == 0 {
		fmt.Fprintln(w, "All targets healthy (targets without attempts in the window count as healthy).")
	}
	return nil
}
