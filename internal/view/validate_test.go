package view

import (
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/validate"
)

func validateResult() *validate.Result {
	m := &secret.Masker{}
	m.Add("CRM_TOKEN", "tok-123-secret")
	return &validate.Result{
		Files: []validate.File{
			{Name: "a.yaml"},
			{Name: "b.yaml", Loaded: true, Webhooks: 1, Variables: []string{"A", "B"}, Unset: []string{"B"}},
			{Name: "c.yaml", Loaded: true, Webhooks: 2},
		},
		Problems: []spec.Problem{
			{Pos: spec.Pos{File: "a.yaml"}, Severity: spec.SeverityError, Message: "file not found"},
			{Pos: spec.Pos{File: "b.yaml", Line: 2, Col: 3}, Severity: spec.SeverityWarning, Message: "leaks tok-123-secret"},
		},
		Secrets: m,
	}
}

// TestValidateText: problems on stderr, masked; one verdict per file on
// stdout with the variables plan will need.
func TestValidateText(t *testing.T) {
	var out, errOut strings.Builder
	if err := Validate(&out, &errOut, validateResult(), "text"); err != nil {
		t.Fatal(err)
	}
	if want := "a.yaml: file not found\nb.yaml:2:3: warning: leaks ${CRM_TOKEN}\n"; errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
	want := "a.yaml: invalid (1 error)\n" +
		"b.yaml: valid (1 webhook, 1 warning); plan will need ${A}, ${B} (not set here: B)\n" +
		"c.yaml: valid (2 webhooks)\n"
	if out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
}

// A policy that does not load checked nothing: no file is called valid.
func TestValidateTextPolicyBroken(t *testing.T) {
	r := validateResult()
	r.PolicyBroken = true
	var out, errOut strings.Builder
	if err := Validate(&out, &errOut, r, "text"); err != nil {
		t.Fatal(err)
	}
	want := "a.yaml: invalid (1 error)\n" +
		"b.yaml: not checked: the policy does not load (errors above); plan will need ${A}, ${B} (not set here: B)\n" +
		"c.yaml: not checked: the policy does not load (errors above)\n"
	if out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
}

// TestValidateJSONDocument pins the -o json document byte for byte.
func TestValidateJSONDocument(t *testing.T) {
	var out, errOut strings.Builder
	if err := Validate(&out, &errOut, validateResult(), "json"); err != nil {
		t.Fatal(err)
	}
	want := `{
  "formatVersion": 1,
  "valid": false,
  "files": [
    "a.yaml",
    "b.yaml",
    "c.yaml"
  ],
  "problems": [
    {
      "file": "a.yaml",
      "line": 0,
      "col": 0,
      "severity": "error",
      "message": "file not found"
    },
    {
      "file": "b.yaml",
      "line": 2,
      "col": 3,
      "severity": "warning",
      "message": "leaks ${CRM_TOKEN}"
    }
  ],
  "variables": [
    {
      "file": "b.yaml",
      "name": "A",
      "set": true
    },
    {
      "file": "b.yaml",
      "name": "B",
      "set": false
    }
  ]
}
`
	if out.String() != want || errOut.Len() != 0 {
		t.Errorf("stdout %s\nwant %s\nstderr %q", out.String(), want, errOut.String())
	}
	out.Reset()
	if err := Validate(&out, &errOut, &validate.Result{Valid: true}, "json"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"problems": []`) || !strings.Contains(out.String(), `"variables": []`) {
		t.Errorf("empty lists are not null: %s", out.String())
	}
}
