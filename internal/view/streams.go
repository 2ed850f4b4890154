package view

import (
	"io"

	"github.com/plainsync/plainsync/internal/inert"
)

// Streams are stdout and stderr behind the line guards: every line
// written that starts with "::" (or holds "##[") is escaped, so untrusted
// text cannot become a workflow command; the Actions glue keeps the raw
// stderr for its own commands. Inside Actions, human output (text and
// tables) is also wrapped in ::stop-commands::TOKEN … ::TOKEN:: with a
// random token (PauseCommands); output meant to be captured is not, since
// the markers would land in the capture.
type Streams struct {
	// Out and ErrOut are the guarded streams commands write to.
	Out, ErrOut        io.Writer
	rawOut, rawErr     io.Writer
	outGuard, errGuard io.Writer
	stop               *inert.StopCommands
	stopGuard          io.Writer
}

// GuardStreams puts the line guards on rawOut and rawErr.
func GuardStreams(rawOut, rawErr io.Writer) *Streams {
	s := &Streams{rawOut: rawOut, rawErr: rawErr, outGuard: inert.LineGuard(rawOut), errGuard: inert.LineGuard(rawErr)}
	s.Out, s.ErrOut = s.outGuard, s.errGuard
	return s
}

// PauseCommands wraps stdout in ::stop-commands:: until Finish.
func (s *Streams) PauseCommands() error {
	stop, err := inert.NewStopCommands(s.rawOut)
	if err != nil {
		return err
	}
	s.stop, s.stopGuard = stop, inert.LineGuard(stop)
	s.Out = s.stopGuard
	return nil
}

// Finish flushes the guards, ends the pause and returns the raw streams.
func (s *Streams) Finish() (rawOut, rawErr io.Writer) {
	for _, w := range []io.Writer{s.outGuard, s.errGuard, s.stopGuard} {
		if fl, ok := w.(inert.Flusher); ok {
			_ = fl.Flush()
		}
	}
	if s.stop != nil {
		_ = s.stop.End()
	}
	return s.rawOut, s.rawErr
}
