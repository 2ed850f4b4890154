package render

import (
	"fmt"
	"github.com/plainsync/plainsync/internal/inert"
	"io"
	"strings"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/health"
)

// DriftMarkdown writes the drift report as Markdown for a GitHub step
// summary or an issue body: a heading, the verdict, a table of drifted,
// missing and unmanaged targets, warnings, and a collapsible diff per
// target. It judges drift exactly as Drift does and, like Markdown, stays
// within MaxMarkdown.
func DriftMarkdown(w io.Writer, p *diff.Plan) error {
	if p == nil {
		return fmt.Errorf("render drift as Markdown: no plan")
	}
	s := driftMarkdown(display(p), MaxMarkdown)
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("render drift as Markdown: %w", err)
	}
	return nil
}

// DriftIssueMarkdown is the body drift --github-issue keeps in a
// workspace's issue: the DriftMarkdown report (deletes first) and, when
// drift checked delivery health (hr non-nil), the health table in a code
// block, all within MaxMarkdown.
func DriftIssueMarkdown(w io.Writer, p *diff.Plan, hr *health.Report) error {
	if p == nil {
		return fmt.Errorf("render drift issue: no plan")
	}
	var hb strings.Builder
	if hr != nil {
		if err := HealthText(&hb, hr); err != nil {
			return fmt.Errorf("render drift issue: %w", err)
		}
	}
	healthMD := ""
	if text := strings.TrimSpace(hb.String()); text != "" {
		f := fence(text)
		healthMD = "#### Delivery health\n\n" + f + "text\n" + text + "\n" + f + "\n"
		if len(healthMD) > MaxMarkdown/4 {
			healthMD = "#### Delivery health\n\nThe health table is too large for the issue; run `plainsync drift --health-window " + hr.Window + "` to see it.\n"
		}
	}
	s := driftMarkdown(display(p), MaxMarkdown-len(healthMD)-2) + "\n" + healthMD
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("render drift issue: %w", err)
	}
	return nil
}

// driftKind classifies a change for the drift report; "" means it is not
// listed (unchanged, or protected by an ignore rule).
func driftKind(ch diff.Change) string {
	switch {
	case ch.Action == diff.ActionUpdate:
		return "drifted"
	case ch.Action == diff.ActionCreate:
		return "missing"
	case ch.Action == diff.ActionDelete, ch.Action == diff.ActionUnmanaged && !ch.Ignored:
		return "unmanaged"
	}
	return ""
}

func driftMarkdown(m *diff.Plan, limit int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### plainsync drift for %s\n\n", mdHeader(m))
	var listed []diff.Change
	counts := map[string]int{}
	// Deletes first (display order), as in the plan's comment.
	for _, ch := range displayOrder(m.Changes) {
		if k := driftKind(ch); k != "" {
			listed = append(listed, ch)
			counts[k]++
		}
	}
	if InSync(m) {
		fmt.Fprintf(&b, "**In sync.** Live targets match the file (%s).\n\n", plural(m.Counts().Unchanged, "managed target"))
	} else {
		fmt.Fprintf(&b, "**Drift: %d drifted, %d missing, %d unmanaged.** In the diffs, `-` is live and `+` is the file; run `plainsync plan` to see what apply would change.\n\n",
			counts["drifted"], counts["missing"], counts["unmanaged"])
	}
	if len(m.Warnings) > 0 {
		b.WriteString("> [!WARNING]\n")
		for _, w := range m.Warnings {
			fmt.Fprintf(&b, "> %s\n", span(inert.Text(w.String())))
		}
		b.WriteString("\n")
	}
	if len(listed) == 0 {
		return clip(b.String(), limit)
	}
	b.WriteString("| | drift | name | id | details |\n| --- | --- | --- | --- | --- |\n")
	for _, ch := range listed {
		details := fieldNames(ch)
		switch {
		case ch.Action == diff.ActionCreate:
			details = "in the file, not in Plain"
		case ch.Action == diff.ActionDelete:
			details = "not in the file; prune would delete it"
		case ch.Action == diff.ActionUnmanaged:
			details = "not in the file; kept, since prune is off"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdIcons[ch.Action], driftKind(ch), cellSpan(ch.Name), cellSpan(ch.TargetID), details)
	}
	b.WriteString("\n")
	// Details go last and only while they fit, so that a huge report
	// keeps its whole table and never ends inside a code fence.
	const reserve = 400
	shown := 0
	for _, ch := range listed {
		body := strings.Join(diffLines(ch), "\n")
		f := fence(body)
		d := fmt.Sprintf("<details><summary>%s %s %s</summary>\n\n%sdiff\n%s\n%s\n\n</details>\n\n",
			mdIcons[ch.Action], driftKind(ch), htmlCode(ch.Name), f, body, f)
		if b.Len()+len(d) > limit-reserve {
			break
		}
		b.WriteString(d)
		shown++
	}
	if shown < len(listed) {
		fmt.Fprintf(&b, "> [!NOTE]\n> Truncated to fit GitHub's %d-character limit: %d of %d targets with details. Run `plainsync drift` for the full report.\n",
			limit, shown, len(listed))
	}
	return clip(b.String(), limit)
}
