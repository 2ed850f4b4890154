package spec

import (
	"strings"
	"testing"
)

func sharedFile(file, ws string, scope []string, names ...string) *Desired {
	d := &Desired{File: file, Workspace: Text{Value: ws, Pos: Pos{File: file, Line: 2, Col: 12}}}
	for _, s := range scope {
		d.Scope = append(d.Scope, Text{Value: s})
	}
	if len(scope) > 0 {
		d.ScopePos = Pos{File: file, Line: 3, Col: 8}
	}
	for i, n := range names {
		d.Webhooks = append(d.Webhooks, Webhook{Name: Text{Value: n, Pos: Pos{File: file, Line: 10 + i, Col: 11}}})
	}
	return d
}

func TestCheckShared(t *testing.T) {
	byWorkspace := func(d *Desired) string { return d.Workspace.Value }
	cases := []struct {
		name string
		ds   []*Desired
		want []string // substrings, one per problem, in order
	}{
		{"different workspaces", []*Desired{sharedFile("a.yaml", "w_1", nil, "x"), sharedFile("b.yaml", "w_2", nil, "x")}, nil},
		{"no workspace given", []*Desired{sharedFile("a.yaml", "", nil, "x"), sharedFile("b.yaml", "", nil, "x")}, nil},
		{"unscoped pair", []*Desired{sharedFile("a.yaml", "w_1", nil, "x"), sharedFile("b.yaml", "w_1", nil, "y")}, []string{
			"a.yaml:2:12: a.yaml and b.yaml both describe workspace w_1",
			"b.yaml:2:12: b.yaml and a.yaml both describe workspace w_1",
		}},
		{"one scoped", []*Desired{sharedFile("a.yaml", "w_1", []string{"a-*"}, "a-x"), sharedFile("b.yaml", "w_1", nil, "y")}, []string{
			"a.yaml:2:12: a.yaml and b.yaml", "b.yaml:2:12: b.yaml and a.yaml",
		}},
		{"disjoint scopes", []*Desired{sharedFile("a.yaml", "w_1", []string{"a-*"}, "a-x"), sharedFile("b.yaml", "w_1", []string{"b-*"}, "b-y")}, nil},
		{"overlapping scopes", []*Desired{sharedFile("a.yaml", "w_1", []string{"*-crm"}, "support-crm"), sharedFile("b.yaml", "w_1", []string{"support-*"}, "support-mail")}, []string{
			`a.yaml:10:11: webhook "support-crm" is also in the scope of b.yaml (support-*)`,
		}},
		// Disjoint scopes (the Cyrillic с is not matched by "c*"), but the
		// names look the same in one workspace.
		{"lookalike names across files", []*Desired{sharedFile("a.yaml", "w_1", []string{"c*"}, "crm-sync"), sharedFile("b.yaml", "w_1", []string{"\u0441*"}, "\u0441rm-sync")}, []string{
			`b.yaml:10:11: webhook name "сrm-sync" looks like "crm-sync" at a.yaml:10:11, which describes the same workspace w_1, but is different text (U+0441 (Cyrillic) where the other has U+0063 (Latin))`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := CheckShared(tc.ds, byWorkspace)
			if len(ps) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(ps), len(tc.want), render(ps))
			}
			for i, w := range tc.want {
				if !strings.Contains(ps[i].String(), w) || ps[i].Severity != SeverityError {
					t.Errorf("problem %d = %q, want it to contain %q", i, ps[i], w)
				}
			}
		})
	}
}
