package secret

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

const echoSecret = "Zq9+sec/ret=Value!42&k"

// encodings are the ways a hostile proxy echoed a request back (issue 20):
// every byte percent-encoded in either case, HTML entities, base64 and
// base64url of the whole URL at every alignment, case-folded and cut.
func echoForms(v string) map[string]string {
	u := "https://collector.example.net/h?k=" + v + "&x=1"
	forms := map[string]string{
		"raw":             v,
		"query escape":    url.QueryEscape(v),
		"upper folded":    strings.ToUpper(v),
		"lower cut":       strings.ToLower(u)[:len(u)-len(v)/2-6],
		"json":            strings.ReplaceAll(fmt.Sprintf("%+q", v), "&", `\u0026`),
		"x escapes":       xEscape(v),
		"html decimal":    entities(v, "&#%d;"),
		"html hex":        entities(v, "&#x%X;"),
		"html hex lower":  entities(v, "&#x%x;"),
		"html named":      strings.NewReplacer("+", "&plus;", "/", "&sol;", "=", "&equals;", "!", "&excl;", "&", "&amp;").Replace(v),
		"hex":             hex.EncodeToString([]byte(u)),
		"b64 of pct body": base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(u))),
	}
	for _, c := range []struct{ lower, upper bool }{{true, false}, {false, true}, {true, true}} {
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			f := "%%%02X"
			if c.lower && (!c.upper || i%2 == 0) {
				f = "%%%02x"
			}
			fmt.Fprintf(&b, f, v[i])
		}
		forms[fmt.Sprintf("every byte escaped lower=%v upper=%v", c.lower, c.upper)] = b.String()
	}
	for pre := 0; pre < 3; pre++ {
		body := strings.Repeat("p", pre) + u
		for name, enc := range map[string]*base64.Encoding{"std": base64.StdEncoding, "url": base64.URLEncoding, "raw std": base64.RawStdEncoding, "raw url": base64.RawURLEncoding} {
			forms[fmt.Sprintf("base64 %s +%d", name, pre)] = "data=" + enc.EncodeToString([]byte(body)) + "."
		}
	}
	return forms
}

func xEscape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		fmt.Fprintf(&b, `\x%02x`, v[i])
	}
	return b.String()
}

func entities(v, format string) string {
	var b strings.Builder
	for _, r := range v {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

func TestEchoesEveryEncoding(t *testing.T) {
	for name, f := range echoForms(echoSecret) {
		msg := "upstream said: <pre>" + f + "</pre> (request rejected)"
		if !Echoes(msg, "unrelated-value-1234", echoSecret) {
			t.Errorf("%s: echo not found in %q", name, msg)
		}
	}
}

// Cut pieces count: an echo split across messages or cut short still
// gives a window away.
func TestEchoesPieces(t *testing.T) {
	piece := echoSecret[7 : 7+EchoWindow]
	for _, s := range []string{piece, strings.ToUpper(piece), url.QueryEscape(piece), base64.StdEncoding.EncodeToString([]byte("..." + piece))} {
		if !Echoes("x "+s+" y", echoSecret) {
			t.Errorf("piece %q not found", s)
		}
	}
	if !Echoes("key AB", "ab") || !Echoes("key %61%62", "ab") || !Echoes("key &#97;&#x62;", "ab") {
		t.Error("a short secret is found whole, as written or escaped")
	}
	// Base64 and hex readings are noise: a secret shorter than a window
	// is not looked for there, or every such text would be withheld.
	if noise := base64.StdEncoding.EncodeToString([]byte("zzzzzzab")); Echoes("id "+noise, "ab") {
		t.Errorf("a short secret is looked for in base64 readings (%s)", noise)
	}
}

func TestEchoesNotInPlainMessages(t *testing.T) {
	for _, s := range []string{
		"Webhook target not found",
		"Variable \"$input\" got invalid value; url must be an https URL",
		"rate limited, retry after 3s [RATE_LIMITED] at createWebhookTarget",
		"Field \"webhookTarget\" of type \"WebhookTarget\" must have a selection of subfields",
		"id whTarget_01HD4400VTDJQ646V6RY37SR7K is not a valid id",
		"internal error 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"",
	} {
		if Echoes(s, echoSecret, "plainApiKey_S3cr/t+k=y0123") {
			t.Errorf("false echo in %q", s)
		}
	}
}

func TestUntrusted(t *testing.T) {
	m := &Masker{}
	m.Add("TOKEN", echoSecret)
	m.Add("SENTINEL", "sentinel-value-1234")
	if got := m.Untrusted("url https://x/?k=" + echoSecret + " is bad"); got != "url https://x/?k=${TOKEN} is bad" {
		t.Errorf("an exact echo is masked, not withheld: %q", got)
	}
	// The placeholder's name shares letters with its value: no echo.
	if got := m.Untrusted("bad sentinel-value-1234"); got != "bad ${SENTINEL}" {
		t.Errorf("Untrusted = %q", got)
	}
	for name, f := range echoForms(echoSecret) {
		if name == "raw" || name == "query escape" || name == "json" {
			continue // masked in place
		}
		if got := m.Untrusted("echo: " + f); got != Withheld {
			t.Errorf("%s: shown as %q", name, got)
		}
	}
	if got := m.Untrusted("Webhook target not found"); got != "Webhook target not found" {
		t.Errorf("a plain message changed: %q", got)
	}
	var nilM *Masker
	if got := nilM.Untrusted("x"); got != "x" {
		t.Errorf("nil masker: %q", got)
	}
}

// Plain's key prefix is public: a message naming an "apiKey" is no echo,
// while a piece of the key's secret part is.
func TestEchoesSkipsThePublicKeyPrefix(t *testing.T) {
	const key = "plainApiKey_Xk9QzR7vLm2P"
	if Echoes("Invalid plainApiKey_ header; apiKey missing", key) {
		t.Error("the public prefix counts as an echo")
	}
	if !Echoes("got key_xk9qzr7v", key) {
		t.Error("a piece of the secret part is not found")
	}
}
