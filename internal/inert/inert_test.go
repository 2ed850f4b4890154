package inert

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"crm-sync":                  "crm-sync",
		"Zürich hooks":              "Zürich hooks",
		"a\nb":                      `a\x0ab`,
		"\x1b[2J\x1b[Hfake":         `\x1b[2J\x1b[Hfake`,
		"ok\rforged":                `ok\x0dforged`,
		"::error::forged":           `\x3a:error::forged`,
		"  ::add-mask::x":           `  \x3a:add-mask::x`,
		"\n::error::x":              `\x0a::error::x`,
		"a::b":                      "a::b",
		"rtl\u202eevil":             `rtl\u202eevil`,
		"zero\u200bwidth":           `zero\u200bwidth`,
		"c1\u009bcsi":               `c1\u009bcsi`,
		"line\u2028sep":             `line\u2028sep`,
		"bad\xffbyte":               `bad\xffbyte`,
		"del\x7f":                   `del\x7f`,
		"tab\there":                 `tab\x09here`,
		"https://[::1]:8080/h?x=::": "https://[::1]:8080/h?x=::",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLinesKeepsBreaksButGuardsEachLine(t *testing.T) {
	got := Lines("first\n::error::forged\r\n  ::warning::x\n\x1b[31mred")
	want := "first\n\\x3a:error::forged\n  \\x3a:warning::x\n\\x1b[31mred"
	if got != want {
		t.Fatalf("Lines = %q, want %q", got, want)
	}
}

func TestLineGuard(t *testing.T) {
	in := "plan\n::error::forged\n  ::add-mask::x\nok :: fine\n:\n:x\n::"
	for _, chunk := range []int{1, 2, 3, 7, len(in)} {
		var b bytes.Buffer
		g := LineGuard(&b)
		for i := 0; i < len(in); i += chunk {
			if _, err := g.Write([]byte(in[min(i, len(in)):min(i+chunk, len(in))])); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.(Flusher).Flush(); err != nil {
			t.Fatal(err)
		}
		want := "plan\n\\x3a:error::forged\n  \\x3a:add-mask::x\nok :: fine\n:\n:x\n\\x3a:"
		if b.String() != want {
			t.Errorf("chunks of %d: got %q, want %q", chunk, b.String(), want)
		}
	}
}

func TestStopCommands(t *testing.T) {
	var b bytes.Buffer
	s, err := NewStopCommands(&b)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.End(); err != nil || b.Len() != 0 {
		t.Fatalf("End before any output wrote %q", b.String())
	}
	other, _ := NewStopCommands(&bytes.Buffer{})
	if other.Token() == s.Token() || len(s.Token()) < 32 {
		t.Fatalf("tokens %q and %q are not fresh random values", s.Token(), other.Token())
	}
	s.Write([]byte("untrusted ::error::x"))
	if err := s.End(); err != nil {
		t.Fatal(err)
	}
	want := "::stop-commands::" + s.Token() + "\nuntrusted ::error::x\n::" + s.Token() + "::\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
	if strings.Count(b.String(), s.Token()) != 2 {
		t.Fatal("token not used exactly twice")
	}
}

func TestTextBreaksLegacyCommands(t *testing.T) {
	for in, want := range map[string]string{
		"innocent ##[error]FORGED":   `innocent #\x23[error]FORGED`,
		"##[add-mask]delete":         `#\x23[add-mask]delete`,
		"x ###[set-output name=a;]b": `x ##\x23[set-output name=a;]b`,
		"# heading [link]":           "# heading [link]",
		"##not a command":            "##not a command",
	} {
		got := Text(in)
		if got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
		if strings.Contains(got, "##[") {
			t.Errorf("Text(%q) keeps a legacy command: %q", in, got)
		}
	}
	if got := Lines("ok\nsee ##[error]x\n::error::y"); strings.Contains(got, "##[") || strings.Contains(got, "\n::") {
		t.Errorf("Lines keeps a command: %q", got)
	}
}

func TestJSONEscapesHash(t *testing.T) {
	in := []byte(`{"d": "a ##[error]b \\#x", "e": "\\\\##["}`)
	got := JSON(in)
	if bytes.Contains(got, []byte("##[")) || bytes.Contains(got, []byte("#")) {
		t.Fatalf("JSON kept a '#': %s", got)
	}
	var a, b map[string]string
	if err := json.Unmarshal([]byte(`{"d": "a ##[error]b", "e": "\\\\##["}`), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(JSON([]byte(`{"d": "a ##[error]b", "e": "\\\\##["}`)), &b); err != nil {
		t.Fatal(err)
	}
	if a["d"] != b["d"] || a["e"] != b["e"] {
		t.Fatalf("JSON changed the values: %q vs %q", a, b)
	}
}

func TestLineGuardBreaksLegacyCommands(t *testing.T) {
	in := "plan ##[error]forged\n##[add-mask]x\nok # fine\n#\n###[set-output]y\nend ##"
	want := "plan #\\x23[error]forged\n#\\x23[add-mask]x\nok # fine\n#\n##\\x23[set-output]y\nend ##"
	for _, chunk := range []int{1, 2, 3, 5, len(in)} {
		var b bytes.Buffer
		g := LineGuard(&b)
		for i := 0; i < len(in); i += chunk {
			if _, err := g.Write([]byte(in[i:min(i+chunk, len(in))])); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.(Flusher).Flush(); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("chunks of %d: got %q, want %q", chunk, b.String(), want)
		}
	}
}
