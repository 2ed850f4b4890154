// Package glob is the one glob dialect of plainsync: ignore rules, scopes,
// event patterns and --event filters all match with it, so that a pattern
// means the same wherever a user writes it. spec (scopes) and diff (ignore
// rules, event expansion) both need it, and neither may import the other's
// internals, hence a package of its own.
package glob

import "strings"

// IsGlob reports whether pattern holds a wildcard (`*` or `?`) and so is
// expanded rather than looked up.
func IsGlob(pattern string) bool {
	return strings.ContainsAny(pattern, "*?")
}

// Match reports whether s matches pattern, where `*` matches any run of
// characters (including `/` and `.`, unlike path.Match, so that
// "https://*.example.com/*" covers whole URLs and "thread.*" every thread
// event) and `?` matches exactly one character. Every other character,
// including `[`, matches itself: URLs are full of brackets-free text and a
// character-class syntax would only make query strings ambiguous.
func Match(pattern, s string) bool {
	// Iterative matcher with single-star backtracking: linear in practice
	// and never exponential, whatever the pattern. It works on runes so
	// that ? is one character, not one byte of a multi-byte one.
	pr, sr := []rune(pattern), []rune(s)
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(sr) {
		switch {
		case p < len(pr) && pr[p] == '*':
			star, mark = p, i
			p++
		case p < len(pr) && (pr[p] == '?' || pr[p] == sr[i]):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pr) && pr[p] == '*' {
		p++
	}
	return p == len(pr)
}
