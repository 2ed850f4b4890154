package glob

import "testing"

func TestMatch(t *testing.T) {
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
		if got := Match(tc.pattern, tc.s); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
