package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/plainsync/plainsync/internal/secret"
)

// redacted replaces secrets in debug output and error messages.
const redacted = "[REDACTED]"

// debugRequest prints one attempt's request. Variables pass through
// redactVars because webhook URLs routinely carry tokens in their query
// strings or userinfo.
func (t *transport) debugRequest(info *reqInfo, attempt int) {
	if t.debug == nil {
		return
	}
	kind := "query"
	if info.mutation {
		kind = "mutation"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--> %s %s (attempt %d) POST %s\n", kind, info.op, attempt, t.endpoint)
	fmt.Fprintf(&b, "    Authorization: Bearer %s\n", redacted)
	fmt.Fprintf(&b, "    User-Agent: %s\n", t.userAgent)
	if len(info.vars) > 0 {
		fmt.Fprintf(&b, "    variables: %s\n", redactVars(info.vars))
	}
	t.debugf("%s", b.String())
}

// debugf writes to the debug stream, serialised across concurrent requests.
// The key is scrubbed as a last line of defence.
func (t *transport) debugf(format string, args ...any) {
	if t.debug == nil {
		return
	}
	s := redactString(fmt.Sprintf(format, args...), t.key)
	t.debugMu.Lock()
	defer t.debugMu.Unlock()
	// Write errors are ignored: a broken debug stream must not fail an apply.
	_, _ = t.debug.Write([]byte(s))
}

// redactString removes key from s.
func redactString(s, key string) string {
	return hideKey(s, key, redacted)
}

// hideKey replaces key in s with repl, also in the encoded forms a server
// or proxy may echo it in (percent-encoded in a query or path, with upper-
// or lower-case hex, or JSON-escaped): a key holding "/", "+" or "=" would
// otherwise slip past a plain search for it.
func hideKey(s, key, repl string) string {
	if key == "" {
		return s
	}
	for _, f := range keyForms(key) {
		s = strings.ReplaceAll(s, f, repl)
	}
	return s
}

var pctHex = regexp.MustCompile(`%[0-9A-F]{2}`)

// keyForms returns key and its distinct encodings, longest first so that a
// longer form is never half-replaced through a shorter one.
func keyForms(key string) []string {
	forms := []string{key}
	add := func(f string) {
		for _, g := range forms {
			if g == f {
				return
			}
		}
		forms = append(forms, f)
	}
	for _, f := range []string{url.QueryEscape(key), url.PathEscape(key)} {
		add(f)
		add(pctHex.ReplaceAllStringFunc(f, strings.ToLower))
	}
	if b, err := json.Marshal(key); err == nil {
		add(strings.Trim(string(b), `"`))
	}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return forms
}

// redactVars renders GraphQL variables as JSON with every URL-looking
// string passed through secret.RedactURL.
func redactVars(vars map[string]any) string {
	raw, err := json.Marshal(vars)
	if err != nil {
		return "(unprintable variables)"
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "(unprintable variables)"
	}
	// HTML escaping would print & as \u0026 and make URLs hard to read.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(redactValue(v)); err != nil {
		return "(unprintable variables)"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, el := range x {
			x[k] = redactValue(el)
		}
		return x
	case []any:
		for i, el := range x {
			x[i] = redactValue(el)
		}
		return x
	case string:
		if strings.Contains(x, "://") {
			return secret.RedactURL(x)
		}
		return x
	}
	return v
}
