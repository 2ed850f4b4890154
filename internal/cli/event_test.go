package cli

import (
	"io"
	"strings"
	"testing"
)

const testEventID = "pEv_01HD450JT0RPBT7RRKS1ZQJYBA"

// Flags map to EventOptions; a malformed id and a body that would land in
// CI logs, a pipe or JSON are refused before Plain is asked anything.
func TestEventFlagsToOptions(t *testing.T) {
	cases := []struct {
		args    []string
		env     map[string]string
		tty     bool
		want    EventOptions
		wantErr string
	}{
		{args: []string{testEventID}, want: EventOptions{eventID: testEventID, output: "table"}},
		{args: []string{testEventID, "--body"}, tty: true, want: EventOptions{eventID: testEventID, output: "table", body: true}},
		{args: []string{testEventID, "--out", "ev.json"}, env: map[string]string{"GITHUB_ACTIONS": "true"}, want: EventOptions{eventID: testEventID, output: "table", body: true, out: "ev.json"}},
		{args: []string{testEventID, "--body", "--out", "ev.json", "-o", "json"}, want: EventOptions{eventID: testEventID, output: "json", body: true, out: "ev.json"}},
		{args: []string{testEventID, "--body"}, tty: true, env: map[string]string{"GITHUB_ACTIONS": "true"}, wantErr: "refusing to print an event body in CI"},
		{args: []string{testEventID, "--body"}, tty: true, env: map[string]string{"CI": "true"}, wantErr: "refusing to print an event body in CI"},
		{args: []string{testEventID, "--body"}, wantErr: "stdout is not a terminal"},
		{args: []string{testEventID, "--body", "-o", "json"}, tty: true, wantErr: "-o json never carries an event body"},
		{args: []string{"pe_01HD450JT0RPBT7RRKS1ZQJYBA"}, wantErr: `"pe_01HD450JT0RPBT7RRKS1ZQJYBA" is not a Plain event id: want pEv_ and 26`},
		{args: []string{"pEv_01HD450JT0RPBT7RRKS1ZQJYBU"}, wantErr: "is not a Plain event id"}, // U is not Crockford
		{args: []string{"pEv_\x1b[31m"}, wantErr: `"pEv_\x1b[31m" is not a Plain event id`},
		{args: nil, wantErr: "accepts 1 arg"},
	}
	for _, tc := range cases {
		f, _, _ := testFactory(tc.env)
		f.IO.OutIsTerminal = tc.tty
		var got *EventOptions
		cmd := NewCmdEvent(f, func(o *EventOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != nil {
				t.Errorf("%q: err %v, want %q and no run", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got == nil {
			t.Fatalf("%q: err %v", tc.args, err)
		}
		if got.eventID != tc.want.eventID || got.output != tc.want.output || got.body != tc.want.body || got.out != tc.want.out {
			t.Errorf("%q: options %+v, want %+v", tc.args, *got, tc.want)
		}
	}
}

// Flags map to ReplayOptions; --to is required, https or loopback http;
// an unset secret variable is refused before Plain is asked anything.
func TestReplayFlagsToOptions(t *testing.T) {
	cases := []struct {
		args    []string
		env     map[string]string
		wantTo  string
		wantEnv string
		approve bool
		wantErr string
	}{
		{args: []string{testEventID, "--to", "http://127.0.0.1:8080/hook"}, wantTo: "http://127.0.0.1:8080/hook"},
		{args: []string{testEventID, "--to", "https://staging.example.com/plain", "--hmac-secret-env", "STAGING", "--auto-approve"},
			env: map[string]string{"STAGING": "whsec_staging"}, wantTo: "https://staging.example.com/plain", wantEnv: "STAGING", approve: true},
		{args: []string{testEventID}, wantErr: "--to URL is required"},
		{args: []string{testEventID, "--to", "http://hooks.example.com/plain"}, wantErr: "http is only for loopback"},
		{args: []string{testEventID, "--to", "file:///etc/passwd"}, wantErr: "absolute URL with a host"},
		{args: []string{testEventID, "--to", "https://x.example.com", "--hmac-secret-env", "NOPE"}, wantErr: "--hmac-secret-env NOPE: the variable is not set"},
		{args: []string{"whAttempt_01HD450N6X782MDTDBMS6Z14DJ", "--to", "https://x.example.com"}, wantErr: "is not a Plain event id"},
		{args: []string{testEventID, "--to", "https://x.example.com", "-o", "yaml"}, wantErr: `unknown output format "yaml"`},
	}
	for _, tc := range cases {
		f, _, _ := testFactory(tc.env)
		var got *ReplayOptions
		cmd := NewCmdReplay(f, func(o *ReplayOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != nil {
				t.Errorf("%q: err %v, want %q and no run", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got == nil {
			t.Fatalf("%q: err %v", tc.args, err)
		}
		if got.eventID != testEventID || got.to.String() != tc.wantTo || got.secretEnv != tc.wantEnv || got.autoApprove != tc.approve {
			t.Errorf("%q: options %+v", tc.args, *got)
		}
	}
}
