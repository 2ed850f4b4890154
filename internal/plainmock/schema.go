package plainmock

import (
	_ "embed"
	"fmt"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// schemaSDL is the mock's own subset of Plain's schema. It is embedded so
// the binary needs no files next to it, and kept faithful to Plain's by
// TestSchemaSubsetIsFaithful.
//
//go:embed schema.graphql
var schemaSDL string

// mockSchema is parsed once: every request is validated against it.
var mockSchema = mustLoadSchema()

func mustLoadSchema() *ast.Schema {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "plainmock/schema.graphql", Input: schemaSDL, BuiltIn: false})
	if err != nil {
		// The SDL is compiled in; a broken one is a programming error that
		// every test run would catch immediately.
		panic(fmt.Sprintf("plainmock: embedded schema does not load: %v", err))
	}
	return s
}
