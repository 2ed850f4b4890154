package apply

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plainmock"
)

// BenchmarkScaleApply applies 25 creates (Plain's per-workspace maximum)
// to plain-mock answering each request after 100 ms, at parallelism 1, 4
// and 8. The ideal is ceil(25/P) round trips: every wave of P mutations
// costs one. The client runs with no client-side rate limit: at the
// default 450/min, 25 requests would wait for the limiter (a burst of 15,
// then 7.5/s), which BenchmarkScaleRateLimit in internal/api measures.
func BenchmarkScaleApply(b *testing.B) {
	const changes, latency = 25, 100 * time.Millisecond
	for _, p := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("P=%d", p), func(b *testing.B) {
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				srv, err := plainmock.New(plainmock.Config{Latency: latency})
				if err != nil {
					b.Fatal(err)
				}
				hs := httptest.NewServer(srv)
				c, err := api.New(api.Options{URL: hs.URL + plainmock.GraphQLPath, APIKey: plainmock.DefaultKey, RateLimit: -1})
				if err != nil {
					b.Fatal(err)
				}
				var cs []diff.Change
				for i := range changes {
					cs = append(cs, createChange(fmt.Sprintf("hook-%02d", i), fmt.Sprintf("https://h%d.example.com/hook", i), "thread.thread_created"))
				}
				plan := &diff.Plan{FormatVersion: diff.FormatVersion, Changes: cs}
				b.StartTimer()
				start := time.Now()
				r := Execute(context.Background(), plan, c, Options{Parallelism: p})
				elapsed = time.Since(start)
				b.StopTimer()
				hs.Close()
				srv.Close()
				if r.Created != changes || !r.Succeeded() {
					b.Fatalf("created %d of %d", r.Created, changes)
				}
				b.StartTimer()
			}
			ideal := time.Duration(math.Ceil(float64(changes)/float64(p))) * latency
			b.ReportMetric(float64(elapsed.Milliseconds()), "measured-ms")
			b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
			b.ReportMetric(float64(elapsed)/float64(ideal), "measured/ideal")
		})
	}
}
