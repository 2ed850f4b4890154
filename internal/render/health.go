package render

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/mdcode"
)

// The delivery-health renderers live here, beside the drift report that
// embeds them (DriftIssueMarkdown): package health computes the figures,
// these print them, with every piece of server-provided text made inert.

// HealthTable prints per-target health: attempts and their success rate,
// the events they belong to and how many were delivered, a sparkline of
// the trend when there is one, and the last failure.
func HealthTable(w io.Writer, hs []health.TargetHealth, minRate *float64) error {
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
			last = fmt.Sprintf("%s %s %s", health.FormatTime(h.LastFailure.AttemptedAt), h.LastFailure.Result, h.LastFailure.Detail())
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

// HealthText prints the report after the drift text; nil-safe.
func HealthText(w io.Writer, r *health.Report) error {
	if r == nil {
		return nil
	}
	fmt.Fprintf(w, "\nDelivery health (last %s, since %s; minimum success rate %.1f%%):\n", r.Window, health.FormatTime(r.Since), r.MinSuccessRate*100)
	if len(r.Targets) == 0 {
		fmt.Fprintln(w, "No managed targets in Plain to check.")
		return nil
	}
	if err := HealthTable(w, r.Targets, &r.MinSuccessRate); err != nil {
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

// HealthEvents prints one line per event and target, as the deliveries
// command lists them. Every server-provided text goes through inert.Text.
func HealthEvents(w io.Writer, es []health.EventRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAST ATTEMPT\tEVENT\tTYPE\tTARGET\tFIRST ATTEMPT\tATTEMPTS\tOUTCOME\tLAST FAILURE")
	for _, e := range es {
		last := "-"
		if e.LastFailure != nil {
			last = strings.TrimSpace(e.LastFailure.Result + " " + e.LastFailure.Detail())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", health.FormatTime(e.LastAttemptAt), inert.Text(e.EventID), inert.Text(e.EventType),
			inert.Text(e.Target), health.FormatTime(e.FirstAttemptAt), e.Attempts, e.OutcomeText(), inert.Text(last))
	}
	return tw.Flush()
}

// healthCell makes untrusted text one inert Markdown table cell: control
// characters escaped (inert.Text), then a code span whose pipes are
// escaped (mdcode.Cell), so that Markdown syntax, HTML and line breaks
// stay literal text. Raw <code>…</code> would not do: GitHub parses
// Markdown inside it in a table cell.
func healthCell(s string) string {
	return mdcode.Cell(inert.Text(s))
}

// MaxHealthMarkdown is the most bytes HealthMarkdown writes: a quarter of
// a GitHub comment (65,536 characters), the share DriftIssueMarkdown gives
// the health table too, so that the report fits a pull-request comment
// beside the plan and many workspaces' reports fit the 1 MiB step summary.
const MaxHealthMarkdown = 16 << 10

// HealthMarkdown is the report for a step summary or an issue: a table of
// targets, numbered T1, T2, … in the order of the chart's lines, then a
// Mermaid chart of success per bucket (see health.Mermaid) that names
// targets only by those numbers; within MaxHealthMarkdown bytes (see
// HealthMarkdownLimit). "" for a nil report.
func HealthMarkdown(r *health.Report) string { return HealthMarkdownLimit(r, MaxHealthMarkdown) }

// HealthMarkdownLimit is HealthMarkdown within limit bytes (0: no limit).
// Past the limit it leaves out the chart (and the T numbers), then table
// rows: those of healthy targets first, the LOW and SILENT ones last,
// saying how many in a note. Only a heading longer than limit (a huge
// window string) can exceed it.
func HealthMarkdownLimit(r *health.Report, limit int) string {
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
		rows[i] = healthRow(label, h)
	}
	full := head.String() + strings.Join(rows, "")
	if chart := health.Mermaid(r.Targets); chart != "" {
		full += "\nSuccess per bucket; the chart's lines follow T1, T2, … in order.\n\n" + chart
	}
	if limit <= 0 || len(full) <= limit {
		return full
	}

	// Without the chart, and the numbers that refer to it.
	for i, h := range r.Targets {
		rows[i] = healthRow("", h)
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
	bad := func(h health.TargetHealth) bool { return h.Silent || (h.Healthy != nil && !*h.Healthy) }
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

// healthRow is one target's row of the Markdown table.
func healthRow(label string, h health.TargetHealth) string {
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
	return fmt.Sprintf("| %s | %s | %d | %s | %d/%d | %s | %s |\n", label, healthCell(h.Name), h.Attempts, rate, h.Delivered, h.Events, h.Trend.Sparkline(), status)
}
