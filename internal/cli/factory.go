// Package cli holds plainsync's commands. Each command receives its I/O
// streams, environment and clients from a Factory, so tests run commands
// without a terminal or a network; cmd/plainsync only wires the real ones.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/view"
)

// IOStreams are a command's standard streams plus what it knows of them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InIsTerminal and OutIsTerminal decide prompting and colour.
	InIsTerminal  bool
	OutIsTerminal bool
}

// Factory hands commands everything that touches the outside world.
type Factory struct {
	IO *IOStreams
	// LookupEnv reads the environment (os.LookupEnv in production).
	LookupEnv func(string) (string, bool)
	// Secrets collects the API key and every interpolated value as commands
	// learn them; Execute masks error messages with it, and commands mask
	// their output. A nil Secrets is created on first use by Execute.
	Secrets *secret.Masker
	// NewClient connects to Plain; nil means the real API client. Tests
	// substitute fakes here.
	NewClient func(api.Options) (PlainClient, error)
	// Now is the clock of time windows (deliveries --since, drift's
	// --health-window); nil means time.Now. Tests fix it.
	Now func() time.Time
	// Actions is the run's GitHub Actions report (step outputs, summary,
	// annotations, pull-request comments); Execute sets it, and outside
	// Actions it writes nothing.
	Actions *view.Actions
}

// now reads the factory's clock.
func (f *Factory) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// gate is the exit of text shown to people (see view.Gate).
func (f *Factory) gate() view.Gate { return view.Gate{Secrets: f.Secrets} }

// Getenv returns the variable's value or "".
func (f *Factory) Getenv(name string) string {
	v, _ := f.LookupEnv(name)
	return v
}

// SystemFactory is the production factory: real streams and environment.
func SystemFactory() *Factory {
	return &Factory{
		IO: &IOStreams{
			In:            os.Stdin,
			Out:           os.Stdout,
			ErrOut:        os.Stderr,
			InIsTerminal:  isTerminal(os.Stdin),
			OutIsTerminal: isTerminal(os.Stdout),
		},
		LookupEnv: os.LookupEnv,
	}
}

// Process exit codes.
const (
	// ExitOK: the command did what it was asked (no changes, no drift).
	ExitOK = 0
	// ExitFailure: a problem in the files, a refusal, a failed change or
	// any other error.
	ExitFailure = 1
	// ExitChanges: plan --detailed-exitcode found changes.
	ExitChanges = 2
	// ExitDrift: drift found the live workspace differing from the files.
	ExitDrift = 2
)

// ExitError carries a specific exit code out of a command. A nil Err means
// the command already reported what happened.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// exitCode maps a command's error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitFailure
}
