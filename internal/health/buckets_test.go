package health

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

func attemptAt(at time.Time, ok bool) plain.DeliveryAttempt {
	r := plain.ResultFailedResponse
	if ok {
		r = plain.ResultSuccessfulResponse
	}
	return plain.DeliveryAttempt{ID: "whAttempt_01HD450N6X782MDTDBMS6Z14DJ", AttemptedAt: at, Result: r}
}

func TestNewTrend(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	as := []plain.DeliveryAttempt{
		attemptAt(now.Add(-10*time.Minute), true),  // 12:20
		attemptAt(now.Add(-20*time.Minute), false), // 12:10
		attemptAt(now.Add(-2*time.Hour), true),     // 10:30
		attemptAt(now.Add(-5*time.Hour), true),     // outside a 3h window
	}
	tests := []struct {
		name   string
		window time.Duration
		width  string
		counts string // attempts/successful per bucket
		spark  string
	}{
		{"3h is hourly", 3 * time.Hour, "1h", "0/0 1/1 0/0 2/1", "·█·▄"},
		{"48h is hourly", 48 * time.Hour, "1h", "", ""},
		{"72h is daily", 72 * time.Hour, "24h", "0/0 0/0 0/0 4/3", "···▆"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTrend(as, now.Add(-tt.window), now)
			if tr.Width != tt.width {
				t.Errorf("width %s, want %s", tr.Width, tt.width)
			}
			if tt.counts == "" {
				if len(tr.Buckets) != 49 {
					t.Errorf("%d buckets, want 49", len(tr.Buckets))
				}
				return
			}
			var got []string
			for _, b := range tr.Buckets {
				got = append(got, itoa(b.Attempts)+"/"+itoa(b.Successful))
				if b.Start.Minute() != 0 || b.Start.Location() != time.UTC {
					t.Errorf("bucket start %s not aligned", b.Start)
				}
			}
			if strings.Join(got, " ") != tt.counts {
				t.Errorf("buckets %v, want %s", got, tt.counts)
			}
			if s := tr.Sparkline(); s != tt.spark {
				t.Errorf("sparkline %q, want %q", s, tt.spark)
			}
		})
	}
	if NewTrend(nil, time.Time{}, now) != nil {
		t.Error("no window and no attempts should make no trend")
	}
	if tr := NewTrend(as[:1], time.Time{}, now); tr == nil || len(tr.Buckets) != 1 || tr.Buckets[0].Attempts != 1 {
		t.Errorf("a zero since starts at the oldest attempt: %+v", tr)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// However long the window, a trend has at most MaxBuckets buckets: hourly
// up to 48h, daily up to 60 days, weekly up to 60 weeks, then whole weeks
// wide enough; each bucket aligned to its width.
func TestTrendBucketsAreBounded(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, tc := range []struct {
		window time.Duration
		width  string
	}{
		{48 * time.Hour, "1h"},
		{49 * time.Hour, "24h"},
		{60 * day, "24h"},
		{60*day + time.Hour, "168h"},
		{420 * day, "168h"},
		{421 * day, "336h"},
		{2000000 * time.Hour, "33432h"}, // 199 weeks
		{math.MaxInt64, "42840h"},       // the longest --health-window: 255 weeks
	} {
		since := now.Add(-tc.window)
		as := []plain.DeliveryAttempt{attemptAt(since.Add(time.Second), true), attemptAt(now, false)}
		tr := NewTrend(as, since, now)
		if tr.Width != tc.width {
			t.Errorf("window %s: width %s, want %s", tc.window, tr.Width, tc.width)
		}
		if n := len(tr.Buckets); n > MaxBuckets || n < 2 {
			t.Errorf("window %s: %d buckets, want 2..%d", tc.window, n, MaxBuckets)
		}
		w := BucketWidth(tc.window)
		for _, b := range tr.Buckets {
			if !b.Start.Equal(b.Start.Truncate(w)) {
				t.Errorf("window %s: bucket %s not aligned to %s", tc.window, b.Start, w)
			}
		}
		first, last := tr.Buckets[0], tr.Buckets[len(tr.Buckets)-1]
		if first.Attempts != 1 || first.Successful != 1 || last.Attempts != 1 || last.Successful != 0 {
			t.Errorf("window %s: first bucket %+v, last %+v: the window's ends are not counted", tc.window, first, last)
		}
	}
	// An attempt Plain dates at year 1 (untrusted data; deliveries starts
	// at the oldest attempt) still makes a bounded trend.
	if tr := NewTrend([]plain.DeliveryAttempt{attemptAt(time.Time{}.Add(time.Hour), true)}, time.Time{}, now); tr == nil || len(tr.Buckets) > MaxBuckets {
		t.Errorf("an attempt at year 1: %d buckets", len(tr.Buckets))
	}
	// Weekly buckets start on Monday.
	if tr := NewTrend(nil, now.Add(-100*day), now); tr.Buckets[0].Start.Weekday() != time.Monday {
		t.Errorf("weekly bucket starts on %s", tr.Buckets[0].Start.Weekday())
	}
}

// The chart of a long window names weeks by their full date.
func TestMermaidWeeks(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	for window, want := range map[time.Duration]string{
		100 * 24 * time.Hour: `title "Delivery success per week (%), UTC"`,
		500 * 24 * time.Hour: `title "Delivery success per 2 weeks (%), UTC"`,
		10 * 24 * time.Hour:  `title "Delivery success per day (%), UTC"`,
	} {
		out := Mermaid([]TargetHealth{{Name: "crm", Trend: NewTrend(nil, now.Add(-window), now)}})
		if !strings.Contains(out, want) {
			t.Errorf("window %s: chart lacks %q:\n%s", window, want, out)
		}
		if window == 100*24*time.Hour && !strings.Contains(out, `"2026-11-16"`) {
			t.Errorf("window %s: weeks not labelled by date (Monday 2026-11-16):\n%s", window, out)
		}
	}
}

// The chart carries numbers and times only: a hostile description never
// reaches Mermaid.
func TestMermaidIsInert(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	tr := NewTrend([]plain.DeliveryAttempt{attemptAt(now.Add(-time.Minute), false), attemptAt(now.Add(-2*time.Minute), true)}, now.Add(-2*time.Hour), now)
	hostile := "evil\"]\n```\n<script>alert(1)</script> %%{init: {}}%%"
	out := Mermaid([]TargetHealth{{Name: hostile, Trend: tr}, {Name: "no trend"}})
	for _, want := range []string{"```mermaid\nxychart-beta\n", `x-axis ["10h", "11h", "12h"]`, "line [100, 100, 50]", "y-axis \"success %\" 0 --> 100"} {
		if !strings.Contains(out, want) {
			t.Errorf("chart lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "evil") || strings.Contains(out, "script") || strings.Count(out, "line [") != 1 {
		t.Errorf("chart:\n%s", out)
	}
	if Mermaid([]TargetHealth{{Name: "x"}}) != "" {
		t.Error("no trends should draw no chart")
	}
}
