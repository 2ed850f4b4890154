// Package secret masks interpolated values and API keys in anything
// plainsync prints or writes. Every ${VAR} value is a secret: renderers, plan
// files, step summaries and error messages pass their text through a Masker.
package secret

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Masker replaces known secret values with a placeholder naming them.
// The zero value masks nothing; it is safe for concurrent use.
type Masker struct {
	mu      sync.RWMutex
	names   map[string]string // value -> name
	replace *strings.Replacer
}

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
	other.mu.RUnlock()
	for v, n := range pairs {
		m.Add(n, v)
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
	n := len(m.names)
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
		}
		r = m.replace
		m.mu.Unlock()
	}
	return r.Replace(s)
}

// escapedForms lists v as the common escapers write it.
func escapedForms(v string) []string {
	forms := []string{
		strings.TrimSuffix(strings.TrimPrefix(strconv.Quote(v), `"`), `"`),
		url.QueryEscape(v),
		url.PathEscape(v),
	}
	if b, err := json.Marshal(v); err == nil {
		forms = append(forms, strings.TrimSuffix(strings.TrimPrefix(string(b), `"`), `"`))
	}
	return forms
}
