package webhook

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParse: Parse never panics, fails only with ErrInvalidBody, and what
// it accepts keeps the promises receivers rely on (Plain-shaped ids, a
// positive attempt number, a payload that is a JSON object).
func FuzzParse(f *testing.F) {
	for _, v := range []string{"2026-02-27", "2026-04-21"} {
		f.Add(fixture(f, v))
	}
	f.Add([]byte(`{"id":"pEv_01HD450JT0RPBT7RRKS1ZQJYBA","type":"t","timestamp":"2026-05-11T09:30:00Z","workspaceId":"w_01HD43ZS4WJR2ZB0V3A2K5B4MD","payload":{},` +
		`"webhookMetadata":{"webhookTargetId":"whTarget_01HD4400VTDJQ646V6RY37SR7K","webhookTargetVersion":"v","webhookDeliveryAttemptId":"whAttempt_01HD450N6X782MDTDBMS6Z14DJ","webhookDeliveryAttemptNumber":1,"webhookDeliveryAttemptTimestamp":"2026-05-11T09:30:00.000Z"}}`))
	f.Add([]byte(`{"webhookMetadata":[]}`))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := Parse(body)
		if err != nil {
			if !errors.Is(err, ErrInvalidBody) || ev != nil {
				t.Fatalf("Parse = %v, %v", ev, err)
			}
			return
		}
		for _, id := range []string{ev.ID, ev.WorkspaceID, ev.Webhook.TargetID, ev.Webhook.AttemptID} {
			if len(id) > maxIDLen || !idPattern.MatchString(id) {
				t.Fatalf("accepted id %q", id)
			}
		}
		if ev.Type == "" || ev.Webhook.TargetVersion == "" || ev.Webhook.AttemptNumber < 1 ||
			ev.Timestamp.IsZero() || ev.Webhook.AttemptTimestamp.IsZero() {
			t.Fatalf("accepted %+v", ev)
		}
		var payload map[string]any
		if err := json.Unmarshal(ev.Payload, &payload); err != nil || payload == nil {
			t.Fatalf("payload %q is not an object: %v", ev.Payload, err)
		}
	})
}
