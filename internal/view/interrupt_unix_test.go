//go:build unix

package view

import (
	"context"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestWatchInterrupt: a signal cancels the context and prints the notice
// once on the stream current at that moment; a run that ends normally
// prints nothing.
func TestWatchInterrupt(t *testing.T) {
	first, current := &lockedBuffer{}, &lockedBuffer{}
	var w io.Writer = first
	ctx, release := WatchInterrupt(context.Background(), &w)
	w = current // the command's stream replaced after the watch began
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the interrupt did not cancel the context")
	}
	deadline := time.Now().Add(5 * time.Second)
	for current.String() == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	release()
	if got := current.String(); got != InterruptNotice+"\n" || first.String() != "" {
		t.Errorf("notice %q on the current stream, %q on the first", got, first.String())
	}

	quiet := &lockedBuffer{}
	w = quiet
	ctx, release = WatchInterrupt(context.Background(), &w)
	release()
	<-ctx.Done()
	time.Sleep(50 * time.Millisecond)
	if quiet.String() != "" {
		t.Errorf("a normal end printed %q", quiet.String())
	}
}
