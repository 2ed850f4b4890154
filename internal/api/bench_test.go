package api

import (
	"context"
	"net/http/httptest"
	"testing"

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
