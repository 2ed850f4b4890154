package health

import (
	"fmt"
	"strings"

	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/mdcode"
)

// mdCell makes untrusted text one inert Markdown table cell: control
// characters escaped (inert.Text), then a code span whose pipes are
// escaped (mdcode.Cell), so that Markdown syntax, HTML and line breaks
// stay literal text. Raw <code>…</code> would not do: GitHub parses
// Markdown inside it in a table cell.
func mdCell(s string) string {
	return mdcode.Cell(inert.Text(s))
}

// Markdown is the report for a step summary or an issue: a table of
// targets, numbered T1, T2, … in the order of the chart's lines, then a
// Mermaid chart of success per bucket (see Mermaid) that names targets
// only by those numbers. "" for a nil report.
func (r *Report) Markdown() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#### Delivery health (last %s, minimum success rate %.1f%%", r.Window, r.MinSuccessRate*100)
	if r.MaxSilence != "" {
		fmt.Fprintf(&b, ", silent after %s", r.MaxSilence)
	}
	b.WriteString(")\n\n")
	if len(r.Targets) == 0 {
		b.WriteString("No managed targets in Plain to check.\n")
		return b.String()
	}
	switch {
	case r.Unhealthy > 0 || r.Silent > 0:
		fmt.Fprintf(&b, "**%d target(s) below the minimum success rate, %d silent.**\n\n", r.Unhealthy, r.Silent)
	default:
		b.WriteString("**All targets healthy.**\n\n")
	}
	b.WriteString("| | target | attempts | success | events delivered | trend | status |\n| --- | --- | ---: | ---: | ---: | --- | --- |\n")
	n := 0
	for _, h := range r.Targets {
		label := ""
		if h.Trend != nil && len(h.Trend.Buckets) > 0 {
			n++
			label = fmt.Sprintf("T%d", n)
		}
		rate := "-"
		if h.SuccessRate != nil {
			rate = fmt.Sprintf("%.1f%%", *h.SuccessRate*100)
		}
		status := "ok"
		switch {
		case h.Healthy != nil && !*h.Healthy:
			status = "**LOW**"
		case h.Silent:
			status = "**SILENT**"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %d/%d | %s | %s |\n", label, mdCell(h.Name), h.Attempts, rate, h.Delivered, h.Events, h.Trend.Sparkline(), status)
	}
	if chart := Mermaid(r.Targets); chart != "" {
		b.WriteString("\nSuccess per bucket; the chart's lines follow T1, T2, … in order.\n\n")
		b.WriteString(chart)
	}
	return b.String()
}
