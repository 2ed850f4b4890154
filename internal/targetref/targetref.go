// Package targetref resolves a TARGET argument (a live webhook target's id
// or its exact description) to one live target, refusing look-alikes and
// suggesting the name a typo probably meant.
package targetref

import (
	"errors"
	"fmt"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/lookalike"
	"github.com/plainsync/plainsync/internal/plain"
)

// Resolve picks a target by id, then by exact description.
func Resolve(ts []plain.Target, ref string) (plain.Target, error) {
	var byDesc []plain.Target
	for _, t := range ts {
		if t.ID == ref {
			return t, nil
		}
		if t.Description == ref {
			byDesc = append(byDesc, t)
		}
	}
	switch len(byDesc) {
	case 1:
		return byDesc[0], nil
	case 0:
		msg := fmt.Sprintf("no webhook target has the id or description %q", ref)
		// A lookalike is not the target asked for, and a did-you-mean
		// quoting it would look like the very same name.
		if t, ok := lookalikeTarget(ts, ref); ok {
			msg += fmt.Sprintf("; %s is described %q, which looks like it but is different text (%s): name it by id", t.ID, t.Description, lookalike.Explain(t.Description, ref))
		} else if s := closestDescription(ts, ref); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return plain.Target{}, errors.New(msg)
	default:
		ids := make([]string, len(byDesc))
		for i, t := range byDesc {
			ids[i] = t.ID
		}
		return plain.Target{}, fmt.Errorf("%d webhook targets have the description %q (%s); name one by id", len(byDesc), ref, strings.Join(ids, ", "))
	}
}

// Narrow is ts when ref is "" (every target), else the one target ref
// names (see Resolve).
func Narrow(ts []plain.Target, ref string) ([]plain.Target, error) {
	if ref == "" {
		return ts, nil
	}
	t, err := Resolve(ts, ref)
	if err != nil {
		return nil, err
	}
	return []plain.Target{t}, nil
}

// lookalikeTarget returns the first target whose description looks like
// ref without being it (see internal/lookalike).
func lookalikeTarget(ts []plain.Target, ref string) (plain.Target, bool) {
	for _, t := range ts {
		if lookalike.Confusable(t.Description, ref) {
			return t, true
		}
	}
	return plain.Target{}, false
}

// closestDescription returns the live description nearest to ref (ignoring
// case, and "_" against "-"), when close enough to be a typo, or "".
func closestDescription(ts []plain.Target, ref string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "-") }
	best, bestD := "", -1
	for _, t := range ts {
		if t.Description == "" || strings.ContainsFunc(t.Description, inert.NeedsEscape) {
			continue
		}
		d := levenshtein.ComputeDistance(norm(ref), norm(t.Description))
		if bestD < 0 || d < bestD || (d == bestD && t.Description < best) {
			best, bestD = t.Description, d
		}
	}
	if bestD < 0 || bestD > max(len([]rune(ref))/4, 2) {
		return ""
	}
	return best
}
