package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plainmock"
)

// BenchmarkSnapshot reads a 1,000-target workspace from plain-mock over
// loopback: one request for the catalog and the first page, then nine more
// pages. It measures the client's decoding and paging, plus the mock.
func BenchmarkSnapshot(b *testing.B) {
	srv, err := plainmock.New(plainmock.Config{})
	if err != nil {
		b.Fatal(err)
	}
	putTargets(srv, 1000)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := New(Options{URL: hs.URL + plainmock.GraphQLPath, APIKey: plainmock.DefaultKey, RateLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		snap, err := c.Snapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(snap.Targets) != 1000 {
			b.Fatalf("%d targets", len(snap.Targets))
		}
	}
}

// scaledClock runs k times faster than real time from base: Plain's
// one-minute window passes in 60/k seconds, so a rate-limit benchmark of
// several minutes takes seconds. plain-mock and the client share it.
type scaledClock struct {
	start time.Time // real
	base  time.Time // virtual time at start
	k     float64
}

func (c *scaledClock) Now() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.start)) * c.k))
}

func (c *scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	return sleep(ctx, time.Duration(float64(d)/c.k))
}

// BenchmarkScaleRateLimit sends 1,000 requests from 8 workers through
// one key's default limiter (450/min) to plain-mock counting Plain's fixed
// one-minute windows, on a clock running 40 times faster than real time
// (so about five real seconds per case), starting as a window opens. server=450 is the server's limit
// equal to the client's: the goal is 0 × 429 and at least 95% of 450/min.
// server=300 is a key whose real limit is lower than --rate-limit: the
// goal is at most one 429 per window boundary.
func BenchmarkScaleRateLimit(b *testing.B) {
	for _, serverLimit := range []int{450, 300} {
		b.Run(fmt.Sprintf("server=%d", serverLimit), func(b *testing.B) {
			for b.Loop() {
				benchRateLimit(b, serverLimit)
			}
		})
	}
}

func benchRateLimit(b *testing.B, serverLimit int) {
	const requests, workers = 1000, 8
	real := time.Now()
	clk := &scaledClock{start: real, base: real.Truncate(time.Minute).Add(500 * time.Millisecond), k: 40}
	srv, err := plainmock.New(plainmock.Config{RateLimit: serverLimit, Now: clk.Now})
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	limited := map[time.Time]int{} // 429s per virtual window
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		srv.ServeHTTP(rec, r)
		if rec.status == http.StatusTooManyRequests {
			mu.Lock()
			limited[clk.Now().Truncate(time.Minute)]++
			mu.Unlock()
		}
	}))
	defer hs.Close()
	c, err := New(Options{URL: hs.URL + plainmock.GraphQLPath, APIKey: plainmock.DefaultKey}) // the default limiter
	if err != nil {
		b.Fatal(err)
	}
	c.tr.clock = clk
	c.tr.limiter.clock = clk
	var next atomic.Int64
	var wg sync.WaitGroup
	start := clk.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= requests {
				if _, err := c.Workspace(context.Background()); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := clk.Now().Sub(start)
	n429 := 0
	for _, n := range limited {
		n429 += n
	}
	boundaries := int(clk.Now().Truncate(time.Minute).Sub(start.Truncate(time.Minute)) / time.Minute)
	b.ReportMetric(float64(n429), "429s")
	b.ReportMetric(float64(boundaries), "boundaries")
	b.ReportMetric(float64(requests)/elapsed.Minutes(), "req/min")
	// The rate against the lower of the two limits; the last window is
	// only partly used, so a lower server limit shows a little above 1.
	b.ReportMetric(float64(requests)/elapsed.Minutes()/float64(min(serverLimit, DefaultRateLimit)), "rate/limit")
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
