package plain

import "testing"

func TestSortTargetsByDescriptionThenID(t *testing.T) {
	ts := []Target{{ID: "b", Description: "x"}, {ID: "c", Description: ""}, {ID: "a", Description: "x"}, {ID: "d", Description: "w"}}
	SortTargets(ts)
	got := ""
	for _, t := range ts {
		got += t.ID
	}
	if got != "cdab" {
		t.Fatalf("order %s, want cdab", got)
	}
}

func TestNamespace(t *testing.T) {
	for in, want := range map[string]string{"thread.thread_created": "thread", "customer.customer_group.changed": "customer", "plain": "plain", "": ""} {
		if got := Namespace(in); got != want {
			t.Errorf("Namespace(%q) = %q, want %q", in, got, want)
		}
	}
}
