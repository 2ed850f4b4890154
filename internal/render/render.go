// Package render shows a diff.Plan to people and programs: human text for
// terminals, a stable JSON shape, Markdown for pull-request comments and
// step summaries, and the drift report of `plainsync drift`.
//
// Every renderer works on masked(p), so every string it prints has
// passed through p.Secrets.Mask: interpolated secrets appear as their
// ${NAME} reference, never as values. The human-readable ones also make
// every string inert first (see display).
package render

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
)

// Options tune the human renderers.
type Options struct {
	// Color adds ANSI colours; the CLI sets it on a terminal without
	// NO_COLOR.
	Color bool
}

// Summary is the one-line tally of a plan, e.g.
// "Plan: 2 to create, 1 to update, 1 to delete, 3 unchanged, 1 unmanaged."
func Summary(p *diff.Plan) string {
	if p == nil {
		return "Plan: nothing to do."
	}
	c := p.Counts()
	return fmt.Sprintf("Plan: %d to create, %d to update, %d to delete, %d unchanged, %d unmanaged.",
		c.Create, c.Update, c.Delete, c.Unchanged, c.Unmanaged)
}

// longString is the length from which a changed description or URL is
// shown as an inline diff rather than as "before" → "after": short values
// read best whole, long ones (URLs with query strings) are hard to compare
// by eye.
const longString = 40

// ANSI colours.
const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiBold   = "\x1b[1m"
)

// painter applies colours only when enabled.
type painter bool

func (c painter) paint(code, s string) string {
	if !c || s == "" {
		return s
	}
	return code + s + ansiReset
}

// quote renders a (masked, inert) string for a field line in quotes, so
// that spaces and empty strings are visible; display has already escaped
// its control characters.
func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// bare is s as it stands: display has already escaped it.
func bare(s string) string { return s }

// display is the plan every human-readable renderer prints: masked, then
// every string made inert (control characters escaped, no line able to
// start a GitHub workflow command), because descriptions, URLs, event
// types and names come from Plain or the file, not from plainsync. JSON
// output uses masked instead: its encoder escapes control characters
// and consumers need the values exactly.
func display(p *diff.Plan) *diff.Plan {
	if p == nil {
		return nil
	}
	q, _ := diff.MapStrings(masked(p), func(s string) (string, error) { return inert.Text(s), nil })
	return q
}

// masked returns a deep copy of p with every string passed through
// p.Secrets.Mask and every URL's secret parts redacted (diff.RedactURLs):
// what renderers print. Secrets is carried over.
func masked(p *diff.Plan) *diff.Plan {
	if p == nil {
		return nil
	}
	q, _ := diff.MapStrings(p, func(s string) (string, error) { return p.Secrets.Mask(s), nil })
	diff.RedactURLs(q)
	return q
}

// inlineDiff renders before → after as one string with deletions and
// insertions marked: [-old-]{+new+} without colour, red and green with it.
// Both inputs are already masked, so no segment can split a secret.
func inlineDiff(before, after string, c painter) string {
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffMain(before, after, false)
	diffs = dmp.DiffCleanupSemantic(diffs)
	var b strings.Builder
	for _, d := range diffs {
		t := bare(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			b.WriteString(t)
		case diffmatchpatch.DiffDelete:
			if c {
				b.WriteString(ansiRed + t + ansiReset)
			} else {
				b.WriteString("[-" + t + "-]")
			}
		case diffmatchpatch.DiffInsert:
			if c {
				b.WriteString(ansiGreen + t + ansiReset)
			} else {
				b.WriteString("{+" + t + "+}")
			}
		}
	}
	return b.String()
}

// useInline reports whether a string field change reads better as an
// inline diff.
func useInline(f diff.FieldChange) bool {
	if f.Field != diff.FieldDescription && f.Field != diff.FieldURL {
		return false
	}
	return f.Before != "" && f.After != "" && (len(f.Before) > longString || len(f.After) > longString)
}

// eventSummary describes a target's events as written, with each glob's
// expansion counted: "thread.* → 22 types, customer.customer_created".
// Without patterns (a plan built elsewhere) it lists the types.
func eventSummary(ch diff.Change) (summary string, hasGlob bool) {
	if ch.After == nil {
		return "", false
	}
	if len(ch.EventPatterns) == 0 {
		if len(ch.After.EventTypes) == 0 {
			return "(none)", false
		}
		return strings.Join(ch.After.EventTypes, ", "), false
	}
	var parts []string
	seen := map[string]bool{}
	for _, pat := range ch.EventPatterns {
		if seen[pat] {
			continue
		}
		seen[pat] = true
		if !diff.IsGlob(pat) {
			parts = append(parts, pat)
			continue
		}
		hasGlob = true
		n := 0
		for _, t := range ch.After.EventTypes {
			if diff.MatchGlob(pat, t) {
				n++
			}
		}
		parts = append(parts, fmt.Sprintf("%s → %s", pat, plural(n, "type")))
	}
	return strings.Join(parts, ", "), hasGlob
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// versionText shows a create's version, which is empty when the catalog
// marks none as latest and Plain will choose.
func versionText(v string) string {
	if v == "" {
		return "(Plain's default)"
	}
	return v
}

// header names the file and workspace a plan is for.
func header(p *diff.Plan) string {
	ws := p.Workspace.ID
	if p.Workspace.Name != "" {
		ws = fmt.Sprintf("%s (%s)", quote(p.Workspace.Name), p.Workspace.ID)
	}
	file := p.File
	if file == "" {
		file = "(no file)"
	}
	return fmt.Sprintf("%s → workspace %s", file, ws)
}

// fieldNames lists an update's changed fields, or a short description of
// what the other actions do, for tables.
func fieldNames(ch diff.Change) string {
	if ch.Protected {
		return "🔒 protected: " + fieldNamesOf(ch)
	}
	return fieldNamesOf(ch)
}

func fieldNamesOf(ch diff.Change) string {
	switch ch.Action {
	case diff.ActionCreate:
		return "new target"
	case diff.ActionDelete:
		if ch.DuplicateOf != "" {
			return "duplicate of " + ch.DuplicateOf + " (kept)"
		}
		if ch.LookalikeOf != "" {
			return "whole target; looks like a managed name (see the warnings)"
		}
		return "whole target"
	case diff.ActionUnmanaged:
		if ch.Ignored {
			return "ignored"
		}
		if ch.LookalikeOf != "" {
			return "not in the file; looks like a managed name (see the warnings)"
		}
		return "not in the file"
	}
	names := make([]string, len(ch.Fields))
	for i, f := range ch.Fields {
		names[i] = f.Field
	}
	return strings.Join(names, ", ")
}

// displayRank orders changes for people: deletes first, as the changes a
// reviewer must not miss, then updates, creates, unmanaged targets and
// the unchanged ones. (apply runs creates first; this is only the order
// of display.)
var displayRank = map[diff.Action]int{
	diff.ActionDelete:    0,
	diff.ActionUpdate:    1,
	diff.ActionCreate:    2,
	diff.ActionUnmanaged: 3,
}

// displayOrder returns the changes to show, without the unchanged ones,
// in display order, each action in the plan's own order. Protected changes
// (which apply refuses without --allow-destroy) come before all others.
func displayOrder(changes []diff.Change) []diff.Change {
	var out []diff.Change
	for _, ch := range changes {
		if ch.Action != diff.ActionNoop {
			out = append(out, ch)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Protected != out[j].Protected {
			return out[i].Protected
		}
		return displayRank[out[i].Action] < displayRank[out[j].Action]
	})
	return out
}

// protectedNames lists the names of the protected changes, in order.
func protectedNames(changes []diff.Change) []string {
	var names []string
	for _, ch := range changes {
		if ch.Protected {
			names = append(names, ch.Name)
		}
	}
	return names
}

// deletedNames lists the names of the deletes among changes, in order.
func deletedNames(changes []diff.Change) []string {
	var names []string
	for _, ch := range changes {
		if ch.Action == diff.ActionDelete {
			names = append(names, ch.Name)
		}
	}
	return names
}
