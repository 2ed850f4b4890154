// Package applytest builds the plan changes apply's tests (and the tests
// of apply's output in package view) execute: a create, an update of a
// live target's URL, a delete.
package applytest

import (
	"slices"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
)

// Version is the webhook version of every target Create makes.
const Version = "2026-05-06"

// Create is the creation of an enabled target named name.
func Create(name, url string, events ...string) diff.Change {
	return diff.Change{
		Action: diff.ActionCreate,
		Name:   name,
		After:  &diff.TargetState{Description: name, URL: url, EventTypes: events, Version: Version, Enabled: true},
	}
}

// Update changes the URL of live target t to url.
func Update(t plain.Target, url string) diff.Change {
	before := State(t)
	after := State(t)
	after.URL = url
	return diff.Change{
		Action: diff.ActionUpdate, Name: t.Description, TargetID: t.ID, MatchedBy: "description",
		Before: &before, After: &after,
		Fields: []diff.FieldChange{{Field: diff.FieldURL, Before: t.URL, After: url}},
	}
}

// Delete is the deletion of live target t.
func Delete(t plain.Target) diff.Change {
	before := State(t)
	return diff.Change{Action: diff.ActionDelete, Name: t.Description, TargetID: t.ID, Before: &before}
}

// State is live target t as a plan holds it.
func State(t plain.Target) diff.TargetState {
	return diff.TargetState{ID: t.ID, Description: t.Description, URL: t.URL,
		EventTypes: slices.Clone(t.EventTypes), Version: t.Version, Enabled: t.Enabled}
}
