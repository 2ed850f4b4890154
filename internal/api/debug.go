package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
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
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, redacted)
}

// redactVars renders GraphQL variables as JSON with every URL-looking
// string passed through redactURL.
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
			return redactURL(x)
		}
		return x
	}
	return v
}

// redactURL keeps a URL's scheme, host, path and query keys, and replaces
// userinfo, query values and the fragment, where tokens live.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		// Not a URL we can take apart: keep only the part before anything
		// that could hold a credential.
		if i := strings.IndexAny(s, "@?#"); i >= 0 {
			return s[:i] + redacted
		}
		return s
	}
	var b strings.Builder
	b.WriteString(u.Scheme + "://")
	if u.User != nil {
		b.WriteString(redacted + "@")
	}
	b.WriteString(u.Host)
	b.WriteString(u.EscapedPath())
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteString("?")
		for i, p := range strings.Split(u.RawQuery, "&") {
			if i > 0 {
				b.WriteString("&")
			}
			k, _, _ := strings.Cut(p, "=")
			b.WriteString(k + "=" + redacted)
		}
	}
	if u.Fragment != "" {
		b.WriteString("#" + redacted)
	}
	return b.String()
}
