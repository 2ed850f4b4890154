package view

import (
	"bytes"
	"testing"

	"github.com/plainsync/plainsync/internal/export"
	"github.com/plainsync/plainsync/internal/secret"
)

// An exported document is masked; as JSON it is also made inert, so that no
// line can hold "##[" (the YAML keeps its comments' '#').
func TestExportDocument(t *testing.T) {
	m := &secret.Masker{}
	m.Add("PLAIN_API_KEY", "plainApiKey_abcdefgh")
	g := Gate{Secrets: m}
	if got := string(g.ExportDocument([]byte("{\n  \"name\": \"##[x] plainApiKey_abcdefgh\"\n}\n"), export.FormatJSON)); got != "{\n  \"name\": \"\\u0023\\u0023[x] ${PLAIN_API_KEY}\"\n}\n" {
		t.Errorf("json %q", got)
	}
	if got := string(g.ExportDocument([]byte("# comment\nname: plainApiKey_abcdefgh\n"), export.FormatYAML)); got != "# comment\nname: ${PLAIN_API_KEY}\n" {
		t.Errorf("yaml %q", got)
	}
}

func TestExportWritten(t *testing.T) {
	var b bytes.Buffer
	ExportWritten(&b, "plainsync.yaml", &export.File{Webhooks: 2, WorkspaceID: "w_1", Vars: []export.Var{{Name: "CRM_SYNC_TOKEN"}, {Name: "SLACK_RELAY_PATH"}}})
	if want := "Wrote plainsync.yaml: 2 webhook(s) from workspace w_1.\nSet CRM_SYNC_TOKEN, SLACK_RELAY_PATH to the values in the live URLs before planning.\n"; b.String() != want {
		t.Errorf("%q", b.String())
	}
	b.Reset()
	ExportWritten(&b, "a.json", &export.File{WorkspaceID: "w_1"})
	if want := "Wrote a.json: 0 webhook(s) from workspace w_1.\n"; b.String() != want {
		t.Errorf("%q", b.String())
	}
}
