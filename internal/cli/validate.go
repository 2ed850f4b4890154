package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/exitcode"
	"github.com/plainsync/plainsync/internal/validate"
	"github.com/plainsync/plainsync/internal/view"
)

// ValidateOptions are the validate command's inputs.
type ValidateOptions struct {
	f               *Factory
	files, policies []string
	output          string
}

// NewCmdValidate binds the flags to ValidateOptions; runF does the work
// (nil: validateRun; tests capture it).
func NewCmdValidate(f *Factory, runF func(*ValidateOptions) error) *cobra.Command {
	if runF == nil {
		runF = validateRun
	}
	opts := &ValidateOptions{f: f}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check desired-state files offline",
		Long: `Validate checks desired-state files without contacting Plain, without an
API key and without the ${VAR} secrets: YAML syntax, duplicate keys, unknown
fields, the JSON Schema, then the semantic rules (unique names and ids, https
URLs, at most 25 webhooks, scopes, files sharing a workspace). An unset or
empty ${VAR} gets a placeholder, so it runs on fork pull requests and in
pre-commit hooks; the summary lists the variables plan will need. Event types
are checked against plainsync's snapshot of Plain's catalog (warnings with a
did-you-mean; plan checks the live catalog). With --policy, every webhook must also satisfy the policy's CEL rules that
read no live facts (those run in plan). Every problem is reported as
FILE:LINE:COL: message on stderr; a summary per file goes to stdout.

Exit status: 0 when every file is valid (warnings allowed), 1 otherwise.`,
		Example: `  plainsync validate
  plainsync validate -f plainsync.yaml -f workspaces/
  plainsync validate -f examples/webhooks.yaml -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("validate takes no arguments; name files with -f %s", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.output != "text" && opts.output != "json" {
				return fmt.Errorf("unknown output format %q (want text or json)", opts.output)
			}
			return runF(opts)
		},
	}
	addFileFlag(cmd, &opts.files)
	addPolicyFlag(cmd, &opts.policies)
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	return cmd
}

// validateRun validates the files offline.
func validateRun(opts *ValidateOptions) error {
	return runValidate(opts.f, opts.files, opts.policies, opts.output)
}

// runValidate validates offline (internal/validate) and prints the result
// (view.Validate). Inside Actions the runner learns the files' secrets
// before anything is printed, and each problem becomes an annotation on
// its line; for the pull-request comments, the paths that did not expand
// are recorded with their problems, each an annotation too.
func runValidate(f *Factory, paths, policies []string, output string) error {
	r := validate.Run(paths, policies, f.LookupEnv)
	if f.Actions.Enabled() {
		f.Secrets.AddMasker(r.Secrets)
		if err := f.Actions.MaskSecrets(); err != nil {
			return err
		}
		f.Actions.Done(r.Expanded...)
		f.Actions.Problems(r.Problems)
	}
	if err := view.Validate(f.IO.Out, f.IO.ErrOut, r, output); err != nil || r.Valid {
		return err
	}
	return &exitcode.Error{Code: exitcode.Failure}
}
