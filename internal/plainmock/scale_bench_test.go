package plainmock

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// BenchmarkScaleDeliveryRate emits 5 batches of 400 deliveries (100
// events to 4 targets) to a receiver on loopback, with a state file, and
// reports the delivery rate of the first batch and of the fifth, which
// starts after 1,600 deliveries are recorded: the goal is last/first of at
// least 0.7 (the rate holds while the state file grows).
func BenchmarkScaleDeliveryRate(b *testing.B) {
	const batches, targets = 5, 4
	var first, last float64
	for b.Loop() {
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
		srv, err := New(Config{StatePath: filepath.Join(b.TempDir(), "state.json")})
		if err != nil {
			b.Fatal(err)
		}
		for i := range targets {
			srv.PutTarget(plain.Target{Description: fmt.Sprintf("t%d", i), URL: fmt.Sprintf("%s/hook/%d", rcv.URL, i), EventTypes: []string{"thread.thread_created"}, Enabled: true})
		}
		// Warm up: the payload schemas are compiled on first use.
		if _, err := srv.Emit("", EmitRequest{EventType: "thread.thread_created"}); err != nil {
			b.Fatal(err)
		}
		for n := range batches {
			start := time.Now()
			res, err := srv.Emit("", EmitRequest{EventType: "thread.thread_created", Count: MaxEmitCount})
			if err != nil {
				b.Fatal(err)
			}
			if res.Deliveries != MaxEmitCount*targets {
				b.Fatalf("%d deliveries, want %d", res.Deliveries, MaxEmitCount*targets)
			}
			rate := float64(res.Deliveries) / time.Since(start).Seconds()
			switch n {
			case 0:
				first = rate
			case batches - 1:
				last = rate
			}
		}
		srv.Close()
		rcv.Close()
	}
	b.ReportMetric(first, "first-per-s")
	b.ReportMetric(last, "after1600-per-s")
	b.ReportMetric(last/first, "after1600/first")
}
