package health

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// HourlyUpTo is the longest window whose trend is bucketed by the hour;
// longer windows are bucketed by the day up to DailyUpTo, by the week up
// to WeeklyUpTo, and beyond that by as many whole weeks as keep the
// buckets within MaxBuckets.
const (
	HourlyUpTo = 48 * time.Hour
	DailyUpTo  = 60 * 24 * time.Hour
	WeeklyUpTo = 60 * Week
)

// Week is the width of a weekly bucket. Buckets are aligned to whole
// multiples of their width since January 1 of year 1, a Monday (UTC), so
// weeks start on Monday.
const Week = 7 * 24 * time.Hour

// MaxBuckets bounds the buckets of any trend, whatever the window: a
// window spans at most 60 widths, plus the bucket partly before its
// start. Each bucket is a point of the Markdown chart and a member of the
// JSON, so an unbounded count (--health-window 2000000h) would make the
// step summary larger than GitHub accepts.
const MaxBuckets = 61

// Trend is a target's attempts over a window, in equal buckets, oldest
// first.
type Trend struct {
	// Width is each bucket's span in hours: "1h", "24h", "168h" (a
	// week), or a multiple of 168h for windows past WeeklyUpTo.
	Width   string   `json:"width"`
	Buckets []Bucket `json:"buckets"`
}

// Bucket counts the attempts that started in [Start, Start+Width).
type Bucket struct {
	Start      time.Time `json:"start"`
	Attempts   int       `json:"attempts"`
	Successful int       `json:"successful"`
}

// BucketWidth is the bucket span for a window: an hour up to HourlyUpTo,
// a day up to DailyUpTo, a week up to WeeklyUpTo, then the fewest whole
// weeks that cut the window into at most 60 widths.
func BucketWidth(window time.Duration) time.Duration {
	switch {
	case window <= HourlyUpTo:
		return time.Hour
	case window <= DailyUpTo:
		return 24 * time.Hour
	case window <= WeeklyUpTo:
		return Week
	}
	weeks := (window/60 + Week - 1) / Week // no overflow: window/60 is far from the maximum
	return weeks * Week
}

// NewTrend buckets as (any order) over [since, now]: buckets are aligned
// to whole hours or days (UTC), the first holding since and the last now.
// A zero since starts at the oldest attempt; with neither, nil.
func NewTrend(as []plain.DeliveryAttempt, since, now time.Time) *Trend {
	if since.IsZero() {
		for _, a := range as {
			if since.IsZero() || a.AttemptedAt.Before(since) {
				since = a.AttemptedAt
			}
		}
		if since.IsZero() {
			return nil
		}
	}
	since, now = since.UTC(), now.UTC()
	if now.Before(since) {
		now = since
	}
	width := BucketWidth(now.Sub(since))
	start := since.Truncate(width)
	n := int(now.Truncate(width).Sub(start)/width) + 1
	tr := &Trend{Width: fmtWidth(width), Buckets: make([]Bucket, n)}
	for i := range tr.Buckets {
		tr.Buckets[i].Start = start.Add(time.Duration(i) * width)
	}
	for _, a := range as {
		at := a.AttemptedAt.UTC()
		if at.Before(since) || at.After(now) {
			continue
		}
		i := int(at.Sub(start) / width)
		if i < 0 || i >= n {
			continue
		}
		tr.Buckets[i].Attempts++
		if a.Result == plain.ResultSuccessfulResponse {
			tr.Buckets[i].Successful++
		}
	}
	return tr
}

// fmtWidth writes a bucket width in whole hours ("1h", "24h", "168h").
func fmtWidth(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
}

// widthOf reads a Trend's Width back; an hour when it does not parse.
func widthOf(tr *Trend) time.Duration {
	d, err := time.ParseDuration(tr.Width)
	if err != nil || d <= 0 {
		return time.Hour
	}
	return d
}

// sparks are the eight block heights of a sparkline, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws each bucket's success rate as a block (▁ none of its
// attempts succeeded … █ all did) and a bucket without attempts as "·".
// Long trends keep their newest 48 buckets.
func (tr *Trend) Sparkline() string {
	if tr == nil || len(tr.Buckets) == 0 {
		return "-"
	}
	bs := tr.Buckets
	if len(bs) > 48 {
		bs = bs[len(bs)-48:]
	}
	var b strings.Builder
	for _, bk := range bs {
		if bk.Attempts == 0 {
			b.WriteRune('·')
			continue
		}
		i := bk.Successful * (len(sparks) - 1) / bk.Attempts
		b.WriteRune(sparks[i])
	}
	return b.String()
}

// Mermaid draws the success rate per bucket of every target that has a
// trend as a Mermaid xychart-beta (GitHub renders it in Markdown): one
// line per target, named in the chart only by its number (T1, T2, …) so
// that no target description, which is live and untrusted, reaches
// Mermaid's parser; the caller prints a legend table of the numbers. A
// bucket without attempts counts as 100% (nothing failed). "" when no
// target has a trend.
func Mermaid(hs []TargetHealth) string {
	var withTrend []TargetHealth
	for _, h := range hs {
		if h.Trend != nil && len(h.Trend.Buckets) > 0 {
			withTrend = append(withTrend, h)
		}
	}
	if len(withTrend) == 0 {
		return ""
	}
	tr := withTrend[0].Trend
	width := widthOf(tr)
	layout, per := "15h", "hour"
	switch {
	case width >= Week:
		// Weeks and longer may span years: the full date.
		layout, per = "2006-01-02", "week"
		if width > Week {
			per = fmt.Sprintf("%d weeks", width/Week)
		}
	case width >= 24*time.Hour:
		layout, per = "01-02", "day"
	}
	labels := make([]string, len(tr.Buckets))
	for i, bk := range tr.Buckets {
		labels[i] = `"` + bk.Start.UTC().Format(layout) + `"`
	}
	var b strings.Builder
	b.WriteString("```mermaid\nxychart-beta\n")
	fmt.Fprintf(&b, "    title \"Delivery success per %s (%%), UTC\"\n", per)
	fmt.Fprintf(&b, "    x-axis [%s]\n", strings.Join(labels, ", "))
	b.WriteString("    y-axis \"success %\" 0 --> 100\n")
	for _, h := range withTrend {
		vals := make([]string, 0, len(h.Trend.Buckets))
		for _, bk := range h.Trend.Buckets {
			rate := 100.0
			if bk.Attempts > 0 {
				rate = float64(bk.Successful) * 100 / float64(bk.Attempts)
			}
			vals = append(vals, fmt.Sprintf("%.0f", rate))
		}
		fmt.Fprintf(&b, "    line [%s]\n", strings.Join(vals, ", "))
	}
	b.WriteString("```\n")
	return b.String()
}
