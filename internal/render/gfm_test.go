package render

import (
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/spec"
)

// hostileMarkdown is live text that is Markdown or HTML to GitHub: links,
// images (a tracking pixel), emphasis, strikethrough, mentions and issue
// references, bare URLs (GFM's extended autolinks), raw HTML and HTML
// that would end plainsync's own blocks, backticks that would end a code
// span, pipes that would split a table cell, and workflow commands.
var hostileMarkdown = []string{
	"[click](https://evil.example/x)",
	"![img](https://evil.example/pixel.png)",
	"**bold** _em_ ~~gone~~ @someone #123 owner/repo#4",
	"<img src=x onerror=alert(1)></details><!-- hidden --><a href=https://evil.example>a</a>",
	"`tick` `` two `` ```fence``` ends with `",
	"` starts with a backtick",
	"  padded  ",
	"|pipe| \\| cell",
	"https://evil.example/auto www.evil.example <https://evil.example/angle> mail@evil.example",
	"&lt;b&gt; &#x3c;i&#x3e; &amp;",
	"innocent ##[error]FORGED ##[add-mask]delete ##[set-output name=has-changes;]false ::error::x",
	"\\[esc\\](https://evil.example) [ref]: https://evil.example\n[ref]",
}

// hostileMarkdownPlan puts hostile text in every live field the Markdown
// shows: the workspace's name and id, the file (a saved plan's), scope
// globs, names, ids, descriptions, URLs, event types and warnings.
func hostileMarkdownPlan(evil string) *diff.Plan {
	p := fixture()
	p.File = evil + ".yaml"
	p.Workspace.Name = evil
	p.Workspace.ID = "w_" + evil
	p.Scope = []string{evil}
	p.Warnings = append(p.Warnings, spec.Problem{Pos: spec.Pos{File: evil, Line: 1, Col: 1}, Severity: spec.SeverityWarning, Message: "live target " + evil})
	for i := range p.Changes {
		ch := &p.Changes[i]
		ch.Name = evil
		if ch.TargetID != "" {
			ch.TargetID = "whTarget_" + evil
		}
		for _, st := range []*diff.TargetState{ch.Before, ch.After} {
			if st != nil {
				st.Description = evil
				st.URL = "https://h.example/" + evil
				st.EventTypes = append(st.EventTypes, evil)
			}
		}
		for j := range ch.Fields {
			ch.Fields[j].Before, ch.Fields[j].After = evil, evil+"!"
		}
	}
	return p
}

var (
	// ownTags are the only HTML elements plainsync writes, bare.
	ownTag  = regexp.MustCompile(`^</?(details|summary|code)>$`)
	anyTag  = regexp.MustCompile(`<[^<>]*>|<!--|<!|<\?`)
	ownBold = regexp.MustCompile(`^(Plan: |This plan deletes |Drift: |In sync\.)`)
	// mentionLike is what GitHub turns into a mention, an issue
	// reference or a link when it sees it in text outside code.
	mentionLike = regexp.MustCompile(`@[A-Za-z0-9]|#[0-9]|https?://|www\.`)
)

// nodeText is the text of n's Text and String descendants.
func nodeText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch t := c.(type) {
			case *ast.Text:
				b.Write(t.Segment.Value(src))
			case *ast.String:
				b.Write(t.Value)
			}
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

func inCode(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Kind() == ast.KindCodeSpan {
			return true
		}
	}
	return false
}

// checkGFM parses md as GitHub does (CommonMark with the GFM extensions:
// tables, strikethrough, autolinks, task lists) and fails on anything but
// text that live text could have made.
func checkGFM(t *testing.T, name, md string) (codeSpans, nameCells []string) {
	t.Helper()
	src := []byte(md)
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *extast.TableRow:
			if c := n.FirstChild(); c != nil && c.NextSibling() != nil && c.NextSibling().NextSibling() != nil {
				nameCells = append(nameCells, nodeText(c.NextSibling().NextSibling(), src))
			}
		case *ast.Link, *ast.Image, *ast.AutoLink:
			t.Errorf("%s: a %s from live text: %q", name, n.Kind(), nodeText(n, src))
		case *extast.Strikethrough:
			t.Errorf("%s: strikethrough from live text: %q", name, nodeText(n, src))
		case *ast.Emphasis:
			if s := nodeText(n, src); n.Level != 2 || !ownBold.MatchString(s) {
				t.Errorf("%s: emphasis from live text: %q", name, s)
			}
		case *ast.RawHTML:
			var raw strings.Builder
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				raw.Write(seg.Value(src))
			}
			t.Errorf("%s: inline HTML from live text: %q", name, raw.String())
		case *ast.HTMLBlock:
			var raw strings.Builder
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				raw.Write(seg.Value(src))
			}
			if n.HasClosure() {
				raw.Write(n.ClosureLine.Value(src))
			}
			for _, tag := range anyTag.FindAllString(raw.String(), -1) {
				if !ownTag.MatchString(tag) {
					t.Errorf("%s: HTML %q from live text in block %q", name, tag, raw.String())
				}
			}
		case *ast.CodeSpan:
			codeSpans = append(codeSpans, nodeText(n, src))
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if s := string(n.Segment.Value(src)); !inCode(n) && mentionLike.MatchString(s) {
				t.Errorf("%s: mention, reference or link-like text outside code: %q", name, s)
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return codeSpans, nameCells
}

// TestMarkdownLiveTextIsOnlyText renders plans of a hostile workspace and
// parses them as GFM: no link, image, emphasis, mention, autolink or HTML
// element may come from live text, and the live text must still be shown,
// whole, in code spans.
func TestMarkdownLiveTextIsOnlyText(t *testing.T) {
	for _, evil := range hostileMarkdown {
		for name, r := range map[string]renderer{"plan": Markdown, "drift": DriftMarkdown} {
			p := hostileMarkdownPlan(evil)
			md := render(t, r, p)
			if strings.Contains(md, "##[") {
				t.Errorf("%s of %q carries a legacy workflow command", name, evil)
			}
			spans, cells := checkGFM(t, name+" of "+evil, md)
			// The name, shown escaped as every renderer shows live text,
			// is a code span of its own (in a table cell: a pipe escaped
			// for the row is read back as a pipe).
			want := strings.Trim(displayed(evil), " ")
			found := false
			for _, s := range spans {
				if strings.Trim(s, " ") == want {
					found = true
				}
			}
			if !found {
				t.Errorf("%s of %q: no code span shows the name whole; spans: %q\n%s", name, evil, spans, md)
			}
			if len(cells) == 0 {
				t.Errorf("%s of %q: no table", name, evil)
			}
			for _, c := range cells {
				if strings.Trim(c, " ") != want {
					t.Errorf("%s of %q: the name cell reads %q, want %q", name, evil, c, want)
				}
			}
		}
	}
}

// displayed is s as the renderers show live text.
func displayed(s string) string {
	p := &diff.Plan{Changes: []diff.Change{{Name: s}}}
	return display(p).Changes[0].Name
}

// TestSpanFences covers the code span's fence and padding rules.
func TestSpanFences(t *testing.T) {
	for in, want := range map[string]string{
		"plain":     "`plain`",
		"a`b":       "``a`b``",
		"``x":       "``` ``x ```",
		"x`":        "`` x` ``",
		" both ":    "`  both  `",
		" left":     "` left`",
		"   ":       "`   `",
		"":          "",
		"two\nline": "`two line`",
	} {
		if got := span(in); got != want {
			t.Errorf("span(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cellSpan("a|b"); got != "`a\\|b`" {
		t.Errorf("cellSpan = %q", got)
	}
}
