package view

import (
	"strings"
	"testing"
)

func TestTerminalConfirmer(t *testing.T) {
	const prompt = "\nDo you want to apply these changes? Only 'yes' will be accepted: "
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"yes\n", true},
		{"  yes  \n", true},
		{"yes", true}, // no newline before EOF
		{"y\n", false},
		{"YES\n", false},
		{"", false},
	} {
		var out strings.Builder
		ok, err := TerminalConfirmer{In: strings.NewReader(tc.in), Out: &out, InIsTerminal: true}.Confirm()
		if ok != tc.want || err != nil || out.String() != prompt {
			t.Errorf("%q: %v %v, prompt %q", tc.in, ok, err, out.String())
		}
	}
	var out strings.Builder
	ok, err := TerminalConfirmer{In: strings.NewReader("yes\n"), Out: &out}.Confirm()
	if ok || err == nil || !strings.Contains(err.Error(), "stdin is not a terminal") || out.Len() != 0 {
		t.Errorf("without a terminal: %v %v, wrote %q", ok, err, out.String())
	}
}
