package spec

import (
	"strings"
)

// varRef is one ${NAME} in a url as written, at byte offset off.
type varRef struct {
	name string
	off  int
}

// varRefs lists the well-formed ${NAME} references in raw, in order;
// "$${" is a literal and names nothing. interpolate reports the malformed
// ones.
func varRefs(raw string) []varRef {
	var out []varRef
	for i := 0; i < len(raw); {
		switch {
		case strings.HasPrefix(raw[i:], "$${"):
			i += 3
		case strings.HasPrefix(raw[i:], "${"):
			end := strings.IndexByte(raw[i+2:], '}')
			if end < 0 {
				return out
			}
			if name := raw[i+2 : i+2+end]; validVarName(name) {
				out = append(out, varRef{name: name, off: i})
			}
			i += 2 + end + 1
		default:
			i++
		}
	}
	return out
}

// credentialVar says why a variable must never be interpolated into a
// webhook URL, or "" when it may be. A URL is sent to Plain and from there,
// with every event, to whatever host it names: a credential in it leaks to
// that host for as long as the target exists. apiKeyEnv is the file's
// apiKeyEnv (the default is always included).
func credentialVar(name, apiKeyEnv string) string {
	switch {
	case name == apiKeyEnv || name == DefaultAPIKeyEnv || strings.HasPrefix(name, DefaultAPIKeyEnv+"_"):
		// PLAIN_API_KEY_PROD and the like: how files name other
		// workspaces' keys (apiKeyEnv).
		return "holds a Plain API key"
	case name == "GITHUB_TOKEN" || name == "GH_TOKEN":
		// The workflow's token (GitHub's docs: "Automatic token
		// authentication"); GH_TOKEN is how the gh CLI reads it.
		return "holds a GitHub token"
	case strings.HasPrefix(name, "ACTIONS_") || strings.HasPrefix(name, "RUNNER_"):
		// The runner's own variables, among them ACTIONS_RUNTIME_TOKEN and
		// ACTIONS_ID_TOKEN_REQUEST_TOKEN, credentials of the job itself.
		return "is a variable of the GitHub Actions runner"
	}
	return ""
}

// checkCredentialRefs reports every ${VAR} in a url that names a
// credential, at its column, and reports whether there was one. The url is
// then not interpolated at all: the credential's value is never read.
func (p *parser) checkCredentialRefs(n *node) bool {
	found := false
	for _, r := range varRefs(n.value) {
		why := credentialVar(r.name, p.apiKeyEnv)
		if why == "" {
			continue
		}
		found = true
		line, col := p.columnOf(n, r.off)
		p.errorf(line, col, "url: ${%s} %s: credentials never go into a webhook URL, where Plain would send them to its host with every event; give the receiver its own secret in another variable", r.name, why)
	}
	return found
}
