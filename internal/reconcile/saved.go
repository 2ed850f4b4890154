package reconcile

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plainsync/plainsync/internal/atomicfile"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/diff/planfile"
	"github.com/plainsync/plainsync/internal/policy"
	"github.com/plainsync/plainsync/internal/spec"
)

// SavedRequest is what LoadSaved works on.
type SavedRequest struct {
	// Path is the saved plan ("apply PLAN.json").
	Path string
	// Prune is apply's own --prune.
	Prune bool
	// LookupEnv reads the variables the plan's file references.
	LookupEnv func(string) (string, bool)
	// Learn registers the loaded file's secrets (d may be nil) before
	// anything about it is reported.
	Learn func(d *spec.Desired) error
	// Connect returns the client for the key held in apiKeyEnv.
	Connect func(apiKeyEnv string) (Client, error)
	// LoadPolicy loads the policy (nil checks nothing).
	LoadPolicy func() (*policy.Set, []spec.Problem)
	// Saved returns the plan as it is compared in saved form: with every
	// secret the run knows in its masker.
	Saved func(*diff.Plan) *diff.Plan
}

// LoadSaved reads a plan written by "plan --out" and binds it to its
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
func LoadSaved(ctx context.Context, req *SavedRequest, rep Reporter) (Planned, error) {
	path, prune := req.Path, req.Prune
	data, err := readSavedPlan(path)
	if err != nil {
		return Planned{}, err
	}
	saved, err := planfile.Read(data)
	if err != nil {
		return Planned{}, fmt.Errorf("%s: %w", path, err)
	}
	refuse := func(format string, args ...any) (Planned, error) {
		return Planned{}, fmt.Errorf("%s: %s; refusing to apply it, nothing was sent: run plainsync plan again", path, fmt.Sprintf(format, args...))
	}
	// The plan names its file; an edited one could name any file, whose
	// load errors would quote it. Only desired-state files are read.
	if ext := strings.ToLower(filepath.Ext(saved.File)); ext != ".yaml" && ext != ".yml" {
		return refuse("it names %q as the file it was made from, which is not a *.yaml or *.yml desired-state file", saved.File)
	}
	d, problems := spec.Load(saved.File, req.LookupEnv)
	if err := req.Learn(d); err != nil {
		return Planned{}, err
	}
	rep.Problems(problems)
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
	c, err := req.Connect(d.APIKeyEnv)
	if err != nil {
		return Planned{}, err
	}
	live, err := c.Snapshot(ctx)
	if err != nil {
		return Planned{}, err
	}
	if saved.Workspace.ID != live.Workspace.ID {
		return refuse("it was made for workspace %s, but the API key belongs to %s (%s)", saved.Workspace.ID, live.Workspace.ID, live.Workspace.Name)
	}
	if fp := diff.Fingerprint(live); fp != saved.Fingerprint {
		return Planned{}, fmt.Errorf("%s: live state has changed since it was made (fingerprint %s, now %s); refusing to apply a stale plan, nothing was sent: run plainsync plan again", path, short(saved.Fingerprint), short(fp))
	}
	// The policy holds for a saved plan as for a fresh one.
	set, problems := req.LoadPolicy()
	if set != nil {
		problems = append(problems, set.Check(d, live)...)
	}
	rep.Problems(problems)
	if spec.HasErrors(problems) {
		return refuse("the policy does not load or the file violates it")
	}
	fresh, problems := diff.Compute(d, live, diff.Options{Prune: prune})
	rep.Problems(problems)
	if spec.HasErrors(problems) {
		return refuse("the file no longer plans against the live workspace")
	}
	if err := planfile.Compare(saved, req.Saved(fresh)); err != nil {
		return refuse("%v", err)
	}
	return Planned{Desired: d, Client: c, Live: live, Plan: fresh}, nil
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

// SavePlan writes p for a later "apply PATH" ("plan --out PATH"): mode
// 0600, replaced atomically, so that a reader never sees half a plan and a
// failure leaves any earlier plan intact. p's masker must know every
// secret of the run: a saved plan never holds one.
func SavePlan(path string, p *diff.Plan) error {
	data, err := planfile.Marshal(p)
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}
