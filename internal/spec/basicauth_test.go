package spec

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadPathsLearnsBasicAuth: a URL's user info becomes the Basic-auth
// header a server could echo; LoadPaths teaches each file's masker its
// encoded forms, and LearnBasicAuth takes a nil file.
func TestLoadPathsLearnsBasicAuth(t *testing.T) {
	file := filepath.Join(t.TempDir(), "p.yaml")
	body := "version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n  - name: crm\n    url: https://bob:${CRM_WEBHOOK_TOKEN}@crm.example.com/hook\n    events: [\"*\"]\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	header := base64.StdEncoding.EncodeToString([]byte("bob:" + testEnv["CRM_WEBHOOK_TOKEN"]))

	d, ps := Load(file, lookupTestEnv)
	if d == nil || HasErrors(ps) {
		t.Fatalf("load: %v", ps)
	}
	if got := d.Secrets.Mask("Basic " + header); !strings.Contains(got, header) {
		t.Fatalf("Load alone already masks the header: %q", got)
	}

	ds, ps := LoadPaths([]string{file}, lookupTestEnv)
	if len(ds) != 1 || HasErrors(ps) {
		t.Fatalf("LoadPaths: %v", ps)
	}
	if got := ds[0].Secrets.Mask("Basic " + header); strings.Contains(got, header) {
		t.Errorf("the Basic-auth header is not masked: %q", got)
	}

	var none *Desired
	none.LearnBasicAuth() // no panic
}
