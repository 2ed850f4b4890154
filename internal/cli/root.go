package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/version"
	"github.com/plainsync/plainsync/internal/view"
)

// NewRootCmd builds the command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "plainsync",
		Short: "Keep a Plain workspace's webhook targets in Git",
		Long: `plainsync keeps a Plain workspace's webhook targets in Git: a YAML file says
which targets should exist, plainsync validates it, diffs it against the live
workspace, shows a plan and applies it safely.

The API key is read from $PLAIN_API_KEY (or the variable the file names with
apiKeyEnv), never from a flag.`,
		Example: `  plainsync validate                 # offline checks of ./plainsync.yaml
  plainsync plan                     # what would change
  plainsync apply                    # show the plan, ask, apply
  plainsync drift                    # exit 2 when live state drifted`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// --version prints what "plainsync version" prints, as users of most
	// CLIs try first.
	info := version.Get()
	root.Version = info.Version
	root.SetVersionTemplate(versionLine(info) + "\n")
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.CompletionOptions.DisableDefaultCmd = true // completion is listed below
	// Every command, listed here rather than registered from its file.
	root.AddCommand(
		NewCmdApply(f, nil),
		NewCmdCompletion(f, nil),
		NewCmdDeliveries(f, nil),
		NewCmdDrift(f, nil),
		NewCmdEvent(f, nil),
		NewCmdEvents(f, nil),
		NewCmdExport(f, nil),
		NewCmdPlan(f, nil),
		NewCmdReplay(f, nil),
		NewCmdTargets(f, nil),
		NewCmdValidate(f, nil),
		NewCmdVersion(f, nil),
	)
	registerCompletions(f, root)
	return root
}

// Execute runs plainsync with args and returns the process exit code.
func Execute(f *Factory, args []string) int {
	if f.Secrets == nil {
		f.Secrets = &secret.Masker{}
	}
	if f.Actions == nil {
		// Built before the streams are guarded: the glue's own workflow
		// commands go to the raw stderr.
		f.Actions = view.NewActions(f.IO.ErrOut, f.LookupEnv, f.Secrets)
	}
	root := NewRootCmd(f)
	root.SetArgs(args)
	finish := f.guardStreams(root)
	// Ctrl-C during apply stops launching changes; the ones already sent
	// finish and report, so the run can be resumed by running it again.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	defer close(done) // runs before stop: a normal return is not an interrupt
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		// Restore the default handling, so that a second Ctrl-C ends the
		// process at once for a user who will not wait.
		stop()
		select {
		case <-done:
		default:
			fmt.Fprintln(f.IO.ErrOut, "Interrupted: no new changes will start; waiting for the ones in flight (press Ctrl-C again to quit now).")
		}
	}()
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil && !isReported(err) {
		// Errors can quote what Plain echoed back (a URL with a token, say),
		// possibly escaped or percent-encoded: mask every secret the run
		// has learnt, in those forms too, before printing; and redact the
		// secret parts of any URL it quotes, which no ${VAR} may name.
		// They can also quote what others wrote (descriptions, server
		// bodies): every line is made inert.
		fmt.Fprintf(f.IO.ErrOut, "Error: %s\n", f.gate().Lines(err.Error()))
	}
	// The command's output ends here: resume workflow commands and give
	// the Actions glue its raw streams back for the final ones.
	finish()
	name := ""
	if cmd != nil {
		name = cmd.Name()
	}
	commentErr := err
	if isReported(err) {
		commentErr = nil
	}
	return f.Actions.Finish(name, exitCode(err), commentErr, givenFiles(name, args))
}

// isReported reports whether err is an ExitError whose command has printed
// everything already.
func isReported(err error) bool {
	var ee *ExitError
	return errors.As(err, &ee) && ee.Err == nil
}

// versionLine is "plainsync v1.2.3 (commit abc123, go1.26.0)".
func versionLine(info version.Info) string {
	return fmt.Sprintf("plainsync %s (commit %s, %s)", info.Version, info.Commit, info.GoVersion)
}

// givenFiles is what a command line names, for the pull-request comments
// of a command that stopped before it read its files (a bad flag): every
// -f/--file value (else the default file) and, for apply, the saved plan
// (the last argument that is no flag and ends in .json).
func givenFiles(command string, args []string) view.Given {
	var g view.Given
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case (a == "-f" || a == "--file") && i+1 < len(args):
			i++
			g.Files = append(g.Files, args[i])
		case strings.HasPrefix(a, "--file="):
			g.Files = append(g.Files, strings.TrimPrefix(a, "--file="))
		case strings.HasPrefix(a, "-f") && len(a) > 2 && !strings.HasPrefix(a, "--"):
			g.Files = append(g.Files, strings.TrimPrefix(strings.TrimPrefix(a, "-f"), "="))
		case command == "apply" && !strings.HasPrefix(a, "-") && strings.HasSuffix(a, ".json"):
			g.SavedPlan = a
		}
	}
	if len(g.Files) == 0 {
		g.Files = []string{defaultFile}
	}
	return g
}
