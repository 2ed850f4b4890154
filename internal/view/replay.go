package view

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/replay"
)

// MaxReplaySummary is how many bytes of the receiver's answer replay
// shows.
const MaxReplaySummary = 200

// ProductionPrompt asks on a terminal before replay sends to the host of
// a live target, and refuses without one.
type ProductionPrompt struct {
	In           io.Reader
	Out          io.Writer
	InIsTerminal bool
	Gate         Gate
}

var _ replay.Confirmer = ProductionPrompt{}

// ConfirmProduction asks for "yes"; anything else (or no answer) is a no.
func (p ProductionPrompt) ConfirmProduction(target string) (bool, error) {
	if !p.InIsTerminal {
		return false, fmt.Errorf("refusing to replay to the host of live target %s (production) without confirmation: stdin is not a terminal; pass --auto-approve", p.Gate.Text(target))
	}
	return askYes(p.In, p.Out, fmt.Sprintf("--to is on the host of live target %s: the event goes to production again. Only 'yes' will be accepted: ", p.Gate.Text(target))), nil
}

// ReplayNotes writes replay's notes to W (stderr).
type ReplayNotes struct {
	W    io.Writer
	Gate Gate
}

var _ replay.Notes = ReplayNotes{}

func (n ReplayNotes) AutoApproved(target string) {
	fmt.Fprintf(n.W, "note: --to is on the host of live target %s; sending as --auto-approve says\n", n.Gate.Text(target))
}

func (n ReplayNotes) NoHmacSecret() {
	fmt.Fprintln(n.W, "note: the workspace has no HMAC secret; sending without Plain-Request-Signature, as Plain does")
}

// ReplayFailed names the receiver (--to, shown redacted) in the error of
// a replay it did not answer; other errors pass unchanged.
func (g Gate) ReplayFailed(eventID, to string, err error) error {
	var se *replay.SendError
	if errors.As(err, &se) {
		return fmt.Errorf("replay %s to %s: %w", eventID, g.Text(g.URL(to)), se.Err)
	}
	return err
}

// replayReport is replay's -o json shape.
type replayReport struct {
	FormatVersion int             `json:"formatVersion"`
	EventID       string          `json:"eventId"`
	EventType     string          `json:"eventType"`
	AttemptID     string          `json:"attemptId"`
	AttemptNumber int             `json:"attemptNumber"`
	AttemptedAt   time.Time       `json:"attemptedAt"`
	To            string          `json:"to"`
	Signed        bool            `json:"signed"`
	Response      *replayResponse `json:"response"`
}

// replayResponse is the receiver's answer, as much of it as is safe to
// show.
type replayResponse struct {
	Status      int    `json:"status"`
	StatusText  string `json:"statusText"`
	ContentType string `json:"contentType,omitempty"`
	// Bytes is the size of the answer's body (read up to 1 MiB).
	Bytes int `json:"bytes"`
	// Summary is at most MaxReplaySummary bytes of a textual body, with
	// control characters escaped (inert.Text); empty for a binary body.
	Summary  string        `json:"summary,omitempty"`
	Duration time.Duration `json:"-"`
}

// ReplayReport is replay's -o json document for o sent to to (--to, shown
// redacted), the receiver's answer screened.
func (g Gate) ReplayReport(o *replay.Outcome, to string) any {
	d := o.Delivery
	return replayReport{FormatVersion: 1, EventID: d.EventID, EventType: d.EventType, AttemptID: d.AttemptID,
		AttemptNumber: d.AttemptNumber, AttemptedAt: d.AttemptAt, To: g.URL(to), Signed: o.Signed, Response: g.replayResponse(o.Result)}
}

// ReplayText writes replay's outcome as text: the attempt, where it went
// (to is --to, shown redacted) and the receiver's answer, screened.
func (g Gate) ReplayText(w io.Writer, o *replay.Outcome, to string) {
	d, res := o.Delivery, g.replayResponse(o.Result)
	fmt.Fprintf(w, "Replayed %s (%s) as attempt %d (%s) to %s.\n", d.EventID, g.Text(d.EventType), d.AttemptNumber, d.AttemptID, g.Text(g.URL(to)))
	fmt.Fprintf(w, "The receiver answered HTTP %d %s in %dms (%d bytes", res.Status, res.StatusText, res.Duration.Milliseconds(), res.Bytes)
	if res.ContentType != "" {
		fmt.Fprintf(w, ", %s", res.ContentType)
	}
	fmt.Fprint(w, ")")
	if res.Summary != "" {
		fmt.Fprintf(w, ": %s", res.Summary)
	}
	fmt.Fprintln(w)
}

// replayResponse screens the receiver's answer: the whole answer and its
// content type pass Untrusted (which masks secrets and withholds text that
// still gives one away) and the excerpts are cut from what it returns,
// then made inert: cutting first could split an echoed secret where
// masking no longer recognises it.
func (g Gate) replayResponse(r *replay.Result) *replayResponse {
	out := &replayResponse{Status: r.Status, StatusText: r.StatusText, Bytes: r.Bytes, Duration: r.Duration,
		ContentType: inert.Text(clip(g.Untrusted(r.ContentType), 100))}
	if len(r.Body) > 0 && utf8.Valid(r.Body) {
		out.Summary = summarize(g.Untrusted(string(r.Body)))
	}
	return out
}

// summarize keeps a short, inert, single-line prefix of a textual body.
func summarize(s string) string {
	s = clip(s, MaxReplaySummary)
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return ""
	}
	s = strings.Join(strings.Fields(s), " ")
	return inert.Text(s)
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
