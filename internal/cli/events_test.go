package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// readEnv runs the read-side commands in-process against e's mock, at a
// fixed clock, with extra environment, and fails the test when the API
// key, the test token or any of the extra secrets shows in the output.
type readRun struct {
	code        int
	out, errOut string
}

var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func runRead(t *testing.T, e *remoteEnv, env map[string]string, secrets []string, args ...string) readRun {
	t.Helper()
	full := map[string]string{"PLAIN_API_KEY": testKey, "PLAIN_API_URL": e.url, "TOKEN": testToken}
	for k, v := range env {
		full[k] = v
	}
	f, out, errOut := testFactory(full)
	f.Now = func() time.Time { return testNow }
	code := Execute(f, args)
	r := readRun{code: code, out: out.String(), errOut: errOut.String()}
	for _, s := range append([]string{testKey, testToken}, secrets...) {
		if strings.Contains(r.out+r.errOut, s) {
			t.Fatalf("secret %q in output of %v:\n%s\n%s", s, args, r.out, r.errOut)
		}
	}
	return r
}

func wantExit(t *testing.T, r readRun, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.out, r.errOut)
	}
}

func TestEventsTable(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	r := runRead(t, e, nil, nil, "events")
	wantExit(t, r, 0)
	for _, want := range []string{
		"Event types (30):",
		"customer.* (6)",
		"thread.* (23)",
		"timeline.* (1)",
		"    thread.thread_created",
		"A thread was created.",
		"Webhook versions (7):",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("events output lacks %q:\n%s", want, r.out)
		}
	}
	lines := strings.Split(r.out, "\n")
	mark := func(version string) string {
		for _, l := range lines {
			if f := strings.Fields(l); len(f) > 0 && f[0] == version {
				return strings.Join(f[1:], " ")
			}
		}
		t.Fatalf("no line for version %s:\n%s", version, r.out)
		return ""
	}
	if got := mark("2026-05-06"); got != "latest" {
		t.Errorf("2026-05-06 marked %q, want latest", got)
	}
	if got := mark("unversioned"); got != "deprecated" {
		t.Errorf("unversioned marked %q, want deprecated", got)
	}
	// plain-mock lists only versions Plain documents or ships schemas for,
	// and calls only the legacy unversioned deprecated.
	for _, v := range []string{"2026-04-21", "2026-02-27", "2025-08-06", "2025-07-30", "2024-09-18"} {
		if got := mark(v); got != "" {
			t.Errorf("%s marked %q, want nothing", v, got)
		}
	}
	// Namespaces appear in order, each before its own types.
	if i, j := strings.Index(r.out, "customer.* (6)"), strings.Index(r.out, "customer.customer_changed"); i < 0 || j < i {
		t.Errorf("customer group header not before its types")
	}
	if i, j := strings.Index(r.out, "thread.* ("), strings.Index(r.out, "timeline.* ("); i > j {
		t.Errorf("namespaces out of order")
	}
}

func TestEventsJSON(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	r := runRead(t, e, nil, nil, "events", "-o", "json")
	wantExit(t, r, 0)
	var doc struct {
		FormatVersion int `json:"formatVersion"`
		EventTypes    []struct {
			EventType   string `json:"eventType"`
			Description string `json:"description"`
		} `json:"eventTypes"`
		Versions []struct {
			Version      string `json:"version"`
			IsLatest     bool   `json:"isLatest"`
			IsDeprecated bool   `json:"isDeprecated"`
		} `json:"versions"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	if doc.FormatVersion != 1 || len(doc.EventTypes) != 30 || len(doc.Versions) != 7 {
		t.Fatalf("shape: %+v", doc)
	}
	for i := 1; i < len(doc.EventTypes); i++ {
		if doc.EventTypes[i-1].EventType >= doc.EventTypes[i].EventType {
			t.Fatalf("event types not sorted at %d: %s", i, doc.EventTypes[i].EventType)
		}
	}
	if doc.EventTypes[0].Description == "" || !doc.Versions[0].IsLatest || !doc.Versions[6].IsDeprecated || doc.Versions[5].IsDeprecated {
		t.Fatalf("content: %+v", doc)
	}
}

func TestEventsErrors(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	r := runRead(t, e, map[string]string{"PLAIN_API_KEY": ""}, nil, "events")
	wantExit(t, r, 1)
	if !strings.Contains(r.errOut, "no API key") {
		t.Errorf("stderr: %s", r.errOut)
	}
	r = runRead(t, e, map[string]string{"OTHER_KEY": "plainApiKey_wrong"}, []string{"plainApiKey_wrong"}, "events", "--api-key-env", "OTHER_KEY")
	wantExit(t, r, 1)
	if !strings.Contains(r.errOut, "API key rejected") {
		t.Errorf("stderr: %s", r.errOut)
	}
	r = runRead(t, e, nil, nil, "events", "-o", "yaml")
	wantExit(t, r, 1)
}

// Every read-side command documents itself with examples.
func TestReadSideHelp(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	for _, c := range []struct {
		cmd   string
		wants []string
	}{
		{"events", []string{"Examples:", "plainsync events -o json"}},
		{"export", []string{"Examples:", "plainsync export --out plainsync.yaml", "--include-disabled", "--force", "--name-from"}},
		{"deliveries", []string{"Examples:", "--status", "--event", "--since", "--limit", "successful_response, failed_response, error, rejected, schema_validation_failed"}},
		{"drift", []string{"--health-window", "--min-success-rate", "below"}},
	} {
		r := runRead(t, e, nil, nil, c.cmd, "--help")
		wantExit(t, r, 0)
		for _, w := range c.wants {
			if !strings.Contains(r.out, w) {
				t.Errorf("%s --help lacks %q:\n%s", c.cmd, w, r.out)
			}
		}
	}
}
