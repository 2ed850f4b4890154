package view

import (
	"bytes"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

// The -o json documents keep their documented shapes, byte for byte:
// schema/output/targets.schema.json and events.schema.json.
func TestTargetsAndEventsJSONShapes(t *testing.T) {
	var b bytes.Buffer
	g := Gate{}
	ts := []plain.Target{{ID: "whTarget_1", Description: "crm", URL: "https://crm.example.com/hook?token=abcdef", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}}
	RedactTargets(ts)
	if err := g.Targets(&b, ts, "json"); err != nil {
		t.Fatal(err)
	}
	if err := g.Target(&b, ts[0], "json"); err != nil {
		t.Fatal(err)
	}
	if err := g.Targets(&b, nil, "json"); err != nil {
		t.Fatal(err)
	}
	const target = `{
      "id": "whTarget_1",
      "url": "https://crm.example.com/hook?token=REDACTED",
      "description": "crm",
      "eventTypes": [
        "thread.thread_created"
      ],
      "version": "2026-05-06",
      "enabled": true
    }`
	want := "{\n  \"formatVersion\": 1,\n  \"targets\": [\n    " + target + "\n  ]\n}\n" +
		"{\n  \"formatVersion\": 1,\n  \"target\": " + strings.ReplaceAll(target, "\n  ", "\n") + "\n}\n" +
		"{\n  \"formatVersion\": 1\n}\n"
	if b.String() != want {
		t.Errorf("targets JSON:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	types := []plain.EventType{{EventType: "thread.b"}, {EventType: "customer.a"}}
	if err := g.Events(&b, types, nil, "json"); err != nil {
		t.Fatal(err)
	}
	want = "{\n  \"formatVersion\": 1,\n  \"eventTypes\": [\n    {\n      \"eventType\": \"customer.a\",\n      \"description\": \"\"\n    },\n    {\n      \"eventType\": \"thread.b\",\n      \"description\": \"\"\n    }\n  ],\n  \"versions\": []\n}\n"
	if b.String() != want || types[0].EventType != "thread.b" {
		t.Errorf("events JSON (caller's slice must stay unsorted: %v):\n%s\nwant:\n%s", types, b.String(), want)
	}
}

// WriteJSON masks the run's secrets and keeps workflow commands out.
func TestWriteJSONGoesThroughTheGate(t *testing.T) {
	m := &secret.Masker{}
	m.Add("TOKEN", "s3cr3t-value")
	var b bytes.Buffer
	if err := (Gate{Secrets: m}).WriteJSON(&b, map[string]string{"a": "s3cr3t-value", "b": "\n::error::x"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "s3cr3t-value") || !strings.Contains(b.String(), "${TOKEN}") || !strings.HasSuffix(b.String(), "}\n") {
		t.Errorf("WriteJSON: %q", b.String())
	}
}

func TestTargetsTableWhenEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := (Gate{}).Targets(&b, nil, "table"); err != nil || b.String() != "No webhook targets.\n" {
		t.Errorf("%q %v", b.String(), err)
	}
}

// event --out notes where the body went; a path is text like any other.
func TestBodyWritten(t *testing.T) {
	var b strings.Builder
	Gate{}.BodyWritten(&b, "pEv_01HD450JT0RPBT7RRKS1ZQJYBA", 42, "out\x1b[2J.json")
	want := "Wrote the body Plain delivered for pEv_01HD450JT0RPBT7RRKS1ZQJYBA (42 bytes) to out\\x1b[2J.json.\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
