// Package diff computes a Plan from a desired-state file and a live
// snapshot. It is pure: no I/O, no clock, no network. The plan is plain
// data; rendering and applying it live elsewhere.
package diff

import (
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// FormatVersion is the version of the plan's JSON shape (-o json and saved
// plan files). Bump it on any incompatible change.
const FormatVersion = 1

// Action says what a change does.
type Action string

const (
	ActionCreate    Action = "create"
	ActionUpdate    Action = "update"
	ActionDelete    Action = "delete"
	ActionNoop      Action = "no-op"     // managed and already as desired
	ActionUnmanaged Action = "unmanaged" // live, not in the file, kept
)

// TargetState is a target as desired or as live. Strings are real values
// and may hold secrets: mask them with Plan.Secrets before showing them.
type TargetState struct {
	ID          string   `json:"id,omitempty"`
	Description string   `json:"description"`
	URL         string   `json:"url"`
	EventTypes  []string `json:"eventTypes"` // expanded against the catalog, sorted
	Version     string   `json:"version,omitempty"`
	Enabled     bool     `json:"enabled"`
	// CreatedAt is when Plain created the live target (a plan's Before);
	// zero for a desired state and in a saved plan. It is not part of the
	// plan's JSON: the delivery checks use it (a target younger than
	// --max-silence cannot have been silent that long, health.MarkSilent).
	CreatedAt time.Time `json:"-"`
}

// Field names used in FieldChange.Field.
const (
	FieldDescription = "description"
	FieldURL         = "url"
	FieldEvents      = "events"
	FieldVersion     = "version"
	FieldEnabled     = "enabled"
)

// FieldChange is one changed field of an update.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// Added and Removed are set for the events field.
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// SecretsChanged names, for the url field, the secret parts (see
	// secret.URLPart.ID: "path/3", "query/token/0", "password", …) whose
	// value changes; OnlySecrets says nothing else does. Neither value is
	// ever shown: renderers print such parts as "(sensitive value changed)".
	SecretsChanged []string `json:"secretsChanged,omitempty"`
	OnlySecrets    bool     `json:"onlySecrets,omitempty"`
}

// Change is one entry of a plan.
type Change struct {
	Action   Action `json:"action"`
	Name     string `json:"name"`               // desired name, or the live description
	TargetID string `json:"targetId,omitempty"` // live id; empty for creates
	// MatchedBy says how a desired target found its live one: "id",
	// "description" or "url" (a rename).
	MatchedBy string        `json:"matchedBy,omitempty"`
	Before    *TargetState  `json:"before,omitempty"` // live; nil for creates
	After     *TargetState  `json:"after,omitempty"`  // desired; nil for deletes and unmanaged
	Fields    []FieldChange `json:"fields,omitempty"` // updates only
	// BeforeSensitive and AfterSensitive mark the fields of Before and
	// After whose shown value has secret parts hidden ({"url": true}), as
	// Terraform's JSON plan does with before_sensitive/after_sensitive.
	BeforeSensitive map[string]bool `json:"beforeSensitive,omitempty"`
	AfterSensitive  map[string]bool `json:"afterSensitive,omitempty"`
	// EventPatterns are the events as written in the file, before expansion.
	EventPatterns []string `json:"eventPatterns,omitempty"`
	// Ignored is set on unmanaged targets protected by an ignore rule.
	Ignored bool `json:"ignored,omitempty"`
	// DuplicateOf is set on a delete that removes an exact duplicate (same
	// description, URL, events, version and enabled flag) of the live
	// target it names, which is kept: the oldest of the copies, or the one
	// the file pins by id. Such a delete needs no prune and is always safe:
	// the kept copy receives every event the duplicate did.
	DuplicateOf string `json:"duplicateOf,omitempty"`
	// Protected is set on a delete or URL change of a target that a
	// protect: rule (at ProtectedBy) guards: apply refuses it unless
	// --allow-destroy names the target; --force does not lift it.
	Protected   bool      `json:"protected,omitempty"`
	ProtectedBy *spec.Pos `json:"protectedBy,omitempty"`
	// LookalikeOf is set on an unmanaged or deleted live target whose
	// description looks like a name the file manages but is different
	// text (see internal/lookalike): it names that webhook. Such a target
	// is never matched by description; the plan warns about it.
	LookalikeOf string   `json:"lookalikeOf,omitempty"`
	Pos         spec.Pos `json:"pos,omitzero"` // the desired target's position, if any
}

// Counts summarises a plan.
type Counts struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Delete    int `json:"delete"`
	Unchanged int `json:"unchanged"`
	Unmanaged int `json:"unmanaged"`
}

// Plan is the full result of Compute.
type Plan struct {
	FormatVersion int    `json:"formatVersion"`
	File          string `json:"file"`
	// FileDigest is "sha256:" and the hex digest of the file's bytes: a
	// saved plan is applied only while the file still has it.
	FileDigest string          `json:"fileDigest,omitempty"`
	Workspace  plain.Workspace `json:"workspace"`
	// Fingerprint identifies the live state the plan was computed from;
	// a saved plan is applied only if live state still has it.
	Fingerprint string `json:"fingerprint"`
	Prune       bool   `json:"prune"`
	// APIKeyEnv names the environment variable that holds the API key the
	// plan was made with, so that applying a saved plan reads the same one.
	APIKeyEnv string `json:"apiKeyEnv,omitempty"`
	// LiveCount is the number of live targets in the whole workspace, in
	// scope or not (the 25-target limit counts them all).
	LiveCount int `json:"liveCount"`
	// Scope is the file's ownership scope (empty: the whole workspace);
	// OutOfScope counts the live targets outside it, which the plan leaves
	// out entirely: not unmanaged, never deleted, not counted by guards.
	Scope      []string `json:"scope,omitempty"`
	OutOfScope int      `json:"outOfScope,omitempty"`
	// MaxDeletePercent and MaxUpdatePercent are the file's own guards
	// (guards: in the file); nil when it sets none. Flags override them.
	MaxDeletePercent *float64 `json:"maxDeletePercent,omitempty"`
	MaxUpdatePercent *float64 `json:"maxUpdatePercent,omitempty"`
	// Changes are ordered: creates, updates, deletes, then unchanged and
	// unmanaged entries; within a group by name.
	Changes  []Change       `json:"changes"`
	Warnings []spec.Problem `json:"warnings,omitempty"`
	// Secrets masks interpolated values in every rendering.
	Secrets *secret.Masker `json:"-"`
}

// Counts tallies the plan's changes.
func (p *Plan) Counts() Counts {
	var c Counts
	for _, ch := range p.Changes {
		switch ch.Action {
		case ActionCreate:
			c.Create++
		case ActionUpdate:
			c.Update++
		case ActionDelete:
			c.Delete++
		case ActionNoop:
			c.Unchanged++
		case ActionUnmanaged:
			c.Unmanaged++
		}
	}
	return c
}

// Managed counts the live targets the plan may change: in scope and not
// protected by an ignore rule. The delete and update guards divide by it.
func (p *Plan) Managed() int {
	n := 0
	for _, c := range p.Changes {
		if c.TargetID != "" && !c.Ignored {
			n++
		}
	}
	return n
}

// changes reports whether an update changes field.
func (c *Change) changes(field string) bool {
	for _, f := range c.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Protected returns the changes a protect: rule guards, in plan order.
func (p *Plan) Protected() []Change {
	var out []Change
	for _, c := range p.Changes {
		if c.Protected {
			out = append(out, c)
		}
	}
	return out
}

// DuplicateRemovals counts the deletes that remove an exact duplicate.
func (p *Plan) DuplicateRemovals() int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == ActionDelete && c.DuplicateOf != "" {
			n++
		}
	}
	return n
}

// HasChanges reports whether applying the plan would write anything.
func (p *Plan) HasChanges() bool {
	c := p.Counts()
	return c.Create+c.Update+c.Delete > 0
}
