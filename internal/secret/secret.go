// Package secret masks interpolated values and API keys in anything
// plainsync prints or writes. Every ${VAR} value is a secret: renderers, plan
// files, step summaries and error messages pass their text through a Masker.
package secret

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Masker replaces known secret values with a placeholder naming them.
// The zero value masks nothing; it is safe for concurrent use.
type Masker struct {
	mu    sync.RWMutex
	names map[string]string // value -> name
	// derived holds forms that are not a value's escaping but still give
	// it away (the base64 "user:pass" of a Basic-auth header) -> name.
	derived map[string]string
	replace *strings.Replacer
	// pctForms are the percent-encoded forms with their hex digits in
	// upper case, longest first, for matching escapes written in any case.
	pctForms []form
}

type form struct{ text, name string }

// Add registers a secret value under a name; the value is shown as ${name}.
// Empty values are ignored: masking them would mangle every string.
func (m *Masker) Add(name, value string) {
	if value == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names == nil {
		m.names = map[string]string{}
	}
	m.names[value] = name
	m.replace = nil
}

// AddMasker copies every secret of other into m.
func (m *Masker) AddMasker(other *Masker) {
	if other == nil {
		return
	}
	other.mu.RLock()
	pairs := make(map[string]string, len(other.names))
	for v, n := range other.names {
		pairs[v] = n
	}
	derived := make(map[string]string, len(other.derived))
	for v, n := range other.derived {
		derived[v] = n
	}
	other.mu.RUnlock()
	for v, n := range pairs {
		m.Add(n, v)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for v, n := range derived {
		m.addDerived(n, v)
	}
}

// addDerived registers a derived form; m.mu must be held.
func (m *Masker) addDerived(name, v string) {
	if v == "" {
		return
	}
	if m.derived == nil {
		m.derived = map[string]string{}
	}
	m.derived[v] = name
	m.replace = nil
}

// AddBasicAuth hides the Authorization header a Basic-auth URL makes:
// base64 of "user:password", in the standard and URL alphabets, padded or
// not. It shows as the name the password masks to (a ${VAR} in the
// password), and does nothing when the password holds no secret: then the
// file wrote it literally, which the loader refuses anyway.
func (m *Masker) AddBasicAuth(user, password string) {
	if m == nil || password == "" {
		return
	}
	masked := m.Mask(password)
	if masked == password {
		return
	}
	name := strings.TrimSuffix(strings.TrimPrefix(masked, "${"), "}")
	if strings.ContainsAny(name, "${}") {
		name = "BASIC_AUTH"
	}
	cred := []byte(user + ":" + password)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		m.addDerived(name, enc.EncodeToString(cred))
	}
}

// AddBasicAuthOf is AddBasicAuth for the user info of rawURL, if any.
func (m *Masker) AddBasicAuthOf(rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return
	}
	if pw, ok := u.User.Password(); ok {
		m.AddBasicAuth(u.User.Username(), pw)
	}
}

// Values returns the registered secret values (for GitHub Actions masks).
func (m *Masker) Values() []string {
	if m == nil {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.names))
	for v := range m.names {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Mask returns s with every secret value replaced by ${NAME}.
func (m *Masker) Mask(s string) string {
	if m == nil {
		return s
	}
	m.mu.RLock()
	r := m.replace
	n := len(m.names) + len(m.derived)
	pct := m.pctForms
	m.mu.RUnlock()
	if n == 0 {
		return s
	}
	if r == nil {
		m.mu.Lock()
		if m.replace == nil {
			// Each secret is hidden as written and in the escaped forms
			// error texts and requests quote it in (Go and JSON string
			// escapes, URL query and path encoding): plain masking alone
			// would miss a secret holding a quote, a backslash or an "&"
			// once it has been escaped. A raw value wins over another
			// secret's escaped form.
			forms := make(map[string]string, len(m.names))
			for v, name := range m.names {
				for _, f := range escapedForms(v) {
					if _, taken := forms[f]; !taken && f != "" {
						forms[f] = name
					}
				}
			}
			for v, name := range m.derived {
				if _, taken := forms[v]; !taken {
					forms[v] = name
				}
			}
			for v, name := range m.names {
				forms[v] = name
			}
			// Longest forms first so that a secret containing another is
			// replaced whole.
			vals := make([]string, 0, len(forms))
			for v := range forms {
				vals = append(vals, v)
			}
			sort.Slice(vals, func(i, j int) bool {
				if len(vals[i]) != len(vals[j]) {
					return len(vals[i]) > len(vals[j])
				}
				return vals[i] < vals[j]
			})
			args := make([]string, 0, 2*len(vals))
			for _, v := range vals {
				args = append(args, v, "${"+forms[v]+"}")
			}
			m.replace = strings.NewReplacer(args...)
			m.pctForms = nil
			for _, v := range vals {
				if strings.Contains(v, "%") {
					m.pctForms = append(m.pctForms, form{text: upperEscapes(v), name: forms[v]})
				}
			}
		}
		r, pct = m.replace, m.pctForms
		m.mu.Unlock()
	}
	out := r.Replace(s)
	if len(pct) > 0 && hasLowerEscape(out) {
		out = maskFolded(out, pct)
	}
	return out
}

// maskFolded replaces percent-encoded secrets whatever the case of their
// hex digits (url.QueryEscape writes "%2F", other encoders "%2f", a
// hand-made URL may mix them). Upper-casing the digits keeps every byte
// at its place, so a match in the folded text is cut from the original.
func maskFolded(s string, forms []form) string {
	folded := upperEscapes(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		matched := false
		for _, f := range forms {
			if strings.HasPrefix(folded[i:], f.text) {
				b.WriteString("${" + f.name + "}")
				i += len(f.text)
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// upperEscapes upper-cases the hex digits of every "%XX" escape in s.
func upperEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' && isHex(b[i+1]) && isHex(b[i+2]) {
			b[i+1], b[i+2] = upperHex(b[i+1]), upperHex(b[i+2])
			i += 2
		}
	}
	return string(b)
}

// hasLowerEscape reports whether s has a "%xx" escape with a lower-case
// hex digit.
func hasLowerEscape(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0 && i+2 < len(s); {
		if isHex(s[i+1]) && isHex(s[i+2]) && (isLowerHex(s[i+1]) || isLowerHex(s[i+2])) {
			return true
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isLowerHex(c byte) bool { return 'a' <= c && c <= 'f' }

func upperHex(c byte) byte {
	if isLowerHex(c) {
		return c - 'a' + 'A'
	}
	return c
}

// escapedForms lists v as the common escapers write it.
func escapedForms(v string) []string {
	forms := []string{
		strings.TrimSuffix(strings.TrimPrefix(strconv.Quote(v), `"`), `"`),
		url.QueryEscape(v),
		url.PathEscape(v),
		// %q of a string with non-ASCII text keeps it; %+q escapes it.
		strings.TrimSuffix(strings.TrimPrefix(strconv.QuoteToASCII(v), `"`), `"`),
		// Every byte escaped, as some clients encode user info.
		escapeAll(v),
	}
	if b, err := json.Marshal(v); err == nil {
		forms = append(forms, strings.TrimSuffix(strings.TrimPrefix(string(b), `"`), `"`))
	}
	return forms
}

// escapeAll percent-encodes every byte of v that is not a letter or digit.
func escapeAll(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
