package view

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/validate"
)

// ValidateJSON is the stable shape of `validate -o json`.
type ValidateJSON struct {
	FormatVersion int                   `json:"formatVersion"`
	Valid         bool                  `json:"valid"`
	Files         []string              `json:"files"`
	Problems      []ValidateJSONProblem `json:"problems"`
	// Variables lists, per file, each ${VAR} plan and apply will need, and
	// whether it is set (non-empty) here.
	Variables []ValidateJSONVariable `json:"variables"`
}

// ValidateJSONVariable is one ${VAR} one file needs.
type ValidateJSONVariable struct {
	File string `json:"file"`
	Name string `json:"name"`
	Set  bool   `json:"set"`
}

// ValidateJSONProblem is one problem at its position.
type ValidateJSONProblem struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// Validate prints a validation run: with output "json" the ValidateJSON
// document on out; otherwise every problem on errOut and a summary line
// per file on out. Both are masked with the files' secrets. Only the
// JSON document's write errors are returned.
func Validate(out, errOut io.Writer, r *validate.Result, output string) error {
	if output == "json" {
		return validateJSON(out, r)
	}
	PrintProblems(errOut, r.Problems, r.Secrets)
	for _, file := range r.Files {
		line := summaryLine(file, r.Problems)
		// A policy that does not load checked nothing: no file is called
		// valid then, since its rules never ran.
		if r.PolicyBroken && strings.Contains(line, ": valid (") {
			line = file.Name + ": not checked: the policy does not load (errors above)"
		}
		if file.Loaded && len(file.Variables) > 0 {
			line += "; plan will need " + variableList(file)
		}
		fmt.Fprintln(out, line)
	}
	return nil
}

// validateJSON writes r as the ValidateJSON document.
func validateJSON(w io.Writer, r *validate.Result) error {
	out := ValidateJSON{FormatVersion: 1, Valid: r.Valid, Problems: []ValidateJSONProblem{}, Variables: []ValidateJSONVariable{}}
	for _, file := range r.Files {
		out.Files = append(out.Files, file.Name)
		for _, v := range file.Variables {
			out.Variables = append(out.Variables, ValidateJSONVariable{File: file.Name, Name: v, Set: !slices.Contains(file.Unset, v)})
		}
	}
	for _, p := range r.Problems {
		out.Problems = append(out.Problems, ValidateJSONProblem{
			File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col,
			Severity: string(p.Severity), Message: Gate{Secrets: r.Secrets}.Mask(p.Message),
		})
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	if _, err := w.Write(append(Gate{}.JSON(data), '\n')); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// summaryLine is one file's verdict: "plainsync.yaml: valid (3 webhooks)",
// with counts of warnings or errors when there are any.
func summaryLine(file validate.File, probs []spec.Problem) string {
	var errs, warns int
	for _, p := range probs {
		if p.Pos.File != file.Name {
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
		return fmt.Sprintf("%s: invalid (%s)", file.Name, detail)
	}
	detail := plural(file.Webhooks, "webhook")
	if warns > 0 {
		detail += ", " + plural(warns, "warning")
	}
	return fmt.Sprintf("%s: valid (%s)", file.Name, detail)
}

// variableList names a file's ${VAR}s, marking those not set here:
// "${A}, ${B} (not set here: B)".
func variableList(f validate.File) string {
	refs := make([]string, len(f.Variables))
	for i, v := range f.Variables {
		refs[i] = "${" + v + "}"
	}
	out := strings.Join(refs, ", ")
	if len(f.Unset) > 0 {
		out += " (not set here: " + strings.Join(f.Unset, ", ") + ")"
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
