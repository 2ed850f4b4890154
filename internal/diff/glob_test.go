package diff

import (
	"reflect"
	"testing"
)

func TestMatchGlob(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "thread.thread_created", true},
		{"*", "", true},
		{"thread.*", "thread.thread_created", true},
		{"thread.*", "customer.customer_created", false},
		{"thread.email_*", "thread.email_sent", true},
		{"thread.email_*", "thread.thread_created", false},
		{"*_created", "customer.customer_created", true},
		{"manual-*", "manual-debug", true},
		{"manual-*", "automatic-manual-x", false},
		{"https://*.ngrok-free.app/*", "https://ab.ngrok-free.app/a/b/c", true},
		{"https://*.ngrok-free.app/*", "https://ab.ngrok-free.app.evil.com/", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"[x]", "[x]", true},
		{"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		// ? is one character, also when it takes several bytes: ignore
		// rules match descriptions, which are free text.
		{"caf?", "café", true},
		{"caf?-hook", "café-hook", true},
		{"?", "é", true},
		{"??", "é", false},
	}
	for _, tc := range cases {
		if got := MatchGlob(tc.pattern, tc.s); got != tc.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

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
