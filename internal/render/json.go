package render

import (
	"encoding/json"
	"fmt"
	"github.com/plainsync/plainsync/internal/inert"
	"io"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// JSONPlan is the shape of `plainsync plan -o json`. It is stable within a
// formatVersion: fields may be added, never renamed or removed without
// bumping it. Every string is masked (secrets appear as ${NAME}), and
// every part of a URL that secret.ClassifyURL calls secret and no ${VAR}
// names reads REDACTED.
//
//	{
//	  "formatVersion": 1,
//	  "file": "plainsync.yaml",
//	  "workspace": {"id": "w_…", "name": "Acme"},
//	  "fingerprint": "sha256:…",        // live state the plan was made from
//	  "prune": false,
//	  "apiKeyEnv": "PLAIN_API_KEY",     // omitted when unknown
//	  "liveCount": 4,                   // live targets in the workspace
//	  "scope": ["support-*"],           // the file's scope; omitted when it owns the workspace
//	  "outOfScope": 2,                  // live targets outside the scope, left out of the plan
//	  "hasChanges": true,               // any create, update or delete
//	  "summary": "Plan: 1 to create, …",
//	  "counts": {"create": 1, "update": 1, "delete": 0, "unchanged": 2, "unmanaged": 1},
//	  "changes": [                      // creates, updates, deletes, no-ops, unmanaged; by name
//	    {
//	      "action": "create" | "update" | "delete" | "no-op" | "unmanaged",
//	      "name": "crm-sync",           // desired name, or the live description
//	      "targetId": "whTarget_…",     // omitted for creates
//	      "matchedBy": "id" | "description" | "url",  // omitted when unmatched
//	      "before": {TargetState},      // live; omitted for creates
//	      "after": {TargetState},       // desired; omitted for deletes and unmanaged
//	      "fields": [                   // updates only, in this order
//	        {"field": "description" | "url" | "version" | "enabled", "before": "…", "after": "…"},
//	        {"field": "events", "added": ["…"], "removed": ["…"]}
//	      ],
//	      // for the url field: "secretsChanged": ["path/3"] names the
//	      // secret parts whose value changes, "onlySecrets": true says
//	      // nothing else does; changed parts read "(sensitive value changed)"
//	      "beforeSensitive": {"url": true}, // fields shown with secret parts
//	      "afterSensitive": {"url": true},  // redacted (Terraform's *_sensitive)
//	      "eventPatterns": ["thread.*"],// events as written in the file
//	      "ignored": true,              // unmanaged targets protected by an ignore rule
//	      "protected": true,            // a delete or URL change a protect: rule guards
//	      "protectedBy": {"file": …, "line": 4, "col": 5}, // that rule
//	      "lookalikeOf": "crm-sync",    // a live target whose description only looks like this managed name
//	      "pos": {"file": "plainsync.yaml", "line": 12, "col": 5}
//	    }
//	  ],
//	  "warnings": [{"pos": {…}, "severity": "warning", "message": "…"}]
//	}
//
// where TargetState is {"id", "description", "url", "eventTypes": [sorted],
// "version", "enabled"}.
type JSONPlan struct {
	FormatVersion int             `json:"formatVersion"`
	File          string          `json:"file"`
	Workspace     plain.Workspace `json:"workspace"`
	Fingerprint   string          `json:"fingerprint"`
	Prune         bool            `json:"prune"`
	APIKeyEnv     string          `json:"apiKeyEnv,omitempty"`
	LiveCount     int             `json:"liveCount"`
	Scope         []string        `json:"scope,omitempty"`
	OutOfScope    int             `json:"outOfScope,omitempty"`
	HasChanges    bool            `json:"hasChanges"`
	Summary       string          `json:"summary"`
	Counts        diff.Counts     `json:"counts"`
	Changes       []diff.Change   `json:"changes"`
	Warnings      []spec.Problem  `json:"warnings"`
}

// NewJSONPlan builds the masked JSON shape of p.
func NewJSONPlan(p *diff.Plan) JSONPlan {
	m := masked(p)
	j := JSONPlan{
		FormatVersion: diff.FormatVersion,
		File:          m.File,
		Workspace:     m.Workspace,
		Fingerprint:   m.Fingerprint,
		Prune:         m.Prune,
		APIKeyEnv:     m.APIKeyEnv,
		LiveCount:     m.LiveCount,
		Scope:         m.Scope,
		OutOfScope:    m.OutOfScope,
		HasChanges:    m.HasChanges(),
		Summary:       Summary(m),
		Counts:        m.Counts(),
		Changes:       m.Changes,
		Warnings:      m.Warnings,
	}
	// Empty lists are [] rather than null, so consumers need no null case.
	if j.Changes == nil {
		j.Changes = []diff.Change{}
	}
	if j.Warnings == nil {
		j.Warnings = []spec.Problem{}
	}
	return j
}

// JSONFailure is the -o json document of a file that could not be planned
// (its workspace unreachable, its key rejected, its plan in error), in the
// place its plan would have had in the stream of documents.
type JSONFailure struct {
	FormatVersion int    `json:"formatVersion"`
	File          string `json:"file"`
	Error         string `json:"error"`
}

// WriteJSONFailure writes a JSONFailure; msg must already be masked.
func WriteJSONFailure(w io.Writer, file, msg string) error {
	return writeJSON(w, JSONFailure{FormatVersion: diff.FormatVersion, File: file, Error: msg})
}

// JSON writes the plan as indented JSONPlan.
func JSON(w io.Writer, p *diff.Plan) error {
	if p == nil {
		return fmt.Errorf("render plan as JSON: no plan")
	}
	return writeJSON(w, NewJSONPlan(p))
}

func writeJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("render JSON: %w", err)
	}
	data = append(inert.JSON(data), '\n')
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("render JSON: %w", err)
	}
	return nil
}
