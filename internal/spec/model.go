package spec

import (
	"fmt"
	"strings"

	"github.com/plainsync/plainsync/internal/glob"
	"github.com/plainsync/plainsync/internal/secret"
)

// Pos is a position in a desired-state file. Line and Col are 1-based;
// zero means "the file as a whole".
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Severity of a Problem.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one finding about a file, always tied to a position.
type Problem struct {
	Pos      Pos      `json:"pos"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// String renders FILE:LINE:COL: message (warnings say so).
func (p Problem) String() string {
	if p.Severity == SeverityWarning {
		return fmt.Sprintf("%s: warning: %s", p.Pos, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.Pos, p.Message)
}

// Text is a string value from the file. Value is what plainsync sends to
// Plain (after ${VAR} interpolation); Raw is the text as written, safe to
// display because it holds references, not secrets.
type Text struct {
	Value  string `json:"-"`
	Raw    string `json:"raw"`
	Secret bool   `json:"secret,omitempty"` // Value came (partly) from ${VAR}
	Pos    Pos    `json:"pos"`
}

// IgnoreRule protects live targets from plainsync: a glob on the
// description (Name) or on the URL. Exactly one of the two is set.
type IgnoreRule struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
	Pos  Pos    `json:"pos"`
}

// Webhook is one desired webhook target, with defaults applied.
type Webhook struct {
	Name Text `json:"name"` // stored as the target's description
	ID   Text `json:"id"`   // optional pin; Value "" when absent
	URL  Text `json:"url"`
	// Events are exact event types or globs, as written.
	Events []Text `json:"events"`
	// WebhookVersion is "" when neither the webhook nor defaults give one.
	WebhookVersion Text `json:"webhookVersion"`
	Enabled        bool `json:"enabled"`
	EnabledPos     Pos  `json:"enabledPos"`
	Pos            Pos  `json:"pos"` // the list item
}

// Desired is one validated, interpolated desired-state file.
type Desired struct {
	File      string       `json:"file"`
	Version   int          `json:"version"`
	Workspace Text         `json:"workspace"` // optional guard; Value "" when absent
	APIKeyEnv string       `json:"apiKeyEnv"` // defaults to PLAIN_API_KEY
	Prune     bool         `json:"prune"`
	PrunePos  Pos          `json:"prunePos"`
	Ignore    []IgnoreRule `json:"ignore"`
	// Protect selects the live targets (same name and URL globs as
	// ignore) that apply may not delete, or re-point to another URL,
	// unless --allow-destroy names them; --force does not lift it.
	Protect []IgnoreRule `json:"protect,omitempty"`
	// Scope holds the file's ownership globs over target names; empty
	// means the file owns the whole workspace.
	Scope       []Text    `json:"scope,omitempty"`
	ScopePos    Pos       `json:"scopePos,omitzero"`
	Guards      Guards    `json:"guards,omitzero"`
	Webhooks    []Webhook `json:"webhooks"`
	WebhooksPos Pos       `json:"webhooksPos"`
	// Variables names every ${VAR} the file's URLs reference, sorted:
	// what plan and apply need in the environment.
	Variables []string `json:"variables,omitempty"`
	// Unset names the Variables that were unset or empty when the file
	// was loaded for validate (LoadForValidate), sorted; always empty
	// after Load, which refuses them.
	Unset []string `json:"unset,omitempty"`
	// Digest identifies the file's bytes (see spec.Digest).
	Digest string `json:"digest,omitempty"`
	// Public lists the variables the file declares with vars: as not
	// secret: their values are shown in plans and never masked.
	Public []string `json:"public,omitempty"`
	// Secrets holds every interpolated value, for masking in all output.
	Secrets *secret.Masker `json:"-"`
}

// Guards are a file's own safety limits (guards: in the file). A nil
// percentage means the file does not set it; flags and defaults apply.
type Guards struct {
	MaxDeletePercent    *float64 `json:"maxDeletePercent,omitempty"`
	MaxDeletePercentPos Pos      `json:"maxDeletePercentPos,omitzero"`
	MaxUpdatePercent    *float64 `json:"maxUpdatePercent,omitempty"`
	MaxUpdatePercentPos Pos      `json:"maxUpdatePercentPos,omitzero"`
}

// InScope reports whether a target named name belongs to the file: every
// name does when the file has no scope.
func (d *Desired) InScope(name string) bool {
	if len(d.Scope) == 0 {
		return true
	}
	for _, g := range d.Scope {
		if glob.Match(g.Value, name) {
			return true
		}
	}
	return false
}

// ScopeList is the scope as written, for messages: "support-*, ops".
func (d *Desired) ScopeList() string {
	parts := make([]string, len(d.Scope))
	for i, g := range d.Scope {
		parts[i] = g.Value
	}
	return strings.Join(parts, ", ")
}

// MaxWebhooks is Plain's documented ceiling of webhook targets per
// workspace: a file can declare no more, and a plan may not leave more.
const MaxWebhooks = 25

// DefaultAPIKeyEnv is the variable holding the API key when the file does
// not name one with apiKeyEnv.
const DefaultAPIKeyEnv = "PLAIN_API_KEY"
