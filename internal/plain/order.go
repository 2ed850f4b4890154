package plain

import (
	"sort"
	"strings"
)

// SortTargets orders targets for display and export: by description, then
// id.
func SortTargets(ts []Target) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].Description != ts[j].Description {
			return ts[i].Description < ts[j].Description
		}
		return ts[i].ID < ts[j].ID
	})
}

// Namespace is the part of an event type before its first dot, which is
// what a glob such as thread.* selects.
func Namespace(eventType string) string {
	if i := strings.IndexByte(eventType, '.'); i >= 0 {
		return eventType[:i]
	}
	return eventType
}
