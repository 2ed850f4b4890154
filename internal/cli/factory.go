// Package cli holds plainsync's commands. Each command receives its I/O
// streams, environment and clients from a Factory, so tests run commands
// without a terminal or a network; cmd/plainsync only wires the real ones.
package cli

import (
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
			InIsTerminal:  view.IsTerminal(os.Stdin),
			OutIsTerminal: view.IsTerminal(os.Stdout),
		},
		LookupEnv: os.LookupEnv,
	}
}
