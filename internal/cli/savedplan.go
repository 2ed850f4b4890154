package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/diff/planfile"
	"github.com/plainsync/plainsync/internal/spec"
)

// loadSavedPlan reads a plan written by "plan --out" and binds it to its
// inputs: it loads the file the plan names (which must still have the
// digest the plan recorded), re-reads live state (which must still have
// the plan's fingerprint), computes the plan again with the same options
// and refuses unless the result is identical to the saved one. The plan
// is not signed with the API key, so a plan made with a read-only key
// applies with the write key; the one input recomputation cannot check,
// --prune, must be given again (prune, apply's own flag) unless the file
// says prune: true. What it returns for
// execution is the recomputed plan: an edited saved plan can never do
// anything the file and Plain do not imply, and only the variables the
// file references are read from the environment.
func loadSavedPlan(ctx context.Context, f *Factory, path string, rf *remoteFlags, prune bool) (planned, error) {
	data, err := readSavedPlan(path)
	if err != nil {
		return planned{}, err
	}
	saved, err := planfile.Read(data)
	if err != nil {
		return planned{}, fmt.Errorf("%s: %w", path, err)
	}
	refuse := func(format string, args ...any) (planned, error) {
		return planned{}, &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s: %s; refusing to apply it, nothing was sent: run plainsync plan again", path, fmt.Sprintf(format, args...))}
	}
	// The plan names its file; an edited one could name any file, whose
	// load errors would quote it. Only desired-state files are read.
	if ext := strings.ToLower(filepath.Ext(saved.File)); ext != ".yaml" && ext != ".yml" {
		return refuse("it names %q as the file it was made from, which is not a *.yaml or *.yml desired-state file", saved.File)
	}
	d, problems := spec.Load(saved.File, f.LookupEnv)
	if d != nil {
		learnBasicAuth(d)
		f.Secrets.AddMasker(d.Secrets)
	}
	if err := f.Actions.MaskSecrets(); err != nil {
		return planned{}, err
	}
	workflowView(f).Problems(problems)
	if spec.HasErrors(problems) {
		return refuse("the file it was made from, %s, no longer loads", saved.File)
	}
	if d.Digest != saved.FileDigest {
		return refuse("%s has changed since the plan was made (digest %s, now %s)", saved.File, short(saved.FileDigest), short(d.Digest))
	}
	// --prune is the one input recomputation takes from the plan. Anyone
	// who can edit the plan could set it and add the matching deletes, so
	// it is trusted only when the file (covered by the digest) or apply's
	// own command line says so too; and apply --prune never runs a plan
	// made without it.
	switch {
	case saved.Prune && !d.Prune && !prune:
		return refuse("it was made with --prune, which the plan file alone cannot vouch for: apply it with --prune, as it was planned")
	case prune && !saved.Prune:
		return refuse("it was made without --prune: apply it without --prune, or plan again with --prune")
	}
	c, err := f.connect(rf, d.APIKeyEnv)
	if err != nil {
		return planned{}, err
	}
	live, err := c.Snapshot(ctx)
	if err != nil {
		return planned{}, err
	}
	if saved.Workspace.ID != live.Workspace.ID {
		return refuse("it was made for workspace %s, but the API key belongs to %s (%s)", saved.Workspace.ID, live.Workspace.ID, live.Workspace.Name)
	}
	if fp := diff.Fingerprint(live); fp != saved.Fingerprint {
		return planned{}, &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s: live state has changed since it was made (fingerprint %s, now %s); refusing to apply a stale plan, nothing was sent: run plainsync plan again", path, short(saved.Fingerprint), short(fp))}
	}
	// The policy holds for a saved plan as for a fresh one.
	set, problems := loadPolicy(f, rf.policy)
	if set != nil {
		problems = append(problems, set.Check(d, live)...)
	}
	workflowView(f).Problems(problems)
	if spec.HasErrors(problems) {
		return refuse("the policy does not load or the file violates it")
	}
	fresh, problems := diff.Compute(d, live, diff.Options{Prune: prune})
	workflowView(f).Problems(problems)
	if spec.HasErrors(problems) {
		return refuse("the file no longer plans against the live workspace")
	}
	if err := planfile.Compare(saved, withRunSecrets(f, fresh)); err != nil {
		return refuse("%v", err)
	}
	return planned{Desired: d, Client: c, Live: live, Plan: fresh}, nil
}

// readSavedPlan reads at most planfile.MaxSize bytes: a device named by
// mistake (/dev/zero) must not be read without end, while a pipe holding
// a plan still works.
func readSavedPlan(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("read saved plan %s: is a directory", path)
	}
	data, err := io.ReadAll(io.LimitReader(fh, planfile.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	if len(data) > planfile.MaxSize {
		return nil, fmt.Errorf("read saved plan %s: the file is larger than %d MiB, so it is not a plainsync plan", path, planfile.MaxSize>>20)
	}
	return data, nil
}

func short(fp string) string {
	fp = strings.TrimPrefix(fp, "sha256:")
	if len(fp) > 12 {
		return fp[:12]
	}
	return fp
}
