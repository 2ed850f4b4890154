package view

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// modulePath is the module whose code the boundary test reads.
const modulePath = "github.com/plainsync/plainsync"

// The packages whose display functions only the gate may call (see
// isDisplayPrimitive).
const (
	inertPkg  = modulePath + "/internal/inert"
	mdcodePkg = modulePath + "/internal/mdcode"
	secretPkg = modulePath + "/internal/secret"
)

// gateAllowed are the packages that may call the display primitives:
//   - internal/secret, internal/inert and internal/mdcode implement them;
//   - internal/view is the gate;
//   - internal/render (the plan, drift and delivery-health renderers) and
//     internal/ghactions (the Actions workflow-command encoder and the
//     GitHub comment and issue client) are what the gate drives: view hands
//     them a plan or a report and they escape every piece of it for their
//     own format (Markdown cells, workflow-command values), which only they
//     know.
var gateAllowed = map[string]bool{
	secretPkg:                          true,
	inertPkg:                           true,
	mdcodePkg:                          true,
	modulePath + "/internal/view":      true,
	modulePath + "/internal/render":    true,
	modulePath + "/internal/ghactions": true,
}

// gateExceptions are the calls outside the allowed packages that are not
// for display: each keeps a secret out of data (an error value, a saved
// file, a comparison) that may later be shown or stored as it is. Each
// names one function, "package path.Func" or "package path.(*Type).Method",
// so that a new display call elsewhere in the same package still fails.
var gateExceptions = map[string]string{
	modulePath + "/internal/api.New":                              "the API URL is redacted in the client's own error values and in the endpoint its debug log and errors quote: they are data the caller wraps and returns",
	modulePath + "/internal/api.redactValue":                      "the debug log's GraphQL variables are redacted as they are recorded, before the log writer (a Gate.Writer) sees them",
	modulePath + "/internal/diff.urlChange":                       "comparing two URLs with their secret parts redacted tells whether only secrets changed (FieldChange.OnlySecrets); nothing is shown",
	modulePath + "/internal/diff.RedactURLs":                      "a plan that is saved or rendered holds no secret part of a URL no ${VAR} names: planfile writes it to disk, the renderers start from it",
	modulePath + "/internal/diff/planfile.Marshal":                "a saved plan file is data on disk: no line of it may hold a workflow command (inert.JSON)",
	modulePath + "/internal/diff/planfile.newSavedEncoder":        "a saved plan file holds ${NAME} references, never secret values: masking one value yields its reference",
	modulePath + "/internal/diff/planfile.(*savedEncoder).encode": "a saved plan file holds ${NAME} references, never the escaped forms of a secret",
	modulePath + "/internal/spec.(*parser).checkURL":              "a spec.Problem is data (printed, but also written as JSON and compared): its message never holds a URL secret",
}

// TestGateBoundary enforces issue 21's one output gate: outside the
// allowed packages and the listed exceptions, no non-test code calls (or
// takes as a function value) the masking, URL-redaction or inert
// functions; text for a person or a log goes through view.Gate instead.
// The offending calls are listed by file:line.
func TestGateBoundary(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Dir:  root,
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		t.Fatalf("load the module: %v", err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		t.Fatalf("load the module: %d error(s)", n)
	}
	type offence struct {
		file string
		line int
		text string
	}
	var offences []offence
	usedExceptions := map[string]bool{}
	seenPrimitives := map[string]bool{}
	for _, pkg := range pkgs {
		if !strings.HasPrefix(pkg.PkgPath, modulePath) {
			continue
		}
		seenPrimitives[pkg.PkgPath] = true
		if gateAllowed[pkg.PkgPath] {
			continue
		}
		for _, file := range pkg.Syntax {
			for _, use := range primitiveUses(pkg.Fset, pkg.TypesInfo, file) {
				key := pkg.PkgPath + "." + use.enclosing
				if _, ok := gateExceptions[key]; ok && use.enclosing != "" {
					usedExceptions[key] = true
					continue
				}
				rel, err := filepath.Rel(root, use.pos.Filename)
				if err != nil {
					rel = use.pos.Filename
				}
				in := use.enclosing
				if in == "" {
					in = "package level"
				}
				offences = append(offences, offence{rel, use.pos.Line, fmt.Sprintf("%s:%d: %s (in %s)", rel, use.pos.Line, use.callee, in)})
			}
		}
	}
	// The test must have seen the primitives' packages, or it checks
	// nothing.
	for _, p := range []string{inertPkg, mdcodePkg, secretPkg} {
		if !seenPrimitives[p] {
			t.Errorf("package %s was not loaded", p)
		}
	}
	sort.Slice(offences, func(i, j int) bool {
		if offences[i].file != offences[j].file {
			return offences[i].file < offences[j].file
		}
		return offences[i].line < offences[j].line
	})
	if len(offences) > 0 {
		lines := make([]string, len(offences))
		for i, o := range offences {
			lines[i] = o.text
		}
		t.Errorf("%d call(s) of a display primitive outside the gate (internal/view); print through view.Gate, or move the display code into internal/view:\n\t%s",
			len(offences), strings.Join(lines, "\n\t"))
	}
	// An exception that no longer matches anything is stale: remove it,
	// so that the list stays the short list of real exceptions.
	for key := range gateExceptions {
		if !usedExceptions[key] {
			t.Errorf("exception %s matches no call any more: remove it from gateExceptions", key)
		}
	}
}

// primitiveUse is one reference to a display primitive.
type primitiveUse struct {
	pos       token.Position
	callee    string // e.g. "secret.RedactURL", "(*secret.Masker).Mask"
	enclosing string // the enclosing top-level function, e.g. "New", "(*parser).checkURL"; "" at package level
}

// primitiveUses lists the references in file to display primitives: calls,
// and function values (a masker's Mask passed on is a call made later).
func primitiveUses(fset *token.FileSet, info *types.Info, file *ast.File) []primitiveUse {
	var out []primitiveUse
	visit := func(enclosing string, n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			fn, ok := info.Uses[id].(*types.Func)
			if !ok {
				return true
			}
			if name, ok := isDisplayPrimitive(fn); ok {
				out = append(out, primitiveUse{pos: fset.Position(id.Pos()), callee: name, enclosing: enclosing})
			}
			return true
		})
	}
	for _, decl := range file.Decls {
		if fd, ok := decl.(*ast.FuncDecl); ok {
			visit(funcName(fd), fd)
			continue
		}
		visit("", decl)
	}
	return out
}

// isDisplayPrimitive reports whether fn is one of the functions only the
// gate calls, and names it: every function and method of internal/inert
// and internal/mdcode, every exported Redact* function of internal/secret,
// and the display-masking methods of *secret.Masker (Mask, Untrusted).
// The masker's other methods learn secrets (Add…) or only test text
// (Echoes); they show nothing.
func isDisplayPrimitive(fn *types.Func) (string, bool) {
	if fn.Pkg() == nil {
		return "", false
	}
	path := fn.Pkg().Path()
	short := fn.Pkg().Name()
	sig, _ := fn.Type().(*types.Signature)
	recv := ""
	if sig != nil && sig.Recv() != nil {
		recv = recvName(sig.Recv().Type())
	}
	name := short + "." + fn.Name()
	if recv != "" {
		name = "(" + strings.Replace(recv, "*", "*"+short+".", 1) + ")." + fn.Name()
		if !strings.HasPrefix(recv, "*") {
			name = "(" + short + "." + recv + ")." + fn.Name()
		}
	}
	switch path {
	case inertPkg, mdcodePkg:
		// NeedsEscape is a predicate: it decides what to offer as a
		// name, and shows nothing.
		return name, !(path == inertPkg && fn.Name() == "NeedsEscape")
	case secretPkg:
		if recv == "" && fn.Exported() && strings.HasPrefix(fn.Name(), "Redact") {
			return name, true
		}
		if strings.TrimPrefix(recv, "*") == "Masker" && (fn.Name() == "Mask" || fn.Name() == "Untrusted") {
			return name, true
		}
	}
	return "", false
}

// funcName is a declaration's name as gateExceptions spells it: "New",
// "(*parser).checkURL", "(T).m".
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	return "(" + typeExprName(fd.Recv.List[0].Type) + ")." + fd.Name.Name
}

func typeExprName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return "*" + typeExprName(x.X)
	case *ast.Ident:
		return x.Name
	case *ast.IndexExpr: // a generic receiver, T[P]
		return typeExprName(x.X)
	case *ast.IndexListExpr:
		return typeExprName(x.X)
	}
	return fmt.Sprintf("%T", e)
}

// recvName is a method receiver's type name, "*Masker" or "Masker".
func recvName(t types.Type) string {
	star := ""
	if p, ok := t.(*types.Pointer); ok {
		star, t = "*", p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return star + n.Obj().Name()
	}
	return star + t.String()
}
