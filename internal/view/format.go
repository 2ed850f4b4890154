package view

import (
	"fmt"
	"strings"
)

// CheckFormat checks an -o value against the formats a command supports.
func CheckFormat(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return fmt.Errorf("unknown output format %q (want %s)", got, strings.Join(allowed, ", "))
}
