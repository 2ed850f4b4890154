package spec

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/plainsync/plainsync/internal/secret"
)

// checkLiteralSecrets reports the parts of a url, as written, that the
// secret classifier calls secret and that the file spells out instead of
// taking from a ${VAR}: the file is committed to Git, so such a part is
// published. A literal password (Basic auth) is an error, since Plain
// sends it as a credential by design; anything else is a warning, because
// the classifier can be wrong about a path segment. Short parts (under
// secret.ShortSecret characters) only warn when they are a password:
// export keeps them literal, since they are too short to mask by value.
// Messages name the part, never its text.
func (p *parser) checkLiteralSecrets(n *node) {
	for _, part := range secret.ClassifyTemplate(n.value) {
		text := n.value[part.Start:part.End]
		literal := secret.StripRefs(text)
		line, col := p.columnOf(n, part.Start)
		switch {
		case part.Kind == secret.PartPassword:
			if literal != "" {
				p.errorf(line, col, "url: the password is written literally: put the password in a ${VAR}: this file is committed to Git")
			}
		case literal != text:
			// Built from ${VAR}s: the author chose what to publish.
		case utf8.RuneCountInString(literal) < secret.ShortSecret:
		default:
			p.warnf(line, col, "url: this %s looks like a secret (%s): put it in a ${VAR}; this file is committed to Git", part.Kind, part.Why)
		}
	}
}

// columnOf returns the line and column of byte offset off of a scalar's
// value in the file. For a one-line scalar whose text before off holds no
// escapes that is exact; otherwise it is the scalar's own position.
func (p *parser) columnOf(n *node, off int) (int, int) {
	before := n.value[:off]
	if strings.ContainsAny(before, "\n\r") {
		return n.line, n.col
	}
	col := n.col + utf8.RuneCountInString(before)
	switch n.style {
	case 0, yaml.TaggedStyle:
	case yaml.DoubleQuotedStyle:
		if strings.ContainsAny(before, "\\\"") {
			return n.line, n.col
		}
		col++
	case yaml.SingleQuotedStyle:
		if strings.Contains(before, "'") {
			return n.line, n.col
		}
		col++
	default:
		return n.line, n.col
	}
	return n.line, col
}
