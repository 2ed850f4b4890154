package main

import (
	"crypto/hmac"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/plainsync/plainsync/internal/plainmock/deliver"
)

// receiver is plain-mock receive's handler: one line per delivery, the
// signature checked when it knows the secret, the first failFirst
// deliveries answered 500.
type receiver struct {
	out       io.Writer
	secret    string
	failFirst int

	mu   sync.Mutex
	seen int
}

func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	rv.mu.Lock()
	defer rv.mu.Unlock()
	rv.seen++
	status := http.StatusOK
	sig := "unsigned"
	if got := r.Header.Get("Plain-Request-Signature"); got != "" {
		sig = "signed"
	}
	if rv.secret != "" {
		want := deliver.Sign(body, rv.secret)
		if hmac.Equal([]byte(want), []byte(r.Header.Get("Plain-Request-Signature"))) {
			sig = "signature ok"
		} else {
			sig, status = "BAD SIGNATURE", http.StatusUnauthorized
		}
	}
	if status == http.StatusOK && rv.seen <= rv.failFirst {
		status = http.StatusInternalServerError
	}
	// Header values come from whoever posted: quoted unless plain text.
	fmt.Fprintf(rv.out, "received %s %s attempt %s (%d bytes, %s) -> %d\n",
		clean(r.Header.Get("Plain-Event-Type")), clean(r.Header.Get("Plain-Event-Id")),
		clean(r.Header.Get("Plain-Webhook-Delivery-Attempt-Number")), len(body), sig, status)
	w.WriteHeader(status)
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
