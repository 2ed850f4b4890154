// Package exitcode maps a command's outcome to plainsync's process exit
// code: the codes themselves and the error that carries one out of a
// command.
package exitcode

import (
	"errors"
	"fmt"
)

// Process exit codes.
const (
	// OK: the command did what it was asked (no changes, no drift).
	OK = 0
	// Failure: a problem in the files, a refusal, a failed change or
	// any other error.
	Failure = 1
	// Changes: plan --detailed-exitcode found changes.
	Changes = 2
	// Drift: drift found the live workspace differing from the files.
	Drift = 2
)

// Error carries a specific exit code out of a command. A nil Err means
// the command already reported what happened.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Of maps a command's error to the process exit code.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var ee *Error
	if errors.As(err, &ee) {
		return ee.Code
	}
	return Failure
}

// Reported reports whether err is an Error whose command has printed
// everything already.
func Reported(err error) bool {
	var ee *Error
	return errors.As(err, &ee) && ee.Err == nil
}
