package cli

import (
	"github.com/plainsync/plainsync/internal/view"
	"github.com/spf13/cobra"
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
	st := view.GuardStreams(f.IO.Out, f.IO.ErrOut, f.Secrets)
	f.IO.Out, f.IO.ErrOut = st.Out, st.ErrOut
	// Outside Actions only the line guards apply: output teed into a job
	// log by a wrapper that does not set GITHUB_ACTIONS is parsed all
	// the same.
	if f.Actions.Enabled() {
		root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
			output := "" // a command without -o prints for people
			if fl := cmd.Flags().Lookup("output"); fl != nil {
				output = fl.Value.String()
			}
			if !view.HumanOutput(cmd.Name(), output) {
				return nil
			}
			err := st.PauseCommands()
			f.IO.Out = st.Out
			return err
		}
	}
	return func() { f.IO.Out, f.IO.ErrOut = st.Finish() }
}
