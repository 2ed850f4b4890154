package lookalike

import (
	"strings"
	"testing"
)

func TestConfusable(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"crm-sync", "\u0441rm-sync", true},       // Cyrillic es
		{"crm sync", "crm\u00a0sync", true},       // no-break space
		{"Caf\u00e9", "Cafe\u0301", true},         // NFC vs NFD
		{"crm-sync", "crm\u200b-sync", true},      // zero-width space
		{"paypal", "\u0440\u0430yp\u0430l", true}, // Cyrillic er and a
		{"crm-sync", "crm-sync", false},           // equal is not confusable
		{"crm-sync", "crm-sync-2", false},         // different
		{"crm-sync", "CRM-sync", false},           // case is visible
		{"support-eu", "support-us", false},       // different letters
		{"hook-1", "hook-l", true},                // digit one and small L
	} {
		if got := Confusable(tc.a, tc.b); got != tc.want {
			t.Errorf("Confusable(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestExplain(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"\u0441rm-sync", "crm-sync", "U+0441 (Cyrillic) where the other has U+0063 (Latin)"},
		{"crm\u00a0sync", "crm sync", "U+00A0 (a space other than U+0020) where the other has U+0020 (space)"},
		{"Cafe\u0301", "Caf\u00e9", "U+0065 (Latin) U+0301 (combining mark) where the other has U+00E9 (Latin)"},
		{"crm\u200bsync", "crmsync", "U+200B (invisible) where the other has nothing"},
	} {
		if got := Explain(tc.a, tc.b); got != tc.want {
			t.Errorf("Explain(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
		if strings.ContainsAny(Explain(tc.a, tc.b), "\u0441\u00a0\u200b\u0301") {
			t.Errorf("Explain(%q, %q) quotes a lookalike character itself", tc.a, tc.b)
		}
	}
}
