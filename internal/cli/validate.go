package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/plainsync/plainsync/internal/view"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// validateJSON is the stable shape of `validate -o json`.
type validateJSON struct {
	FormatVersion int                   `json:"formatVersion"`
	Valid         bool                  `json:"valid"`
	Files         []string              `json:"files"`
	Problems      []validateJSONProblem `json:"problems"`
	// Variables lists, per file, each ${VAR} plan and apply will need, and
	// whether it is set (non-empty) here.
	Variables []validateJSONVariable `json:"variables"`
}

type validateJSONVariable struct {
	File string `json:"file"`
	Name string `json:"name"`
	Set  bool   `json:"set"`
}

type validateJSONProblem struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

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

func runValidate(f *Factory, paths, policies []string, output string) error {
	// Expand first so that the summary names every file, including the
	// ones that failed to load.
	files, pathProbs := spec.ExpandPaths(paths)
	probs := pathProbs
	webhooks := map[string]int{}
	needs := map[string]*spec.Desired{}
	masker := &secret.Masker{}
	var loaded []*spec.Desired
	for _, file := range files {
		d, ps := spec.LoadForValidate(file, f.LookupEnv)
		probs = append(probs, ps...)
		if d != nil {
			webhooks[file] = len(d.Webhooks)
			needs[file] = d
			masker.AddMasker(d.Secrets)
			loaded = append(loaded, d)
		}
	}
	// Files that name one workspace must be scoped and disjoint; a
	// path-filtered CI job that validates them together catches it here.
	probs = append(probs, spec.CheckShared(loaded, func(d *spec.Desired) string { return d.Workspace.Value })...)
	// Policy rules that need no live facts run here, on fork pull
	// requests too; the ones reading live run in plan.
	set, polProbs := loadPolicy(f, policies)
	probs = append(probs, polProbs...)
	for _, d := range loaded {
		probs = append(probs, set.Check(d, nil)...)
	}
	spec.SortProblems(probs)
	valid := !spec.HasErrors(probs)
	// Inside Actions the runner learns the files' secrets before anything
	// is printed, and each problem becomes an annotation on its line.
	if f.Actions.Enabled() {
		f.Secrets.AddMasker(masker)
		if err := f.Actions.MaskSecrets(); err != nil {
			return err
		}
		// For the pull-request comments: the paths that did not expand
		// are recorded with their problems, each an annotation too.
		f.Actions.Done(files...)
		f.Actions.Problems(probs)
	}
	// Report every path named, loaded or not, in a stable order.
	for _, p := range pathProbs {
		files = append(files, p.Pos.File)
	}
	sort.Strings(files)

	if output == "json" {
		out := validateJSON{FormatVersion: 1, Valid: valid, Files: files, Problems: []validateJSONProblem{}, Variables: []validateJSONVariable{}}
		for _, file := range files {
			if d := needs[file]; d != nil {
				for _, v := range d.Variables {
					out.Variables = append(out.Variables, validateJSONVariable{File: file, Name: v, Set: !slices.Contains(d.Unset, v)})
				}
			}
		}
		for _, p := range probs {
			out.Problems = append(out.Problems, validateJSONProblem{
				File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col,
				Severity: string(p.Severity), Message: view.Gate{Secrets: masker}.Mask(p.Message),
			})
		}
		data, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
		if _, err := f.IO.Out.Write(append(view.Gate{}.JSON(data), '\n')); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
	} else {
		view.PrintProblems(f.IO.ErrOut, probs, masker)
		// A policy that does not load checked nothing: no file is called
		// valid then, since its rules never ran.
		policyBroken := spec.HasErrors(polProbs)
		for _, file := range files {
			line := summaryLine(file, probs, webhooks)
			if policyBroken && strings.Contains(line, ": valid (") {
				line = file + ": not checked: the policy does not load (errors above)"
			}
			if d := needs[file]; d != nil && len(d.Variables) > 0 {
				line += "; plan will need " + variableList(d)
			}
			fmt.Fprintln(f.IO.Out, line)
		}
	}
	if !valid {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

// summaryLine is one file's verdict: "plainsync.yaml: valid (3 webhooks)",
// with counts of warnings or errors when there are any.
func summaryLine(file string, probs []spec.Problem, webhooks map[string]int) string {
	var errs, warns int
	for _, p := range probs {
		if p.Pos.File != file {
			continue
		}
		if p.Severity == spec.SeverityWarning {
			warns++
		} else {
			errs++
		}
	}
	if errs > 0 {
		detail := plural(errs, "error")
		if warns > 0 {
			detail += ", " + plural(warns, "warning")
		}
		return fmt.Sprintf("%s: invalid (%s)", file, detail)
	}
	detail := plural(webhooks[file], "webhook")
	if warns > 0 {
		detail += ", " + plural(warns, "warning")
	}
	return fmt.Sprintf("%s: valid (%s)", file, detail)
}

// variableList names a file's ${VAR}s, marking those not set here:
// "${A}, ${B} (not set here: B)".
func variableList(d *spec.Desired) string {
	refs := make([]string, len(d.Variables))
	for i, v := range d.Variables {
		refs[i] = "${" + v + "}"
	}
	out := strings.Join(refs, ", ")
	if len(d.Unset) > 0 {
		out += " (not set here: " + strings.Join(d.Unset, ", ") + ")"
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
