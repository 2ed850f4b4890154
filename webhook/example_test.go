package webhook_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/plainsync/plainsync/webhook"
)

// A receiver: every verified, fresh, new event reaches the function once;
// returning an error answers 500, so that Plain retries it later.
func ExampleNewHandler() {
	secret := []byte(os.Getenv("PLAIN_WEBHOOK_SECRET")) // workspaceHmac.hmacSecret
	h := webhook.NewHandler(secret, func(ctx context.Context, ev *webhook.Event) error {
		// ev.ID is the same on every attempt: make the work idempotent.
		log.Printf("event %s (%s), attempt %d", ev.ID, ev.Type, ev.Webhook.AttemptNumber)
		return nil
	},
		webhook.WithDeduper(webhook.NewMemoryDeduper(10000)),
		webhook.WithObserver(func(r *http.Request, o webhook.Outcome) {
			if o.Err != nil {
				log.Printf("answered %d: %v", o.Status, o.Err)
			}
		}),
	)
	http.Handle("POST /plain/webhooks", h)
	// Then: http.ListenAndServe(addr, nil) behind TLS, as Plain delivers over HTTPS.
}

// A delivery as Plain sends it, and what the handler answers to it and to
// a copy with a changed body.
func ExampleNewHandler_answers() {
	secret := []byte("whsec_example_not_a_real_secret")
	body, _ := os.ReadFile("testdata/thread_created_2026-02-27.json")
	attemptAt := time.Date(2026, 5, 11, 9, 30, 0, 123e6, time.UTC) // in the body
	h := webhook.NewHandler(secret, func(ctx context.Context, ev *webhook.Event) error {
		fmt.Println("handled", ev.ID, ev.Type)
		return nil
	}, webhook.WithClock(func() time.Time { return attemptAt.Add(2 * time.Second) }))

	deliver := func(body string, signature string) {
		req := httptest.NewRequest(http.MethodPost, "/plain", strings.NewReader(body))
		req.Header.Set(webhook.SignatureHeader, signature)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		fmt.Println(w.Code)
	}
	signature := webhook.Sign(body, secret)
	deliver(string(body), signature)
	deliver(strings.Replace(string(body), "Order #1042", "Order #9999", 1), signature)
	// Output:
	// handled pEv_01HD450JT0RPBT7RRKS1ZQJYBA thread.thread_created
	// 200
	// 401
}

func ExampleVerify() {
	body := []byte(`{"id":"pEv_01HD450JT0RPBT7RRKS1ZQJYBA"}`)
	secret := []byte("whsec_example_not_a_real_secret")
	signature := webhook.Sign(body, secret) // what Plain sends as Plain-Request-Signature
	fmt.Println(webhook.Verify(body, signature, secret))
	fmt.Println(webhook.Verify([]byte(`{"id":"pEv_01HD452B3M1ZQ7RT8CXN4VWEGS"}`), signature, secret))
	// Output:
	// <nil>
	// webhook: signature does not match the body
}

func ExampleParse() {
	body, _ := os.ReadFile("testdata/thread_created_2026-04-21.json")
	ev, err := webhook.Parse(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.ID, ev.Type, ev.WorkspaceID)
	fmt.Println(ev.Webhook.TargetID, ev.Webhook.TargetVersion)
	fmt.Println(ev.Webhook.AttemptID, ev.Webhook.AttemptNumber, ev.Webhook.AttemptTimestamp.Format(time.RFC3339Nano))
	// Output:
	// pEv_01HD450JT0RPBT7RRKS1ZQJYBA thread.thread_created w_01HD43ZS4WJR2ZB0V3A2K5B4MD
	// whTarget_01HD4400VTDJQ646V6RY37SR7K 2026-04-21
	// whAttempt_01HD450N6X782MDTDBMS6Z14DJ 1 2026-05-11T09:30:00.123Z
}

// Checking each body against the payload schema of the target's pinned
// version, with the schemas your receiver ships (here a stand-in that
// knows one version).
func ExampleWithValidator() {
	validate := func(version string, body []byte) error {
		if version != "2026-02-27" {
			return fmt.Errorf("no payload schema for webhook version %s", version)
		}
		return nil // e.g. a JSON Schema library's Validate
	}
	_ = webhook.NewHandler([]byte(os.Getenv("PLAIN_WEBHOOK_SECRET")),
		func(ctx context.Context, ev *webhook.Event) error { return nil },
		webhook.WithValidator(validate))
}
