package cli

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The command layer is wiring (issue 21): these bounds keep it so. When
// one fails, move the logic to the package that owns it (reconcile, view,
// health, ...) rather than raising the bound.
const (
	maxCLILines     = 1800 // all non-test Go files in internal/cli, exclusive
	maxFileLines    = 250
	maxFactoryFuncs = 10
	maxRunELines    = 12 // lines between a RunE literal's braces
)

// cliSources parses the package's non-test files.
func cliSources(t *testing.T) (*token.FileSet, map[string]*ast.File, map[string]int) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files, lines := map[string]*ast.File{}, map[string]int{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		files[name], lines[name] = f, strings.Count(string(src), "\n")
	}
	if len(files) == 0 {
		t.Fatal("no source files found")
	}
	return fset, files, lines
}

func TestCLIIsWiring(t *testing.T) {
	fset, files, lines := cliSources(t)

	total := 0
	for name, n := range lines {
		total += n
		if n > maxFileLines {
			t.Errorf("%s has %d lines, more than %d", name, n, maxFileLines)
		}
	}
	if total >= maxCLILines {
		t.Errorf("internal/cli has %d lines of non-test Go, want fewer than %d", total, maxCLILines)
	}

	var factory, offences []string
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Recv != nil && receiverName(n.Recv.List[0].Type) == "Factory" {
					factory = append(factory, n.Name.Name)
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "RunE" {
					offences = append(offences, longRunE(fset, n.Value)...)
				}
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Code" {
					if lit, ok := n.Value.(*ast.BasicLit); ok && lit.Kind == token.INT {
						offences = append(offences, fmt.Sprintf("%s: bare exit code %s; use a named constant", fset.Position(lit.Pos()), lit.Value))
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "RunE" && i < len(n.Rhs) {
						offences = append(offences, longRunE(fset, n.Rhs[i])...)
					}
				}
			}
			return true
		})
	}
	if len(factory) > maxFactoryFuncs {
		sort.Strings(factory)
		t.Errorf("the Factory has %d methods, at most %d: %s", len(factory), maxFactoryFuncs, strings.Join(factory, ", "))
	}
	sort.Strings(offences)
	for _, o := range offences {
		t.Error(o)
	}
}

// receiverName is a method receiver's type name, pointer or not.
func receiverName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// longRunE reports a RunE function literal whose body is too long.
func longRunE(fset *token.FileSet, e ast.Expr) []string {
	lit, ok := e.(*ast.FuncLit)
	if !ok {
		return nil
	}
	open, end := fset.Position(lit.Body.Lbrace), fset.Position(lit.Body.Rbrace)
	if n := end.Line - open.Line - 1; n > maxRunELines {
		return []string{fmt.Sprintf("%s: RunE body has %d lines, more than %d", open, n, maxRunELines)}
	}
	return nil
}
