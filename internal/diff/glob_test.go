package diff

import (
	"reflect"
	"testing"
)

func TestExpand(t *testing.T) {
	types, unmatched := Expand([]string{"thread.email_*", "customer.customer_created", "thread.email_sent", "nope.*", "no.such", "nope.*"}, testCatalog)
	wantTypes := []string{"customer.customer_created", "thread.email_received", "thread.email_sent"}
	if !reflect.DeepEqual(types, wantTypes) {
		t.Errorf("types = %v, want %v", types, wantTypes)
	}
	if want := []string{"nope.*", "no.such"}; !reflect.DeepEqual(unmatched, want) {
		t.Errorf("unmatched = %v, want %v", unmatched, want)
	}
	if types, unmatched := Expand(nil, testCatalog); len(types) != 0 || len(unmatched) != 0 {
		t.Errorf("empty input: %v %v", types, unmatched)
	}
}
