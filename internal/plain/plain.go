// Package plain holds the types that describe live Plain objects: webhook
// targets, the event-type catalog, webhook versions, the workspace and the
// API key's permissions. internal/api fills them and internal/diff reads
// them, so that diff never imports api and the two stay independently
// testable.
package plain

import (
	"errors"
	"regexp"
	"sort"
	"time"
)

// Permission names as Plain reports them from myPermissions.
const (
	PermRead   = "webhookTarget:read"
	PermCreate = "webhookTarget:create"
	PermEdit   = "webhookTarget:edit"
	PermDelete = "webhookTarget:delete"
)

// Target is a live webhook target.
type Target struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
	EventTypes  []string  `json:"eventTypes"` // sorted, unique
	Version     string    `json:"version"`
	Enabled     bool      `json:"enabled"`
	CreatedAt   time.Time `json:"createdAt,omitzero"`
	UpdatedAt   time.Time `json:"updatedAt,omitzero"`
}

// EventType is one entry of Plain's subscriptionEventTypes catalog.
type EventType struct {
	EventType   string `json:"eventType"`
	Description string `json:"description"`
}

// WebhookVersion is one payload version from webhookVersions.
type WebhookVersion struct {
	Version      string `json:"version"`
	IsDeprecated bool   `json:"isDeprecated"`
	IsLatest     bool   `json:"isLatest"`
}

// Workspace is the workspace an API key belongs to.
type Workspace struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Snapshot is everything plainsync reads from a workspace before planning.
type Snapshot struct {
	Workspace   Workspace        `json:"workspace"`
	Permissions []string         `json:"permissions"`
	Versions    []WebhookVersion `json:"versions"`
	EventTypes  []EventType      `json:"eventTypes"`
	// Targets are the workspace's webhook targets, apply leases excluded.
	Targets []Target `json:"targets"`
	// Leases are the targets that hold an apply lease (see IsLease): they
	// are plainsync's own bookkeeping, never planned, listed or exported,
	// but they take a slot of Plain's 25.
	Leases []Target `json:"leases,omitempty"`
	// ReadAt is when reading the snapshot began (zero: unknown). apply
	// compares it with the local lock's record to learn whether another
	// run on this machine can have written since (lock.Local.Unchanged).
	ReadAt time.Time `json:"-"`
}

// LeasePrefix starts the description of the disabled webhook target that
// holds a workspace's apply lease (see internal/lock). The prefix is
// reserved: a desired-state file cannot use it as a name.
const LeasePrefix = "plainsync-lease"

// IsLease reports whether a description starts with the reserved lease
// prefix. It says nothing about whether a target is a lease (see
// ParseLease): a desired-state file simply may not use such a name.
func IsLease(description string) bool {
	return description == LeasePrefix || len(description) > len(LeasePrefix) &&
		description[:len(LeasePrefix)] == LeasePrefix && description[len(LeasePrefix)] == ' '
}

// LeaseURL is where a lease target points. It is disabled, so Plain never
// delivers to it, and .invalid never resolves (RFC 2606) should it ever be
// enabled by hand.
const LeaseURL = "https://plainsync.invalid/lease"

// LeaseTTL is how long a lease stays valid without renewal; LeaseSkew is
// how far the clocks of two runs may disagree. A lease ending more than
// LeaseTTL+LeaseSkew from now was not written by a plainsync that renews
// it (a forged or hand-edited target): internal/lock does not honour it.
const (
	LeaseTTL  = 2 * time.Minute
	LeaseSkew = LeaseTTL / 2
)

// LeaseTimeLayout is the layout of a lease's until= time.
const LeaseTimeLayout = "2006-01-02T15:04:05.000Z"

// leaseDescription is the exact description of a lease: the prefix, "v1",
// a holder of 1-64 letters, digits, '.', '_' or '-', and an until= time in
// LeaseTimeLayout (UTC, milliseconds).
var leaseDescription = regexp.MustCompile(`^plainsync-lease v1 holder=([A-Za-z0-9._-]{1,64}) until=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)$`)

// ParseLease reads t as an apply lease. It is one only if everything about
// it says so: the exact LeaseURL, disabled, and the exact description
// format. Anything else (an enabled target, another URL, a description
// that merely starts like a lease) is an ordinary target that plainsync
// never deletes as a lease and that never blocks an apply.
func ParseLease(t Target) (holder string, until time.Time, ok bool) {
	if t.URL != LeaseURL || t.Enabled {
		return "", time.Time{}, false
	}
	m := leaseDescription.FindStringSubmatch(t.Description)
	if m == nil {
		return "", time.Time{}, false
	}
	until, err := time.Parse(LeaseTimeLayout, m[2])
	if err != nil {
		return "", time.Time{}, false
	}
	return m[1], until, true
}

// MaxTargets is Plain's documented ceiling of webhook targets per
// workspace.
const MaxTargets = 25

// HasPermission reports whether the snapshot's key holds perm.
func (s *Snapshot) HasPermission(perm string) bool {
	for _, p := range s.Permissions {
		if p == perm {
			return true
		}
	}
	return false
}

// LatestVersion returns the version marked latest, or "" when none is.
func (s *Snapshot) LatestVersion() string {
	for _, v := range s.Versions {
		if v.IsLatest {
			return v.Version
		}
	}
	return ""
}

// CreateInput is what creating a target needs.
type CreateInput struct {
	URL         string
	Description string
	EventTypes  []string
	Version     string // "" lets Plain choose its default
	Enabled     bool
}

// UpdateInput changes only the fields that are set (non-nil).
type UpdateInput struct {
	ID          string
	URL         *string
	Description *string
	EventTypes  []string // nil means unchanged
	Version     *string
	Enabled     *bool
}

// IsEmpty reports whether the update would change nothing.
func (u UpdateInput) IsEmpty() bool {
	return u.URL == nil && u.Description == nil && u.EventTypes == nil && u.Version == nil && u.Enabled == nil
}

// Delivery attempt result kinds, named after Plain's union members.
const (
	ResultSuccessfulResponse     = "successful_response"
	ResultFailedResponse         = "failed_response"
	ResultError                  = "error"
	ResultRejected               = "rejected"
	ResultSchemaValidationFailed = "schema_validation_failed"
)

// DeliveryAttempt is one attempt by Plain to deliver an event to a target.
type DeliveryAttempt struct {
	ID                     string    `json:"id"`
	WebhookTargetID        string    `json:"webhookTargetId"`
	PublicEventID          string    `json:"publicEventId"`
	EventType              string    `json:"eventType"`
	AttemptedAt            time.Time `json:"attemptedAt"`
	DurationInMilliseconds int       `json:"durationInMilliseconds"`
	Result                 string    `json:"result"`                   // one of the Result* constants
	HTTPStatusCode         int       `json:"httpStatusCode,omitempty"` // successful and failed responses
	Message                string    `json:"message,omitempty"`        // error, rejected and schema-validation messages
	ErrorCode              string    `json:"errorCode,omitempty"`
}

// SortedUnique returns a sorted copy of ss without duplicates.
func SortedUnique(ss []string) []string {
	out := make([]string, 0, len(ss))
	seen := make(map[string]bool, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// ErrOutcomeUnknown marks a mutation whose request may have reached Plain
// but whose response was lost (timeout, dropped connection, 5xx after
// sending). The caller resolves it by re-reading live state; it must never
// blindly repeat a create. internal/api wraps it; internal/apply tests it
// with errors.Is.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request may or may not have been applied")
