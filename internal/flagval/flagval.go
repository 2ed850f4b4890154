// Package flagval holds command-line flag values that pflag lacks.
package flagval

import (
	"errors"
	"strconv"
)

// OptionalInt is an int flag that records being given, so that the
// default can follow other inputs (plainsync's --workspaces-parallelism
// follows the number of files). It has no fixed default to print: the
// usage says what it is.
type OptionalInt struct {
	N     *int
	Given *bool
}

func (v OptionalInt) String() string {
	if v.Given == nil || !*v.Given {
		return ""
	}
	return strconv.Itoa(*v.N)
}

// Set parses a whole number and records that the flag was given.
func (v OptionalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a whole number")
	}
	*v.N, *v.Given = n, true
	return nil
}

// Type is "int", as the usage shows it.
func (OptionalInt) Type() string { return "int" }
