package diff

import (
	"strings"
	"testing"
)

func TestLiveURLRedactsWhatTheFileDoesNotDeclare(t *testing.T) {
	cases := []struct{ live, desired, want string }{
		{"https://a.example.com/x?token=abc", "https://a.example.com/x?token=abc", "https://a.example.com/x?token=abc"},
		{"https://a.example.com/x?token=old", "https://a.example.com/x?token=new", "https://a.example.com/x?token=REDACTED"},
		{"https://a.example.com/x?src=plain&token=old", "https://a.example.com/y?src=plain&token=new", "https://a.example.com/x?src=plain&token=REDACTED"},
		{"https://a.example.com/x?token=abc", "", "https://a.example.com/x?token=REDACTED"},
		{"https://user:pw@a.example.com/x", "", "https://REDACTED:REDACTED@a.example.com/x"},
		{"https://a.example.com/x", "https://b.example.com/x", "https://a.example.com/x"},
		{"https://a.example.com/x?flag", "", "https://a.example.com/x?flag"},
		{"://bad?token=t", "", "://bad?token=REDACTED"},
		{"https://a.example.com/x?v=2&source=plain", "", "https://a.example.com/x?v=2&source=plain"},
		{"https://hooks.slack.com/services/T0/B0/OLDTOKEN", "https://hooks.slack.com/services/T0/B0/NEWTOKEN", "https://hooks.slack.com/services/T0/B0/REDACTED"},
		{"https://a.example.com/x#tok=abc", "", "https://a.example.com/x#REDACTED"},
		{"https://a.example.com/x#frag", "https://a.example.com/y#frag", "https://a.example.com/x#frag"},
	}
	for _, c := range cases {
		if got := liveURL(c.live, c.desired); got != c.want {
			t.Errorf("liveURL(%q, %q) = %q, want %q", c.live, c.desired, got, c.want)
		}
	}
}

// liveURL redacts by editing the live URL's text, never by re-encoding it:
// re-encoding would turn a ${VAR} value in the path into a percent-encoded
// form that the masker (which knows only the value) would print in full.
func TestLiveURLKeepsThePathAsWrittenSoSecretsStayMaskable(t *testing.T) {
	const tok = "tok|en^1234 é"
	cases := []struct{ live, desired, want string }{
		{"https://a.example.com/p/" + tok + "?key=0", "https://a.example.com/p/" + tok + "?key=1", "https://a.example.com/p/" + tok + "?key=REDACTED"},
		{"https://u:pw@a.example.com/p/" + tok, "", "https://REDACTED:REDACTED@a.example.com/p/" + tok},
		{"https://u:p@w@a.example.com/x?a=1#frag", "", "https://REDACTED:REDACTED@a.example.com/x?a=1#REDACTED"},
		{"HTTPS://a.example.com/%7Bx%7D?token=1", "", "HTTPS://a.example.com/%7Bx%7D?token=REDACTED"},
	}
	for _, c := range cases {
		if got := liveURL(c.live, c.desired); got != c.want {
			t.Errorf("liveURL(%q, %q) = %q, want %q", c.live, c.desired, got, c.want)
		}
	}
	// render.TestMaskedLiveURLPathStaysMaskable masks such a plan.
}

// A live query value is kept only when its text is the desired one, not
// merely equal once decoded: "a%7Cb" decodes to the ${VAR} value "a|b",
// but the masker knows only "a|b" and would print the encoded token.
func TestLiveURLKeepsOnlyQueryValuesSpelledAsInTheFile(t *testing.T) {
	// render.TestMaskedLiveQueryValueSpelledOtherwise masks such a plan.
	if got := liveURL("https://a.example.com/x?key=v1&sig=2", "https://a.example.com/y?key=v1&sig=3"); got != "https://a.example.com/x?key=v1&sig=REDACTED" {
		t.Errorf("liveURL = %q", got)
	}
}

// A rotated token is an update that names the changed part and shows
// neither the old nor the new value once masked.
func TestRotatedTokenIsASensitiveURLChange(t *testing.T) {
	const oldTok, newTok = "OLDxxxxxxxxxxxxxxxxxxxx1", "NEWyyyyyyyyyyyyyyyyyyyy2"
	d := desired(webhook(5, "slack", "https://hooks.slack.com/services/T0/B0/"+newTok, "thread.thread_created"))
	d.Webhooks[0].URL.Secret = true
	d.Secrets.Add("SLACK_TOKEN", newTok)
	p, problems := Compute(d, snapshot(target("whTarget_00000000000000000000000001", "slack", "https://hooks.slack.com/services/T0/B0/"+oldTok, "thread.thread_created")), Options{})
	if p == nil {
		t.Fatalf("problems: %v", problems)
	}
	ch := p.Changes[0]
	if ch.Action != ActionUpdate || len(ch.Fields) != 1 {
		t.Fatalf("change: %+v", ch)
	}
	f := ch.Fields[0]
	if !f.OnlySecrets || strings.Join(f.SecretsChanged, ",") != "path/3" {
		t.Errorf("url change not marked sensitive: %+v", f)
	}
	if !ch.BeforeSensitive[FieldURL] || !ch.AfterSensitive[FieldURL] {
		t.Errorf("sensitive maps: before %v after %v", ch.BeforeSensitive, ch.AfterSensitive)
	}
	// render.TestMaskedRotatedToken masks this plan, and one whose token
	// is written literally in the file.
	// A host change is not a sensitive-only change.
	d = desired(webhook(5, "slack", "https://hooks.slack.com/services/T0/B0/"+newTok, "thread.thread_created"))
	p, _ = Compute(d, snapshot(target("whTarget_00000000000000000000000001", "slack", "https://other.example.com/services/T0/B0/"+newTok, "thread.thread_created")), Options{})
	if f := p.Changes[0].Fields[0]; f.OnlySecrets {
		t.Errorf("host change marked secrets-only: %+v", f)
	}
}
