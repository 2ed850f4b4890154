package cli

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

func init() { register(newValidateCmd) }

// validateJSON is the stable shape of `validate -o json`.
type validateJSON struct {
	FormatVersion int                   `json:"formatVersion"`
	Valid         bool                  `json:"valid"`
	Files         []string              `json:"files"`
	Problems      []validateJSONProblem `json:"problems"`
}

type validateJSONProblem struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func newValidateCmd(f *Factory) *cobra.Command {
	var files []string
	var output string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check desired-state files offline",
		Long: `Validate checks desired-state files without contacting Plain and without an
API key: YAML syntax, duplicate keys, unknown fields, the JSON Schema, then
the semantic rules (unique names and ids, https URLs, event names, ${VAR}
references set in the environment). Every problem is reported as
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
			if output != "text" && output != "json" {
				return fmt.Errorf("unknown output format %q (want text or json)", output)
			}
			return runValidate(f, files, output)
		},
	}
	addFileFlag(cmd, &files)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func runValidate(f *Factory, paths []string, output string) error {
	// Expand first so that the summary names every file, including the
	// ones that failed to load.
	files, pathProbs := spec.ExpandPaths(paths)
	probs := pathProbs
	webhooks := map[string]int{}
	masker := &secret.Masker{}
	for _, file := range files {
		d, ps := spec.Load(file, f.LookupEnv)
		probs = append(probs, ps...)
		if d != nil {
			webhooks[file] = len(d.Webhooks)
			masker.AddMasker(d.Secrets)
		}
	}
	spec.SortProblems(probs)
	valid := !spec.HasErrors(probs)
	// Inside Actions the runner learns the files' secrets before anything
	// is printed, and each problem becomes an annotation on its line.
	if f.actions().Enabled() {
		f.Secrets.AddMasker(masker)
		if err := f.maskSecrets(); err != nil {
			return err
		}
		_ = f.actions().AnnotateAll(probs) // a stderr failure; the report below meets it too
	}
	// Report every path named, loaded or not, in a stable order.
	for _, p := range pathProbs {
		files = append(files, p.Pos.File)
	}
	sort.Strings(files)

	if output == "json" {
		out := validateJSON{FormatVersion: 1, Valid: valid, Files: files, Problems: []validateJSONProblem{}}
		for _, p := range probs {
			out.Problems = append(out.Problems, validateJSONProblem{
				File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col,
				Severity: string(p.Severity), Message: masker.Mask(p.Message),
			})
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
	} else {
		printProblems(f.IO.ErrOut, probs, masker)
		for _, file := range files {
			fmt.Fprintln(f.IO.Out, summaryLine(file, probs, webhooks))
		}
	}
	if !valid {
		return &ExitError{Code: 1}
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

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
