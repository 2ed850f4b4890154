package health

import (
	"fmt"
	"sort"
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

// MaxMarkdown is the most bytes Markdown writes: a quarter of a GitHub
// comment (65,536 characters), the share render.DriftIssueMarkdown gives
// the health table too, so that the report fits a pull-request comment
// beside the plan and many workspaces' reports fit the 1 MiB step summary.
const MaxMarkdown = 16 << 10

// Markdown is the report for a step summary or an issue: a table of
// targets, numbered T1, T2, … in the order of the chart's lines, then a
// Mermaid chart of success per bucket (see Mermaid) that names targets
// only by those numbers; within MaxMarkdown bytes (see MarkdownLimit).
// "" for a nil report.
func (r *Report) Markdown() string { return r.MarkdownLimit(MaxMarkdown) }

// MarkdownLimit is Markdown within limit bytes (0: no limit). Past the
// limit it leaves out the chart (and the T numbers), then table rows:
// those of healthy targets first, the LOW and SILENT ones last, saying how
// many in a note. Only a heading longer than limit (a huge window
// string) can exceed it.
func (r *Report) MarkdownLimit(limit int) string {
	if r == nil {
		return ""
	}
	var head strings.Builder
	fmt.Fprintf(&head, "#### Delivery health (last %s, minimum success rate %.1f%%", inert.Text(r.Window), r.MinSuccessRate*100)
	if r.MaxSilence != "" {
		fmt.Fprintf(&head, ", silent after %s", inert.Text(r.MaxSilence))
	}
	head.WriteString(")\n\n")
	if len(r.Targets) == 0 {
		head.WriteString("No managed targets in Plain to check.\n")
		return head.String()
	}
	switch {
	case r.Unhealthy > 0 || r.Silent > 0:
		fmt.Fprintf(&head, "**%d target(s) below the minimum success rate, %d silent.**\n\n", r.Unhealthy, r.Silent)
	default:
		head.WriteString("**All targets healthy.**\n\n")
	}
	head.WriteString("| | target | attempts | success | events delivered | trend | status |\n| --- | --- | ---: | ---: | ---: | --- | --- |\n")

	// The whole report, when it fits.
	rows := make([]string, len(r.Targets))
	n := 0
	for i, h := range r.Targets {
		label := ""
		if h.Trend != nil && len(h.Trend.Buckets) > 0 {
			n++
			label = fmt.Sprintf("T%d", n)
		}
		rows[i] = mdRow(label, h)
	}
	full := head.String() + strings.Join(rows, "")
	if chart := Mermaid(r.Targets); chart != "" {
		full += "\nSuccess per bucket; the chart's lines follow T1, T2, … in order.\n\n" + chart
	}
	if limit <= 0 || len(full) <= limit {
		return full
	}

	// Without the chart, and the numbers that refer to it.
	for i, h := range r.Targets {
		rows[i] = mdRow("", h)
	}
	const chartNote = "\n_The chart is left out to keep the report within GitHub's size limits; `-o json` has every bucket._\n"
	if s := head.String() + strings.Join(rows, "") + chartNote; len(s) <= limit {
		return s
	}

	// As many rows as fit, LOW and SILENT targets first, in table order.
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	bad := func(h TargetHealth) bool { return h.Silent || (h.Healthy != nil && !*h.Healthy) }
	sort.SliceStable(order, func(a, b int) bool { return bad(r.Targets[order[a]]) && !bad(r.Targets[order[b]]) })
	note := func(left, leftBad int) string {
		return fmt.Sprintf("\n_The chart and %d more target(s) (%d of them LOW or SILENT) are left out to keep the report within GitHub's size limits; `plainsync drift` lists them all._\n", left, leftBad)
	}
	keep := make([]bool, len(rows))
	size := head.Len() + len(note(len(rows), len(rows)))
	for _, i := range order {
		if size+len(rows[i]) <= limit {
			keep[i] = true
			size += len(rows[i])
		}
	}
	var b strings.Builder
	b.WriteString(head.String())
	left, leftBad := 0, 0
	for i, row := range rows {
		switch {
		case keep[i]:
			b.WriteString(row)
		case bad(r.Targets[i]):
			left, leftBad = left+1, leftBad+1
		default:
			left++
		}
	}
	b.WriteString(note(left, leftBad))
	return b.String()
}

// mdRow is one target's row of the Markdown table.
func mdRow(label string, h TargetHealth) string {
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
	return fmt.Sprintf("| %s | %s | %d | %s | %d/%d | %s | %s |\n", label, mdCell(h.Name), h.Attempts, rate, h.Delivered, h.Events, h.Trend.Sparkline(), status)
}
