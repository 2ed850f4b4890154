package cli

import (
	"testing"
)

// Every replay flag lands in ReplayOptions; what the flags alone decide is
// wrong is refused before the run.
func TestNewCmdReplayOptions(t *testing.T) {
	f := optionsFactory()
	f.LookupEnv = func(k string) (string, bool) { return map[string]string{"OWN": "whsec_own"}[k], k == "OWN" }
	var got *ReplayOptions
	cmd := NewCmdReplay(f, func(o *ReplayOptions) error { got = o; return nil })
	if err := runCmd(t, cmd, testEventID, "--to", "https://bob:pw-Rq7yUw3@staging.example.com/plain", "--hmac-secret-env", "OWN", "--auto-approve",
		"-o", "json", "--api-key-env", "PROD_KEY", "--api-url", "http://127.0.0.1:1/graphql"); err != nil {
		t.Fatal(err)
	}
	if got.eventID != testEventID || got.toRaw != "https://bob:pw-Rq7yUw3@staging.example.com/plain" || got.to.Host != "staging.example.com" ||
		got.secretEnv != "OWN" || got.secret != "whsec_own" || !got.autoApprove || got.output != "json" || got.keyEnv != "PROD_KEY" ||
		got.rf.apiURL != "http://127.0.0.1:1/graphql" || got.ctx == nil || got.f != f {
		t.Errorf("options %+v", got)
	}
	// The run's masker learnt the --to password and the secret.
	if m := f.gate().Mask("pw-Rq7yUw3 whsec_own"); m != "${REPLAY_TO_PASSWORD} ${OWN}" {
		t.Errorf("masked %q", m)
	}

	got = nil
	if err := runCmd(t, NewCmdReplay(optionsFactory(), func(o *ReplayOptions) error { got = o; return nil }), testEventID, "--to", "http://127.0.0.1:8080/hook"); err != nil {
		t.Fatal(err)
	}
	if got.to.String() != "http://127.0.0.1:8080/hook" || got.secretEnv != "" || got.secret != "" || got.autoApprove || got.output != "text" || got.keyEnv != "PLAIN_API_KEY" {
		t.Errorf("defaults %+v", got)
	}
	for _, bad := range [][]string{
		{testEventID},
		{testEventID, "--to", "http://hooks.example.com/plain"},
		{testEventID, "--to", "https://x.example.com", "--hmac-secret-env", "NOPE"},
		{testEventID, "--to", "https://x.example.com", "-o", "yaml"},
		{"pEv_bad", "--to", "https://x.example.com"},
	} {
		got = nil
		if err := runCmd(t, NewCmdReplay(optionsFactory(), func(o *ReplayOptions) error { got = o; return nil }), bad...); err == nil || got != nil {
			t.Errorf("%q: err %v, ran %v", bad, err, got != nil)
		}
	}
}
