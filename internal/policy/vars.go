package policy

import (
	"github.com/plainsync/plainsync/internal/eventtypes"
	"github.com/plainsync/plainsync/internal/glob"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// Webhook is the CEL variable webhook: one desired webhook as written in
// the file. URL keeps its ${VAR} placeholders (Text.Raw), so that no rule
// can see, or leak through its result, a secret value.
type Webhook struct {
	Name string `cel:"name"`
	ID   string `cel:"id"`
	URL  string `cel:"url"`
	// Events are the event types and globs as written; EventsExpanded
	// the types they name in the catalog (the live one at plan time,
	// plainsync's embedded snapshot of Plain's catalog otherwise).
	Events         []string `cel:"events"`
	EventsExpanded []string `cel:"eventsExpanded"`
	// Version is the pinned payload version (the webhook's own or the
	// file's default), "" when neither pins one.
	Version string `cel:"version"`
	Enabled bool   `cel:"enabled"`
}

// File is the CEL variable file: the desired-state file the webhook is in.
type File struct {
	Workspace string   `cel:"workspace"`
	Prune     bool     `cel:"prune"`
	Scope     []string `cel:"scope"`
	Path      string   `cel:"path"`
}

// Live is the CEL variable live: facts read from Plain at plan time.
// Rules that mention live run only then (plan, apply, drift), never in
// validate, which makes no request.
type Live struct {
	WorkspaceID   string `cel:"workspaceId"`
	WorkspaceName string `cel:"workspaceName"`
	// VersionKnown says webhook.version is one of the workspace's
	// webhookVersions; VersionDeprecated that Plain marks it isDeprecated
	// (both false when the webhook pins no version).
	VersionKnown      bool `cel:"versionKnown"`
	VersionDeprecated bool `cel:"versionDeprecated"`
	// LatestVersion is the version Plain marks isLatest.
	LatestVersion string `cel:"latestVersion"`
	// Exists says a live target already has the webhook's name (or its
	// pinned id): false means the plan creates it.
	Exists bool `cel:"exists"`
	// TargetCount counts the workspace's live targets, leases excluded.
	TargetCount int `cel:"targetCount"`
}

// webhookVar builds the webhook variable; catalog nil means the embedded
// snapshot.
func webhookVar(w *spec.Webhook, catalog []plain.EventType) Webhook {
	v := Webhook{
		Name:    w.Name.Raw,
		ID:      w.ID.Raw,
		URL:     w.URL.Raw,
		Version: w.WebhookVersion.Raw,
		Enabled: w.Enabled,
	}
	v.Events = make([]string, 0, len(w.Events))
	for _, e := range w.Events {
		v.Events = append(v.Events, e.Raw)
	}
	var known []string
	if catalog == nil {
		known = eventtypes.Snapshot()
	} else {
		for _, et := range catalog {
			known = append(known, et.EventType)
		}
	}
	var expanded []string
	for _, pat := range v.Events {
		for _, t := range known {
			if t == pat || glob.IsGlob(pat) && glob.Match(pat, t) {
				expanded = append(expanded, t)
			}
		}
	}
	v.EventsExpanded = plain.SortedUnique(expanded)
	return v
}

func fileVar(d *spec.Desired) File {
	f := File{Workspace: d.Workspace.Value, Prune: d.Prune, Path: d.File, Scope: []string{}}
	for _, g := range d.Scope {
		f.Scope = append(f.Scope, g.Value)
	}
	return f
}

func liveVar(w *spec.Webhook, live *plain.Snapshot) Live {
	l := Live{WorkspaceID: live.Workspace.ID, WorkspaceName: live.Workspace.Name, LatestVersion: live.LatestVersion()}
	for _, v := range live.Versions {
		if v.Version == w.WebhookVersion.Value && w.WebhookVersion.Value != "" {
			l.VersionKnown, l.VersionDeprecated = true, v.IsDeprecated
		}
	}
	for _, t := range live.Targets {
		if plain.IsLease(t.Description) {
			continue
		}
		l.TargetCount++
		if (w.ID.Value != "" && t.ID == w.ID.Value) || (w.ID.Value == "" && t.Description == w.Name.Value) {
			l.Exists = true
		}
	}
	return l
}
