package plainmock

import (
	"sort"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/plainsync/plainsync/internal/api"
)

// TestAcceptsEveryClientDocument: every document plainsync's client sends
// must pass the mock's validation, or the mock would be useless for
// end-to-end tests.
func TestAcceptsEveryClientDocument(t *testing.T) {
	docs := api.Documents()
	if len(docs) == 0 {
		t.Fatal("api.Documents() is empty")
	}
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		doc, err := parser.ParseQuery(&ast.Source{Name: name, Input: docs[name]})
		if err != nil {
			t.Errorf("%s: parse: %v", name, err)
			continue
		}
		for _, e := range validator.ValidateWithRules(mockSchema, doc, nil) {
			t.Errorf("%s: %s", name, e.Message)
		}
	}

	m := newMock(t, Config{})
	m.create(createInput("https://a.example.com/", "a", "thread.thread_created"))
	r := mustOK(t, m.post(DefaultKey, map[string]any{"query": docs["Snapshot"], "operationName": "Snapshot", "variables": map[string]any{"first": api.PageSize}}))
	if edges, _ := r.data("webhookTargets.edges").([]any); len(edges) != 1 {
		t.Errorf("client Snapshot document: %s", r.Raw)
	}
}
