package ordered

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Output comes out in job order however the jobs interleave, and equals
// what running them one after another prints.
func TestRunKeepsJobOrder(t *testing.T) {
	const n = 20
	var want strings.Builder
	for i := range n {
		fmt.Fprintf(&want, "job %d start\njob %d end\n", i, i)
	}
	for _, limit := range []int{0, 1, 3, 8, 50} {
		var out strings.Builder
		Run(n, limit, &out, func(i int, w io.Writer) {
			fmt.Fprintf(w, "job %d start\n", i)
			time.Sleep(time.Duration((n-i)%5) * time.Millisecond) // later jobs often finish first
			fmt.Fprintf(w, "job %d end\n", i)
		})
		if out.String() != want.String() {
			t.Fatalf("limit %d: output\n%s\nwant\n%s", limit, out.String(), want.String())
		}
	}
}

// At most limit jobs run at once, and more than one does when allowed.
func TestRunBoundsConcurrency(t *testing.T) {
	var running, peak atomic.Int32
	Each(30, 4, func(int) {
		now := running.Add(1)
		for {
			p := peak.Load()
			if now <= p || peak.CompareAndSwap(p, now) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
	})
	if p := peak.Load(); p > 4 || p < 2 {
		t.Fatalf("peak concurrency %d, want 2..4", p)
	}
}

// The first job's output streams while it runs; a later job's is held.
func TestRunStreamsTheHeadJob(t *testing.T) {
	var mu sync.Mutex
	var out strings.Builder
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) })
	seen := make(chan string, 1)
	release := make(chan struct{})
	Run(2, 2, w, func(i int, jw io.Writer) {
		if i == 1 {
			fmt.Fprint(jw, "second ")
			<-release
			return
		}
		fmt.Fprint(jw, "first ")
		time.Sleep(10 * time.Millisecond) // let job 1 write
		mu.Lock()
		seen <- out.String()
		mu.Unlock()
		close(release)
	})
	if got := <-seen; got != "first " {
		t.Fatalf("while job 0 ran, out held %q; want only job 0's live output", got)
	}
	if out.String() != "first second " {
		t.Fatalf("final output %q", out.String())
	}
}

func TestRunReportsWriteErrors(t *testing.T) {
	boom := errors.New("disk full")
	var errs [3]error
	Run(3, 1, writerFunc(func([]byte) (int, error) { return 0, boom }), func(i int, w io.Writer) {
		_, errs[i] = fmt.Fprint(w, "x")
	})
	if !errors.Is(errs[0], boom) || !errors.Is(errs[2], boom) {
		t.Fatalf("write errors: %v", errs)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
