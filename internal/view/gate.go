package view

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/secret"
)

// Gate is the exit of text that leaves plainsync for a person or a log.
// Each method applies, in this order, what its channel needs: masking of
// the secrets the run has learnt (the API key, every ${VAR} value, in
// their escaped forms too), redaction of the secret parts of URLs no
// ${VAR} names, and escaping that makes hostile text inert (no terminal
// escape, no workflow command). A nil Secrets masks nothing.
type Gate struct {
	Secrets *secret.Masker
}

// Mask replaces every secret value with its ${NAME} reference: for data a
// renderer prints later, and for documents meant to be captured whole
// (an exported file), whose URLs must stay as they are.
func (g Gate) Mask(s string) string {
	if g.Secrets == nil {
		return s
	}
	return g.Secrets.Mask(s)
}

// Untrusted masks text a server or a receiver wrote, as Mask does, and
// withholds it whole when it still gives a secret away in any encoding
// (percent, HTML entities, base64, case-folded, cut short): such text is
// never quoted. Cut an excerpt from its result, never before it.
func (g Gate) Untrusted(s string) string {
	if g.Secrets == nil {
		return s
	}
	return g.Secrets.Untrusted(s)
}

// Text is one line of text for a terminal or a log: masked, its URLs'
// secret parts redacted, made inert.
func (g Gate) Text(s string) string {
	return inert.Text(secret.RedactURLsInText(g.Mask(s)))
}

// Lines is Text for multi-line text (an error message): every line is made
// inert and the breaks are kept.
func (g Gate) Lines(s string) string {
	return inert.Lines(secret.RedactURLsInText(g.Mask(s)))
}

// URL is one URL as shown: masked, then its secret parts redacted.
func (g Gate) URL(u string) string {
	return secret.RedactURL(g.Mask(u))
}

// JSON is a JSON document for stdout: masked, and written so that no line
// can hold a workflow command (the values decode the same).
func (g Gate) JSON(doc []byte) []byte {
	return inert.JSON([]byte(g.Mask(string(doc))))
}

// Writer masks everything written to w and redacts the URLs it quotes:
// the debug stream, whose request lines quote URLs and variables.
func (g Gate) Writer(w io.Writer) io.Writer { return gateWriter{w: w, g: g} }

type gateWriter struct {
	w io.Writer
	g Gate
}

func (m gateWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(m.w, secret.RedactURLsInText(m.g.Mask(string(p)))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Whole is text shown whole on purpose (a delivered payload, a URL
// revealed with --show-secrets): masked and made inert line by line, its
// URLs kept as they are.
func (g Gate) Whole(s string) string {
	return inert.Lines(g.Mask(s))
}

// RedactURL is a live URL as every listing shows it: its secret parts
// redacted (the listing masks and escapes it as it prints).
func RedactURL(u string) string { return secret.RedactURL(u) }

// WriteJSON writes v to w as an indented JSON document through JSON, with
// a final newline: the -o json output of the commands.
func (g Gate) WriteJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	_, err = w.Write(append(g.JSON(data), '\n'))
	return err
}
