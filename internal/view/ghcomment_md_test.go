package view

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/plainsync/plainsync/internal/inert"
)

// TestCommentHeadingPathIsOnlyText: a file path or comment key is chosen
// by whoever opens the pull request; in the comment's heading it is a code
// span, never a link, image, emphasis or HTML (GFM, as GitHub renders).
func TestCommentHeadingPathIsOnlyText(t *testing.T) {
	for _, path := range []string{
		"[click](https://evil.example/x).yaml",
		"![img](https://evil.example/p.png).yaml",
		"**bold** @someone #12 <img src=x>.yaml",
		"`tick`.yaml",
		"dir/##[error]FORGED.yaml",
	} {
		md := "#### plainsync plan for " + code1(path) + ": changes to review\n"
		if strings.Contains(md, "##[") {
			t.Errorf("%q: heading keeps a legacy workflow command: %q", path, md)
		}
		src := []byte(md)
		doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
		var spans []string
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			switch n := n.(type) {
			case *ast.Link, *ast.Image, *ast.AutoLink, *ast.Emphasis, *ast.RawHTML:
				t.Errorf("%q: a %s in the heading", path, n.Kind())
			case *ast.CodeSpan:
				var b strings.Builder
				for c := n.FirstChild(); c != nil; c = c.NextSibling() {
					if tx, ok := c.(*ast.Text); ok {
						b.Write(tx.Segment.Value(src))
					}
				}
				spans = append(spans, b.String())
			}
			return ast.WalkContinue, nil
		})
		if len(spans) != 1 || strings.TrimSpace(spans[0]) != inert.Text(path) {
			t.Errorf("%q: code spans %q", path, spans)
		}
	}
}
