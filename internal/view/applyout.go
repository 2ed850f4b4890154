package view

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/secret"
)

// ApplyOperations lists, in the order apply.Execute would send them, the
// mutations applying the plan performs, one line each, shaped like the
// GraphQL mutation and its input: --dry-run prints them. An update lists
// exactly the fields it sends: the inputs are apply's own (apply.Phases,
// apply.CreateInput, apply.UpdateInput), so that dry-run and apply cannot
// disagree. Every value is masked with p.Secrets before it is quoted, so
// that quoting cannot disguise a secret from the masker.
func ApplyOperations(p *diff.Plan) []string {
	if p == nil {
		return nil
	}
	m := p.Secrets
	creates, updates, deletes := apply.Phases(p)
	out := make([]string, 0, len(creates)+len(updates)+len(deletes))
	for _, ch := range creates {
		out = append(out, createOperation(ch, m))
	}
	for _, ch := range updates {
		out = append(out, updateOperation(ch, m))
	}
	for _, ch := range deletes {
		out = append(out, fmt.Sprintf("deleteWebhookTarget(webhookTargetId: %s) # %s", q(m, ch.TargetID), q(m, ch.Name)))
	}
	return out
}

// q masks s and quotes it.
func q(m *secret.Masker, s string) string {
	return strconv.Quote(m.Mask(s))
}

// qURL masks a URL, redacts the secret parts no ${VAR} names (a token
// written literally in the file) by position, and quotes it.
func qURL(m *secret.Masker, s string) string {
	return strconv.Quote(secret.RedactMaskedURL(m.Mask(s)))
}

// maskText masks an error's text and redacts any URL it quotes.
func maskText(m *secret.Masker, s string) string {
	return secret.RedactURLsInText(m.Mask(s))
}

// quoteList renders ss as ["a", "b"].
func quoteList(m *secret.Masker, ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = q(m, s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func createOperation(ch diff.Change, m *secret.Masker) string {
	if ch.After == nil {
		return fmt.Sprintf("# create %s: not sent, the plan has no desired state for it", q(m, ch.Name))
	}
	in := apply.CreateInput(ch.After)
	var b strings.Builder
	fmt.Fprintf(&b, "createWebhookTarget(description: %s, url: %s, eventSubscriptions: %s",
		q(m, in.Description), qURL(m, in.URL), quoteList(m, in.EventTypes))
	if in.Version != "" {
		fmt.Fprintf(&b, ", version: %s", q(m, in.Version))
	}
	fmt.Fprintf(&b, ", isEnabled: %t)", in.Enabled)
	return b.String()
}

func updateOperation(ch diff.Change, m *secret.Masker) string {
	// Render what update would really send, so that dry-run and apply
	// cannot disagree.
	in, err := apply.UpdateInput(ch)
	if err != nil {
		return fmt.Sprintf("# update %s: not sent: %s", q(m, ch.Name), inert.Text(maskText(m, err.Error())))
	}
	if in.IsEmpty() {
		return fmt.Sprintf("# update %s: not sent, the plan lists no changed fields", q(m, ch.Name))
	}
	parts := []string{"webhookTargetId: " + q(m, in.ID)}
	if in.Description != nil {
		parts = append(parts, "description: "+q(m, *in.Description))
	}
	if in.URL != nil {
		parts = append(parts, "url: "+qURL(m, *in.URL))
	}
	if in.EventTypes != nil {
		parts = append(parts, "eventSubscriptions: "+quoteList(m, in.EventTypes))
	}
	if in.Version != nil {
		parts = append(parts, "version: "+q(m, *in.Version))
	}
	if in.Enabled != nil {
		parts = append(parts, "isEnabled: "+strconv.FormatBool(*in.Enabled))
	}
	return fmt.Sprintf("updateWebhookTarget(%s) # %s", strings.Join(parts, ", "), q(m, ch.Name))
}

// seconds renders d as 0.4s, 12.3s.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// symbols mark outcomes in progress lines, diff-style.
var symbols = map[apply.Outcome]string{
	apply.OutcomeCreated: "+",
	apply.OutcomeAdopted: "+",
	apply.OutcomeUpdated: "~",
	apply.OutcomeDeleted: "-",
	apply.OutcomeFailed:  "!",
	apply.OutcomeSkipped: ".",
}

// verbs name an action in failure and skip lines.
var verbs = map[diff.Action]string{
	diff.ActionCreate: "create",
	diff.ActionUpdate: "update",
	diff.ActionDelete: "delete",
}

// progressLine renders one event as ApplyProgress prints it. Each part is
// masked before it is quoted or joined, so escaping cannot hide a secret.
func progressLine(ev apply.Event, m *secret.Masker) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%d/%d] %s ", ev.Index, ev.Total, symbols[ev.Outcome])
	switch ev.Outcome {
	case apply.OutcomeFailed, apply.OutcomeSkipped:
		fmt.Fprintf(&b, "%s %s", verbs[ev.Change.Action], q(m, ev.Change.Name))
	default:
		fmt.Fprintf(&b, "%s %s", ev.Outcome, q(m, ev.Change.Name))
	}
	if ev.TargetID != "" {
		fmt.Fprintf(&b, " (%s)", inert.Text(m.Mask(ev.TargetID)))
	}
	switch ev.Outcome {
	case apply.OutcomeFailed:
		b.WriteString(" failed after " + seconds(ev.Elapsed))
	case apply.OutcomeSkipped:
		b.WriteString(" skipped")
	default:
		b.WriteString(" in " + seconds(ev.Elapsed))
	}
	switch ev.Outcome {
	case apply.OutcomeAdopted:
		b.WriteString(": the create's response was lost, and the target was found in live state")
	}
	if ev.Err != nil {
		b.WriteString(": " + inert.Text(maskText(m, ev.Err.Error())))
	}
	return b.String()
}

// ApplyProgress returns an apply.Options.Progress callback that writes one
// masked line per finished change to w, e.g.
// `[2/5] + created "crm-sync" (whTarget_00000000000000000000000001) in 0.3s`. Names, ids and errors are
// all masked, because any of them can carry a secret.
func ApplyProgress(w io.Writer, masker *secret.Masker) func(apply.Event) {
	return func(ev apply.Event) {
		// A progress line that cannot be written is not worth failing the
		// apply over; the final summary reports the outcome again.
		_, _ = fmt.Fprintln(w, progressLine(ev, masker))
	}
}

// ApplyResult writes the final summary line, e.g.
// `Apply complete: 2 created, 1 updated, 0 deleted, 0 failed, 0 skipped in 1.2s.`,
// then one line per failed change and one per distinct skip reason, so
// that the reasons are not lost in the progress output. The head says
// "Apply failed" when a change failed and "Apply incomplete" when changes
// were only skipped (a cancelled run). Everything is masked.
func ApplyResult(w io.Writer, r *apply.Result, masker *secret.Masker) {
	if r == nil {
		r = &apply.Result{}
	}
	var b strings.Builder
	head := "Apply complete"
	switch {
	case r.Failed > 0:
		head = "Apply failed"
	case r.Skipped > 0:
		head = "Apply incomplete"
	}
	fmt.Fprintf(&b, "%s: %d created, ", head, r.Created)
	if r.Adopted > 0 {
		fmt.Fprintf(&b, "%d adopted, ", r.Adopted)
	}
	fmt.Fprintf(&b, "%d updated, %d deleted, %d failed, %d skipped in %s.\n",
		r.Updated, r.Deleted, r.Failed, r.Skipped, seconds(r.Elapsed))
	for _, ev := range r.Events {
		if ev.Outcome != apply.OutcomeFailed {
			continue
		}
		fmt.Fprintf(&b, "  ! %s %s: %s\n", verbs[ev.Change.Action], q(masker, ev.Change.Name), inert.Text(maskText(masker, errText(ev.Err))))
	}
	// Skips share few reasons (cancellation, an earlier failure); one line
	// per reason keeps a cancelled run of a thousand changes readable.
	var reasons []string
	skips := map[string]int{}
	for _, ev := range r.Events {
		if ev.Outcome != apply.OutcomeSkipped {
			continue
		}
		why := inert.Text(maskText(masker, errText(ev.Err)))
		if skips[why] == 0 {
			reasons = append(reasons, why)
		}
		skips[why]++
	}
	for _, why := range reasons {
		fmt.Fprintf(&b, "  . %d skipped: %s\n", skips[why], why)
	}
	if !r.Succeeded() {
		b.WriteString("  Fix the cause and re-run: applying again converges.\n")
	}
	_, _ = io.WriteString(w, b.String())
}

func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}
