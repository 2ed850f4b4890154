package apply

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/secret"
)

// Operations lists, in the order Execute would send them, the mutations
// applying the plan performs, one human-readable line each. --dry-run
// prints them. Every value is masked with p.Secrets before it is quoted, so
// that quoting cannot disguise a secret from the masker.
func Operations(p *diff.Plan) []string {
	if p == nil {
		return nil
	}
	m := p.Secrets
	creates, updates, deletes := phases(p)
	out := make([]string, 0, len(creates)+len(updates)+len(deletes))
	for _, ch := range creates {
		out = append(out, createOperation(ch, m))
	}
	for _, ch := range updates {
		out = append(out, updateOperation(ch, m))
	}
	for _, ch := range deletes {
		out = append(out, fmt.Sprintf("deleteWebhookTarget(%s)", m.Mask(ch.TargetID)))
	}
	return out
}

// q masks s and quotes it.
func q(m *secret.Masker, s string) string {
	return strconv.Quote(m.Mask(s))
}

// quoteList renders ss as ["a", "b"].
func quoteList(m *secret.Masker, ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = q(m, s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// bareList renders ss as [a, b], for event names in update summaries.
func bareList(m *secret.Masker, ss []string) string {
	return "[" + m.Mask(strings.Join(ss, ", ")) + "]"
}

func createOperation(ch diff.Change, m *secret.Masker) string {
	if ch.After == nil {
		return fmt.Sprintf("createWebhookTarget(%s) # no desired state in plan", q(m, ch.Name))
	}
	in := createInput(ch.After)
	var b strings.Builder
	fmt.Fprintf(&b, "createWebhookTarget(description: %s, url: %s, events: %s",
		q(m, in.Description), q(m, in.URL), quoteList(m, in.EventTypes))
	if in.Version != "" {
		fmt.Fprintf(&b, ", version: %s", q(m, in.Version))
	}
	fmt.Fprintf(&b, ", enabled: %t)", in.Enabled)
	return b.String()
}

func updateOperation(ch diff.Change, m *secret.Masker) string {
	a := ch.After
	if a == nil {
		a = &diff.TargetState{}
	}
	parts := make([]string, 0, len(ch.Fields))
	for _, f := range ch.Fields {
		switch f.Field {
		case diff.FieldDescription:
			parts = append(parts, "description → "+q(m, a.Description))
		case diff.FieldURL:
			parts = append(parts, "url → "+q(m, a.URL))
		case diff.FieldVersion:
			parts = append(parts, "version → "+q(m, a.Version))
		case diff.FieldEnabled:
			parts = append(parts, "enabled → "+strconv.FormatBool(a.Enabled))
		case diff.FieldEvents:
			added, removed := f.Added, f.Removed
			if added == nil && removed == nil && ch.Before != nil {
				added, removed = setDiff(a.EventTypes, ch.Before.EventTypes), setDiff(ch.Before.EventTypes, a.EventTypes)
			}
			s := "events"
			if len(added) > 0 {
				s += " +" + bareList(m, added)
			}
			if len(removed) > 0 {
				s += " -" + bareList(m, removed)
			}
			parts = append(parts, s)
		default:
			parts = append(parts, m.Mask(f.Field)+" → "+q(m, f.After))
		}
	}
	return fmt.Sprintf("updateWebhookTarget(%s: %s)", m.Mask(ch.TargetID), strings.Join(parts, ", "))
}

// setDiff returns the elements of a that are not in b, in a's order.
func setDiff(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] {
			out = append(out, s)
		}
	}
	return out
}

// seconds renders d as 0.4s, 12.3s.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// symbols mark outcomes in progress lines, diff-style.
var symbols = map[Outcome]string{
	OutcomeCreated: "+",
	OutcomeAdopted: "+",
	OutcomeUpdated: "~",
	OutcomeDeleted: "-",
	OutcomeFailed:  "!",
	OutcomeSkipped: ".",
}

// verbs name an action in failure and skip lines.
var verbs = map[diff.Action]string{
	diff.ActionCreate: "create",
	diff.ActionUpdate: "update",
	diff.ActionDelete: "delete",
}

// progressLine renders one event as ProgressPrinter prints it. Each part is
// masked before it is quoted or joined, so escaping cannot hide a secret.
func progressLine(ev Event, m *secret.Masker) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%d/%d] %s ", ev.Index, ev.Total, symbols[ev.Outcome])
	switch ev.Outcome {
	case OutcomeFailed, OutcomeSkipped:
		fmt.Fprintf(&b, "%s %s", verbs[ev.Change.Action], q(m, ev.Change.Name))
	default:
		fmt.Fprintf(&b, "%s %s", ev.Outcome, q(m, ev.Change.Name))
	}
	if ev.TargetID != "" {
		fmt.Fprintf(&b, " (%s)", m.Mask(ev.TargetID))
	}
	switch ev.Outcome {
	case OutcomeFailed:
		b.WriteString(" failed")
	case OutcomeSkipped:
		b.WriteString(" skipped")
	}
	if ev.Outcome != OutcomeSkipped {
		b.WriteString(" " + seconds(ev.Elapsed))
	}
	if ev.Err != nil {
		b.WriteString(": " + m.Mask(ev.Err.Error()))
	}
	return b.String()
}

// ProgressPrinter returns an Options.Progress callback that writes one
// masked line per finished change to w, e.g.
// `[3/5] ~ updated "crm-sync" (wht_1) 0.4s`. Names, ids and errors are all
// masked, because any of them can carry a secret.
func ProgressPrinter(w io.Writer, masker *secret.Masker) func(Event) {
	return func(ev Event) {
		// A progress line that cannot be written is not worth failing the
		// apply over; the final summary reports the outcome again.
		_, _ = fmt.Fprintln(w, progressLine(ev, masker))
	}
}

// RenderResult writes the final summary line and, after a failure, one
// line per failed or skipped change so that the reason is not lost in the
// progress output. Everything is masked.
func RenderResult(w io.Writer, r *Result, masker *secret.Masker) {
	if r == nil {
		r = &Result{}
	}
	var b strings.Builder
	head := "Apply complete"
	if r.HasFailures() {
		head = "Apply failed"
	}
	fmt.Fprintf(&b, "%s: %d created, ", head, r.Created)
	if r.Adopted > 0 {
		fmt.Fprintf(&b, "%d adopted, ", r.Adopted)
	}
	fmt.Fprintf(&b, "%d updated, %d deleted, %d failed, %d skipped in %s.\n",
		r.Updated, r.Deleted, r.Failed, r.Skipped, seconds(r.Elapsed))
	if r.HasFailures() {
		for _, ev := range r.Events {
			if ev.Outcome != OutcomeFailed {
				continue
			}
			fmt.Fprintf(&b, "  ! %s %s: %s\n", verbs[ev.Change.Action], q(masker, ev.Change.Name), masker.Mask(errText(ev.Err)))
		}
		if r.Skipped > 0 {
			fmt.Fprintf(&b, "  %d change(s) were skipped; fix the failures and re-run: applying again converges.\n", r.Skipped)
		}
	}
	_, _ = io.WriteString(w, b.String())
}

func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}
