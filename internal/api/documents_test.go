package api

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// plainSchemaPath is Plain's published schema, kept beside the repository
// (never copied into it).
var plainSchemaPath = filepath.Join("..", "..", "..", "shared", "plain", "schema.graphql")

func TestDocumentsValidateAgainstPlainSchema(t *testing.T) {
	src, err := os.ReadFile(plainSchemaPath)
	if os.IsNotExist(err) {
		t.Skipf("Plain's schema not found at %s (../shared/plain/schema.graphql beside the repo); skipping document validation", plainSchemaPath)
	}
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(src)})
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
			if _, err := gqlparser.LoadQuery(schema, doc); err != nil {
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
		if _, err := gqlparser.LoadQuery(schema, AttemptsBatchDocument(n)); err != nil {
			t.Fatalf("DeliveryAttemptsBatch with %d aliases does not validate against Plain's schema: %v", n, err)
		}
	}
}
