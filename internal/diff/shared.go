package diff

import (
	"fmt"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// CheckShared applies spec.CheckShared to files by the workspace each
// one's API key reached (lives[i] is the snapshot of files[i]), so that two
// files without workspace: values are caught too, and then checks the live
// names: a live target whose description falls in the scopes of two files
// would be managed (or pruned) by both.
func CheckShared(files []*spec.Desired, lives []*plain.Snapshot) []spec.Problem {
	wsOf := make(map[*spec.Desired]string, len(files))
	for i, d := range files {
		if i < len(lives) && lives[i] != nil {
			wsOf[d] = lives[i].Workspace.ID
		}
	}
	probs := spec.CheckShared(files, func(d *spec.Desired) string { return wsOf[d] })
	if spec.HasErrors(probs) {
		return probs
	}
	for i, a := range files {
		for j := i + 1; j < len(files); j++ {
			b := files[j]
			if wsOf[a] == "" || wsOf[a] != wsOf[b] {
				continue
			}
			for _, t := range lives[j].Targets {
				if a.InScope(t.Description) && b.InScope(t.Description) {
					probs = append(probs, spec.Problem{Pos: scopePos(b), Severity: spec.SeverityError, Message: fmt.Sprintf(
						"live target %s (%q) is in the scope of both %s (%s) and %s (%s), which share workspace %s: narrow a scope so that every target has one owner",
						t.ID, t.Description, a.File, a.ScopeList(), b.File, b.ScopeList(), wsOf[a])})
				}
			}
		}
	}
	spec.SortProblems(probs)
	return probs
}

func scopePos(d *spec.Desired) spec.Pos {
	if d.ScopePos.Line > 0 {
		return d.ScopePos
	}
	return spec.Pos{File: d.File}
}

// CheckSharedLimit applies Plain's per-workspace limit to plans of several
// files for one workspace: each plan alone may fit while their creates
// together do not. Compute already checks each plan on its own.
func CheckSharedLimit(plans []*Plan) []spec.Problem {
	type total struct {
		live, net int
		files     []string
	}
	byWS := map[string]*total{}
	var order []string
	for _, p := range plans {
		t, ok := byWS[p.Workspace.ID]
		if !ok {
			t = &total{live: p.LiveCount}
			byWS[p.Workspace.ID] = t
			order = append(order, p.Workspace.ID)
		}
		c := p.Counts()
		t.net += c.Create - c.Delete
		t.files = append(t.files, p.File)
	}
	var probs []spec.Problem
	for _, ws := range order {
		t := byWS[ws]
		if len(t.files) < 2 || t.live+t.net <= spec.MaxWebhooks {
			continue
		}
		probs = append(probs, spec.Problem{Pos: spec.Pos{File: t.files[len(t.files)-1]}, Severity: spec.SeverityError, Message: fmt.Sprintf(
			"together the plans of %v would leave %d webhook targets in workspace %s, %d over Plain's limit of %d per workspace",
			t.files, t.live+t.net, ws, t.live+t.net-spec.MaxWebhooks, spec.MaxWebhooks)})
	}
	return probs
}
