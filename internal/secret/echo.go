package secret

import (
	"html"
	"strings"
)

// Withheld replaces server text that quotes a secret in a form masking
// cannot undo.
const Withheld = "(the server's message is withheld: it quotes a secret)"

// EchoWindow is the length of the shortest piece of a secret that Echoes
// looks for. A server (or a proxy in front of it) that echoes a request
// can cut it anywhere, fold its case or split it across messages; any
// piece of this length in any encoding counts as an echo. Shorter secrets
// count only whole.
const EchoWindow = 6

// maxEchoScan bounds the text Echoes decodes; longer server text counts
// as an echo: it is never shown anyway.
const maxEchoScan = 64 << 10

// Echoes reports whether s gives away any piece of EchoWindow bytes of one
// of values (or a whole value, if shorter) in any of the encodings a
// server's echo of a request can take: as written or case-folded,
// percent-encoded (in either case, any set of bytes escaped), as HTML
// entities (decimal, hex, named), as backslash escapes (\xNN, \uNNNN),
// base64 or base64url (padded or not, at every alignment) or hex, and
// those nested up to three deep (base64 of a percent-encoded URL). It
// decodes s into every such reading and matches them case-insensitively.
func Echoes(s string, values ...string) bool {
	if len(values) == 0 || s == "" {
		return false
	}
	if len(s) > maxEchoScan {
		return true
	}
	grams, short := pieces(values)
	if len(grams) == 0 && len(short) == 0 {
		return false
	}
	// A reading decoded from base64 or hex is mostly noise: there only
	// windows count, not secrets shorter than one, which noise would
	// match by chance.
	type reading struct {
		text  string
		noisy bool
	}
	seen := map[string]bool{}
	level := []reading{{text: s}}
	for depth := 0; depth < 4 && len(level) > 0; depth++ {
		var next []reading
		for _, r := range level {
			if seen[r.text] {
				continue
			}
			seen[r.text] = true
			sh := short
			if r.noisy {
				sh = nil
			}
			if matches(strings.ToLower(r.text), grams, sh) {
				return true
			}
			if depth == 3 {
				continue
			}
			texts, binary := decodings(r.text)
			for _, d := range texts {
				if d != r.text && !seen[d] {
					next = append(next, reading{text: d, noisy: r.noisy})
				}
			}
			for _, d := range binary {
				if !seen[d] {
					next = append(next, reading{text: d, noisy: true})
				}
			}
		}
		level = next
	}
	return false
}

// publicPrefix starts every Plain API key ("Authorization: Bearer
// plainApiKey_…", Plain's API docs): it gives nothing away, and a message
// naming "apiKey" must not read as an echo of the key.
const publicPrefix = "plainapikey_"

// pieces returns the lower-cased windows of the values of EchoWindow bytes
// or more, and the lower-cased values shorter than that. A value's public
// prefix is left out: only windows of its secret part count.
func pieces(values []string) (grams map[string]bool, short []string) {
	grams = map[string]bool{}
	for _, v := range values {
		v = strings.TrimPrefix(strings.ToLower(v), publicPrefix)
		if v == "" {
			continue
		}
		if len(v) < EchoWindow {
			short = append(short, v)
			continue
		}
		for i := 0; i+EchoWindow <= len(v); i++ {
			grams[v[i:i+EchoWindow]] = true
		}
	}
	return grams, short
}

func matches(s string, grams map[string]bool, short []string) bool {
	for i := 0; i+EchoWindow <= len(s); i++ {
		if grams[s[i:i+EchoWindow]] {
			return true
		}
	}
	for _, v := range short {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// decodings returns s decoded each way an echo may have encoded it: as
// text (escapes undone) and as binary readings (base64, hex).
func decodings(s string) (texts, binary []string) {
	texts = []string{percentDecode(s), html.UnescapeString(s), backslashDecode(s)}
	binary = append(base64Readings(s), hexReadings(s)...)
	return texts, binary
}

// percentDecode decodes every %XX escape, whatever the case of its
// digits, and '+' as a space; anything else stays.
func percentDecode(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case s[i] == '+':
			b = append(b, ' ')
		default:
			b = append(b, s[i])
		}
	}
	return string(b)
}

// backslashDecode decodes \xNN and \uNNNN (BMP, as UTF-8) escapes.
func backslashDecode(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') && isHex(s[i+2]) && isHex(s[i+3]) {
			b.WriteByte(unhex(s[i+2])<<4 | unhex(s[i+3]))
			i += 3
			continue
		}
		if s[i] == '\\' && i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') && isHex(s[i+2]) && isHex(s[i+3]) && isHex(s[i+4]) && isHex(s[i+5]) {
			r := rune(unhex(s[i+2]))<<12 | rune(unhex(s[i+3]))<<8 | rune(unhex(s[i+4]))<<4 | rune(unhex(s[i+5]))
			b.WriteRune(r)
			i += 5
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// b64 maps both base64 alphabets (standard and URL) to their values; -1
// marks other bytes.
var b64 = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		t[std[i]] = int8(i)
	}
	t['-'], t['_'] = 62, 63
	return t
}()

// base64Readings decodes every run of base64 characters (either alphabet,
// mixed) at each of the four alignments, so that a secret encoded inside
// a longer text (base64 of a whole URL) and a run glued to other text
// ("k=" before it) are both read. The readings of all runs are joined by
// a NUL, which no window holds.
func base64Readings(s string) []string {
	var readings [4][]byte
	any := false
	for i := 0; i < len(s); {
		if b64[s[i]] < 0 {
			i++
			continue
		}
		j := i
		for j < len(s) && b64[s[j]] >= 0 {
			j++
		}
		if j-i >= 8 {
			any = true
			for off := 0; off < 4 && i+off < j; off++ {
				readings[off] = append(readings[off], decodeRun(s[i+off:j])...)
				readings[off] = append(readings[off], 0)
			}
		}
		i = j
	}
	if !any {
		return nil
	}
	out := make([]string, 0, 4)
	for _, r := range readings {
		if len(r) > 0 {
			out = append(out, string(r))
		}
	}
	return out
}

// decodeRun decodes whole and trailing partial groups of four base64
// characters.
func decodeRun(run string) []byte {
	out := make([]byte, 0, len(run)*3/4+2)
	var acc uint32
	n := 0
	for i := 0; i < len(run); i++ {
		acc = acc<<6 | uint32(b64[run[i]])
		n++
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out
}

// hexReadings decodes every run of twelve or more hex digits at both
// alignments.
func hexReadings(s string) []string {
	var readings [2][]byte
	any := false
	for i := 0; i < len(s); {
		if !isHex(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isHex(s[j]) {
			j++
		}
		if j-i >= 2*EchoWindow {
			any = true
			for off := 0; off < 2; off++ {
				for k := i + off; k+1 < j; k += 2 {
					readings[off] = append(readings[off], unhex(s[k])<<4|unhex(s[k+1]))
				}
				readings[off] = append(readings[off], 0)
			}
		}
		i = j
	}
	if !any {
		return nil
	}
	return []string{string(readings[0]), string(readings[1])}
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// Echoes reports whether s gives away any of m's secrets in any encoding
// (see the function Echoes), also values the masker derived (the base64
// of a Basic-auth header).
func (m *Masker) Echoes(s string) bool {
	if m == nil {
		return false
	}
	m.mu.RLock()
	values := make([]string, 0, len(m.names)+len(m.derived))
	for v := range m.names {
		values = append(values, v)
	}
	for v := range m.derived {
		values = append(values, v)
	}
	m.mu.RUnlock()
	return Echoes(s, values...)
}

// Untrusted is Mask for text a server wrote: text that still gives a
// secret away after masking, in any encoding, is replaced whole by
// Withheld.
func (m *Masker) Untrusted(s string) string {
	masked := m.Mask(s)
	if m.Echoes(m.withoutPlaceholders(masked)) {
		return Withheld
	}
	return masked
}

// withoutPlaceholders blanks the ${NAME} placeholders Mask wrote, so that a
// name sharing letters with its value is not taken for an echo.
func (m *Masker) withoutPlaceholders(s string) string {
	if m == nil || !strings.Contains(s, "${") {
		return s
	}
	m.mu.RLock()
	var args []string
	seen := map[string]bool{}
	for _, group := range []map[string]string{m.names, m.derived} {
		for _, name := range group {
			if !seen[name] {
				seen[name] = true
				args = append(args, "${"+name+"}", "\x00")
			}
		}
	}
	m.mu.RUnlock()
	return strings.NewReplacer(args...).Replace(s)
}
