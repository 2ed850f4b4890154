package planfile

import (
	"bytes"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
)

func TestRoundTrip(t *testing.T) {
	p := savedFixture(t)
	p.FileDigest = "sha256:abc"
	data, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("tok-SECRET-123")) {
		t.Fatalf("secret value in saved plan:\n%s", data)
	}
	if !bytes.Contains(data, []byte("${CRM_TOKEN}")) || !bytes.Contains(data, []byte("crm $${literal}")) {
		t.Fatalf("saved plan lacks the reference or the escaped literal:\n%s", data)
	}
	if !bytes.Contains(data, []byte("\n  \"formatVersion\": 1,")) {
		t.Errorf("saved plan is not indented JSON with formatVersion:\n%s", data[:min(200, len(data))])
	}
	got, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	// ReadSaved interpolates nothing: references stay references.
	if u := got.Changes[0].After.URL; !strings.Contains(u, "${CRM_TOKEN}") {
		t.Errorf("ReadSaved interpolated the URL: %q", u)
	}
	if err := Compare(got, p); err != nil {
		t.Fatalf("a saved plan differs from the plan it was made from: %v", err)
	}
}

func TestReadErrors(t *testing.T) {
	const ok = `"formatVersion":1,"file":"f.yaml","fileDigest":"sha256:x","fingerprint":"sha256:x"`
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"not JSON":           {[]byte("plan: yes"), "not a plainsync plan file"},
		"no format version":  {[]byte(`{"changes":[]}`), "no formatVersion"},
		"newer format":       {[]byte(`{"formatVersion":2}`), "format version 2"},
		"unknown field":      {[]byte(`{` + ok + `,"bogus":1}`), "bogus"},
		"no fingerprint":     {[]byte(`{"formatVersion":1,"file":"f","fileDigest":"x","changes":[]}`), "fingerprint"},
		"no file digest":     {[]byte(`{"formatVersion":1,"file":"f","fingerprint":"sha256:x","changes":[]}`), "digest"},
		"unknown action":     {[]byte(`{` + ok + `,"changes":[{"action":"explode","name":"a"}]}`), `unknown action "explode"`},
		"delete without id":  {[]byte(`{` + ok + `,"changes":[{"action":"delete","name":"a"}]}`), "without target id"},
		"create without new": {[]byte(`{` + ok + `,"changes":[{"action":"create","name":"a"}]}`), "without desired state"},
		"two documents":      {[]byte(`{` + ok + `,"changes":[]} {}`), "not a plainsync plan file"},
		"too large":          {bytes.Repeat([]byte(" "), MaxSize+1), "larger than 8 MiB"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Read(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestMarshalRefusesAmbiguousDollar(t *testing.T) {
	p := mustCompute(t, desired(webhook(5, "a", "https://a.example/h?x=${tok", "*")), snapshot(), diff.Options{})
	p.Secrets.Add("T", "{tok")
	_, err := Marshal(p)
	if err == nil || strings.Contains(err.Error(), "{tok") {
		t.Fatalf("err = %v", err)
	}
}
