package apply

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/plainsync/plainsync/internal/diff"
)

// CheckProtected refuses, before any write, a plan that deletes or
// re-points a target a protect: rule guards, unless allow (the
// --allow-destroy names) holds that target's name. Force is deliberately
// not an input: protection is the one guard --force does not lift. The
// error wraps ErrRefused and names every refused target and the flag.
func CheckProtected(p *diff.Plan, allow []string) error {
	var refused []string
	for _, c := range p.Protected() {
		if slices.Contains(allow, c.Name) {
			continue
		}
		what := "delete"
		if c.Action == diff.ActionUpdate {
			what = "change the URL of"
		}
		by := ""
		if c.ProtectedBy != nil {
			by = " (protect rule at " + c.ProtectedBy.String() + ")"
		}
		refused = append(refused, fmt.Sprintf("%s protected target %s%s", what, strconv.Quote(c.Name), by))
	}
	if len(refused) == 0 {
		return nil
	}
	var flags []string
	for _, c := range p.Protected() {
		if !slices.Contains(allow, c.Name) {
			flags = append(flags, "--allow-destroy "+shellWord(c.Name))
		}
	}
	return fmt.Errorf("%w: the plan would %s; re-run with %s if this is intended (--force does not override protection)",
		ErrRefused, strings.Join(refused, ", and "), strings.Join(flags, " "))
}

// shellWord quotes a name for a command line when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
