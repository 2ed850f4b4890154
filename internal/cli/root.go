package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/exitcode"
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
	// CLIs try first: the gate's text, as a template that prints it as is.
	info := version.Get()
	root.Version = info.Version
	root.SetVersionTemplate(strings.ReplaceAll(f.gate().Text(info.Line()), "{{", `{{"{{"}}`) + "\n")
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
	// Ctrl-C during apply stops launching changes (view.WatchInterrupt).
	ctx, release := view.WatchInterrupt(context.Background(), &f.IO.ErrOut)
	defer release()
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil && !exitcode.Reported(err) {
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
	if exitcode.Reported(err) {
		commentErr = nil
	}
	return f.Actions.Finish(name, exitcode.Of(err), commentErr, view.GivenFiles(name, args))
}
