package secret

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestMask(t *testing.T) {
	cases := []struct {
		name    string
		secrets map[string]string
		in      string
		want    string
	}{
		{"no secrets", nil, "https://x/?token=abc", "https://x/?token=abc"},
		{"one secret", map[string]string{"TOKEN": "abc123"}, "https://x/?token=abc123", "https://x/?token=${TOKEN}"},
		{"every occurrence", map[string]string{"T": "s3cr3t"}, "s3cr3t and s3cr3t", "${T} and ${T}"},
		{"longest first", map[string]string{"SHORT": "abc", "LONG": "abcdef"}, "abcdef abc", "${LONG} ${SHORT}"},
		{"empty value ignored", map[string]string{"EMPTY": ""}, "anything", "anything"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m Masker
			for n, v := range tc.secrets {
				m.Add(n, v)
			}
			if got := m.Mask(tc.in); got != tc.want {
				t.Fatalf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNilMaskerIsIdentity(t *testing.T) {
	var m *Masker
	if got := m.Mask("x"); got != "x" {
		t.Fatalf("nil masker changed text: %q", got)
	}
	if m.Values() != nil {
		t.Fatal("nil masker has values")
	}
}

func TestAddAfterMaskRebuilds(t *testing.T) {
	var m Masker
	m.Add("A", "alpha")
	_ = m.Mask("alpha")
	m.Add("B", "beta")
	if got := m.Mask("alpha beta"); got != "${A} ${B}" {
		t.Fatalf("got %q", got)
	}
}

func TestAddMaskerAndValues(t *testing.T) {
	var a, b Masker
	a.Add("A", "alpha")
	b.AddMasker(&a)
	b.AddMasker(nil)
	if got := strings.Join(b.Values(), ","); got != "alpha" {
		t.Fatalf("values = %q", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	var m Masker
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			m.Add("V", "value")
			if got := m.Mask("value"); got != "${V}" {
				t.Errorf("got %q", got)
			}
		}(i)
	}
	wg.Wait()
}

func TestEscapedSecretsAreMasked(t *testing.T) {
	const token = `tok&en<"\/ x`
	var m Masker
	m.Add("T", token)
	for _, form := range []string{
		token,
		`tok&en<\"\\/ x`,           // Go %q
		`tok\u0026en\u003c\"\\/ x`, // JSON
		`tok%26en%3C%22%5C%2F+x`,   // URL query
		`tok&en%3C%22%5C%2F%20x`,   // URL path
	} {
		if got := m.Mask("[" + form + "]"); got != "[${T}]" {
			t.Errorf("Mask(%q) = %q, want [${T}]", form, got)
		}
	}
	// Escaped forms mask, but Values stays the registered values only.
	if v := m.Values(); len(v) != 1 || v[0] != token {
		t.Errorf("Values() = %q", v)
	}
}

func TestPercentEscapesInAnyCaseAreMasked(t *testing.T) {
	const token = "a+b/c=d é"
	var m Masker
	m.Add("T", token)
	for _, form := range []string{
		"a%2Bb%2Fc%3Dd+%C3%A9",   // url.QueryEscape
		"a%2bb%2fc%3dd+%c3%a9",   // the same, lower-case hex
		"a%2bb%2Fc%3dd%20%C3%a9", // mixed, as hand-made URLs have them
		"a%2Bb%2Fc%3Dd%20%C3%A9", // every byte escaped
	} {
		if got := m.Mask("x=" + form + "&y=%2f"); got != "x=${T}&y=%2f" {
			t.Errorf("Mask(%q) = %q", form, got)
		}
	}
	// Folding touches only what it masks.
	if got := m.Mask("keep %2f and %Zz and 100%"); got != "keep %2f and %Zz and 100%" {
		t.Errorf("unrelated escapes changed: %q", got)
	}
}

func TestGoAndJSONQuotingIsMasked(t *testing.T) {
	const token = "tök\"en\n"
	var m Masker
	m.Add("T", token)
	for _, form := range []string{
		strings.Trim(fmt.Sprintf("%q", token), `"`),
		strings.Trim(fmt.Sprintf("%+q", token), `"`),
		`tök\"en\n`, // JSON
	} {
		if got := m.Mask("<" + form + ">"); got != "<${T}>" {
			t.Errorf("Mask(%q) = %q", form, got)
		}
	}
}

func TestBasicAuthHeaderIsMasked(t *testing.T) {
	var m Masker
	m.Add("HOOK_PASS", "pa:ss/word")
	m.AddBasicAuthOf("https://hookuser:pa%3Ass%2Fword@hooks.example.com/in")
	header := base64.StdEncoding.EncodeToString([]byte("hookuser:pa:ss/word"))
	for _, s := range []string{
		"Authorization: Basic " + header,
		"Basic " + strings.TrimRight(header, "="),
		"Basic " + base64.URLEncoding.EncodeToString([]byte("hookuser:pa:ss/word")),
	} {
		if got := m.Mask(s); strings.Contains(got, strings.TrimRight(header, "=")[:12]) || !strings.Contains(got, "${HOOK_PASS}") {
			t.Errorf("Mask(%q) = %q", s, got)
		}
	}
	// A copy keeps the derived forms; Values stays the registered values.
	var c Masker
	c.AddMasker(&m)
	if got := c.Mask(header); got != "${HOOK_PASS}" {
		t.Errorf("copied masker: %q", got)
	}
	if v := c.Values(); len(v) != 1 {
		t.Errorf("Values() = %q", v)
	}
	// A password that holds no secret adds nothing.
	var n Masker
	n.AddBasicAuth("u", "literal")
	if got := n.Mask(base64.StdEncoding.EncodeToString([]byte("u:literal"))); got != "dTpsaXRlcmFs" {
		t.Errorf("literal password masked: %q", got)
	}
}
