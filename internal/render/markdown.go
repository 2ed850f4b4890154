package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/mdcode"
)

// MaxMarkdown is the largest comment GitHub accepts (65,536 characters).
// Markdown counts bytes, which is never fewer than characters, so a plan
// within the limit always posts.
const MaxMarkdown = 65536

// MaxStepSummary is the most a step may write to $GITHUB_STEP_SUMMARY
// (1 MiB); GitHub drops a larger summary whole.
const MaxStepSummary = 1 << 20

// Markdown writes the plan as a pull-request comment or step summary: a
// heading with the Summary, a banner naming every deleted target, a
// compact table of changes (deletes first), warnings, then a collapsible
// <details> block per change holding a fenced diff. Past MaxMarkdown it
// drops the details of the other changes, then their table rows, and says
// so in a note; deletes always keep their row and their details. Protected
// changes come first of all, under a banner of their own.
func Markdown(w io.Writer, p *diff.Plan) error {
	return MarkdownLimit(w, p, MaxMarkdown)
}

// MarkdownLimit is Markdown within limit bytes; limit 0 means no limit,
// for the full plan written to a file.
func MarkdownLimit(w io.Writer, p *diff.Plan, limit int) error {
	if p == nil {
		return fmt.Errorf("render plan as Markdown: no plan")
	}
	s := markdown(display(p), limit)
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("render plan as Markdown: %w", err)
	}
	return nil
}

var mdIcons = map[diff.Action]string{
	diff.ActionCreate:    "➕",
	diff.ActionUpdate:    "🔄",
	diff.ActionDelete:    "❌",
	diff.ActionNoop:      "✔️",
	diff.ActionUnmanaged: "❔",
}

// Live text (names, ids, URLs, descriptions, workspace names, file paths
// of saved plans) is only ever text in the Markdown: GitHub renders
// Markdown inside <code>…</code> in a paragraph or table cell, so a name
// like "[click](https://…)" or "@someone" would become a link or a
// mention. It goes into code spans (span, cellSpan), where CommonMark
// reads nothing but the text and GitHub resolves no mention or reference;
// inside an HTML block (a <details> summary), where Markdown is not
// parsed, into HTML-escaped <code> (htmlCode).

// span renders s as a code span on one line (mdcode.Span).
func span(s string) string { return mdcode.Span(s) }

// CodeSpan renders untrusted text as an inline code span for Markdown
// outside this package (comment headings, step summaries): see span.
func CodeSpan(s string) string { return span(inert.Text(s)) }

// cellSpan is span for a table cell, its pipes escaped (mdcode.Cell).
func cellSpan(s string) string { return mdcode.Cell(s) }

// htmlCode renders s as <code> for an HTML block, where Markdown is not
// parsed: HTML escaping keeps it text, and the cell escaper keeps it on
// its line (a blank line would end the block).
func htmlCode(s string) string {
	if s == "" {
		return ""
	}
	return "<code>" + cellEscaper.Replace(s) + "</code>"
}

// cellEscaper HTML-escapes text for <code> in an HTML block and keeps it
// on one line (a pipe as &#124;, harmless there).
var cellEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "&#124;", "\n", " ", "\r", " ")

// fence returns a code fence longer than any backtick run in body.
func fence(body string) string {
	return strings.Repeat("`", max(3, mdcode.LongestRun(body, '`')+1))
}

// markdown builds the comment within limit bytes (0: unlimited).
func markdown(m *diff.Plan, limit int) string {
	var head strings.Builder
	fmt.Fprintf(&head, "### plainsync plan for %s\n\n", mdHeader(m))
	fmt.Fprintf(&head, "**%s**\n\n", Summary(m))
	if line := scopeLine(m, span); line != "" {
		head.WriteString(line + "\n\n")
	}
	if !m.HasChanges() {
		head.WriteString("No changes. Live targets match the file.\n\n")
	}
	shown := displayOrder(m.Changes)
	if names := protectedNames(shown); len(names) > 0 {
		for i, n := range names {
			names[i] = span(n)
		}
		fmt.Fprintf(&head, "> [!IMPORTANT]\n> **This plan deletes or re-points %s that the file protects:** %s. apply refuses it unless `--allow-destroy NAME` names each one; `--force` does not override protection.\n\n",
			plural(len(names), "webhook target"), strings.Join(names, ", "))
	}
	if names := deletedNames(shown); len(names) > 0 {
		for i, n := range names {
			names[i] = span(n)
		}
		fmt.Fprintf(&head, "> [!CAUTION]\n> **This plan deletes %s:** %s. A deleted target stops receiving events at once, and its id and delivery history are gone for good.\n\n",
			plural(len(names), "webhook target"), strings.Join(names, ", "))
	}
	if len(m.Warnings) > 0 {
		head.WriteString("> [!WARNING]\n")
		for _, w := range m.Warnings {
			fmt.Fprintf(&head, "> %s\n", span(inert.Text(w.String())))
		}
		head.WriteString("\n")
	}
	if len(shown) == 0 {
		return clip(head.String(), limit)
	}

	const tableHead = "| | action | name | id | changes |\n| --- | --- | --- | --- | --- |\n"
	rows := make([]string, len(shown))
	details := make([]string, len(shown))
	for i, ch := range shown {
		rows[i] = fmt.Sprintf("| %s | %s | %s | %s | %s |\n", mdIcons[ch.Action], ch.Action, cellSpan(ch.Name), cellSpan(ch.TargetID), fieldNames(ch))
		body := strings.Join(diffLines(ch), "\n")
		f := fence(body)
		details[i] = fmt.Sprintf("<details><summary>%s %s %s</summary>\n\n%sdiff\n%s\n%s\n\n</details>\n\n",
			mdIcons[ch.Action], ch.Action, htmlCode(ch.Name), f, body, f)
	}
	if limit <= 0 {
		return head.String() + tableHead + strings.Join(rows, "") + "\n" + strings.Join(details, "")
	}

	// Deletes come first and are never cut: their rows and details are
	// what a reviewer must see. The rest fills what room is left, rows
	// before details, and a note says what was left out.
	deletes := 0
	for deletes < len(shown) && (shown[deletes].Action == diff.ActionDelete || shown[deletes].Protected) {
		deletes++
	}
	const reserve = 400 // room for the truncation note, short and fixed in shape
	budget := limit - reserve
	used := head.Len() + len(tableHead) + 1
	for i := 0; i < deletes; i++ {
		used += len(rows[i]) + len(details[i])
	}
	rowsShown := deletes
	for rowsShown < len(rows) && used+len(rows[rowsShown]) <= budget {
		used += len(rows[rowsShown])
		rowsShown++
	}
	detailsShown := deletes
	if rowsShown == len(rows) {
		for detailsShown < len(details) && used+len(details[detailsShown]) <= budget {
			used += len(details[detailsShown])
			detailsShown++
		}
	}
	var b strings.Builder
	b.WriteString(head.String())
	b.WriteString(tableHead)
	b.WriteString(strings.Join(rows[:rowsShown], ""))
	b.WriteString("\n")
	b.WriteString(strings.Join(details[:detailsShown], ""))
	if rowsShown < len(rows) || detailsShown < len(details) {
		fmt.Fprintf(&b, "> [!NOTE]\n> Truncated to fit GitHub's %d-character limit: %d of %d changes listed in the table, %d with details (every delete in full). The full plan is in the run's step summary and its plan-markdown file, or run `plainsync plan`.\n",
			limit, rowsShown, len(rows), detailsShown)
	}
	return clip(b.String(), limit)
}

// clip is a last resort for a header that alone exceeds the limit (say,
// thousands of warnings): cut at a line boundary.
func clip(s string, limit int) string {
	if limit <= 0 || len(s) <= limit {
		return s
	}
	const note = "\n\n> [!NOTE]\n> Truncated to fit GitHub's comment limit. Run `plainsync plan` for the full plan.\n"
	cut := s[:limit-len(note)]
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	} else {
		// No line to cut at: never split a multi-byte character.
		for len(cut) > 0 {
			if r, size := utf8.DecodeLastRuneInString(cut); r != utf8.RuneError || size > 1 {
				break
			}
			cut = cut[:len(cut)-1]
		}
	}
	return cut + note
}

func mdHeader(m *diff.Plan) string {
	file := m.File
	if file == "" {
		file = "(no file)"
	}
	ws := span(m.Workspace.ID)
	if m.Workspace.Name != "" {
		ws = span(m.Workspace.Name) + " (" + ws + ")"
	}
	return span(file) + " → " + ws
}

// diffLines renders a change for a ```diff block, where + and - lines are
// coloured by GitHub: values before and after as whole lines, no inline
// markers.
func diffLines(ch diff.Change) []string {
	var l []string
	put := func(sign, field, value string) {
		l = append(l, fmt.Sprintf("%s %s: %s", sign, field, value))
	}
	switch ch.Action {
	case diff.ActionCreate:
		if ch.After == nil {
			break
		}
		a := ch.After
		put("+", "description", a.Description)
		put("+", "url", a.URL)
		summary, hasGlob := eventSummary(ch)
		put("+", "events", summary)
		if hasGlob {
			for _, t := range a.EventTypes {
				l = append(l, "+   "+t)
			}
		}
		put("+", "version", versionText(a.Version))
		put("+", "enabled", fmt.Sprint(a.Enabled))
	case diff.ActionUpdate:
		if ch.MatchedBy == diff.MatchedByURL {
			l = append(l, "# matched by URL: a rename")
		}
		for _, f := range ch.Fields {
			if f.Field == diff.FieldEvents {
				for _, t := range f.Added {
					put("+", "events", t)
				}
				for _, t := range f.Removed {
					put("-", "events", t)
				}
				continue
			}
			if f.Field == diff.FieldURL && f.OnlySecrets {
				put("!", f.Field, f.After)
				continue
			}
			put("-", f.Field, f.Before)
			put("+", f.Field, f.After)
		}
	case diff.ActionDelete:
		if ch.DuplicateOf != "" {
			l = append(l, "# an exact duplicate of "+ch.DuplicateOf+", which is kept")
		}
		if ch.LookalikeOf != "" {
			l = append(l, lookalikeNote)
		}
		if b := ch.Before; b != nil {
			put("-", "description", b.Description)
			put("-", "url", b.URL)
			put("-", "events", eventList(b.EventTypes))
			put("-", "version", b.Version)
			put("-", "enabled", fmt.Sprint(b.Enabled))
		}
	case diff.ActionUnmanaged:
		if ch.Ignored {
			l = append(l, "# protected by an ignore rule")
		} else {
			l = append(l, "# not in the file; kept (prune would delete it)")
		}
		if ch.LookalikeOf != "" {
			l = append(l, lookalikeNote)
		}
		if b := ch.Before; b != nil {
			put(" ", "url", b.URL)
			put(" ", "events", eventList(b.EventTypes))
		}
	}
	return l
}

// lookalikeNote marks a live target whose description looks like a
// managed name. It quotes neither: the warnings name both with the code
// points that differ, which is the only way to tell them apart.
const lookalikeNote = "# looks like a name the file manages, but is different text: not matched (see the warnings)"

func eventList(ts []string) string {
	if len(ts) == 0 {
		return "(none)"
	}
	return strings.Join(ts, ", ")
}
