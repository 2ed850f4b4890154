package webhook

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

const testSecret = "whsec_test_not_a_real_secret"

// fixture is a real-shaped delivery body (see testdata/README.md).
func fixture(t testing.TB, version string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/thread_created_" + version + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureAttemptAt is the attempt timestamp of the fixtures.
var fixtureAttemptAt = time.Date(2026, 5, 11, 9, 30, 0, 123e6, time.UTC)

func TestSignIsPlainsSignature(t *testing.T) {
	// RFC 4231 test case 2: HMAC-SHA256 with key "Jefe"; Plain sends it
	// as lowercase hex (Plain's request-signing docs).
	got := Sign([]byte("what do ya want for nothing?"), []byte("Jefe"))
	if want := "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	body := fixture(t, "2026-02-27")
	secret := []byte(testSecret)
	good := Sign(body, secret)
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-3] ^= 1
	for _, tc := range []struct {
		name   string
		body   []byte
		sig    string
		secret []byte
		want   error
	}{
		{"good", body, good, secret, nil},
		{"no signature", body, "", secret, ErrNoSignature},
		{"no secret", body, good, nil, ErrNoSecret},
		{"tampered body", tampered, good, secret, ErrBadSignature},
		{"other secret", body, good, []byte(testSecret + "x"), ErrBadSignature},
		{"uppercase hex", body, strings.ToUpper(good), secret, ErrBadSignature},
		{"truncated", body, good[:63], secret, ErrBadSignature},
		{"prefixed", body, "sha256=" + good, secret, ErrBadSignature},
		{"with space", body, good + " ", secret, ErrBadSignature},
	} {
		if err := Verify(tc.body, tc.sig, tc.secret); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: Verify = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestParseReadsEveryEnvelopeField(t *testing.T) {
	for _, version := range []string{"2026-02-27", "2026-04-21"} {
		ev, err := Parse(fixture(t, version))
		if err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		want := Event{
			ID: "pEv_01HD450JT0RPBT7RRKS1ZQJYBA", Type: "thread.thread_created",
			Timestamp: fixtureAttemptAt.Add(-2 * time.Second), WorkspaceID: "w_01HD43ZS4WJR2ZB0V3A2K5B4MD",
			Webhook: Metadata{TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", TargetVersion: version,
				AttemptID: "whAttempt_01HD450N6X782MDTDBMS6Z14DJ", AttemptNumber: 1, AttemptTimestamp: fixtureAttemptAt},
		}
		got := *ev
		got.Payload = nil
		if !got.Timestamp.Equal(want.Timestamp) || !got.Webhook.AttemptTimestamp.Equal(want.Webhook.AttemptTimestamp) {
			t.Errorf("%s: timestamps %v %v", version, got.Timestamp, got.Webhook.AttemptTimestamp)
		}
		got.Timestamp, got.Webhook.AttemptTimestamp = want.Timestamp, want.Webhook.AttemptTimestamp
		if got.ID != want.ID || got.Type != want.Type || got.WorkspaceID != want.WorkspaceID || got.Webhook != want.Webhook {
			t.Errorf("%s: Parse = %+v, want %+v", version, got, want)
		}
		if !strings.HasPrefix(string(ev.Payload), `{"eventType":"thread.thread_created","thread":{`) {
			t.Errorf("%s: payload %.60s", version, ev.Payload)
		}
	}
}

// mutate decodes body, lets change edit the top-level object and its
// webhookMetadata, and encodes it again.
func mutate(t *testing.T, body []byte, change func(top, md map[string]any)) string {
	t.Helper()
	var top map[string]any
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatal(err)
	}
	change(top, top["webhookMetadata"].(map[string]any))
	out, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestParseRefusals(t *testing.T) {
	body := fixture(t, "2026-02-27")
	set := func(key string, v any) string {
		return mutate(t, body, func(top, _ map[string]any) { top[key] = v })
	}
	setMD := func(key string, v any) string {
		return mutate(t, body, func(_, md map[string]any) { md[key] = v })
	}
	del := func(key string) string {
		return mutate(t, body, func(top, _ map[string]any) { delete(top, key) })
	}
	for name, bad := range map[string]string{
		"empty":                 "",
		"not JSON":              "id=1",
		"array":                 "[1]",
		"null":                  "null",
		"trailing garbage":      string(body) + "x",
		"id missing":            del("id"),
		"id not a Plain id":     set("id", "pEv_1"),
		"id lowercase ULID":     set("id", "pEv_01hd450jt0rpbt7rrks1zqjyba"),
		"id with a newline":     set("id", "pEv_01HD450JT0RPBT7RRKS1ZQJYB\n"),
		"id too long":           set("id", strings.Repeat("p", 30)+"_01HD450JT0RPBT7RRKS1ZQJYBA"),
		"id a number":           set("id", 7),
		"ID in other case only": mutate(t, body, func(top, _ map[string]any) { top["ID"] = top["id"]; delete(top, "id") }),
		"type empty":            set("type", ""),
		"type missing":          del("type"),
		"timestamp not a date":  set("timestamp", "yesterday"),
		"workspace missing":     del("workspaceId"),
		"payload missing":       del("payload"),
		"payload an array":      set("payload", []any{}),
		"payload null":          set("payload", nil),
		"metadata null":         set("webhookMetadata", nil),
		"metadata a string":     set("webhookMetadata", "x"),
		"attempt number zero":   setMD("webhookDeliveryAttemptNumber", 0),
		"attempt number 1.5":    setMD("webhookDeliveryAttemptNumber", 1.5),
		"attempt number string": setMD("webhookDeliveryAttemptNumber", "1"),
		"attempt time missing":  mutate(t, body, func(_, md map[string]any) { delete(md, "webhookDeliveryAttemptTimestamp") }),
		"attempt time no zone":  setMD("webhookDeliveryAttemptTimestamp", "2026-05-11T09:30:00.123"),
		"attempt id not an id":  setMD("webhookDeliveryAttemptId", "whAttempt_"),
		"target id null":        setMD("webhookTargetId", nil),
		"version empty":         setMD("webhookTargetVersion", ""),
	} {
		ev, err := Parse([]byte(bad))
		if !errors.Is(err, ErrInvalidBody) || ev != nil {
			t.Errorf("%s: Parse = %v; want ErrInvalidBody", name, err)
			continue
		}
		if strings.Contains(err.Error(), "pEv_") || strings.Contains(err.Error(), "yesterday") {
			t.Errorf("%s: the error quotes the body: %v", name, err)
		}
	}
	// Unknown members are allowed (additionalProperties: true).
	if _, err := Parse([]byte(set("somethingNew", map[string]any{"a": 1}))); err != nil {
		t.Errorf("an unknown member is refused: %v", err)
	}
}

func TestMemoryDeduperForgetsTheOldestFirst(t *testing.T) {
	d := NewMemoryDeduper(2)
	ctx := t.Context()
	for _, id := range []string{"pEv_A", "pEv_B", "pEv_B", "pEv_C"} {
		if err := d.Mark(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	for id, want := range map[string]bool{"pEv_A": false, "pEv_B": true, "pEv_C": true, "pEv_D": false} {
		if got, err := d.Seen(ctx, id); got != want || err != nil {
			t.Errorf("Seen(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
}
