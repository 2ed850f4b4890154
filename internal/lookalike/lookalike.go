// Package lookalike decides when two names would look the same to a
// reviewer: the same text in another Unicode normalisation form ("Café"
// with a precomposed é or with e and a combining accent), or characters
// that are confusable by Unicode's own data (Cyrillic с for Latin c, a
// no-break space for a space). Names are compared by their confusable
// skeleton as defined by UTS #39 (Unicode Security Mechanisms, section 4,
// "Confusable Detection"), computed with github.com/mtibben/confusables
// (Unicode's confusables.txt) and golang.org/x/text/unicode/norm.
package lookalike

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// Skeleton is the UTS #39 skeleton of s: s in NFD, without default
// ignorable code points (UTS #39 since Unicode 15.1 removes them: a
// zero-width space changes nothing a reader sees), each character mapped
// to its confusable prototype, in NFD again. Equal skeletons mean the
// names look alike; a skeleton is for comparing only, never for showing.
// NFC-equal strings always have equal skeletons.
func Skeleton(s string) string {
	s = norm.NFD.String(s)
	s = strings.Map(func(r rune) rune {
		if defaultIgnorable(r) {
			return -1
		}
		return r
	}, s)
	return confusables.Skeleton(s)
}

// Confusable reports whether a and b are different text that looks the
// same: not equal, with equal skeletons.
func Confusable(a, b string) bool {
	return a != b && Skeleton(a) == Skeleton(b)
}

// defaultIgnorable approximates Unicode's derived property
// Default_Ignorable_Code_Point (DerivedCoreProperties.txt):
// Other_Default_Ignorable_Code_Point, variation selectors and format
// characters (Cf), less white space, the interlinear annotation
// characters U+FFF9–U+FFFB and the prepended concatenation marks, which
// are visible.
func defaultIgnorable(r rune) bool {
	switch {
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r), unicode.Is(unicode.Variation_Selector, r):
		return true
	case !unicode.Is(unicode.Cf, r), unicode.Is(unicode.White_Space, r):
		return false
	case r >= 0xFFF9 && r <= 0xFFFB, r >= 0x13430 && r <= 0x1343F:
		return false
	}
	return !unicode.Is(unicode.Prepended_Concatenation_Mark, r)
}

// Explain says how two confusable names differ, for messages: the code
// points of each that the other lacks, with their scripts, e.g.
// `U+0441 (Cyrillic) where the other has U+0063 (Latin)`. The names
// themselves look identical, so only code points tell them apart.
func Explain(a, b string) string {
	ra, rb := []rune(a), []rune(b)
	pre := 0
	for pre < len(ra) && pre < len(rb) && ra[pre] == rb[pre] {
		pre++
	}
	suf := 0
	for suf < len(ra)-pre && suf < len(rb)-pre && ra[len(ra)-1-suf] == rb[len(rb)-1-suf] {
		suf++
	}
	return fmt.Sprintf("%s where the other has %s", codePoints(ra[pre:len(ra)-suf]), codePoints(rb[pre:len(rb)-suf]))
}

// codePoints lists rs as "U+0441 (Cyrillic) U+0301 (combining)".
func codePoints(rs []rune) string {
	if len(rs) == 0 {
		return "nothing"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("U+%04X", r)
		if what := kind(r); what != "" {
			parts[i] += " (" + what + ")"
		}
	}
	return strings.Join(parts, " ")
}

// kind names r's script, or what kind of space or mark it is.
func kind(r rune) string {
	switch {
	case unicode.Is(unicode.Mn, r):
		return "combining mark"
	case defaultIgnorable(r):
		return "invisible"
	case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
		if r == ' ' {
			return "space"
		}
		return "a space other than U+0020"
	}
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return name
		}
	}
	return ""
}
