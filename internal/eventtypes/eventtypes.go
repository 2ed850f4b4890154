// Package eventtypes holds an offline snapshot of Plain's webhook event
// types, so that validate can catch a typo'd event type without an API key.
// The snapshot is generated from Plain's published payload schema (the
// repository's copy, internal/plainschema/webhook-event-schema.json) by
// "go generate"; the live subscriptionEventTypes catalog stays the
// authority at plan time.
package eventtypes

//go:generate go run ./gen -in ../plainschema/webhook-event-schema.json -out snapshot.go

import (
	"slices"
	"strings"

	"github.com/plainsync/plainsync/internal/glob"
)

// Snapshot returns the event types of the embedded snapshot, sorted. The
// slice is a copy.
func Snapshot() []string { return slices.Clone(snapshot) }

// Known reports whether the snapshot has the exact event type t.
func Known(t string) bool {
	_, ok := slices.BinarySearch(snapshot, t)
	return ok
}

// Matches returns the snapshot's event types that pattern (an exact type
// or a glob) names.
func Matches(pattern string) []string {
	var out []string
	for _, t := range snapshot {
		if glob.Match(pattern, t) {
			out = append(out, t)
		}
	}
	return out
}

// Missing returns the types of live that the snapshot lacks: a non-empty
// result means the snapshot is older than the live catalog.
func Missing(live []string) []string {
	var out []string
	for _, t := range live {
		if !Known(t) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Suggest returns the candidate closest to an unknown event type, or ""
// when nothing is close enough to be a likely typo. distance is the edit
// distance to use (levenshtein.ComputeDistance); it is a parameter so that this
// package stays a leaf.
func Suggest(unknown string, candidates []string, distance func(a, b string) int) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		// A missing namespace ("thread_created") is the commonest slip.
		if strings.HasSuffix(c, "."+unknown) {
			return c
		}
		d := distance(unknown, c)
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	limit := max(len(unknown)/4, 2)
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}
