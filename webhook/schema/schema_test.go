package schema

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/webhook"
)

func TestValidateKnowsThePublishedVersions(t *testing.T) {
	got := strings.Join(Versions(), " ")
	if got != "2026-02-27 2026-04-21" {
		t.Fatalf("versions %q", got)
	}
}

func TestValidate(t *testing.T) {
	for _, v := range []string{"2026-02-27", "2026-04-21"} {
		body, err := os.ReadFile("../testdata/thread_created_" + v + ".json")
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(v, body); err != nil {
			t.Errorf("%s: a body plain-mock delivered fails: %v", v, err)
		}
		// The payload's thread lost its id: the schema requires it.
		broken := strings.Replace(string(body), `"id":"th_`, `"idx":"th_`, 1)
		if broken == string(body) {
			t.Fatalf("%s: fixture has no thread id to break", v)
		}
		err = Validate(v, []byte(broken))
		if err == nil {
			t.Errorf("%s: a body without the thread's id passes", v)
		} else if strings.Contains(err.Error(), "th_") {
			t.Errorf("%s: the error quotes the body: %v", v, err)
		}
	}
	body, _ := os.ReadFile("../testdata/thread_created_2026-02-27.json")
	if err := Validate("2024-09-18", body); !errors.Is(err, ErrUnknownVersion) {
		t.Errorf("unknown version: %v", err)
	}
	if err := Validate("2026-02-27", []byte("{")); err == nil {
		t.Error("non-JSON passes")
	}
}

// With the handler: a signed body that breaks the schema is answered 400
// and the function never sees it; a good one reaches it.
func TestHandlerWithValidate(t *testing.T) {
	secret := []byte("s3cret-hmac-key")
	body, _ := os.ReadFile("../testdata/thread_created_2026-02-27.json")
	broken := []byte(strings.Replace(string(body), `"id":"th_`, `"idx":"th_`, 1))
	called := 0
	h := webhook.NewHandler(secret, func(context.Context, *webhook.Event) error { called++; return nil },
		webhook.WithTolerance(0), webhook.WithValidator(Validate))
	for _, c := range []struct {
		body []byte
		want int
	}{{broken, http.StatusBadRequest}, {body, http.StatusOK}} {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(c.body))
		req.Header.Set("Plain-Request-Signature", webhook.Sign(c.body, secret))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("answered %d, want %d", rec.Code, c.want)
		}
	}
	if called != 1 {
		t.Errorf("function called %d times, want 1", called)
	}
}
