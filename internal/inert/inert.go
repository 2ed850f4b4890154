// Package inert makes untrusted text safe to print. Live descriptions and
// URLs, server bodies, error messages and saved plans are written by
// others: printed raw, a control character can rewrite a terminal (ESC
// sequences, CR), and a line starting with "::" becomes a GitHub Actions
// workflow command (forged annotations, ::add-mask::, ::stop-commands::).
// The runner also obeys the legacy syntax "##[command]…" anywhere in a
// line (actions/runner ActionCommand.TryParse looks for "##[" at any
// index), so "##[" is broken up wherever it occurs.
// Every renderer passes such text through Text, or its whole output through
// Lines; JSON documents go through JSON; inside Actions the CLI also wraps
// its output in the runner's stop-commands mechanism (StopCommands).
package inert

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Text returns s with every control character (C0, DEL, C1), every
// invisible formatting character (bidirectional overrides, zero-width
// characters, line and paragraph separators) and every invalid UTF-8 byte
// escaped as \xNN or \uNNNN, and with a leading "::" (after blanks)
// escaped and every "##[" written "#\x23[", so that s can neither move the
// cursor nor start a workflow command wherever it is printed. Printable text, including non-ASCII
// letters, is unchanged.
func Text(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case NeedsEscape(r):
			if r < 0x80 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return guardLine(breakLegacy(b.String()))
}

// legacyPrefix starts a workflow command of the old syntax anywhere in a
// line.
const legacyPrefix = "##["

// BreakLegacy writes the second '#' of every "##[" as \x23, for documents
// that keep their line breaks and are escaped otherwise (Markdown for a
// step summary or a comment).
func BreakLegacy(s string) string { return breakLegacy(s) }

func breakLegacy(s string) string {
	if !strings.Contains(s, legacyPrefix) {
		return s
	}
	return strings.ReplaceAll(s, legacyPrefix, `#\x23[`)
}

// JSON returns a JSON document with every '#' written as the escape
// \u0023: the document decodes to the same values, but no line of it can
// hold "##[". A '#' occurs in JSON only inside strings, where \u0023 is a
// valid escape, and never after an odd run of backslashes.
func JSON(doc []byte) []byte {
	if !bytes.Contains(doc, []byte("#")) {
		return doc
	}
	return bytes.ReplaceAll(doc, []byte("#"), []byte(`\u0023`))
}

// isPlain reports whether s needs no escaping at all (the common case).
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			return false
		}
	}
	return !startsCommand(s) && !strings.Contains(s, legacyPrefix)
}

// NeedsEscape reports a rune this package escapes: C0 and C1 controls,
// DEL, and the format and separator characters a terminal or a browser
// would act on or hide. Callers that choose what to offer as a name
// (completion words, "did you mean") skip text holding one; it transforms
// nothing, so it is no display call.
func NeedsEscape(r rune) bool {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return true
	}
	// Cf holds the bidirectional controls (U+202A–U+202E, U+2066–U+2069)
	// and zero-width characters; Zl and Zp are U+2028 and U+2029.
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// startsCommand reports whether a line would be read as a workflow
// command: the runner trims the line before looking for "::".
func startsCommand(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " \t"), "::")
}

// guardLine escapes the first ':' of a line that starts a command.
func guardLine(line string) string {
	if !startsCommand(line) {
		return line
	}
	i := strings.Index(line, "::")
	return line[:i] + `\x3a` + line[i+1:]
}

// Lines returns Text of every line of s, keeping the line breaks: for
// multi-line text such as an error message, where the breaks are meant
// but any line may come from someone else.
func Lines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Text(strings.TrimSuffix(l, "\r"))
	}
	return strings.Join(lines, "\n")
}

// LineGuard returns a writer that passes everything through to w except
// that a line starting with "::" gets its first ':' escaped and every
// "##[" anywhere is written "#\x23[". It is the last line of defence on a
// stream the runner parses: text escaped with Text never starts a
// command, but output is also assembled from pieces. Writes may split
// lines anywhere; the guard keeps enough state to see each line's start
// and holds back a trailing run of '#' until the next byte decides it.
func LineGuard(w io.Writer) io.Writer { return &lineGuard{w: w, atStart: true} }

type lineGuard struct {
	mu      sync.Mutex
	w       io.Writer
	atStart bool
	pending []byte // the start of the current line, held until it is decided
	hashes  int    // a run of '#' held back: a following '[' makes it a command
}

func (g *lineGuard) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []byte
	for _, c := range p {
		if !g.atStart {
			out = g.emit(out, c)
			if c == '\n' {
				g.atStart = true
			}
			continue
		}
		g.pending = append(g.pending, c)
		var line []byte
		switch decided, escaped := g.decide(); {
		case decided && escaped:
			line = []byte(guardLine(string(g.pending)))
		case decided:
			line = g.pending
		default:
			continue
		}
		for _, d := range line {
			out = g.emit(out, d)
		}
		g.pending = g.pending[:0]
		g.atStart = c == '\n'
	}
	if _, err := g.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// emit appends c to out, holding back '#' runs and breaking "##[".
func (g *lineGuard) emit(out []byte, c byte) []byte {
	if c == '#' {
		g.hashes++
		return out
	}
	if g.hashes > 0 {
		out = append(out, bytes.Repeat([]byte("#"), g.hashes)...)
		if c == '[' && g.hashes >= 2 {
			out = append(out[:len(out)-1], `\x23`...)
		}
		g.hashes = 0
	}
	return append(out, c)
}

// decide says whether the pending line start is long enough to know if it
// begins a command.
func (g *lineGuard) decide() (decided, command bool) {
	t := strings.TrimLeft(string(g.pending), " \t")
	switch {
	case strings.HasSuffix(string(g.pending), "\n"):
		return true, strings.HasPrefix(t, "::")
	case len(t) == 0:
		return false, false
	case len(t) == 1:
		return t != ":", false
	default:
		return true, strings.HasPrefix(t, "::")
	}
}

// Flush writes a held line start (blanks or a single ':') or run of '#'
// that no newline followed.
func (g *lineGuard) Flush() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := append([]byte(nil), g.pending...)
	if g.hashes > 0 {
		out = append(bytes.Repeat([]byte("#"), g.hashes), out...)
	}
	g.pending, g.hashes = g.pending[:0], 0
	if len(out) == 0 {
		return nil
	}
	_, err := g.w.Write(out)
	return err
}

// Flusher is implemented by LineGuard's writer.
type Flusher interface{ Flush() error }

// StopCommands wraps untrusted output for a GitHub Actions runner: Begin
// writes "::stop-commands::TOKEN", after which the runner executes no
// workflow command until End writes "::TOKEN::". The token is random, so
// the untrusted text cannot end the pause itself.
type StopCommands struct {
	mu    sync.Mutex
	w     io.Writer
	token string
	open  bool
	// midLine is set when the last byte written was not a newline.
	midLine bool
}

// NewStopCommands returns a StopCommands writing to w with a fresh token.
func NewStopCommands(w io.Writer) (*StopCommands, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("stop-commands token: %w", err)
	}
	return &StopCommands{w: w, token: "plainsync-" + hex.EncodeToString(b[:])}, nil
}

// Write begins the pause on first use and passes p through.
func (s *StopCommands) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open && len(p) > 0 {
		if _, err := io.WriteString(s.w, "::stop-commands::"+s.token+"\n"); err != nil {
			return 0, err
		}
		s.open = true
	}
	n, err := s.w.Write(p)
	if n > 0 {
		s.midLine = p[n-1] != '\n'
	}
	return n, err
}

// End resumes workflow commands, if the pause began. The resume line
// starts on a line of its own.
func (s *StopCommands) End() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open {
		return nil
	}
	s.open = false
	prefix := ""
	if s.midLine {
		prefix = "\n"
	}
	_, err := io.WriteString(s.w, prefix+"::"+s.token+"::\n")
	return err
}

// Token is the pause's token (for tests).
func (s *StopCommands) Token() string { return s.token }
