package render

import (
	"bufio"
	"fmt"
	"io"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
)

// InSync reports whether live state matches the file, as `plainsync
// drift` judges it: nothing to create, update or delete.
func InSync(p *diff.Plan) bool {
	// Unmanaged targets are not drift while prune is off: the file does not
	// claim them, and a nightly check that fails on every hand-made target
	// would be ignored. With prune they are deletes, and so drift.
	return p != nil && !p.HasChanges()
}

// Drift writes the drift report: "In sync." when InSync, otherwise each
// drifted target with its fields, each target missing from Plain, and each
// live target the file does not describe.
func Drift(w io.Writer, p *diff.Plan, o Options) error {
	if p == nil {
		return fmt.Errorf("render drift: no plan")
	}
	m := display(p)
	c := painter(o.Color)
	bw := bufio.NewWriter(w)
	if InSync(m) {
		managed := m.Counts().Unchanged
		fmt.Fprintf(bw, "%s Workspace %s matches %s (%s).\n", c.paint(ansiGreen, "In sync."), wsName(m), m.File, plural(managed, "managed target"))
		for _, ch := range m.Changes {
			if ch.Action == diff.ActionUnmanaged && !ch.Ignored {
				fmt.Fprintf(bw, "%s\n", c.paint(ansiCyan, fmt.Sprintf("? unmanaged %s (%s): in Plain, not in the file; kept, since prune is off", quote(ch.Name), ch.TargetID)))
			}
		}
	} else {
		fmt.Fprintf(bw, "%s\n", c.paint(ansiBold, "Drift between "+header(m)))
		var drifted, missing, unmanaged int
		for _, ch := range m.Changes {
			var lines []string
			switch {
			case ch.Action == diff.ActionUpdate:
				drifted++
				lines = changeLines(ch, c)
				lines[0] = c.paint(ansiYellow, fmt.Sprintf("~ drifted %s (%s)", quote(ch.Name), ch.TargetID))
			case ch.Action == diff.ActionCreate:
				missing++
				lines = []string{c.paint(ansiGreen, fmt.Sprintf("+ missing %s: in the file, not in Plain", quote(ch.Name)))}
			case ch.Action == diff.ActionDelete, ch.Action == diff.ActionUnmanaged && !ch.Ignored:
				unmanaged++
				s := fmt.Sprintf("? unmanaged %s (%s): in Plain, not in the file", quote(ch.Name), ch.TargetID)
				switch {
				case ch.DuplicateOf != "":
					s = fmt.Sprintf("? duplicate %s (%s): an exact copy of %s; apply removes it", quote(ch.Name), ch.TargetID, ch.DuplicateOf)
				case ch.Action == diff.ActionDelete:
					s += "; prune would delete it"
				}
				lines = changeLines(ch, c)
				lines[0] = c.paint(ansiCyan, s)
			default:
				continue
			}
			bw.WriteString("\n")
			for _, l := range lines {
				bw.WriteString(l + "\n")
			}
		}
		fmt.Fprintf(bw, "\n%s\n", c.paint(ansiBold, fmt.Sprintf("Drift: %d drifted, %d missing, %d unmanaged.", drifted, missing, unmanaged)))
	}
	writeWarnings(bw, m, c)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render drift: %w", err)
	}
	return nil
}

func wsName(m *diff.Plan) string {
	if m.Workspace.Name == "" {
		return m.Workspace.ID
	}
	return fmt.Sprintf("%s (%s)", quote(m.Workspace.Name), m.Workspace.ID)
}

// DriftReport is the shape of `plainsync drift -o json`, stable within
// formatVersion; every string is masked.
//
//	{
//	  "formatVersion": 1,
//	  "inSync": false,
//	  "file": "plainsync.yaml",
//	  "workspace": {"id": "w_…", "name": "Acme"},
//	  "fingerprint": "sha256:…",
//	  "drifted": [{"name": "crm-sync", "targetId": "whTarget_…", "fields": [FieldChange…]}],
//	  "missing": [{"name": "new-hook", "url": "https://…", "eventTypes": ["…"]}],
//	  "unmanaged": [{"name": "manual", "targetId": "whTarget_…", "url": "https://…", "wouldDelete": false}]
//	}
//
// FieldChange is as in JSONPlan. Ignored targets are not listed. Lists are
// [] when empty, never null.
type DriftReport struct {
	FormatVersion int               `json:"formatVersion"`
	InSync        bool              `json:"inSync"`
	File          string            `json:"file"`
	Workspace     plain.Workspace   `json:"workspace"`
	Fingerprint   string            `json:"fingerprint"`
	Drifted       []DriftedTarget   `json:"drifted"`
	Missing       []MissingTarget   `json:"missing"`
	Unmanaged     []UnmanagedTarget `json:"unmanaged"`
}

// DriftedTarget is a managed target whose live fields differ from the file.
type DriftedTarget struct {
	Name     string             `json:"name"`
	TargetID string             `json:"targetId"`
	Fields   []diff.FieldChange `json:"fields"`
}

// MissingTarget is in the file but not in Plain.
type MissingTarget struct {
	Name       string   `json:"name"`
	URL        string   `json:"url"`
	EventTypes []string `json:"eventTypes"`
}

// UnmanagedTarget is in Plain but not in the file (and not ignored).
type UnmanagedTarget struct {
	Name        string `json:"name"`
	TargetID    string `json:"targetId"`
	URL         string `json:"url"`
	WouldDelete bool   `json:"wouldDelete"` // prune is on
}

// NewDriftReport builds the masked drift report of p.
func NewDriftReport(p *diff.Plan) DriftReport {
	m := masked(p)
	r := DriftReport{
		FormatVersion: diff.FormatVersion,
		InSync:        InSync(m),
		File:          m.File,
		Workspace:     m.Workspace,
		Fingerprint:   m.Fingerprint,
		Drifted:       []DriftedTarget{},
		Missing:       []MissingTarget{},
		Unmanaged:     []UnmanagedTarget{},
	}
	for _, ch := range m.Changes {
		switch {
		case ch.Action == diff.ActionUpdate:
			r.Drifted = append(r.Drifted, DriftedTarget{Name: ch.Name, TargetID: ch.TargetID, Fields: ch.Fields})
		case ch.Action == diff.ActionCreate:
			mt := MissingTarget{Name: ch.Name, EventTypes: []string{}}
			if ch.After != nil {
				mt.URL = ch.After.URL
				if ch.After.EventTypes != nil {
					mt.EventTypes = ch.After.EventTypes
				}
			}
			r.Missing = append(r.Missing, mt)
		case ch.Action == diff.ActionDelete, ch.Action == diff.ActionUnmanaged && !ch.Ignored:
			ut := UnmanagedTarget{Name: ch.Name, TargetID: ch.TargetID, WouldDelete: ch.Action == diff.ActionDelete}
			if ch.Before != nil {
				ut.URL = ch.Before.URL
			}
			r.Unmanaged = append(r.Unmanaged, ut)
		}
	}
	return r
}

// DriftJSON writes the drift report as indented DriftReport JSON.
func DriftJSON(w io.Writer, p *diff.Plan) error {
	if p == nil {
		return fmt.Errorf("render drift as JSON: no plan")
	}
	return writeJSON(w, NewDriftReport(p))
}
