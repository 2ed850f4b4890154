package planfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/plainsync/plainsync/internal/diff"
)

// A saved plan is bound to what it was computed from, never to the API
// key: the plan job may use a read-only key and the apply job a write key
// (least privilege), so nothing keyed with either could verify on the
// other side. The binding is: the desired-state file's path and SHA-256
// digest (apply loads that file and refuses if the digest moved), the
// fingerprint of the live state (apply re-reads the workspace and refuses
// if it moved), and the operations themselves (Compare: apply
// computes the plan again from the file and live state and refuses unless
// the saved plan is identical to it, every field of every change, the
// head and the warnings included). The one input recomputation takes from
// the plan, --prune, must be confirmed on apply's own command line (or be
// set by prune: true in the file, which the digest covers): see
// internal/cli loadSavedPlan. There is no integrity tag: without a key
// that both jobs hold and an editor does not, a tag proves nothing that
// recomputation does not, and an edited plan is refused by the
// comparison. Apply then executes the recomputed plan, not the saved one.

// Compare reports how saved (as Read returns it) differs from
// fresh, the plan computed now from the same file and live state: nil when
// the two are identical change by change (actions, target ids, every
// field), else an error listing each difference by change and field. The
// comparison is in saved form on both sides, so secret values never take
// part and the message holds ${VAR} references at most. Warnings are
// compared too (a difference is named once, without detail).
func Compare(saved, fresh *diff.Plan) error {
	if saved == nil || fresh == nil {
		return errors.New("compare saved plan: no plan")
	}
	data, err := Marshal(fresh)
	if err != nil {
		return fmt.Errorf("compare saved plan: %w", err)
	}
	f, err := Read(data)
	if err != nil {
		return fmt.Errorf("compare saved plan: internal error: %w", err)
	}
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	head := func(p *diff.Plan) map[string]any {
		q := *p
		q.Changes, q.Warnings, q.Secrets = nil, nil, nil
		return toTree(&q)
	}
	for _, path := range treeDiff("", head(saved), head(f)) {
		add("%s differs", path)
	}
	sw, fw := toTree(&diff.Plan{Warnings: saved.Warnings}), toTree(&diff.Plan{Warnings: f.Warnings})
	if len(treeDiff("", sw["warnings"], fw["warnings"])) > 0 {
		add("warnings differ from those the file and Plain imply")
	}
	n := max(len(saved.Changes), len(f.Changes))
	for i := 0; i < n; i++ {
		switch {
		case i >= len(f.Changes):
			c := saved.Changes[i]
			add("change %d (%s %q%s) is not in the plan the file and Plain imply", i+1, c.Action, c.Name, idNote(c.TargetID))
		case i >= len(saved.Changes):
			c := f.Changes[i]
			add("the plan lacks change %d (%s %q%s) that the file and Plain imply", i+1, c.Action, c.Name, idNote(c.TargetID))
		default:
			s, c := saved.Changes[i], f.Changes[i]
			paths := treeDiff("", toTree(&s), toTree(&c))
			if len(paths) == 0 {
				continue
			}
			msg := fmt.Sprintf("change %d (%s %q%s): %s differs from what the file and Plain imply", i+1, s.Action, s.Name, idNote(s.TargetID), strings.Join(paths, ", "))
			if s.Action != c.Action || s.Name != c.Name || s.TargetID != c.TargetID {
				msg += fmt.Sprintf(" (%s %q%s)", c.Action, c.Name, idNote(c.TargetID))
			}
			add("%s", msg)
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	const show = 10
	if len(diffs) > show {
		diffs = append(diffs[:show], fmt.Sprintf("and %d more differences", len(diffs)-show))
	}
	return fmt.Errorf("the saved plan is not the plan the file and the live workspace imply (edited?):\n  %s", strings.Join(diffs, "\n  "))
}

// SameChanges reports whether two plans make the same changes, change by
// change and field by field (targets, before and after states, fields),
// whatever else differs between them (the live fingerprint, the counts of
// targets neither touches): apply uses it to tell whether a workspace
// that changed while it waited for the lock changed anything this plan
// does.
func SameChanges(a, b *diff.Plan) bool {
	if a == nil || b == nil || len(a.Changes) != len(b.Changes) {
		return false
	}
	for i := range a.Changes {
		if len(treeDiff("", toTree(&a.Changes[i]), toTree(&b.Changes[i]))) > 0 {
			return false
		}
	}
	return true
}

func idNote(id string) string {
	if id == "" {
		return ""
	}
	return ", " + id
}

// toTree turns v into the generic JSON tree its encoding describes.
func toTree(v any) map[string]any {
	data, _ := json.Marshal(v)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return out
}

// treeDiff lists the JSON paths ("after.url", "fields[1].added") at which a
// and b differ, sorted.
func treeDiff(prefix string, a, b any) []string {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return []string{orRoot(prefix)}
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []string
		for _, k := range sorted {
			out = append(out, treeDiff(join(k), av[k], bv[k])...)
		}
		return out
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return []string{orRoot(prefix)}
		}
		var out []string
		for i := range av {
			out = append(out, treeDiff(fmt.Sprintf("%s[%d]", prefix, i), av[i], bv[i])...)
		}
		return out
	default:
		if a != b {
			return []string{orRoot(prefix)}
		}
		return nil
	}
}

func orRoot(p string) string {
	if p == "" {
		return "the plan"
	}
	return p
}
