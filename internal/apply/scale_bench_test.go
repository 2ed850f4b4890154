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
// costs one. The client runs with the default limiter, as users do (25
// requests are far below a key's minute, so it should cost nothing);
// BenchmarkScaleApplyLimiter compares it with no limiter at all.
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
				c, err := api.New(api.Options{URL: hs.URL + plainmock.GraphQLPath, APIKey: plainmock.DefaultKey})
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

// BenchmarkScaleApplyLimiter applies 24 creates at parallelism 16 to
// plain-mock answering each request after 100 ms, once through the
// default limiter (450/min) and once with no client-side limit, and
// reports default/unlimited: 24 requests are 5% of the key's minute, so
// the goal is at most 1.2 (the limiter costs nothing below the limit).
func BenchmarkScaleApplyLimiter(b *testing.B) {
	const changes, p, latency = 24, 16, 100 * time.Millisecond
	run := func(rateLimit int) time.Duration {
		srv, err := plainmock.New(plainmock.Config{Latency: latency})
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		defer func() { hs.Close(); srv.Close() }()
		c, err := api.New(api.Options{URL: hs.URL + plainmock.GraphQLPath, APIKey: plainmock.DefaultKey, RateLimit: rateLimit})
		if err != nil {
			b.Fatal(err)
		}
		var cs []diff.Change
		for i := range changes {
			cs = append(cs, createChange(fmt.Sprintf("hook-%02d", i), fmt.Sprintf("https://h%d.example.com/hook", i), "thread.thread_created"))
		}
		plan := &diff.Plan{FormatVersion: diff.FormatVersion, Changes: cs}
		start := time.Now()
		r := Execute(context.Background(), plan, c, Options{Parallelism: p})
		elapsed := time.Since(start)
		if r.Created != changes || !r.Succeeded() {
			b.Fatalf("created %d of %d", r.Created, changes)
		}
		return elapsed
	}
	var limited, unlimited time.Duration
	for b.Loop() {
		limited = run(0) // api.Options: 0 is the default limiter
		unlimited = run(-1)
	}
	b.ReportMetric(float64(limited.Milliseconds()), "default-ms")
	b.ReportMetric(float64(unlimited.Milliseconds()), "unlimited-ms")
	b.ReportMetric(float64(limited)/float64(unlimited), "default/unlimited")
}
