package diff

import (
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/plainsync/plainsync/internal/plain"
)

// IsGlob reports whether pattern holds a wildcard (`*` or `?`) and so is
// expanded rather than looked up.
func IsGlob(pattern string) bool {
	return strings.ContainsAny(pattern, "*?")
}

// MatchGlob reports whether s matches pattern, where `*` matches any run of
// characters (including `/` and `.`, unlike path.Match, so that
// "https://*.example.com/*" covers whole URLs and "thread.*" every thread
// event) and `?` matches exactly one character. Every other character,
// including `[`, matches itself: URLs are full of brackets-free text and a
// character-class syntax would only make query strings ambiguous.
func MatchGlob(pattern, s string) bool {
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

// expandOne returns the catalog types that pattern names: the matches of a
// glob, or the exact type itself when the catalog has it.
func expandOne(pattern string, catalog []plain.EventType) []string {
	var out []string
	glob := IsGlob(pattern)
	for _, et := range catalog {
		if (glob && MatchGlob(pattern, et.EventType)) || (!glob && et.EventType == pattern) {
			out = append(out, et.EventType)
		}
	}
	return out
}

// Expand expands exact types and globs against the catalog. It returns the
// sorted, unique types, plus (in input order, once each) the globs that
// matched nothing and the exact types the catalog does not have.
func Expand(patterns []string, catalog []plain.EventType) (types []string, unmatched []string) {
	seenBad := map[string]bool{}
	all := []string{}
	for _, pat := range patterns {
		got := expandOne(pat, catalog)
		if len(got) == 0 {
			if !seenBad[pat] {
				seenBad[pat] = true
				unmatched = append(unmatched, pat)
			}
			continue
		}
		all = append(all, got...)
	}
	return plain.SortedUnique(all), unmatched
}

// suggest returns the catalog type closest to an unknown one, or "" when
// nothing is close enough to be a likely typo.
func suggest(unknown string, catalog []plain.EventType) string {
	best, bestDist := "", -1
	for _, et := range catalog {
		// A missing namespace ("thread_created") is the commonest slip.
		if strings.HasSuffix(et.EventType, "."+unknown) {
			return et.EventType
		}
		d := levenshtein.ComputeDistance(unknown, et.EventType)
		if bestDist < 0 || d < bestDist || (d == bestDist && et.EventType < best) {
			best, bestDist = et.EventType, d
		}
	}
	limit := len(unknown) / 4
	if limit < 2 {
		limit = 2
	}
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// sortedCopy returns a sorted, unique copy of ss that is never nil, so that
// JSON shows [] rather than null.
func sortedCopy(ss []string) []string {
	out := plain.SortedUnique(ss)
	if out == nil {
		out = []string{}
	}
	return out
}

// setDiff returns the elements of a (sorted) that are not in b.
func setDiff(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
