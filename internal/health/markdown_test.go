package health

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// nameCells parses md as GitHub does (CommonMark with the GFM extensions)
// and returns the text of each table row's target cell, failing when
// that cell is anything but one code span, when live text made a link,
// image, autolink or HTML anywhere, or when a fenced block other than the
// chart appears.
func nameCells(t *testing.T, md string) []string {
	t.Helper()
	src := []byte(md)
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
	var cells []string
	fenced := 0
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *extast.TableRow:
			cell := n.FirstChild().NextSibling()
			if cell == nil {
				t.Errorf("a table row without a target cell:\n%s", md)
				return ast.WalkContinue, nil
			}
			if cell.ChildCount() != 1 || cell.FirstChild().Kind() != ast.KindCodeSpan {
				t.Errorf("a target cell is not one code span: %q", cellText(cell, src))
			}
			cells = append(cells, cellText(cell, src))
		case *ast.Link, *ast.Image, *ast.AutoLink, *ast.RawHTML, *ast.HTMLBlock:
			t.Errorf("the health Markdown has a %s from live text:\n%s", n.Kind(), md)
		case *ast.FencedCodeBlock:
			if fenced++; fenced > 1 || string(n.Language(src)) != "mermaid" {
				t.Errorf("a fenced block other than the chart:\n%s", md)
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cells
}

// cellText is the text of n's descendants.
func cellText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(t.Segment.Value(src))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// A target name in the health table is only text: it goes into a code
// span (raw <code>…</code> would not do, since GitHub parses Markdown
// inside it), so a live name never becomes a link or a tracking-pixel
// image in the step summary or drift issue, and is still shown whole.
func TestHealthMarkdownNameIsOnlyText(t *testing.T) {
	for _, evil := range []string{
		"[click](https://evil.example/x)",
		"![img](https://evil.example/pixel.png)",
		"<https://evil.example/angle>",
		"see https://evil.example/bare and www.evil.example",
		"`[tick](https://evil.example/t)`",
		"a | b ``` c",
		"<img src=https://evil.example/p.png>",
		" padded ",
	} {
		r := &Report{Window: "24h0m0s", MinSuccessRate: 0.9, Targets: []TargetHealth{{
			TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Name: evil, Attempts: 1, Successful: 1,
		}}}
		md := r.Markdown()
		if cells := nameCells(t, md); len(cells) != 1 || cells[0] != evil {
			t.Errorf("name %q: target cells %q, want the name whole:\n%s", evil, cells, md)
		}
	}
}
