package diff

import (
	"errors"
	"fmt"
	"slices"

	"github.com/plainsync/plainsync/internal/glob"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// VerifySaved checks a saved plan against the live snapshot it is about to
// be applied to. The fingerprint proves live state did not change, but not
// that the file was not edited by hand or mangled on its way between CI
// jobs: so every change must name live targets that exist (each at most
// once), everything it would send must pass the rules a fresh plan
// enforces (URL rules, event types in the catalog, a known version), and
// what the delete guards read must be what Compute would have written: the
// live count, and deletes only with prune and never of ignored targets.
// The errors never show a secret: URLs are masked with p.Secrets.
func VerifySaved(p *Plan, live *plain.Snapshot) error {
	if p == nil || live == nil {
		return errors.New("verify saved plan: no plan or no live state")
	}
	liveIDs := make(map[string]bool, len(live.Targets))
	liveDesc := make(map[string]string, len(live.Targets))
	for _, t := range live.Targets {
		liveIDs[t.ID] = true
		liveDesc[t.ID] = t.Description
	}
	inScope := func(name string) bool {
		if len(p.Scope) == 0 {
			return true
		}
		for _, g := range p.Scope {
			if glob.Match(g, name) {
				return true
			}
		}
		return false
	}
	catalog := make(map[string]bool, len(live.EventTypes))
	for _, e := range live.EventTypes {
		catalog[e.EventType] = true
	}
	var errs []error
	// The 25-target limit reads LiveCount, and the guards divide by the
	// changes that name live targets: every live target must be either in
	// a change or counted outside the scope, so that neither can be padded.
	if p.LiveCount != len(live.Targets) {
		errs = append(errs, fmt.Errorf("the plan counts %d live targets but the workspace has %d", p.LiveCount, len(live.Targets)))
	}
	seen := map[string]bool{}
	for i, ch := range p.Changes {
		where := fmt.Sprintf("change %d (%s %q)", i+1, ch.Action, p.Secrets.Mask(ch.Name))
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
		}
		switch ch.Action {
		case ActionCreate:
			if ch.TargetID != "" {
				bad("a create must not name a target id")
			}
		case ActionUpdate, ActionDelete, ActionNoop, ActionUnmanaged:
			switch {
			case ch.TargetID == "":
				bad("no target id")
			case !liveIDs[ch.TargetID]:
				bad("target %s is not in the workspace", ch.TargetID)
			case seen[ch.TargetID]:
				bad("target %s appears in more than one change", ch.TargetID)
			}
			seen[ch.TargetID] = true
			if liveIDs[ch.TargetID] && !inScope(liveDesc[ch.TargetID]) {
				bad("target %s is outside the plan's scope", ch.TargetID)
			}
			if ch.Action == ActionDelete && !p.Prune {
				bad("a delete in a plan made without prune")
			}
			if ch.Action == ActionDelete && ch.Ignored {
				bad("a delete of a target an ignore rule protects")
			}
		default:
			bad("unknown action")
			continue
		}
		if ch.Action == ActionUpdate && len(ch.Fields) == 0 {
			bad("an update with no changed fields")
		}
		if ch.Action != ActionCreate && ch.Action != ActionUpdate {
			continue
		}
		a := ch.After
		if a == nil {
			bad("no desired state")
			continue
		}
		if a.Description == "" {
			bad("empty description")
		}
		for _, v := range spec.URLViolations(a.URL, false) {
			bad("url %q %s", p.Secrets.Mask(a.URL), v)
		}
		if len(a.EventTypes) == 0 {
			bad("no event types")
		}
		for _, e := range a.EventTypes {
			if !catalog[e] {
				bad("unknown event type %q", e)
			}
		}
		if a.Version != "" && !slices.ContainsFunc(live.Versions, func(v plain.WebhookVersion) bool { return v.Version == a.Version }) {
			bad("unknown webhook version %q", a.Version)
		}
	}
	if n := len(seen) + p.OutOfScope; n != len(live.Targets) {
		errs = append(errs, fmt.Errorf("the plan accounts for %d live targets (%d in its changes, %d outside its scope) but the workspace has %d", n, len(seen), p.OutOfScope, len(live.Targets)))
	}
	if len(errs) > 0 {
		return fmt.Errorf("the saved plan is not one plainsync would make (edited or damaged?): %w", errors.Join(errs...))
	}
	return nil
}
