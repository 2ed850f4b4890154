package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
)

// Text writes the plan for a terminal: a header naming the file and the
// workspace, a warning naming every deleted target, one block per delete,
// update and create (in that order) with field-level before → after, the
// unmanaged targets, warnings, and the Summary line.
// Unchanged targets are only counted.
func Text(w io.Writer, p *diff.Plan, o Options) error {
	if p == nil {
		return fmt.Errorf("render plan: no plan")
	}
	m := display(p)
	c := painter(o.Color)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\n", c.paint(ansiBold, "Plan for "+header(m)))
	if line := ScopeLine(m); line != "" {
		bw.WriteString(line + "\n")
	}
	shown := displayOrder(m.Changes)
	if names := deletedNames(shown); len(names) > 0 {
		for i, n := range names {
			names[i] = quote(n)
		}
		fmt.Fprintf(bw, "\n%s\n", c.paint(ansiRed+ansiBold, fmt.Sprintf("WARNING: this plan deletes %s: %s. A deleted target stops receiving events at once; this cannot be undone.",
			plural(len(names), "webhook target"), strings.Join(names, ", "))))
	}
	for _, ch := range shown {
		bw.WriteString("\n")
		for _, l := range changeLines(ch, c) {
			bw.WriteString(l)
			bw.WriteByte('\n')
		}
	}
	writeWarnings(bw, m, c)
	bw.WriteString("\n")
	if !m.HasChanges() {
		bw.WriteString("No changes. Live targets match the file.\n")
	}
	fmt.Fprintf(bw, "%s\n", c.paint(ansiBold, Summary(m)))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render plan: %w", err)
	}
	return nil
}

// ScopeLine says what a scoped plan leaves out, or "" for a file that owns
// its whole workspace.
func ScopeLine(p *diff.Plan) string { return scopeLine(p, bare) }

// scopeLine is ScopeLine with each glob rendered by format.
func scopeLine(p *diff.Plan, format func(string) string) string {
	if len(p.Scope) == 0 {
		return ""
	}
	globs := make([]string, len(p.Scope))
	for i, g := range p.Scope {
		globs[i] = format(g)
	}
	line := "Scope: " + strings.Join(globs, ", ")
	switch p.OutOfScope {
	case 0:
	case 1:
		line += " (1 live target outside it is left alone)"
	default:
		line += fmt.Sprintf(" (%d live targets outside it are left alone)", p.OutOfScope)
	}
	return line
}

func writeWarnings(bw *bufio.Writer, m *diff.Plan, c painter) {
	if len(m.Warnings) == 0 {
		return
	}
	bw.WriteString("\n" + c.paint(ansiYellow, "Warnings:") + "\n")
	for _, w := range m.Warnings {
		fmt.Fprintf(bw, "  %s\n", inert.Text(w.String()))
	}
}

// title is a change's first line: `+ create "name"`, `~ update "name"
// (whTarget_…)` and so on. verb is "" for the drift report's shorter form.
func title(ch diff.Change, c painter) string {
	var sym, code, verb string
	switch ch.Action {
	case diff.ActionCreate:
		sym, code, verb = "+", ansiGreen, "create"
	case diff.ActionUpdate:
		sym, code, verb = "~", ansiYellow, "update"
	case diff.ActionDelete:
		sym, code, verb = "-", ansiRed, "delete"
	case diff.ActionNoop:
		sym, code, verb = "=", "", "unchanged"
	default:
		sym, code, verb = "?", ansiCyan, "unmanaged"
	}
	s := sym + " " + verb + " " + quote(ch.Name)
	if ch.TargetID != "" {
		s += " (" + ch.TargetID + ")"
	}
	switch {
	case ch.DuplicateOf != "":
		s = sym + " remove duplicate " + quote(ch.Name) + " (" + ch.TargetID + "), an exact copy of " + ch.DuplicateOf + ", which is kept"
	case ch.Ignored:
		s += " (ignored)"
	case ch.Protected:
		s += " (protected: apply needs --allow-destroy " + quote(ch.Name) + ")"
	case ch.Action == diff.ActionUpdate && ch.MatchedBy == diff.MatchedByURL:
		s += ", matched by URL"
	}
	if ch.LookalikeOf != "" {
		s += ", looks like the managed name " + quote(ch.LookalikeOf) + " but is different text (see the warnings)"
	}
	return c.paint(code, s)
}

// changeLines renders one change: its title and its indented fields.
func changeLines(ch diff.Change, c painter) []string {
	lines := []string{title(ch, c)}
	add := func(label, value string) {
		lines = append(lines, fmt.Sprintf("    %-12s %s", label+":", value))
	}
	plus := func(s string) string { return c.paint(ansiGreen, "+ "+s) }
	minus := func(s string) string { return c.paint(ansiRed, "- "+s) }
	switch ch.Action {
	case diff.ActionCreate:
		if ch.After == nil {
			break
		}
		add("url", quote(ch.After.URL))
		summary, hasGlob := eventSummary(ch)
		add("events", summary)
		if hasGlob {
			for _, t := range ch.After.EventTypes {
				lines = append(lines, "        "+plus(t))
			}
		}
		add("version", versionText(ch.After.Version))
		add("enabled", fmt.Sprint(ch.After.Enabled))
	case diff.ActionUpdate:
		for _, f := range ch.Fields {
			switch {
			case f.Field == diff.FieldEvents:
				add("events", fmt.Sprintf("%s added, %s removed", plural(len(f.Added), "type"), plural(len(f.Removed), "type")))
				for _, t := range f.Added {
					lines = append(lines, "        "+plus(t))
				}
				for _, t := range f.Removed {
					lines = append(lines, "        "+minus(t))
				}
			case f.Field == diff.FieldURL && f.OnlySecrets:
				// A rotated token: the URL's shape is all there is to show.
				add(f.Field, c.paint(ansiYellow, quote(f.After)))
			case useInline(f):
				add(f.Field, inlineDiff(f.Before, f.After, c))
			case f.Field == diff.FieldEnabled:
				add(f.Field, c.paint(ansiRed, f.Before)+" → "+c.paint(ansiGreen, f.After))
			default:
				add(f.Field, c.paint(ansiRed, quote(f.Before))+" → "+c.paint(ansiGreen, quote(f.After)))
			}
		}
	case diff.ActionDelete, diff.ActionUnmanaged:
		if ch.Before != nil {
			add("url", quote(ch.Before.URL))
		}
	}
	return lines
}
