package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/export"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

// ExportOptions are the export command's inputs.
type ExportOptions struct {
	ctx   context.Context
	f     *Factory
	rf    remoteFlags
	build export.Options // --name-from, --include-disabled, --api-key-env, --scope
	out   export.Output  // -o, --out, --force
}

// NewCmdExport binds the flags to ExportOptions and checks what the flags
// alone decide; runF does the work (nil: exportRun; tests capture it).
func NewCmdExport(f *Factory, runF func(*ExportOptions) error) *cobra.Command {
	if runF == nil {
		runF = exportRun
	}
	opts := &ExportOptions{f: f}
	cmd := &cobra.Command{
		Use:   "export [-o yaml|json] [--out FILE] [--scope GLOB]...",
		Short: "Write a desired-state file from the live webhook targets",
		Long: `export reads the workspace and writes a desired-state file that describes it,
as a starting point for managing an existing workspace with plainsync:

  - workspace is set to the key's workspace (the guard), and
    defaults.webhookVersion to the version most targets use;
  - each target's name is its description; targets whose description is
    empty, has surrounding spaces or is shared with another target are
    pinned with id: and given a unique name (a comment says so: the next
    apply stores that name as their description);
  - events are shortened to globs (thread.*, or "*" for everything) where a
    target subscribes to a whole namespace of the live catalog;
  - the parts of URLs that plainsync treats as secret (user info,
    credential query values, hook tokens and token-like path segments,
    the fragment: the parts every output redacts) become ${VAR}
    references, listed in a comment, so no secret lands in Git; the rest
    (?source=plain&v=2, say) stays literal. Set each variable to the text
    of that part of the live URL before planning. A secret part shorter
    than 8 characters stays literal and is listed in a comment, since it
    is too short to mask (a Basic-auth password always becomes a ${VAR};
    a target whose password is that short is left out, with a comment).

Disabled targets are left out unless --include-disabled. With --scope the
file is scoped (scope: in the file) and describes only the targets whose
descriptions match, for a team that owns part of a shared workspace. Planning
the exported file against the same workspace, with the variables set, shows
no changes (apart from the renames of pinned targets mentioned above).

-o picks the format: yaml (the default) or json (the same file as JSON,
without the comments; plainsync reads both). The file goes to stdout, or
atomically to FILE with --out (an existing FILE is only replaced with
--force; "--out -" is stdout).`,
		Example: `  plainsync export > plainsync.yaml
  plainsync export --out plainsync.yaml --include-disabled
  plainsync export --out teams/support.yaml --scope "support-*"
  plainsync export -o json --out plainsync.json --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			opts.ctx = cmd.Context()
			return runF(opts)
		},
	}
	addRemoteFlags(cmd, &opts.rf)
	fl := cmd.Flags()
	fl.StringVar(&opts.build.APIKeyEnv, "api-key-env", spec.DefaultAPIKeyEnv, "environment variable holding the API key (written to the file as apiKeyEnv when not the default)")
	fl.StringVarP(&opts.out.Format, "output", "o", "yaml", "output format: yaml or json")
	fl.StringVar(&opts.out.Path, "out", "", "write the file to `FILE` (atomically) instead of stdout (\"-\": stdout)")
	fl.StringArrayVar(&opts.build.Scope, "scope", nil, "write a scoped file owning only the targets whose names match this `GLOB` (repeatable)")
	fl.BoolVar(&opts.out.Force, "force", false, "overwrite an existing --out FILE")
	fl.StringVar(&opts.build.NameFrom, "name-from", export.NameFromDescription, "how webhooks are named: description (the live description) or id (every target pinned and named by its id, so the next apply rewrites every description)")
	fl.BoolVar(&opts.build.IncludeDisabled, "include-disabled", false, "also export disabled targets (as enabled: false)")
	return cmd
}

// check refuses what the flags alone decide is wrong (see export.Check).
func (o *ExportOptions) check() (err error) {
	o.out.Path, err = export.Check(o.build, o.out)
	return err
}

// exportRun reads the workspace and writes its desired-state file.
func exportRun(o *ExportOptions) error {
	c, err := o.f.connect(&o.rf, o.build.APIKeyEnv)
	if err != nil {
		return err
	}
	ex, doc, err := export.Live(o.ctx, c, o.build, o.out.Format)
	if err != nil {
		return err
	}
	if err := export.Write(o.out.Path, o.f.gate().ExportDocument(doc, o.out.Format), o.f.IO.Out); err != nil || o.out.Path == "" {
		return err
	}
	view.ExportWritten(o.f.IO.ErrOut, o.out.Path, ex)
	return nil
}
