package api

import (
	"regexp"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/plainsync/plainsync/internal/plainschema"
)

// TestDocumentsValidateAgainstPlainSchema: every document plainsync sends
// is valid against Plain's published schema (the repository's copy in
// internal/plainschema).
func TestDocumentsValidateAgainstPlainSchema(t *testing.T) {
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: plainschema.GraphQL})
	if gerr != nil {
		t.Fatalf("load Plain schema: %v", gerr)
	}
	docs := Documents()
	if len(docs) < 12 {
		t.Fatalf("Documents() returned %d documents, want at least 12", len(docs))
	}
	opName := regexp.MustCompile(`^(query|mutation) (\w+)`)
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			if _, err := gqlparser.LoadQueryWithRules(schema, doc, nil); err != nil {
				t.Fatalf("document %s does not validate against Plain's schema: %v", name, err)
			}
			m := opName.FindStringSubmatch(doc)
			if m == nil || m[2] != name {
				t.Fatalf("document key %q does not match its operation name %v", name, m)
			}
		})
	}
	// DeliveryAttemptsBatch is generated: every size the client sends.
	for n := 1; n <= MaxAttemptAliases; n++ {
		if _, err := gqlparser.LoadQueryWithRules(schema, AttemptsBatchDocument(n), nil); err != nil {
			t.Fatalf("DeliveryAttemptsBatch with %d aliases does not validate against Plain's schema: %v", n, err)
		}
	}
}
