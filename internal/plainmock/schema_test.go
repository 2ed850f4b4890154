package plainmock

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainschema"
)

// TestEmbeddedSchemaIsPlainsVerbatim: the mock validates against Plain's
// own schema (the repository's verbatim copy), not an approximation of it.
func TestEmbeddedSchemaIsPlainsVerbatim(t *testing.T) {
	if schemaSDL != plainschema.GraphQL {
		t.Fatal("the mock's schema is not internal/plainschema's copy of Plain's")
	}
	if len(mockSchema.Types) < 1000 || mockSchema.Query.Fields.ForName("customers") == nil {
		t.Fatalf("the embedded schema is not the full one: %d types", len(mockSchema.Types))
	}
}

// TestSurfaceIsInPlainsSchema: every served type and field is one of
// Plain's, so the surface table cannot invent anything.
func TestSurfaceIsInPlainsSchema(t *testing.T) {
	check := func(typeName, field string) {
		def := mockSchema.Types[typeName]
		if def == nil || def.Kind != ast.Object {
			t.Errorf("%s: not an object type of Plain's schema", typeName)
			return
		}
		if def.Fields.ForName(field) == nil {
			t.Errorf("%s.%s: not in Plain's schema", typeName, field)
		}
	}
	for typeName, fields := range servedFields {
		for f := range fields {
			check(typeName, f)
		}
	}
	for key := range fieldResolvers {
		typeName, field, _ := strings.Cut(key, ".")
		check(typeName, field)
	}
}

func TestEveryWebhookRootFieldIsServed(t *testing.T) {
	for _, name := range []string{
		"Query.webhookTargets", "Query.webhookTarget", "Query.webhookVersions", "Query.subscriptionEventTypes",
		"Query.webhookDeliveryAttempts", "Query.myWorkspace", "Query.myPermissions", "Query.workspaceHmac",
		"Mutation.createWebhookTarget", "Mutation.updateWebhookTarget", "Mutation.deleteWebhookTarget",
		"Mutation.regenerateWorkspaceHmac",
	} {
		if fieldResolvers[name] == nil {
			t.Errorf("%s has no resolver", name)
		}
	}
	// Every WebhookTarget field, including the actor unions.
	for _, f := range mockSchema.Types["WebhookTarget"].Fields {
		if !implemented("WebhookTarget", f.Name) {
			t.Errorf("WebhookTarget.%s is not served", f.Name)
		}
	}
}

// sampleObjects builds one of everything the mock answers with.
func sampleObjects(t *testing.T) []any {
	t.Helper()
	srv, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := srv.primary
	w.hmac = &HMAC{Secret: "s", CreatedAt: time.Unix(1, 0), UpdatedAt: time.Unix(2, 0)}
	tgt := srv.PutTarget(plain.Target{URL: "https://x.example.com/", Description: "x", EventTypes: []string{"thread.thread_created"}})
	oc := &opCtx{s: srv, ws: w, perms: map[string]bool{}}
	for _, p := range AllPermissions {
		oc.perms[p] = true
	}
	var out []any
	add := func(v any, ferr *fieldError) {
		t.Helper()
		if ferr != nil {
			t.Fatalf("sample: %v", ferr.msg)
		}
		out = append(out, v)
	}
	add(srv.resolveWorkspace(nil, oc))
	add(srv.resolvePermissions(nil, oc))
	add(srv.resolveVersions(map[string]any{}, oc))
	add(srv.resolveEventTypes(nil, oc))
	add(srv.resolveTargets(map[string]any{}, oc))
	add(srv.resolveWorkspaceHmac(nil, oc))
	add(fieldResolvers["MachineUserActor.machineUser"](oc, nil, nil))
	for _, kind := range resultOrder {
		srv.primary.addAttempt(srv.fillAttempt(plain.DeliveryAttempt{WebhookTargetID: tgt.ID, Result: kind}))
	}
	add(srv.resolveDeliveryAttempts(map[string]any{"webhookTargetId": tgt.ID}, oc))
	add(output("CreateWebhookTargetOutput", targetObj(w, tgt), nil), nil)
	add(output("UpdateWebhookTargetOutput", nil, validationError([]fieldProblem{{"url", "bad", "VALIDATION"}})), nil)
	add(output("DeleteWebhookTargetOutput", nil, nil), nil)
	add(srv.resolveRegenerateHmac(nil, oc))
	return out
}

// TestServedFieldsMatchBuilders: the objects the builders make carry
// exactly the fields servedFields promises, for every served type; and a
// served field whose type the mock never produces is always null.
func TestServedFieldsMatchBuilders(t *testing.T) {
	seen := map[string]map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case obj:
			if x == nil {
				return
			}
			typeName, _ := x["__typename"].(string)
			if typeName == "" {
				t.Errorf("object without __typename: %v", x)
				return
			}
			if seen[typeName] == nil {
				seen[typeName] = map[string]bool{}
			}
			for k, fv := range x {
				if k == "__typename" {
					continue
				}
				seen[typeName][k] = true
				fd := mockSchema.Types[typeName].Fields.ForName(k)
				if fd != nil {
					if def := mockSchema.Types[fd.Type.Name()]; def.Kind != ast.Scalar && def.Kind != ast.Enum &&
						len((&executor{schema: mockSchema}).servedTypesOf(def.Name)) == 0 && !isNull(fv) {
						t.Errorf("%s.%s has a value of type %s, which the mock does not serve", typeName, k, def.Name)
					}
				}
				walk(fv)
			}
		case []obj:
			for _, o := range x {
				walk(o)
			}
		case []any:
			for _, o := range x {
				walk(o)
			}
		}
	}
	for _, s := range sampleObjects(t) {
		walk(s)
	}
	for typeName, fields := range servedFields {
		got := seen[typeName]
		if got == nil {
			t.Errorf("no sample object of type %s", typeName)
			continue
		}
		for f := range fields {
			if !got[f] {
				t.Errorf("%s.%s is served but the builder never sets it", typeName, f)
			}
		}
	}
	for typeName, fields := range seen {
		for f := range fields {
			if !servedFields[typeName][f] && fieldResolvers[typeName+"."+f] == nil {
				t.Errorf("%s.%s is built but not listed in servedFields", typeName, f)
			}
		}
	}
	names := servedTypeNames()
	if !sort.StringsAreSorted(names) || len(names) < len(servedFields) {
		t.Errorf("servedTypeNames = %v", names)
	}
}
