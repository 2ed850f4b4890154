package render

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
)

// hostile is what a live workspace can hold: descriptions, URLs, event
// types, ids and a workspace name that try to end the line and start a
// GitHub workflow command, or move the terminal's cursor.
func hostilePlan() *diff.Plan {
	p := fixture()
	const evil = "x\n::error file=a,line=1::forged\r\x1b[2K::add-mask::y\u202e"
	p.Workspace.Name = evil
	p.Workspace.ID = "w_1\n::warning::ws"
	for i := range p.Changes {
		ch := &p.Changes[i]
		ch.Name = "::error::" + evil
		if ch.TargetID != "" {
			ch.TargetID = "whTarget_\n::notice::id"
		}
		for _, st := range []*diff.TargetState{ch.Before, ch.After} {
			if st != nil {
				st.Description = evil
				st.URL = "https://h.example/" + evil
				st.EventTypes = append(st.EventTypes, "::error::ev\n::error::ev2")
			}
		}
		for j := range ch.Fields {
			ch.Fields[j].Before, ch.Fields[j].After = evil, "::error::"+evil
			ch.Fields[j].Added = append(ch.Fields[j].Added, "\n::error::added")
		}
	}
	p.Changes = append(p.Changes, diff.Change{Action: diff.ActionUnmanaged, Name: "u", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR15\n::error::u",
		Before: &diff.TargetState{URL: evil, EventTypes: []string{evil}}})
	return p
}

func TestHumanRenderersKeepHostileTextInert(t *testing.T) {
	for name, r := range map[string]renderer{
		"text":           textR(false),
		"text colour":    textR(true),
		"markdown":       Markdown,
		"drift":          driftR(false),
		"drift markdown": DriftMarkdown,
	} {
		out := render(t, r, hostilePlan())
		for i, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, " \t"), "::") {
				t.Errorf("%s: line %d starts a workflow command: %q", name, i+1, line)
			}
			for _, c := range line {
				if (c < 0x20 && !(c == 0x1b && name == "text colour")) || c == 0x7f || c == '\u202e' || c == '\r' {
					t.Errorf("%s: line %d holds control character %U: %q", name, i+1, c, line)
					break
				}
			}
		}
		if name == "text colour" {
			// Colour codes are plainsync's own; the hostile ESC is escaped.
			if strings.Contains(out, "\x1b[2K") {
				t.Errorf("%s: the hostile ESC sequence is raw", name)
			}
		}
		if !strings.Contains(out, `\x3a:error`) && !strings.Contains(out, `\x0a::error`) {
			t.Errorf("%s: the hostile text is not shown escaped:\n%s", name, out)
		}
	}
}

// JSON keeps the exact values: its encoder escapes control characters,
// and no line of it can start with "::".
func TestJSONKeepsHostileTextExact(t *testing.T) {
	out := render(t, JSON, hostilePlan())
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "::") || strings.ContainsAny(line, "\r\x1b") {
			t.Errorf("JSON line %q", line)
		}
	}
	var got struct {
		Workspace struct{ Name string } `json:"workspace"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Workspace.Name != hostilePlan().Workspace.Name {
		t.Errorf("JSON changed the workspace name: %q", got.Workspace.Name)
	}
}
