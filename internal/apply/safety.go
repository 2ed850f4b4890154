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

// DefaultMaxDeletePercent is the share of a file's live targets (in scope,
// not ignored) one apply may delete without --force.
const DefaultMaxDeletePercent = 30

// DefaultMaxUpdatePercent is the share of them one apply may update
// without --force. Higher than the delete limit: an update loses nothing a
// second apply cannot restore, but a mass update (every URL, every event
// list) is still more often a broken file than an intent.
const DefaultMaxUpdatePercent = 50

// ErrRefused marks a plan that a safety guard refused. Callers map it to
// exit code 1 without treating it as an internal error.
var ErrRefused = errors.New("refused")

// Limit is one guard's threshold and where it came from, so that a
// refusal can name the knob to turn.
type Limit struct {
	// Percent is the largest share of the managed live targets allowed.
	// 0 is a real request (no deletes, or no updates, at all), so the zero
	// value is the strictest setting. A negative value is invalid.
	Percent float64
	// Source says where Percent was set, for messages, e.g.
	// "--max-delete-percent 30 (the default)" or
	// "guards.maxDeletePercent 50 in plainsync.yaml".
	Source string
}

// SafetyOptions are the knobs of CheckSafety.
type SafetyOptions struct {
	MaxDelete Limit
	MaxUpdate Limit
	// Force overrides the guards; the user has said the changes are meant.
	Force bool
	// EmptyFile says the desired file lists no webhooks at all.
	EmptyFile bool
}

// CheckSafety refuses, before any write, the plans that the contract
// refuses, whatever the workspace's size: pruning with an empty webhooks
// list; deleting every managed live target (in scope, not ignored);
// deleting or updating more than one of them when that is over the
// guard's percentage (any at all when the percentage is 0). Force lifts
// them all. The returned error wraps ErrRefused and names the setting and
// the one-shot override.
func CheckSafety(p *diff.Plan, o SafetyOptions) error {
	if p == nil {
		return errors.New("check safety: no plan")
	}
	for _, l := range []struct {
		Limit
		flag string
	}{{o.MaxDelete, "--max-delete-percent"}, {o.MaxUpdate, "--max-update-percent"}} {
		if l.Percent < 0 || l.Percent > 100 || math.IsNaN(l.Percent) {
			return fmt.Errorf("invalid %s %s: must be between 0 and 100", l.flag, formatPercent(l.Percent))
		}
	}
	if o.Force {
		return nil
	}
	if o.EmptyFile && p.Prune {
		// An empty list with prune means "delete everything"; that is far
		// more often a truncated or mis-merged file than an intent.
		return fmt.Errorf("%w: the desired file lists no webhooks and prune is on, which would delete every live target that is not ignored; re-run with --force if this is intended", ErrRefused)
	}
	c := p.Counts()
	managed := p.Managed()
	scope := "live targets"
	if len(p.Scope) > 0 {
		scope = "live targets in scope"
	}
	if c.Delete > 0 && c.Delete >= managed {
		return fmt.Errorf("%w: plan deletes all %d of the %s; deleting every one is refused whatever the workspace's size and whatever --max-delete-percent or guards.maxDeletePercent say; re-run with --force to allow it once",
			ErrRefused, c.Delete, scope)
	}
	for _, g := range []struct {
		n     int
		verb  string
		limit Limit
		knobs string
	}{
		{c.Delete, "deletes", o.MaxDelete, "--max-delete-percent or guards.maxDeletePercent"},
		{c.Update, "updates", o.MaxUpdate, "--max-update-percent or guards.maxUpdatePercent"},
	} {
		if g.n == 0 || (g.n == 1 && g.limit.Percent > 0) {
			continue
		}
		// Compare n/managed > pct/100 without dividing, so that the
		// boundary (3 of 10 at 30%) is exact rather than at the mercy of
		// floating-point rounding.
		if float64(g.n)*100 > g.limit.Percent*float64(managed) {
			pct := 100.0
			if managed > 0 {
				pct = float64(g.n) * 100 / float64(managed)
			}
			return fmt.Errorf("%w: plan %s %d of %d %s (%s%%), more than %s%% allowed by %s; raise %s, or re-run with --force to allow it once",
				ErrRefused, g.verb, g.n, managed, scope, formatPercent(pct), formatPercent(g.limit.Percent), g.limit.Source, g.knobs)
		}
	}
	return nil
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
