package apply

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
)

// DefaultMaxDeletePercent is the share of live targets a plan may delete
// without --force, once the workspace has MinLiveForDeleteGuard targets.
const DefaultMaxDeletePercent = 30

// MinLiveForDeleteGuard is the live-target count from which the percentage
// guard applies: in a tiny workspace a single delete is already a large
// share, and refusing it would only teach users to pass --force by habit.
const MinLiveForDeleteGuard = 5

// ErrRefused marks a plan that a safety guard refused. Callers map it to
// exit code 1 without treating it as an internal error.
var ErrRefused = errors.New("refused")

// SafetyOptions are the knobs of CheckSafety.
type SafetyOptions struct {
	// MaxDeletePercent is the largest share of live targets a plan may
	// delete (the CLI's default is DefaultMaxDeletePercent). 0 allows no
	// deletes at all once the guard applies — "--max-delete-percent 0" is a
	// real request, so the zero value is the strictest setting, not a
	// default. A negative value is invalid.
	MaxDeletePercent float64
	// Force overrides the guards; the user has said the deletes are meant.
	Force bool
	// EmptyFile says the desired file lists no webhooks at all.
	EmptyFile bool
}

// CheckSafety refuses, before any write, the plans that the contract
// refuses: pruning with an empty webhooks list, and deleting more than
// MaxDeletePercent of the live targets when there are at least
// MinLiveForDeleteGuard of them. Force lifts both. The returned error wraps
// ErrRefused.
func CheckSafety(p *diff.Plan, o SafetyOptions) error {
	if p == nil {
		return errors.New("check safety: no plan")
	}
	maxPct := o.MaxDeletePercent
	if maxPct < 0 || math.IsNaN(maxPct) {
		return fmt.Errorf("invalid --max-delete-percent %s: must not be negative", formatPercent(maxPct))
	}
	if o.Force {
		return nil
	}
	if o.EmptyFile && p.Prune {
		// An empty list with prune means "delete everything"; that is far
		// more often a truncated or mis-merged file than an intent.
		return fmt.Errorf("%w: the desired file lists no webhooks and prune is on, which would delete every live target that is not ignored; re-run with --force if this is intended", ErrRefused)
	}
	// Removing an exact duplicate keeps its twin: it loses nothing, and it
	// is what un-wedges a workspace after racing creates, so it does not
	// count against the guard.
	deletes := 0
	for _, ch := range p.Changes {
		if ch.Action == diff.ActionDelete && ch.DuplicateOf == "" {
			deletes++
		}
	}
	live := liveCount(p)
	if deletes == 0 || live < MinLiveForDeleteGuard {
		return nil
	}
	// Compare deletes/live > maxPct/100 without dividing, so that the
	// boundary (3 of 10 at 30%) is exact rather than at the mercy of
	// floating-point rounding.
	if float64(deletes)*100 > maxPct*float64(live) {
		pct := float64(deletes) * 100 / float64(live)
		return fmt.Errorf("%w: plan deletes %d of %d live targets (%s%%), more than --max-delete-percent %s; re-run with --force if this is intended",
			ErrRefused, deletes, live, formatPercent(pct), formatPercent(maxPct))
	}
	return nil
}

// liveCount is the plan's LiveCount, or, for a plan built without it, the
// number of entries that describe a live target.
func liveCount(p *diff.Plan) int {
	if p.LiveCount > 0 {
		return p.LiveCount
	}
	n := 0
	for _, c := range p.Changes {
		if c.Before != nil || c.TargetID != "" {
			n++
		}
	}
	return n
}

// formatPercent prints at most one decimal and no trailing zeros: 40, 28.6.
func formatPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// RequiredPermissions lists the permissions the plan's changes need, in a
// fixed order (create, edit, delete). Reading is not listed: the snapshot
// the plan came from already proved it.
func RequiredPermissions(p *diff.Plan) []string {
	if p == nil {
		return nil
	}
	c := p.Counts()
	var out []string
	if c.Create > 0 {
		out = append(out, plain.PermCreate)
	}
	if c.Update > 0 {
		out = append(out, plain.PermEdit)
	}
	if c.Delete > 0 {
		out = append(out, plain.PermDelete)
	}
	return out
}

// MissingPermissionsError names every permission the plan needs and the
// API key lacks.
type MissingPermissionsError struct {
	Missing []string
	// Needed says, per missing permission, how many changes need it.
	Needed map[string]int
}

// Unwrap makes a missing permission a refusal: errors.Is(err, ErrRefused)
// holds, so callers treat both guards alike.
func (e *MissingPermissionsError) Unwrap() error { return ErrRefused }

func (e *MissingPermissionsError) Error() string {
	parts := make([]string, 0, len(e.Missing))
	for _, m := range e.Missing {
		n := e.Needed[m]
		what := "changes"
		if n == 1 {
			what = "change"
		}
		parts = append(parts, fmt.Sprintf("%s (needed by %d %s)", m, n, what))
	}
	return "the API key lacks permissions this plan needs: " + strings.Join(parts, ", ") +
		"; grant them to the key or narrow the plan"
}

// Preflight returns a *MissingPermissionsError naming each permission the
// plan's changes need that is not in permissions, or nil when nothing is
// missing. It runs before any write so that a plan never half-applies for
// lack of a permission.
func Preflight(p *diff.Plan, permissions []string) error {
	have := make(map[string]bool, len(permissions))
	for _, perm := range permissions {
		have[perm] = true
	}
	var missing []string
	for _, perm := range RequiredPermissions(p) {
		if !have[perm] {
			missing = append(missing, perm)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	c := p.Counts()
	needed := map[string]int{
		plain.PermCreate: c.Create,
		plain.PermEdit:   c.Update,
		plain.PermDelete: c.Delete,
	}
	return &MissingPermissionsError{Missing: missing, Needed: needed}
}
