package cli

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/inert"
)

// guardStreams, inside Actions, keeps untrusted text from becoming a
// workflow command: every line plainsync writes to stdout or stderr that
// starts with "::" is escaped (the Actions glue writes its own commands to
// the raw stderr, so they stay commands), and text and table output is
// wrapped in ::stop-commands::TOKEN … ::TOKEN:: with a random token.
// Output meant to be captured is left unwrapped, since the markers would
// land in the capture: -o json and export's files (whose lines cannot
// start with "::"), and -o markdown, which the action saves for PR
// comments (its text is escaped like every other renderer's). It returns the function that ends the pause and
// flushes and gives the raw streams back, to run once the command is
// done. Outside Actions only the line guards apply.
func (f *Factory) guardStreams(root *cobra.Command) (finish func()) {
	// The Actions glue keeps the raw stderr: its own commands must work.
	enabled := f.Actions.Enabled()
	rawOut, rawErr := f.IO.Out, f.IO.ErrOut
	outGuard, errGuard := inert.LineGuard(rawOut), inert.LineGuard(rawErr)
	f.IO.Out, f.IO.ErrOut = outGuard, errGuard
	if !enabled {
		// Output teed into a job log by a wrapper that does not set
		// GITHUB_ACTIONS is parsed all the same: the line guards stay.
		return func() {
			for _, w := range []io.Writer{outGuard, errGuard} {
				_ = w.(inert.Flusher).Flush()
			}
			f.IO.Out, f.IO.ErrOut = rawOut, rawErr
		}
	}
	var stop *inert.StopCommands
	var stopGuard io.Writer
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if !humanOutput(cmd) {
			return nil
		}
		s, err := inert.NewStopCommands(rawOut)
		if err != nil {
			return err
		}
		stop, stopGuard = s, inert.LineGuard(s)
		f.IO.Out = stopGuard
		return nil
	}
	return func() {
		for _, w := range []io.Writer{outGuard, errGuard, stopGuard} {
			if fl, ok := w.(inert.Flusher); ok {
				_ = fl.Flush()
			}
		}
		if stop != nil {
			_ = stop.End()
		}
		f.IO.Out, f.IO.ErrOut = rawOut, rawErr
	}
}

// humanOutput reports whether cmd prints for people (text, tables) rather
// than a document that is captured (JSON, YAML, Markdown).
func humanOutput(cmd *cobra.Command) bool {
	if cmd.Name() == "export" {
		return false
	}
	fl := cmd.Flags().Lookup("output")
	if fl == nil {
		return true
	}
	switch fl.Value.String() {
	case "text", "table", "":
		return true
	}
	return false
}
