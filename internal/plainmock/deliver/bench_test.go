package deliver

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkBody is one attempt's body: generation plus the schema check
// every body gets before it is sent.
func BenchmarkBody(b *testing.B) {
	ev, m := testEvent("thread.thread_created"), testMeta("2026-02-27")
	for b.Loop() {
		if _, err := Body(ev, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	body, err := Body(testEvent("thread.thread_created"), testMeta("2026-02-27"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		_ = Sign(body, "whsec-bench")
	}
}

// BenchmarkDeliver is one successful delivery to a loopback receiver.
func BenchmarkDeliver(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	e := New(Config{Secret: func(string) string { return "whsec-bench" }})
	defer e.Close()
	for b.Loop() {
		e.Deliver(testEvent("thread.thread_created"), testTarget(srv.URL, "2026-02-27"))
	}
}
