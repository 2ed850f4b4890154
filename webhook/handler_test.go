package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a handler under test with everything it did.
type recorder struct {
	t        *testing.T
	h        http.Handler
	mu       sync.Mutex
	calls    []*Event
	outcomes []Outcome
	fnErr    error
}

func newRecorder(t *testing.T, opts ...Option) *recorder {
	rec := &recorder{t: t}
	fn := func(_ context.Context, ev *Event) error {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.calls = append(rec.calls, ev)
		return rec.fnErr
	}
	observe := WithObserver(func(_ *http.Request, o Outcome) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.outcomes = append(rec.outcomes, o)
	})
	// The fixtures' attempt happened 10 s before this clock.
	clock := WithClock(func() time.Time { return fixtureAttemptAt.Add(10 * time.Second) })
	rec.h = NewHandler([]byte(testSecret), fn, append([]Option{clock, observe}, opts...)...)
	return rec
}

// post sends body signed with sig ("" = none) and returns the status and
// answer.
func (rec *recorder) send(method string, body []byte, sig string) (int, string) {
	req := httptest.NewRequest(method, "/plain", strings.NewReader(string(body)))
	if sig != "" {
		req.Header.Set(SignatureHeader, sig)
	}
	w := httptest.NewRecorder()
	rec.h.ServeHTTP(w, req)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

func (rec *recorder) post(body []byte) (int, string) {
	return rec.send(http.MethodPost, body, Sign(body, []byte(testSecret)))
}

// last is the last outcome observed.
func (rec *recorder) last() Outcome {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.outcomes) == 0 {
		rec.t.Fatal("no outcome observed")
	}
	return rec.outcomes[len(rec.outcomes)-1]
}

func TestHandlerCallsFnOnceForAValidDelivery(t *testing.T) {
	rec := newRecorder(t)
	body := fixture(t, "2026-04-21")
	if code, text := rec.post(body); code != http.StatusOK || text != "ok\n" {
		t.Fatalf("answer %d %q", code, text)
	}
	if len(rec.calls) != 1 || rec.calls[0].ID != "pEv_01HD450JT0RPBT7RRKS1ZQJYBA" || rec.calls[0].Webhook.TargetVersion != "2026-04-21" {
		t.Fatalf("fn calls %+v", rec.calls)
	}
	if o := rec.last(); o.Err != nil || o.Status != 200 || o.Event != rec.calls[0] || o.BodyBytes != len(body) {
		t.Errorf("outcome %+v", o)
	}
}

func TestHandlerRefusesBadSignatures(t *testing.T) {
	rec := newRecorder(t)
	body := fixture(t, "2026-02-27")
	tampered := []byte(strings.Replace(string(body), "Order #1042", "Order #1043", 1))
	for name, tc := range map[string]struct {
		body []byte
		sig  string
		want error
	}{
		"missing":         {body, "", ErrNoSignature},
		"other secret":    {body, Sign(body, []byte("whsec_other")), ErrBadSignature},
		"tampered body":   {tampered, Sign(body, []byte(testSecret)), ErrBadSignature},
		"garbage":         {body, "not-hex", ErrBadSignature},
		"signed garbage?": {[]byte("{}"), Sign(body, []byte(testSecret)), ErrBadSignature},
	} {
		code, text := rec.send(http.MethodPost, tc.body, tc.sig)
		if code != http.StatusUnauthorized || text != "invalid signature\n" {
			t.Errorf("%s: answer %d %q, want 401", name, code, text)
		}
		if o := rec.last(); !errors.Is(o.Err, tc.want) || o.Event != nil {
			t.Errorf("%s: outcome %+v, want %v", name, o, tc.want)
		}
	}
	if len(rec.calls) != 0 {
		t.Errorf("fn was called for a refused delivery")
	}
}

func TestHandlerRefusesNonPOST(t *testing.T) {
	rec := newRecorder(t)
	body := fixture(t, "2026-02-27")
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodHead} {
		req := httptest.NewRequest(m, "/plain", strings.NewReader(string(body)))
		req.Header.Set(SignatureHeader, Sign(body, []byte(testSecret)))
		w := httptest.NewRecorder()
		rec.h.ServeHTTP(w, req)
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "POST" || !errors.Is(rec.last().Err, ErrMethod) {
			t.Errorf("%s: %d, Allow %q", m, w.Code, w.Header().Get("Allow"))
		}
	}
	if len(rec.calls) != 0 {
		t.Error("fn was called")
	}
}

func TestHandlerSizeLimit(t *testing.T) {
	body := fixture(t, "2026-02-27")
	// Exactly at the limit is read; one byte less is refused before the
	// signature is even checked.
	at := newRecorder(t, WithMaxBodyBytes(int64(len(body))))
	if code, _ := at.post(body); code != http.StatusOK {
		t.Errorf("a body of exactly the limit: %d", code)
	}
	under := newRecorder(t, WithMaxBodyBytes(int64(len(body)-1)))
	if code, text := under.post(body); code != http.StatusRequestEntityTooLarge || text != "body too large\n" || !errors.Is(under.last().Err, ErrBodyTooLarge) {
		t.Errorf("a body over the limit: %d %q %v", code, text, under.last().Err)
	}
	if len(under.calls) != 0 {
		t.Error("fn was called for a body over the limit")
	}
	// The default is 4 MiB.
	def := newRecorder(t)
	big := make([]byte, DefaultMaxBodyBytes+1)
	if code, _ := def.post(big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the default limit: %d", code)
	}
	if code, _ := def.post(big[:DefaultMaxBodyBytes]); code != http.StatusBadRequest {
		t.Errorf("a (signed, unparsable) body at the default limit: %d, want 400", code)
	}
}

func TestHandlerTimestampTolerance(t *testing.T) {
	body := fixture(t, "2026-02-27") // attempted at fixtureAttemptAt
	for _, tc := range []struct {
		name    string
		now     time.Time
		opts    []Option
		want    int
		wantErr error
	}{
		{"fresh", fixtureAttemptAt.Add(10 * time.Second), nil, 200, nil},
		{"exactly 300 s old (the SDK accepts)", fixtureAttemptAt.Add(300 * time.Second), nil, 200, nil},
		{"301 s old", fixtureAttemptAt.Add(301 * time.Second), nil, 401, ErrTimestampTooOld},
		{"a day old", fixtureAttemptAt.Add(24 * time.Hour), nil, 401, ErrTimestampTooOld},
		{"300 s ahead", fixtureAttemptAt.Add(-300 * time.Second), nil, 200, nil},
		{"301 s ahead", fixtureAttemptAt.Add(-301 * time.Second), nil, 401, ErrTimestampInFuture},
		{"an hour old, tolerance 2h", fixtureAttemptAt.Add(time.Hour), []Option{WithTolerance(2 * time.Hour)}, 200, nil},
		{"61 s old, tolerance 1m", fixtureAttemptAt.Add(61 * time.Second), []Option{WithTolerance(time.Minute)}, 401, ErrTimestampTooOld},
		{"a year old, check off", fixtureAttemptAt.Add(365 * 24 * time.Hour), []Option{WithTolerance(0)}, 200, nil},
	} {
		rec := newRecorder(t, append([]Option{WithClock(func() time.Time { return tc.now })}, tc.opts...)...)
		code, text := rec.post(body)
		o := rec.last()
		if code != tc.want || !errors.Is(o.Err, tc.wantErr) || (tc.wantErr == nil) != (o.Err == nil) {
			t.Errorf("%s: %d %q, %v", tc.name, code, text, o.Err)
		}
		if (len(rec.calls) == 1) != (tc.want == 200) {
			t.Errorf("%s: %d fn calls", tc.name, len(rec.calls))
		}
		if tc.wantErr != nil && (o.Event == nil || text != "delivery attempt timestamp outside the tolerance\n") {
			t.Errorf("%s: outcome %+v, answer %q", tc.name, o, text)
		}
	}
}

func TestHandlerDedupe(t *testing.T) {
	d := NewMemoryDeduper(100)
	rec := newRecorder(t, WithDeduper(d))
	first := fixture(t, "2026-02-27")
	// A retry of the same event: a new attempt id, number and body.
	retry := []byte(mutate(t, first, func(_, md map[string]any) {
		md["webhookDeliveryAttemptId"] = "whAttempt_01HD451Q0XK7W2CZJ3A5B9E8FT"
		md["webhookDeliveryAttemptNumber"] = 2
	}))
	rec.fnErr = errors.New("database down")
	if code, text := rec.post(first); code != http.StatusInternalServerError || text != "internal error\n" {
		t.Fatalf("fn failing: %d %q", code, text)
	}
	if seen, _ := d.Seen(t.Context(), "pEv_01HD450JT0RPBT7RRKS1ZQJYBA"); seen {
		t.Fatal("a failed event was marked as handled: Plain's retry would be dropped")
	}
	rec.fnErr = nil
	if code, _ := rec.post(retry); code != http.StatusOK || len(rec.calls) != 2 {
		t.Fatalf("the retry: %d, %d calls", code, len(rec.calls))
	}
	// Once handled, the same event again (any attempt) is answered 200
	// without calling fn.
	for _, body := range [][]byte{first, retry} {
		code, text := rec.post(body)
		if code != http.StatusOK || text != "ok (duplicate event)\n" || !errors.Is(rec.last().Err, ErrDuplicate) {
			t.Errorf("duplicate: %d %q %v", code, text, rec.last().Err)
		}
	}
	if len(rec.calls) != 2 {
		t.Errorf("fn called %d times, want 2", len(rec.calls))
	}
	// Another event still goes through.
	other := []byte(mutate(t, first, func(top, _ map[string]any) { top["id"] = "pEv_01HD452B3M1ZQ7RT8CXN4VWEGS" }))
	if code, _ := rec.post(other); code != http.StatusOK || len(rec.calls) != 3 {
		t.Errorf("another event: %d, %d calls", code, len(rec.calls))
	}
}

// failingDeduper fails Seen or Mark.
type failingDeduper struct{ seenErr, markErr error }

func (f failingDeduper) Seen(context.Context, string) (bool, error) { return false, f.seenErr }
func (f failingDeduper) Mark(context.Context, string) error         { return f.markErr }

func TestHandlerDeduperErrorsAre500(t *testing.T) {
	body := fixture(t, "2026-02-27")
	for name, d := range map[string]failingDeduper{
		"Seen": {seenErr: errors.New("redis down")},
		"Mark": {markErr: errors.New("redis down")},
	} {
		rec := newRecorder(t, WithDeduper(d))
		if code, text := rec.post(body); code != http.StatusInternalServerError || strings.Contains(text, "redis") || !errors.Is(rec.last().Err, ErrHandler) {
			t.Errorf("%s failing: %d %q %v", name, code, text, rec.last().Err)
		}
	}
}

func TestHandlerFnErrorIs500AndNotShown(t *testing.T) {
	rec := newRecorder(t)
	secretish := errors.New("postgres://app:hunter2@db/prod refused")
	rec.fnErr = secretish
	code, text := rec.post(fixture(t, "2026-02-27"))
	if code != http.StatusInternalServerError || text != "internal error\n" {
		t.Errorf("answer %d %q", code, text)
	}
	if o := rec.last(); !errors.Is(o.Err, secretish) || !errors.Is(o.Err, ErrHandler) || o.Event == nil {
		t.Errorf("outcome %+v", o)
	}
}

func TestHandlerBadBodyIs400(t *testing.T) {
	rec := newRecorder(t)
	for _, body := range []string{"", "{}", `{"id":"pEv_01HD450JT0RPBT7RRKS1ZQJYBA"}`, "not json"} {
		code, text := rec.post([]byte(body))
		if code != http.StatusBadRequest || text != "invalid event body\n" || !errors.Is(rec.last().Err, ErrInvalidBody) {
			t.Errorf("%q: %d %q %v", body, code, text, rec.last().Err)
		}
	}
	if len(rec.calls) != 0 {
		t.Error("fn was called")
	}
}

func TestHandlerValidator(t *testing.T) {
	var versions []string
	validate := func(version string, body []byte) error {
		versions = append(versions, version)
		if version != "2026-02-27" {
			return errors.New("no schema for this version")
		}
		return nil
	}
	rec := newRecorder(t, WithValidator(validate))
	if code, _ := rec.post(fixture(t, "2026-02-27")); code != http.StatusOK {
		t.Errorf("a valid body: %d", code)
	}
	code, text := rec.post(fixture(t, "2026-04-21"))
	if code != http.StatusBadRequest || text != "body does not match the payload schema\n" || !errors.Is(rec.last().Err, ErrSchema) ||
		!strings.Contains(rec.last().Err.Error(), `(version "2026-04-21"): no schema for this version`) {
		t.Errorf("a refused body: %d %q %v", code, text, rec.last().Err)
	}
	if len(rec.calls) != 1 || strings.Join(versions, " ") != "2026-02-27 2026-04-21" {
		t.Errorf("%d fn calls; validator saw %v", len(rec.calls), versions)
	}
	// The validator never sees an unverified body.
	rec.send(http.MethodPost, fixture(t, "2026-02-27"), "bad")
	if len(versions) != 2 {
		t.Error("the validator ran before the signature was checked")
	}
}

func TestHandlerWithoutSecretRefusesEverything(t *testing.T) {
	called := false
	h := NewHandler(nil, func(context.Context, *Event) error { called = true; return nil })
	body := fixture(t, "2026-02-27")
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
	req.Header.Set(SignatureHeader, Sign(body, nil))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusInternalServerError || called {
		t.Errorf("no secret: %d, fn called %v", w.Code, called)
	}
}

func TestHandlerWithoutFunctionAnswers500(t *testing.T) {
	body := fixture(t, "2026-02-27")
	h := NewHandler([]byte(testSecret), nil, WithClock(func() time.Time { return fixtureAttemptAt }))
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
	req.Header.Set(SignatureHeader, Sign(body, []byte(testSecret)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusInternalServerError {
		t.Errorf("nil fn: %d", w.Code)
	}
}
