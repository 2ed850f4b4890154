package view

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// InterruptNotice is what the first Ctrl-C (or SIGTERM) prints.
const InterruptNotice = "Interrupted: no new changes will start; waiting for the ones in flight (press Ctrl-C again to quit now)."

// WatchInterrupt returns a context that Ctrl-C or SIGTERM cancels, and the
// function that ends the watch when the run is over (a normal return is
// not an interrupt). Ctrl-C during apply stops launching changes; the ones
// already sent finish and report, so the run can be resumed by running it
// again. On the first signal it prints InterruptNotice on *errOut, read
// then, since the command's stream may have been replaced meanwhile.
func WatchInterrupt(parent context.Context, errOut *io.Writer) (context.Context, func()) {
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		// Restore the default handling, so that a second Ctrl-C ends the
		// process at once for a user who will not wait.
		stop()
		select {
		case <-done:
		default:
			fmt.Fprintln(*errOut, InterruptNotice)
		}
	}()
	// done closes before stop: the watcher sees the end of the run first.
	return ctx, func() { close(done); stop() }
}
