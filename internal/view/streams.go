package view

import (
	"bytes"
	"io"
	"sync"

	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/secret"
)

// Streams are stdout and stderr behind the line guards: every line
// written that starts with "::" (or holds "##[") is escaped, so untrusted
// text cannot become a workflow command; the Actions glue keeps the raw
// stderr for its own commands. Inside Actions, human output (text and
// tables) is also wrapped in ::stop-commands::TOKEN … ::TOKEN:: with a
// random token (PauseCommands); output meant to be captured is not, since
// the markers would land in the capture.
//
// Under the guards, every line is masked first with the run's secrets (the
// API key, every ${VAR} value, in their escaped forms): a renderer that
// knows only its file's secrets cannot print the key a live description
// echoes. A line is held until its end (or Flush), so that a secret split
// across writes is still masked.
type Streams struct {
	// Out and ErrOut are the guarded streams commands write to.
	Out, ErrOut        io.Writer
	rawOut, rawErr     io.Writer
	outGuard, errGuard io.Writer
	stop               *inert.StopCommands
	secrets            *secret.Masker
	masks              []*maskLines
	stopGuard          io.Writer
}

// GuardStreams puts the masks and line guards on rawOut and rawErr.
func GuardStreams(rawOut, rawErr io.Writer, secrets *secret.Masker) *Streams {
	s := &Streams{rawOut: rawOut, rawErr: rawErr, outGuard: inert.LineGuard(rawOut), errGuard: inert.LineGuard(rawErr), secrets: secrets}
	s.Out, s.ErrOut = s.masked(s.outGuard), s.masked(s.errGuard)
	return s
}

func (s *Streams) masked(w io.Writer) io.Writer {
	m := &maskLines{w: w, g: Gate{Secrets: s.secrets}}
	s.masks = append(s.masks, m)
	return m
}

// PauseCommands wraps stdout in ::stop-commands:: until Finish.
func (s *Streams) PauseCommands() error {
	stop, err := inert.NewStopCommands(s.rawOut)
	if err != nil {
		return err
	}
	s.stop, s.stopGuard = stop, inert.LineGuard(stop)
	s.Out = s.masked(s.stopGuard)
	return nil
}

// Finish flushes the guards, ends the pause and returns the raw streams.
func (s *Streams) Finish() (rawOut, rawErr io.Writer) {
	for _, m := range s.masks {
		_ = m.Flush()
	}
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

// maskLines masks whole lines with the gate before writing them to w.
type maskLines struct {
	mu  sync.Mutex
	w   io.Writer
	g   Gate
	buf []byte
}

func (m *maskLines) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.buf = append(m.buf, p...)
	i := bytes.LastIndexByte(m.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	line := m.g.Mask(string(m.buf[:i+1]))
	m.buf = append(m.buf[:0], m.buf[i+1:]...)
	if _, err := io.WriteString(m.w, line); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held of an unfinished line (a prompt) masked.
func (m *maskLines) Flush() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.buf) == 0 {
		return nil
	}
	s := m.g.Mask(string(m.buf))
	m.buf = m.buf[:0]
	_, err := io.WriteString(m.w, s)
	return err
}

// FlushOut writes what stdout holds of an unfinished line, before a
// prompt waits for an answer.
func FlushOut(w io.Writer) {
	if f, ok := w.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
}
