package plainmock

import (
	"fmt"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/plainsync/plainsync/internal/plainschema"
)

// schemaSDL is Plain's full public schema, verbatim, from the repository's
// one copy (internal/plainschema, embedded so the binary needs no files
// next to it). Every request is validated against all of it, so a
// document Plain accepts passes here and one Plain rejects fails here with
// the same validation error; what the mock then executes is the webhook
// surface (surface.go).
var schemaSDL = plainschema.GraphQL

// mockSchema is parsed once: every request is validated against it.
var mockSchema = mustLoadSchema()

func mustLoadSchema() *ast.Schema {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "plain/schema.graphql", Input: schemaSDL, BuiltIn: false})
	if err != nil {
		// The SDL is compiled in; a broken one is a programming error that
		// every test run would catch immediately.
		panic(fmt.Sprintf("plainmock: embedded schema does not load: %v", err))
	}
	return s
}
