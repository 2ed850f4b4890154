package diff

import (
	"sort"

	"github.com/agnivade/levenshtein"

	"github.com/plainsync/plainsync/internal/eventtypes"
	"github.com/plainsync/plainsync/internal/glob"
	"github.com/plainsync/plainsync/internal/plain"
)

// IsGlob reports whether pattern holds a wildcard (`*` or `?`) and so is
// expanded rather than looked up.
func IsGlob(pattern string) bool { return glob.IsGlob(pattern) }

// MatchGlob reports whether s matches pattern in plainsync's glob dialect
// (see package glob): `*` any run of characters, `?` one character.
func MatchGlob(pattern, s string) bool { return glob.Match(pattern, s) }

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
	names := make([]string, len(catalog))
	for i, et := range catalog {
		names[i] = et.EventType
	}
	return eventtypes.Suggest(unknown, names, levenshtein.ComputeDistance)
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
