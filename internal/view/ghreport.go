package view

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/plainsync/plainsync/internal/spec"
)

// actionsReport gathers, inside Actions, what the pull-request comments
// say. There is one comment per desired-state file, so that a step given
// several files (each one workspace, or one team's scope of one) keeps one
// comment per file, as a matrix of one file per job does. What a command
// learns about one file (its plan, problems, error, apply result) goes to
// that file's comment; what belongs to no one file (a refusal of the whole
// apply, a dry run's operations, why no plan ran on a fork) goes to every
// comment of the step.
type actionsReport struct {
	order []string // the files' cleaned paths, in the order first met
	files map[string]*fileReport
	step  fileReport
	// all is set when the whole step failed for every file alike (apply
	// refused before writing anything): every comment then says failed.
	all  bool
	fork string
}

// fileReport is one file's share of the report.
type fileReport struct {
	name     string // as the command was given it
	parts    []string
	problems []spec.Problem
	errs     []string // masked
	changes  bool
	failed   bool
	// done says the file's outcome is known (planned, validated,
	// applied): a file without one, in a step that failed, did not get
	// that far, and its comment must not show it as fine.
	done bool
	// status, when set, is the comment's status word (a dry run).
	status string
}

// file returns the report of the file name ("" is the step's own).
func (r *actionsReport) file(name string) *fileReport {
	if name == "" {
		return &r.step
	}
	k := filepath.Clean(name)
	if r.files == nil {
		r.files = map[string]*fileReport{}
	}
	fr := r.files[k]
	if fr == nil {
		fr = &fileReport{name: name}
		r.files[k] = fr
		r.order = append(r.order, k)
	}
	return fr
}

// noteFiles records the files the command was given (a directory stands
// for its *.yaml and *.yml files), so that each keeps its comment even
// when nothing about it is learnt, a file that is missing included.
func (r *actionsReport) noteFiles(paths []string) {
	files, probs := spec.ExpandPaths(paths)
	for _, f := range files {
		r.file(f)
	}
	for _, p := range probs {
		r.file(p.Pos.File)
	}
}

// addProblems files each problem under its file.
func (r *actionsReport) addProblems(ps []spec.Problem) {
	for _, p := range ps {
		fr := r.file(p.Pos.File)
		fr.problems = append(fr.problems, p)
	}
}

// done records that the files' outcomes are known.
func (r *actionsReport) done(files ...string) {
	for _, f := range files {
		r.file(f).done = true
	}
}

// ownFailure reports whether the file itself failed: an error of its
// own, an error-severity problem, or a change that failed.
func (fr *fileReport) ownFailure() bool {
	return fr.failed || len(fr.errs) > 0 || spec.HasErrors(fr.problems)
}

// savedPlanFile is the file a saved plan names, for its comment: read
// leniently, so that a plan apply refuses still reports under the file
// it claims to be of; the plan's own path when it is not JSON with a
// file field.
func savedPlanFile(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return path
	}
	// A map, not a struct: the key must be exactly "file", as
	// scripts/comment-install-failure.mjs reads it (a struct field would
	// also match "File").
	var head map[string]any
	if json.Unmarshal(data, &head) != nil {
		return path
	}
	if s, ok := head["file"].(string); ok && s != "" {
		return s
	}
	return path
}

// NoteFile keeps a comment for a file the command loaded, even if the
// step stops on another file's error.
func (a *Actions) NoteFile(name string) {
	if a.Enabled() {
		a.report.file(name)
	}
}

// NoteSavedPlan keeps the comment of the file a saved plan names, also
// when the plan is refused.
func (a *Actions) NoteSavedPlan(path string) {
	if a.Enabled() {
		a.report.file(savedPlanFile(path))
	}
}

// Done records that the files' outcomes are known.
func (a *Actions) Done(files ...string) {
	if a.Enabled() {
		a.report.done(files...)
	}
}

// all records that the whole step failed for every file alike.
func (a *Actions) all() {
	if a.Enabled() {
		a.report.all = true
	}
}

// setStatus records a file's outcome with its comment's status word.
func (a *Actions) setStatus(file, status string) {
	if a.Enabled() {
		fr := a.report.file(file)
		fr.done, fr.status = true, status
	}
}

// setFailed records whether a file failed (and, with done, that its
// outcome is known).
func (a *Actions) setFailed(file string, failed, done bool) {
	if a.Enabled() {
		fr := a.report.file(file)
		fr.failed = failed
		if done {
			fr.done = true
		}
	}
}
