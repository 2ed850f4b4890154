package render

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/plain"
)

// The delivery-health renderers' tests, moved here with them from package
// health.

// healthAttemptAt is one attempt at at, successful or not.
func healthAttemptAt(at time.Time, ok bool) plain.DeliveryAttempt {
	r := plain.ResultFailedResponse
	if ok {
		r = plain.ResultSuccessfulResponse
	}
	return plain.DeliveryAttempt{ID: "whAttempt_01HD450N6X782MDTDBMS6Z14DJ", AttemptedAt: at, Result: r}
}

// healthNameCells parses md as GitHub does (CommonMark with the GFM extensions)
// and returns the text of each table row's target cell, failing when
// that cell is anything but one code span, when live text made a link,
// image, autolink or HTML anywhere, or when a fenced block other than the
// chart appears.
func healthNameCells(t *testing.T, md string) []string {
	t.Helper()
	src := []byte(md)
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
	var cells []string
	fenced := 0
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *extast.TableRow:
			cell := n.FirstChild().NextSibling()
			if cell == nil {
				t.Errorf("a table row without a target cell:\n%s", md)
				return ast.WalkContinue, nil
			}
			if cell.ChildCount() != 1 || cell.FirstChild().Kind() != ast.KindCodeSpan {
				t.Errorf("a target cell is not one code span: %q", healthCellText(cell, src))
			}
			cells = append(cells, healthCellText(cell, src))
		case *ast.Link, *ast.Image, *ast.AutoLink, *ast.RawHTML, *ast.HTMLBlock:
			t.Errorf("the health Markdown has a %s from live text:\n%s", n.Kind(), md)
		case *ast.FencedCodeBlock:
			if fenced++; fenced > 1 || string(n.Language(src)) != "mermaid" {
				t.Errorf("a fenced block other than the chart:\n%s", md)
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cells
}

// healthCellText is the text of n's descendants.
func healthCellText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(t.Segment.Value(src))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// A target name in the health table is only text: it goes into a code
// span (raw <code>…</code> would not do, since GitHub parses Markdown
// inside it), so a live name never becomes a link or a tracking-pixel
// image in the step summary or drift issue, and is still shown whole.
func TestHealthMarkdownNameIsOnlyText(t *testing.T) {
	for _, evil := range []string{
		"[click](https://evil.example/x)",
		"![img](https://evil.example/pixel.png)",
		"<https://evil.example/angle>",
		"see https://evil.example/bare and www.evil.example",
		"`[tick](https://evil.example/t)`",
		"a | b ``` c",
		"<img src=https://evil.example/p.png>",
		" padded ",
	} {
		r := &health.Report{Window: "24h0m0s", MinSuccessRate: 0.9, Targets: []health.TargetHealth{{
			TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Name: evil, Attempts: 1, Successful: 1,
		}}}
		md := HealthMarkdown(r)
		if cells := healthNameCells(t, md); len(cells) != 1 || cells[0] != evil {
			t.Errorf("name %q: target cells %q, want the name whole:\n%s", evil, cells, md)
		}
	}
}

// bigHealthReport has n targets with a 60-day trend each; every tenth is below
// the minimum and every seventh silent.
func bigHealthReport(n int) *health.Report {
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	since := now.Add(-60 * 24 * time.Hour)
	r := &health.Report{Window: "1440h0m0s", MinSuccessRate: 0.9, MaxSilence: "6h0m0s"}
	for i := range n {
		ok := i%10 != 0
		rate := 1.0
		if !ok {
			rate = 0.5
			r.Unhealthy++
		}
		th := health.TargetHealth{TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Name: fmt.Sprintf("target-%04d", i), Attempts: 2, Successful: 1,
			SuccessRate: &rate, Healthy: &ok, Silent: i%7 == 0,
			Trend: health.NewTrend([]plain.DeliveryAttempt{healthAttemptAt(now, true), healthAttemptAt(since.Add(time.Hour), false)}, since, now)}
		if th.Silent {
			r.Silent++
		}
		r.Targets = append(r.Targets, th)
	}
	return r
}

// The health Markdown stays within MaxHealthMarkdown however many targets a
// workspace has: first without the chart, then without rows of healthy
// targets, saying so; LOW and SILENT targets keep their rows longest.
func TestHealthMarkdownWithinBudget(t *testing.T) {
	small := HealthMarkdown(bigHealthReport(3))
	if !strings.Contains(small, "```mermaid") || !strings.Contains(small, "| T1 | `target-0000` |") || strings.Contains(small, "left out") {
		t.Errorf("a small report is not whole:\n%s", small)
	}

	mid := bigHealthReport(40)
	if full := HealthMarkdownLimit(mid, 0); len(full) <= MaxHealthMarkdown {
		t.Fatalf("the 40-target report is %d bytes: too small to test the budget", len(full))
	}
	md := HealthMarkdown(mid)
	if len(md) > MaxHealthMarkdown || strings.Contains(md, "```mermaid") || !strings.Contains(md, "The chart is left out") {
		t.Errorf("40 targets: %d bytes, want the table without the chart:\n%s", len(md), md)
	}
	if cells := healthNameCells(t, md); len(cells) != 40 || strings.Contains(md, "| T1 |") {
		t.Errorf("40 targets: %d rows (want all 40, without T numbers)", len(cells))
	}

	big := bigHealthReport(3000)
	md = HealthMarkdown(big)
	if len(md) > MaxHealthMarkdown {
		t.Errorf("3000 targets: %d bytes, over %d", len(md), MaxHealthMarkdown)
	}
	cells := healthNameCells(t, md)
	shown := map[string]bool{}
	for _, c := range cells {
		shown[c] = true
	}
	bad, badShown := 0, 0
	for _, h := range big.Targets {
		if h.Silent || !*h.Healthy {
			bad++
			if shown[h.Name] {
				badShown++
			}
		}
	}
	if badShown != min(bad, len(cells)) {
		t.Errorf("3000 targets: %d of %d LOW or SILENT targets shown in %d rows; they should come first", badShown, bad, len(cells))
	}
	want := fmt.Sprintf("The chart and %d more target(s) (%d of them LOW or SILENT) are left out", 3000-len(cells), bad-badShown)
	if !strings.Contains(md, want) {
		t.Errorf("3000 targets: the note lacks %q:\n%s", want, md[max(0, len(md)-400):])
	}
	// Rows keep the table's order.
	for i := 1; i < len(cells); i++ {
		if cells[i-1] >= cells[i] {
			t.Errorf("rows out of order: %q before %q", cells[i-1], cells[i])
			break
		}
	}
	if got := HealthMarkdownLimit(big, 2000); len(got) > 2000 {
		t.Errorf("HealthMarkdownLimit(2000): %d bytes", len(got))
	}
}

func TestReportMarkdown(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	low, ok := false, true
	rate := 0.5
	tr := health.NewTrend([]plain.DeliveryAttempt{healthAttemptAt(now.Add(-time.Minute), false), healthAttemptAt(now.Add(-2*time.Minute), true)}, now.Add(-2*time.Hour), now)
	r := &health.Report{Window: "2h0m0s", MinSuccessRate: 0.9, Unhealthy: 1, Silent: 1, MaxSilence: "6h0m0s", Targets: []health.TargetHealth{
		{Name: "crm | <b>evil</b>\n```", Attempts: 2, Successful: 1, SuccessRate: &rate, Healthy: &low, Trend: tr},
		{Name: "quiet", Healthy: &ok, Silent: true, Trend: health.NewTrend(nil, now.Add(-2*time.Hour), now)},
	}}
	md := HealthMarkdown(r)
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
	if cells := healthNameCells(t, md); len(cells) != 2 || cells[0] != "crm | <b>evil</b>\\x0a```" || cells[1] != "quiet" {
		t.Errorf("target cells %q; hostile name escaped badly:\n%s", cells, md)
	}
}

// The health table shows the events delivered beside the attempts
// (moved from health's TestSummarizeCountsEventsDelivered, which computes
// the same health).
func TestHealthTableCountsEventsDelivered(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	const target, event = "whTarget_01HD4400VTDJQ646V6RY37SR7K", "pEv_01HD450JT0RPBT7RRKS1ZQJYBA"
	var as []plain.DeliveryAttempt
	for _, a := range []struct {
		i      int
		offset time.Duration
		result string
	}{
		{2, 40 * time.Second, plain.ResultSuccessfulResponse},
		{1, 10 * time.Second, plain.ResultFailedResponse},
		{0, 0, plain.ResultFailedResponse},
	} {
		status := 500
		if a.result == plain.ResultSuccessfulResponse {
			status = 200
		}
		as = append(as, plain.DeliveryAttempt{
			ID:              "whAttempt_01HD450N6X782MDTDBMS6Z14D" + string("0123456789ABCDEFGHJKMNPQRS"[a.i]),
			WebhookTargetID: target, PublicEventID: event, EventType: "thread.thread_created",
			AttemptedAt: now.Add(a.offset), Result: a.result, HTTPStatusCode: status,
		})
	}
	h := health.Summarize(target, "crm-sync", as, false, func(s string) string { return s })
	var b strings.Builder
	if err := HealthTable(&b, []health.TargetHealth{h}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "EVENTS DELIVERED") || !strings.Contains(b.String(), "33.3%") || !strings.Contains(b.String(), "1/1") {
		t.Errorf("table:\n%s", b.String())
	}
}
