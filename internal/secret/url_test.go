package secret

import (
	"strings"
	"testing"
)

// Each URL with its redacted form: the hook shapes plainsync knows, the
// generic token shapes, and URLs that must stay fully readable.
var redactCases = []struct{ name, in, want string }{
	// Hook shapes.
	{"slack", "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/XXXXXXXXXXXXXXXXXXXXXXXX",
		"https://hooks.slack.com/services/T0123ABCD/B0456EFGH/REDACTED"},
	{"slack all letters", "https://hooks.slack.com/services/T0/B0/abcdefgh",
		"https://hooks.slack.com/services/T0/B0/REDACTED"},
	{"slack workflow", "https://hooks.slack.com/workflows/T01/A02/123456/shortkey",
		"https://hooks.slack.com/workflows/T01/A02/123456/REDACTED"},
	{"discord", "https://discord.com/api/webhooks/1234567890123456789/abcDEF_ghi-jkl",
		"https://discord.com/api/webhooks/1234567890123456789/REDACTED"},
	{"discord slack-compatible", "https://discordapp.com/api/webhooks/1234/tok/slack",
		"https://discordapp.com/api/webhooks/1234/REDACTED/slack"},
	{"teams", "https://acme.webhook.office.com/webhookb2/g@t/IncomingWebhook/abc/conn",
		"https://acme.webhook.office.com/webhookb2/REDACTED/IncomingWebhook/REDACTED/REDACTED"},
	{"zapier", "https://hooks.zapier.com/hooks/catch/123/abc/?source=plain&v=2",
		"https://hooks.zapier.com/hooks/catch/123/REDACTED/?source=plain&v=2"},
	{"make", "https://hook.eu1.make.com/abcdefg", "https://hook.eu1.make.com/REDACTED"},
	{"ifttt", "https://maker.ifttt.com/trigger/plain/with/key/k3y", "https://maker.ifttt.com/trigger/plain/with/key/REDACTED"},
	{"google chat", "https://chat.googleapis.com/v1/spaces/AAAAbbbbCCC/messages?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&token=abc123",
		"https://chat.googleapis.com/v1/spaces/AAAAbbbbCCC/messages?key=REDACTED&token=REDACTED"},
	{"mattermost", "https://chat.example.com/hooks/xkw4ma7dzpg8pkp3q1orbgc5se", "https://chat.example.com/hooks/REDACTED"},
	{"pagerduty", "https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue",
		"https://events.pagerduty.com/integration/REDACTED/enqueue"},
	// Generic shapes.
	{"ingest token", "https://ingest.example.com/v1/plain/aB3dE5fG7hJ9kL1m",
		"https://ingest.example.com/v1/plain/REDACTED"},
	{"hex", "https://x.example.com/h/0123456789abcdef0123", "https://x.example.com/h/REDACTED"},
	{"uuid", "https://webhook.site/6e8a2f0c-1b7d-4c2e-9a55-0f3e2d1c4b5a", "https://webhook.site/REDACTED"},
	{"base64url with separators", "https://x.example.com/h/ab-cd_ef-12-34_56-78_90-ab-cd_ef-gh",
		"https://x.example.com/h/REDACTED"},
	{"userinfo", "https://alice:s3cret@hooks.example.com/p", "https://REDACTED:REDACTED@hooks.example.com/p"},
	{"user only", "https://alice@hooks.example.com/p", "https://REDACTED@hooks.example.com/p"},
	{"access_token", "https://x.example.com/h?access_token=abc&v=2", "https://x.example.com/h?access_token=REDACTED&v=2"},
	{"credential keys", "https://x.example.com/h?apiKey=1&X-Api-Key=2&client_secret=3&sig=4&code=5&password=6",
		"https://x.example.com/h?apiKey=REDACTED&X-Api-Key=REDACTED&client_secret=REDACTED&sig=REDACTED&code=REDACTED&password=REDACTED"},
	{"token-like value under a plain key", "https://x.example.com/h?id=sk_live_51HxYzAbCdEf12",
		"https://x.example.com/h?id=REDACTED"},
	{"valueless token param", "https://x.example.com/h?a1b2c3d4e5f6g7h8", "https://x.example.com/h?REDACTED"},
	{"fragment", "https://x.example.com/h#frag", "https://x.example.com/h#REDACTED"},
	{"percent-encoded token", "https://x.example.com/h/aB3dE5fG7hJ9%2DkL1m", "https://x.example.com/h/REDACTED"},
	{"port and ipv6", "http://[::1]:8080/h?token=t", "http://[::1]:8080/h?token=REDACTED"},
	// Readable.
	{"plain path", "https://example.com/plain/webhooks?v=2", "https://example.com/plain/webhooks?v=2"},
	{"harmless query", "https://example.com/h?source=plain&format=json&v=2", "https://example.com/h?source=plain&format=json&v=2"},
	{"dates and words", "https://example.com/2026-05-06/release-notes/IncomingWebhook", "https://example.com/2026-05-06/release-notes/IncomingWebhook"},
	{"api-version", "https://x.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sv=1.0&sig=zzz",
		"https://x.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sv=1.0&sig=REDACTED"},
	{"empty values", "https://example.com/h?token=&flag", "https://example.com/h?token=&flag"},
	{"numeric id", "https://example.com/h/1234567890123456789", "https://example.com/h/1234567890123456789"},
	{"not a URL", "plain text", "plain text"},
}

func TestRedactURL(t *testing.T) {
	for _, c := range redactCases {
		t.Run(c.name, func(t *testing.T) {
			if got := RedactURL(c.in); got != c.want {
				t.Errorf("RedactURL(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
			// Idempotent: a redacted URL stays as it is.
			if got := RedactURL(c.want); got != c.want {
				t.Errorf("RedactURL(RedactURL(%q)) = %q", c.in, got)
			}
		})
	}
}

func TestClassifyURLNamesParts(t *testing.T) {
	u := "https://u:p@h.example.com/a/aB3dE5fG7hJ9kL1m?token=x&token=y#f"
	var got []string
	for _, p := range ClassifyURL(u) {
		got = append(got, p.ID()+"="+u[p.Start:p.End]+"("+string(p.Kind)+")")
	}
	want := "user=u(user) password=p(password) path/1=aB3dE5fG7hJ9kL1m(path segment) query/token/0=x(query value) query/token/1=y(query value) fragment=f(fragment)"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("parts\n got %s\nwant %s", s, want)
	}
}

func TestRedactMaskedURLKeepsReferences(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://hooks.slack.com/services/T0/B0/${SLACK_TOKEN}", "https://hooks.slack.com/services/T0/B0/${SLACK_TOKEN}"},
		{"https://${HOOK_USER}:${HOOK_PASS}@hooks.example.com/p", "https://${HOOK_USER}:${HOOK_PASS}@hooks.example.com/p"},
		{"https://x.example.com/h?token=${T}&v=2", "https://x.example.com/h?token=${T}&v=2"},
		// A literal token beside a reference is still found.
		{"https://x.example.com/h/${A}aB3dE5fG7hJ9kL1m", "https://x.example.com/h/REDACTED"},
		{"https://x.example.com/h?token=pre${T}", "https://x.example.com/h?token=REDACTED"},
		{"https://hooks.slack.com/services/T0/B0/(sensitive value changed)", "https://hooks.slack.com/services/T0/B0/(sensitive value changed)"},
	}
	for _, c := range cases {
		if got := RedactMaskedURL(c.in); got != c.want {
			t.Errorf("RedactMaskedURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactURLsInText(t *testing.T) {
	in := `create "crm": url "https://hooks.slack.com/services/T0/B0/XXXXXXXXXXXXXXXXXXXXXXXX" is invalid (see https://x.example.com/h?token=abc).`
	want := `create "crm": url "https://hooks.slack.com/services/T0/B0/REDACTED" is invalid (see https://x.example.com/h?token=REDACTED).`
	if got := RedactURLsInText(in); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// A plan's changed-part marker is kept, not taken for a token.
	changed := "! url: https://hooks.slack.com/services/T0/B0/(sensitive value changed) and https://x.example.com/h?token=abc"
	if got, want := RedactURLsInText(changed), "! url: https://hooks.slack.com/services/T0/B0/(sensitive value changed) and https://x.example.com/h?token=REDACTED"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Text without URLs, including words that look like tokens, is
	// untouched: only URLs are redacted.
	for _, s := range []string{"id whTarget_01HD4400VTDJQ646V6RY37SR0K failed", "token=abc", ""} {
		if got := RedactURLsInText(s); got != s {
			t.Errorf("RedactURLsInText(%q) = %q", s, got)
		}
	}
}

func TestChangedParts(t *testing.T) {
	before := "https://hooks.slack.com/services/T0/B0/OLDOLDOLD?token=same&sig=a"
	after := "https://hooks.slack.com/services/T0/B0/NEWNEWNEW?token=same&sig=b#f"
	got := ChangedParts(before, after)
	want := map[string]bool{"path/3": true, "query/sig/0": true, "fragment": true}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("missing %s in %v", k, got)
		}
	}
}

func TestLooksLikeToken(t *testing.T) {
	for _, s := range []string{"XXXXXXXXXXXXXXXXXXXXXXXXa1", "aB3dE5fG7hJ9", "xkw4ma7dzpg8pkp3q1orbgc5se", "AbCdEfGhIjKlMnOpQrSt", "6e8a2f0c-1b7d-4c2e-9a55-0f3e2d1c4b5a"} {
		if !looksLikeToken(s) {
			t.Errorf("looksLikeToken(%q) = false", s)
		}
	}
	for _, s := range []string{"v2", "plain", "json", "2026-05-06", "webhooks", "IncomingWebhook", "plain-integration-2024", "1234567890123456789", "release-notes-v2-final"} {
		if looksLikeToken(s) {
			t.Errorf("looksLikeToken(%q) = true", s)
		}
	}
}

// FuzzRedactURL: for any URL, the redacted form holds no text of a part the
// classifier calls secret (unless that text also occurs in what is kept),
// keeps everything else byte for byte, and redacting twice changes nothing.
func FuzzRedactURL(f *testing.F) {
	for _, c := range redactCases {
		f.Add(c.in)
	}
	f.Add("https://a:b:c@d@h/x?k=v&&=&#")
	f.Fuzz(func(t *testing.T, s string) {
		parts := ClassifyURL(s)
		red := RedactURL(s)
		// The kept text, in order, is the input minus the parts.
		var kept []string
		last := 0
		for _, p := range parts {
			if p.Start < last || p.End < p.Start || p.End > len(s) {
				t.Fatalf("parts out of order or range: %+v in %q", parts, s)
			}
			kept = append(kept, s[last:p.Start])
			last = p.End
		}
		kept = append(kept, s[last:])
		rest := red
		for i, k := range kept {
			j := strings.Index(rest, k)
			if j < 0 || i == 0 && j != 0 {
				t.Fatalf("RedactURL(%q) = %q lost the readable text %q", s, red, k)
			}
			rest = rest[j+len(k):]
		}
		for _, p := range parts {
			v := s[p.Start:p.End]
			if v == Marker || v == ChangedMarker {
				continue
			}
			if strings.Contains(red, v) && !strings.Contains(strings.Join(kept, Marker), v) {
				t.Fatalf("RedactURL(%q) = %q shows the secret %s %q", s, red, p.Kind, v)
			}
		}
		if again := RedactURL(red); again != red {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, red, again)
		}
	})
}
