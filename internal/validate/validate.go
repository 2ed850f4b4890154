// Package validate runs plainsync's offline checks of desired-state files
// (what `plainsync validate` does): it loads each file without secrets,
// checks files that share a workspace and the policy rules that need no
// live facts, and returns the outcome as plain data for internal/view to
// print.
package validate

import (
	"sort"

	"github.com/plainsync/plainsync/internal/policy"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// Result is the outcome of one offline validation run.
type Result struct {
	// Expanded are the files the paths expanded to, in their order; the
	// paths that did not expand are not among them.
	Expanded []string
	// Files is one entry per path named, loaded or not, sorted by name.
	Files []File
	// Problems are the files', the policy's and the paths' problems, sorted.
	Problems []spec.Problem
	// Valid: no problem is an error (warnings allowed).
	Valid bool
	// PolicyBroken: the policy did not load, so its rules checked nothing.
	PolicyBroken bool
	// Secrets holds the files' ${VAR} values, to mask what is printed.
	Secrets *secret.Masker
}

// File is one named file's facts for its summary line.
type File struct {
	Name string
	// Loaded reports whether the file loaded (even with errors in it).
	Loaded bool
	// Webhooks counts the webhooks it describes.
	Webhooks int
	// Variables lists each ${VAR} plan and apply will need, sorted; Unset
	// those of them not set (or empty) here.
	Variables, Unset []string
}

// Run validates the files paths name, offline: lookupEnv supplies the
// ${VAR} values (an unset or empty one gets a placeholder), and the
// policy is read from policies or, without them, $PLAINSYNC_POLICY.
func Run(paths, policies []string, lookupEnv func(string) (string, bool)) *Result {
	// Expand first so that the summary names every file, including the
	// ones that failed to load.
	files, pathProbs := spec.ExpandPaths(paths)
	probs := pathProbs
	needs := map[string]*spec.Desired{}
	masker := &secret.Masker{}
	var loaded []*spec.Desired
	for _, file := range files {
		d, ps := spec.LoadForValidate(file, lookupEnv)
		probs = append(probs, ps...)
		if d != nil {
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
	set, polProbs := policy.LoadOrEnv(policies, lookupEnv)
	probs = append(probs, polProbs...)
	for _, d := range loaded {
		probs = append(probs, set.Check(d, nil)...)
	}
	spec.SortProblems(probs)
	r := &Result{
		Expanded: files, Problems: probs, Valid: !spec.HasErrors(probs),
		PolicyBroken: spec.HasErrors(polProbs), Secrets: masker,
	}
	// Report every path named, loaded or not, in a stable order.
	names := append([]string(nil), files...)
	for _, p := range pathProbs {
		names = append(names, p.Pos.File)
	}
	sort.Strings(names)
	for _, name := range names {
		f := File{Name: name}
		if d := needs[name]; d != nil {
			f.Loaded, f.Webhooks, f.Variables, f.Unset = true, len(d.Webhooks), d.Variables, d.Unset
		}
		r.Files = append(r.Files, f)
	}
	return r
}
