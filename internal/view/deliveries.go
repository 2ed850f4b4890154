package view

import (
	"net/url"
	"sort"
	"strings"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

// URLRedactor hides, in Plain's delivery messages, every part of the
// targets' URLs that secret.ClassifyURL calls secret: an error message can
// quote the URL it failed to reach, whole (redacted by position) or in
// pieces (each secret part of at least 4 characters is replaced wherever
// it appears, as written and decoded; "1" or "v2" would shred every
// message). mask runs next, for the secrets the caller
// knows of. The commands hand it to package health, which applies it to
// the messages it stores, so that the tables and the JSON output show the
// same redacted text.
func URLRedactor(ts []plain.Target, mask func(string) string) func(string) string {
	var secrets []string
	for _, t := range ts {
		for _, p := range secret.ClassifyURL(t.URL) {
			raw := t.URL[p.Start:p.End]
			secrets = append(secrets, raw)
			if d, err := url.QueryUnescape(raw); err == nil && d != raw {
				secrets = append(secrets, d)
			}
		}
	}
	// Longest first, so that a secret containing another is replaced whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	return func(s string) string {
		for _, sec := range secrets {
			if len(sec) >= 4 {
				s = strings.ReplaceAll(s, sec, secret.Marker)
			}
		}
		return secret.RedactURLsInText(mask(s))
	}
}

// Redactor is URLRedactor with the gate's mask: what the commands hand
// package health for the targets it read.
func (g Gate) Redactor(ts []plain.Target) func(string) string { return URLRedactor(ts, g.Mask) }
