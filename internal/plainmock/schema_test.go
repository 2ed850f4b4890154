package plainmock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

const plainSchemaPath = "../../../shared/plain/schema.graphql"

func loadPlainSchemaDoc(t *testing.T) *ast.SchemaDocument {
	t.Helper()
	b, err := os.ReadFile(plainSchemaPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("Plain's schema is not at %s (it lives outside the repository); skipping the faithfulness check", plainSchemaPath)
	}
	if err != nil {
		t.Fatalf("read Plain schema: %v", err)
	}
	doc, err := parser.ParseSchema(&ast.Source{Name: "plain/schema.graphql", Input: string(b)})
	if err != nil {
		t.Fatalf("parse Plain schema: %v", err)
	}
	return doc
}

// TestSchemaSubsetIsFaithful checks that the mock's SDL only uses Plain's
// names and types: every type, field, argument, enum value, union member
// and input field of the subset exists in Plain's schema with the same type
// string, so that a document the mock accepts is one Plain accepts too.
func TestSchemaSubsetIsFaithful(t *testing.T) {
	real := loadPlainSchemaDoc(t)
	sub, err := parser.ParseSchema(&ast.Source{Name: "plainmock/schema.graphql", Input: schemaSDL})
	if err != nil {
		t.Fatalf("parse subset: %v", err)
	}
	if len(sub.Definitions) < 20 {
		t.Fatalf("subset has only %d definitions; did the embedded SDL load?", len(sub.Definitions))
	}
	for _, p := range unfaithful(real, sub) {
		t.Error(p)
	}
}

// TestSchemaFaithfulnessCheckCatchesDrift proves the check above can fail.
func TestSchemaFaithfulnessCheckCatchesDrift(t *testing.T) {
	real := loadPlainSchemaDoc(t)
	bad := `type WebhookTarget { id: ID name: String! }
enum MutationErrorType { VALIDATION NOT_FOUND }
input CreateWebhookTargetInput { url: String! }
type Invented { x: Int }
union WebhookDeliveryAttemptResult = WebhookTarget`
	sub, err := parser.ParseSchema(&ast.Source{Name: "bad.graphql", Input: bad})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(unfaithful(real, sub), "\n")
	for _, want := range []string{
		"WebhookTarget.id: type ID, Plain has ID!",
		"WebhookTarget.name: not in Plain's schema",
		"enum MutationErrorType: value NOT_FOUND",
		"omits Plain's required field eventSubscriptions",
		"type Invented: not in Plain's schema",
		"union WebhookDeliveryAttemptResult: member WebhookTarget",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("check did not report %q; got:\n%s", want, got)
		}
	}
}

// unfaithful lists every way sub differs from (is not a subset of) real.
func unfaithful(real, sub *ast.SchemaDocument) []string {
	var problems []string
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	realDefs := map[string]*ast.Definition{}
	for _, d := range append(real.Definitions, real.Extensions...) {
		if prev, ok := realDefs[d.Name]; ok {
			// Merge `extend type` into the base so lookups see every field.
			merged := *prev
			merged.Fields = append(append(ast.FieldList{}, prev.Fields...), d.Fields...)
			merged.Types = append(append([]string{}, prev.Types...), d.Types...)
			merged.EnumValues = append(append(ast.EnumValueList{}, prev.EnumValues...), d.EnumValues...)
			realDefs[d.Name] = &merged
			continue
		}
		realDefs[d.Name] = d
	}

	for _, d := range sub.Definitions {
		rd, ok := realDefs[d.Name]
		if !ok {
			errorf("type %s: not in Plain's schema", d.Name)
			continue
		}
		if rd.Kind != d.Kind {
			errorf("type %s: kind %s, Plain has %s", d.Name, d.Kind, rd.Kind)
			continue
		}
		for _, f := range d.Fields {
			rf := rd.Fields.ForName(f.Name)
			if rf == nil {
				errorf("%s.%s: not in Plain's schema", d.Name, f.Name)
				continue
			}
			if f.Type.String() != rf.Type.String() {
				errorf("%s.%s: type %s, Plain has %s", d.Name, f.Name, f.Type, rf.Type)
			}
			for _, a := range f.Arguments {
				ra := rf.Arguments.ForName(a.Name)
				if ra == nil {
					errorf("%s.%s(%s): argument not in Plain's schema", d.Name, f.Name, a.Name)
					continue
				}
				if a.Type.String() != ra.Type.String() {
					errorf("%s.%s(%s): type %s, Plain has %s", d.Name, f.Name, a.Name, a.Type, ra.Type)
				}
			}
			// A required argument the subset left out would make the mock
			// accept documents Plain rejects.
			for _, ra := range rf.Arguments {
				if ra.Type.NonNull && ra.DefaultValue == nil && f.Arguments.ForName(ra.Name) == nil {
					errorf("%s.%s: omits Plain's required argument %s", d.Name, f.Name, ra.Name)
				}
			}
		}
		if d.Kind == ast.InputObject {
			for _, rf := range rd.Fields {
				if rf.Type.NonNull && rf.DefaultValue == nil && d.Fields.ForName(rf.Name) == nil {
					errorf("input %s: omits Plain's required field %s", d.Name, rf.Name)
				}
			}
		}
		for _, ev := range d.EnumValues {
			if rd.EnumValues.ForName(ev.Name) == nil {
				errorf("enum %s: value %s not in Plain's schema", d.Name, ev.Name)
			}
		}
		for _, member := range d.Types {
			found := false
			for _, rm := range rd.Types {
				found = found || rm == member
			}
			if !found {
				errorf("union %s: member %s not in Plain's schema", d.Name, member)
			}
		}
	}
	return problems
}

// TestSchemaServesEveryRequiredRootField guards against the subset and the
// resolvers drifting apart.
func TestSchemaServesEveryRequiredRootField(t *testing.T) {
	wantQuery := []string{"myWorkspace", "myPermissions", "webhookVersions", "subscriptionEventTypes",
		"webhookTargets", "webhookTarget", "webhookDeliveryAttempts"}
	wantMutation := []string{"createWebhookTarget", "updateWebhookTarget", "deleteWebhookTarget"}
	for _, name := range wantQuery {
		if mockSchema.Query.Fields.ForName(name) == nil || queryResolvers[name] == nil {
			t.Errorf("Query.%s: missing from schema or resolvers", name)
		}
	}
	for _, name := range wantMutation {
		if mockSchema.Mutation.Fields.ForName(name) == nil || mutationResolvers[name] == nil {
			t.Errorf("Mutation.%s: missing from schema or resolvers", name)
		}
	}
	for _, f := range mockSchema.Query.Fields {
		if !strings.HasPrefix(f.Name, "__") && queryResolvers[f.Name] == nil {
			t.Errorf("Query.%s is in the SDL but has no resolver", f.Name)
		}
	}
}
