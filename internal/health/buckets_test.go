package health

import (
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

func TestReportMarkdown(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	low, ok := false, true
	rate := 0.5
	tr := NewTrend([]plain.DeliveryAttempt{attemptAt(now.Add(-time.Minute), false), attemptAt(now.Add(-2*time.Minute), true)}, now.Add(-2*time.Hour), now)
	r := &Report{Window: "2h0m0s", MinSuccessRate: 0.9, Unhealthy: 1, Silent: 1, MaxSilence: "6h0m0s", Targets: []TargetHealth{
		{Name: "crm | <b>evil</b>\n```", Attempts: 2, Successful: 1, SuccessRate: &rate, Healthy: &low, Trend: tr},
		{Name: "quiet", Healthy: &ok, Silent: true, Trend: NewTrend(nil, now.Add(-2*time.Hour), now)},
	}}
	md := r.Markdown()
	for _, want := range []string{
		"#### Delivery health (last 2h0m0s, minimum success rate 90.0%, silent after 6h0m0s)",
		"| T1 | ```` crm \\| <b>evil</b>\\x0a``` ```` | 2 | 50.0% | 0/0 | ··▄ | **LOW** |",
		"| T2 | `quiet` | 0 | - | 0/0 | ··· | **SILENT** |",
		"```mermaid\nxychart-beta\n", "line [100, 100, 50]\n    line [100, 100, 100]\n```",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// Parsed as GitHub does, the name is one code span in its cell and
	// the only fenced block is the chart.
	if cells := nameCells(t, md); len(cells) != 2 || cells[0] != "crm | <b>evil</b>\\x0a```" || cells[1] != "quiet" {
		t.Errorf("target cells %q; hostile name escaped badly:\n%s", cells, md)
	}
}
