package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/plainsync/plainsync/webhook"
)

// maxReceiveBody is the largest delivery plain-mock receive reads.
const maxReceiveBody = 4 << 20

// errFailFirst is what --fail-first makes the receiver's function return.
var errFailFirst = errors.New("--fail-first: refusing this delivery on purpose")

// receiver is plain-mock receive's handler: one line per delivery, the
// first failFirst deliveries answered 500. With a secret, every delivery
// goes through package webhook's handler (signature, body, attempt
// timestamp), which a Go receiver would use too; without one, deliveries
// are only logged.
type receiver struct {
	out       io.Writer
	failFirst int

	mu   sync.Mutex
	seen int
	hook http.Handler // nil without a secret
}

func newReceiver(out io.Writer, secret string, failFirst int) *receiver {
	rv := &receiver{out: out, failFirst: failFirst}
	if secret != "" {
		rv.hook = webhook.NewHandler([]byte(secret), rv.handle,
			webhook.WithMaxBodyBytes(maxReceiveBody), webhook.WithObserver(rv.logOutcome))
	}
	return rv
}

func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rv.hook != nil {
		rv.hook.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReceiveBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	sig := "unsigned"
	if r.Header.Get(webhook.SignatureHeader) != "" {
		sig = "signed"
	}
	status := http.StatusOK
	if rv.failNow() {
		status = http.StatusInternalServerError
	}
	rv.log(r, nil, len(body), sig, status)
	w.WriteHeader(status)
}

// handle is the webhook function: a verified, fresh event.
func (rv *receiver) handle(context.Context, *webhook.Event) error {
	if rv.failNow() {
		return errFailFirst
	}
	return nil
}

// failNow counts a delivery and says whether --fail-first refuses it.
func (rv *receiver) failNow() bool {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	rv.seen++
	return rv.seen <= rv.failFirst
}

// logOutcome logs what package webhook answered.
func (rv *receiver) logOutcome(r *http.Request, o webhook.Outcome) {
	rv.log(r, o.Event, o.BodyBytes, verdict(o.Err), o.Status)
}

// verdict names what the signature check (and what followed) made of a
// delivery.
func verdict(err error) string {
	switch {
	case err == nil, errors.Is(err, webhook.ErrHandler):
		return "signature ok"
	case errors.Is(err, webhook.ErrBadSignature):
		return "BAD SIGNATURE"
	case errors.Is(err, webhook.ErrNoSignature):
		return "NO SIGNATURE"
	case errors.Is(err, webhook.ErrTimestampTooOld), errors.Is(err, webhook.ErrTimestampInFuture):
		return "signature ok, STALE ATTEMPT TIMESTAMP"
	case errors.Is(err, webhook.ErrBodyTooLarge):
		return "BODY TOO LARGE"
	case errors.Is(err, webhook.ErrMethod):
		return "NOT A POST"
	case errors.Is(err, webhook.ErrInvalidBody):
		return "signature ok, NOT A PLAIN EVENT"
	}
	return "signature ok"
}

// log prints one line for a delivery: the verified body's event when
// there is one, else the sender's headers.
func (rv *receiver) log(r *http.Request, ev *webhook.Event, size int, sig string, status int) {
	typ, id, attempt := r.Header.Get(webhook.EventTypeHeader), r.Header.Get(webhook.EventIDHeader), r.Header.Get(webhook.AttemptNumberHeader)
	if ev != nil {
		typ, id, attempt = ev.Type, ev.ID, strconv.Itoa(ev.Webhook.AttemptNumber)
	}
	rv.mu.Lock()
	defer rv.mu.Unlock()
	// Values come from whoever posted: quoted unless plain text.
	fmt.Fprintf(rv.out, "received %s %s attempt %s (%d bytes, %s) -> %d\n", clean(typ), clean(id), clean(attempt), size, sig, status)
}

// clean returns s when it is printable ASCII without spaces, else quoted,
// so that nothing a sender chose reaches the terminal raw.
func clean(s string) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f || s[i] == '"' {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}
