package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/render"
)

// maxAttemptsPerTarget bounds how many delivery attempts one target's
// summary reads: a busy target can have millions, and a health figure over
// the newest few thousand says what matters.
const maxAttemptsPerTarget = 5000

// resultKinds lists the plain.Result* values, for flag checks and help.
var resultKinds = []string{
	plain.ResultSuccessfulResponse,
	plain.ResultFailedResponse,
	plain.ResultError,
	plain.ResultRejected,
	plain.ResultSchemaValidationFailed,
}

// fetchAttempts reads a target's delivery attempts, newest first, back to
// since (zero: all of them) and at most maxAttemptsPerTarget; truncated
// says the cap cut the list. Plain lists attempts newest first but offers
// no time filter, so the window is found by asking for twice as many
// attempts each round until the oldest one read is outside it: about two
// pages read per page needed, instead of every page of a long history.
func fetchAttempts(ctx context.Context, c PlainClient, targetID string, eventTypes []string, since time.Time) (out []plain.DeliveryAttempt, truncated bool, err error) {
	limit := api.PageSize
	for {
		as, err := c.ListDeliveryAttempts(ctx, targetID, api.DeliveryFilter{EventTypes: eventTypes, Limit: limit})
		if err != nil {
			return nil, false, fmt.Errorf("list delivery attempts of %s: %w", targetID, err)
		}
		sortAttempts(as)
		full := len(as) >= limit
		oldestOutside := !since.IsZero() && len(as) > 0 && as[len(as)-1].AttemptedAt.Before(since)
		if !full || oldestOutside || limit >= maxAttemptsPerTarget {
			out = make([]plain.DeliveryAttempt, 0, len(as))
			for _, a := range as {
				if since.IsZero() || !a.AttemptedAt.Before(since) {
					out = append(out, a)
				}
			}
			// Only a cap reached inside the window loses attempts that
			// matter.
			return out, full && !oldestOutside, nil
		}
		limit = min(limit*2, maxAttemptsPerTarget)
	}
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

// targetHealth summarises one target's delivery attempts.
type targetHealth struct {
	TargetID   string `json:"targetId"`
	Name       string `json:"name"`
	Attempts   int    `json:"attempts"`
	Successful int    `json:"successful"`
	// SuccessRate is Successful/Attempts in 0..1; null without attempts.
	SuccessRate *float64     `json:"successRate"`
	LastFailure *deliveryRow `json:"lastFailure,omitempty"`
	// Truncated: only the newest attempts were counted.
	Truncated bool `json:"truncated,omitempty"`
	// Healthy is set by drift's check: no attempts, or a rate at or above
	// the minimum.
	Healthy *bool `json:"healthy,omitempty"`
}

// summarize computes a target's health from its attempts (newest first).
func summarize(id, name string, as []plain.DeliveryAttempt, truncated bool, redact func(string) string) targetHealth {
	h := targetHealth{TargetID: id, Name: name, Attempts: len(as), Truncated: truncated}
	for _, a := range as {
		if a.Result == plain.ResultSuccessfulResponse {
			h.Successful++
		} else if h.LastFailure == nil {
			row := newDeliveryRow(a, name, redact)
			h.LastFailure = &row
		}
	}
	if h.Attempts > 0 {
		r := float64(h.Successful) / float64(h.Attempts)
		h.SuccessRate = &r
	}
	return h
}

// deliveryRow is an attempt as deliveries and drift print it.
type deliveryRow struct {
	plain.DeliveryAttempt
	Target string `json:"target"` // the target's description
}

func newDeliveryRow(a plain.DeliveryAttempt, target string, redact func(string) string) deliveryRow {
	a.Message = redact(a.Message)
	a.ErrorCode = redact(a.ErrorCode)
	return deliveryRow{DeliveryAttempt: a, Target: target}
}

// detail is a row's outcome in a few words: the HTTP status, or the error
// code and message.
func (r deliveryRow) detail() string {
	var parts []string
	if r.HTTPStatusCode != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", r.HTTPStatusCode))
	}
	if r.ErrorCode != "" {
		parts = append(parts, r.ErrorCode)
	}
	if r.Message != "" {
		parts = append(parts, oneLine(r.Message))
	}
	return strings.Join(parts, " ")
}

// urlRedactor hides, in Plain's delivery messages, every part of the
// targets' URLs that may be a secret (user info, query values, token-like
// path segments): an error message can quote the URL it failed to reach.
func urlRedactor(ts []plain.Target, f *Factory) func(string) string {
	var secrets []string
	for _, t := range ts {
		u, err := url.Parse(t.URL)
		if err != nil {
			continue
		}
		if u.User != nil {
			secrets = append(secrets, u.User.Username())
			if p, ok := u.User.Password(); ok {
				secrets = append(secrets, p)
			}
		}
		for _, vs := range u.Query() {
			secrets = append(secrets, vs...)
		}
		for _, kv := range strings.Split(u.RawQuery, "&") {
			if _, v, ok := strings.Cut(kv, "="); ok {
				secrets = append(secrets, v) // also the raw, percent-encoded form
			}
		}
		for _, seg := range strings.Split(u.EscapedPath(), "/") {
			if looksLikeToken(seg) {
				secrets = append(secrets, seg)
			}
		}
	}
	// Longest first, so that a secret containing another is replaced whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	return func(s string) string {
		for _, sec := range secrets {
			// Very short values ("1", "json") are not secrets and would
			// shred every message.
			if len(sec) >= 4 {
				s = strings.ReplaceAll(s, sec, "REDACTED")
			}
		}
		return f.Secrets.Mask(s)
	}
}

// writeHealthTable prints per-target health.
func writeHealthTable(w io.Writer, hs []targetHealth, minRate *float64) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := "TARGET\tATTEMPTS\tSUCCESS\tLAST FAILURE"
	if minRate != nil {
		head = "\tTARGET\tATTEMPTS\tSUCCESS\tLAST FAILURE"
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
		last := "-"
		if h.LastFailure != nil {
			last = fmt.Sprintf("%s %s %s", formatTime(h.LastFailure.AttemptedAt), h.LastFailure.Result, h.LastFailure.detail())
		}
		if minRate != nil {
			mark := "ok"
			if h.Healthy != nil && !*h.Healthy {
				mark = "LOW"
			}
			fmt.Fprintf(tw, "%s\t", mark)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Name, attempts, rate, strings.TrimSpace(last))
	}
	return tw.Flush()
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// healthFlags are drift's delivery-health options.
type healthFlags struct {
	window  time.Duration
	minRate float64
}

const defaultMinSuccessRate = 0.95

func addHealthFlags(cmd *cobra.Command, h *healthFlags) {
	fl := cmd.Flags()
	fl.DurationVar(&h.window, "health-window", 0, "also check managed targets' delivery attempts in this window (e.g. 24h); unhealthy targets exit 2")
	fl.Float64Var(&h.minRate, "min-success-rate", defaultMinSuccessRate, "with --health-window: the lowest healthy share of successful deliveries, 0..1")
}

// validate checks the flags before anything touches the network.
func (h *healthFlags) validate(cmd *cobra.Command) error {
	if h.window < 0 {
		return fmt.Errorf("--health-window must not be negative, got %s", h.window)
	}
	if h.minRate < 0 || h.minRate > 1 {
		return fmt.Errorf("--min-success-rate must be between 0 and 1 (0.95 means 95%%), got %v", h.minRate)
	}
	if h.window == 0 && cmd.Flags().Changed("min-success-rate") {
		return fmt.Errorf("--min-success-rate needs --health-window (e.g. --health-window 24h)")
	}
	return nil
}

// healthReport is drift's delivery-health finding for one file.
type healthReport struct {
	Window         string         `json:"window"`
	Since          time.Time      `json:"since"`
	MinSuccessRate float64        `json:"minSuccessRate"`
	Unhealthy      int            `json:"unhealthy"`
	Targets        []targetHealth `json:"targets"`
}

// check reads the delivery attempts of pl's managed targets (matched live
// targets, whether in sync or drifted) in the window. It returns nil when
// the check is off.
func (h *healthFlags) check(ctx context.Context, f *Factory, pl planned) (*healthReport, error) {
	if h == nil || h.window == 0 {
		return nil, nil
	}
	since := f.now().Add(-h.window)
	r := &healthReport{Window: h.window.String(), Since: since.UTC(), MinSuccessRate: h.minRate, Targets: []targetHealth{}}
	redact := urlRedactor(pl.live.Targets, f)
	for _, ch := range pl.plan.Changes {
		if ch.TargetID == "" || (ch.Action != diff.ActionNoop && ch.Action != diff.ActionUpdate) {
			continue
		}
		as, truncated, err := fetchAttempts(ctx, pl.client, ch.TargetID, nil, since)
		if err != nil {
			return nil, fmt.Errorf("delivery health of %q: %w", ch.Name, err)
		}
		th := summarize(ch.TargetID, ch.Name, as, truncated, redact)
		healthy := th.SuccessRate == nil || *th.SuccessRate >= h.minRate
		th.Healthy = &healthy
		if !healthy {
			r.Unhealthy++
		}
		r.Targets = append(r.Targets, th)
	}
	sort.SliceStable(r.Targets, func(i, j int) bool { return r.Targets[i].Name < r.Targets[j].Name })
	return r, nil
}

// unhealthy reports whether any target is below the minimum; nil-safe.
func (r *healthReport) unhealthy() bool { return r != nil && r.Unhealthy > 0 }

// writeText prints the report after the drift text; nil-safe.
func (r *healthReport) writeText(w io.Writer) error {
	if r == nil {
		return nil
	}
	fmt.Fprintf(w, "\nDelivery health (last %s, since %s; minimum success rate %.1f%%):\n", r.Window, formatTime(r.Since), r.MinSuccessRate*100)
	if len(r.Targets) == 0 {
		fmt.Fprintln(w, "No managed targets in Plain to check.")
		return nil
	}
	if err := writeHealthTable(w, r.Targets, &r.MinSuccessRate); err != nil {
		return err
	}
	if r.Unhealthy > 0 {
		fmt.Fprintf(w, "%d target(s) below the minimum success rate.\n", r.Unhealthy)
	} else {
		fmt.Fprintln(w, "All targets healthy (targets without attempts in the window count as healthy).")
	}
	return nil
}

// driftJSON writes drift's JSON report, with a "health" member when the
// health check ran, so that -o json stays one document per file.
func driftJSON(f *Factory, p *diff.Plan, r *healthReport) error {
	if r == nil {
		return render.DriftJSON(f.IO.Out, p)
	}
	// inSync keeps its meaning (the live targets match the file);
	// health.unhealthy says whether deliveries failed the check.
	return writeJSON(f, struct {
		render.DriftReport
		Health *healthReport `json:"health"`
	}{DriftReport: render.NewDriftReport(p), Health: r})
}
