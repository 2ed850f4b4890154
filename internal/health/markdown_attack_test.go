package health

import (
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// ATTACK: a target name in the health table is wrapped in raw <code> HTML, inside which GitHub still parses Markdown: a live name becomes a link or a tracking-pixel image in the step summary / drift issue.
func TestAttackHealthMarkdownNameIsOnlyText(t *testing.T) {
	for _, evil := range []string{
		"[click](https://evil.example/x)",
		"![img](https://evil.example/pixel.png)",
		"<https://evil.example/angle>",
		"see https://evil.example/bare and www.evil.example",
	} {
		r := &Report{Window: "24h0m0s", MinSuccessRate: 0.9, Targets: []TargetHealth{{
			TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Name: evil, Attempts: 1, Successful: 1,
		}}}
		md := r.Markdown()
		src := []byte(md)
		doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			switch n.Kind() {
			case ast.KindLink, ast.KindImage, ast.KindAutoLink:
				t.Errorf("name %q: the health table renders a %s from live text:\n%s", evil, n.Kind(), md)
			}
			return ast.WalkContinue, nil
		})
	}
}
