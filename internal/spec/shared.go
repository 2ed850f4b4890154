package spec

import (
	"fmt"
	"sort"

	"github.com/plainsync/plainsync/internal/lookalike"
)

// CheckShared applies the rule for several files in one workspace: they
// may share it only when every one is scoped and no declared name falls in
// two scopes; otherwise each file would see the other's targets as its own
// unmanaged ones, and prune or rename them on every run. workspaceOf gives
// each file's workspace ("" for unknown: not compared): validate passes the
// files' workspace: values, plan the workspace each API key belongs to.
// Problems name both files.
func CheckShared(ds []*Desired, workspaceOf func(*Desired) string) []Problem {
	groups := map[string][]*Desired{}
	var order []string
	for _, d := range ds {
		ws := workspaceOf(d)
		if ws == "" {
			continue
		}
		if _, ok := groups[ws]; !ok {
			order = append(order, ws)
		}
		groups[ws] = append(groups[ws], d)
	}
	sort.Strings(order)
	var probs []Problem
	for _, ws := range order {
		g := groups[ws]
		for i, a := range g {
			for _, b := range g[i+1:] {
				probs = append(probs, checkPair(ws, a, b)...)
			}
		}
	}
	SortProblems(probs)
	return probs
}

// checkPair checks two files that describe workspace ws.
func checkPair(ws string, a, b *Desired) []Problem {
	at := func(d *Desired) Pos {
		switch {
		case d.Workspace.Pos.Line > 0:
			return d.Workspace.Pos
		case d.ScopePos.Line > 0:
			return d.ScopePos
		}
		return Pos{File: d.File}
	}
	if len(a.Scope) == 0 || len(b.Scope) == 0 {
		var probs []Problem
		for _, pair := range [][2]*Desired{{a, b}, {b, a}} {
			d, other := pair[0], pair[1]
			probs = append(probs, Problem{Pos: at(d), Severity: SeverityError, Message: fmt.Sprintf(
				"%s and %s both describe workspace %s: files may share a workspace only when each has a scope: and no name falls in two scopes; without scopes each file prunes or renames the other's targets",
				d.File, other.File, ws)})
		}
		return probs
	}
	var probs []Problem
	for _, pair := range [][2]*Desired{{a, b}, {b, a}} {
		d, other := pair[0], pair[1]
		for _, w := range d.Webhooks {
			if other.InScope(w.Name.Value) {
				probs = append(probs, Problem{Pos: w.Name.Pos, Severity: SeverityError, Message: fmt.Sprintf(
					"webhook %q is also in the scope of %s (%s), which describes the same workspace %s: scopes of files sharing a workspace must not overlap",
					w.Name.Value, other.File, other.ScopeList(), ws)})
			}
		}
	}
	// Disjoint scopes can still hold two names that look the same; in one
	// workspace no reviewer could tell their targets apart.
	for _, wb := range b.Webhooks {
		for _, wa := range a.Webhooks {
			if lookalike.Confusable(wb.Name.Value, wa.Name.Value) {
				probs = append(probs, Problem{Pos: wb.Name.Pos, Severity: SeverityError, Message: fmt.Sprintf(
					"webhook name %q looks like %q at %s, which describes the same workspace %s, but is different text (%s): rename one",
					wb.Name.Value, wa.Name.Value, wa.Name.Pos, ws, lookalike.Explain(wb.Name.Value, wa.Name.Value))})
				break
			}
		}
	}
	return probs
}
