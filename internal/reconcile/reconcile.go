// Package reconcile is plainsync's workflow with no terminal in sight:
// Plan reads every file's workspace and computes its plan, Apply runs the
// guards, asks for confirmation, locks each workspace, plans again under
// the lock and executes, and Drift is Plan in check mode. What happens is
// reported through a Reporter; the command layer (internal/cli) picks the
// Reporter and builds the Request, and knows nothing of this sequence.
package reconcile

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/lock"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/policy"
	"github.com/plainsync/plainsync/internal/spec"
)

// Client is what the workflow needs from Plain: reading a workspace,
// changing its targets (internal/apply) and holding its lease
// (internal/lock). internal/api's client has it.
type Client interface {
	apply.Client
	lock.Client
	Snapshot(ctx context.Context) (*plain.Snapshot, error)
}

// Planned is one desired file planned against its workspace, or the error
// that kept it from being planned (Err set, Plan nil): one workspace that
// cannot be reached must not hide every other workspace's result.
type Planned struct {
	Desired *spec.Desired
	Client  Client
	Live    *plain.Snapshot
	Plan    *diff.Plan
	Err     error
	// Saved is set for a plan read from a file: it is applied as it
	// stands or not at all.
	Saved bool
}

// Request is what Plan and Drift work on: the loaded files, the problems
// met loading them and the policy, and the way to reach each workspace.
type Request struct {
	// Files are the loaded desired-state files, in order.
	Files []*spec.Desired
	// Problems are those met loading the files and the policy; they are
	// reported, sorted, with the checks between files.
	Problems []spec.Problem
	// Policy is the loaded policy (nil checks nothing).
	Policy *policy.Set
	// Connect returns the client for the key held in apiKeyEnv. It is
	// called once per distinct apiKeyEnv, so files sharing a key share
	// its client and rate limiter.
	Connect func(apiKeyEnv string) (Client, error)
	// Prune plans the deletes of unlisted live targets.
	Prune bool
	// Workspaces bounds how many workspaces are read (and applied) at once.
	Workspaces int
}

// ErrReported is returned when the workflow stopped for a reason its
// Reporter has shown already (problems in the files, a cancelled prompt,
// a failed change): the command exits 1 without printing more.
var ErrReported = errors.New("reported")

// Reporter is told what the workflow does. Methods given a writer w write
// to one workspace's share of Output (workspaces are applied several at
// once and their output is kept in order); they may be called from
// several goroutines, one per workspace.
type Reporter interface {
	// Problems reports problems found in files, between them, by the
	// policy or by a plan.
	Problems(ps []spec.Problem)
	// PlanShown shows the plan of file i of n before apply guards it.
	PlanShown(p *diff.Plan, i, n int) error
	// Refused reports that apply refused as a whole: nothing was written.
	Refused(err error) error
	// DryRun shows the operations a real apply would send, per plan.
	DryRun(todo []*diff.Plan, multi bool) error
	// Cancelled reports that the prompt was not answered "yes".
	Cancelled()
	// Lock reports what locking a workspace does.
	Lock(ev LockEvent)
	// Output is the stream workspaces' apply output is ordered into.
	Output() io.Writer
	// Replanned shows the plan computed again under the lock.
	Replanned(w io.Writer, p *diff.Plan) error
	// NothingLeft says another run made the changes already.
	NothingLeft(w io.Writer)
	// Applying starts a workspace's apply (multi: there are several).
	Applying(w io.Writer, file string, multi bool)
	// Progress reports each change as it is sent.
	Progress(w io.Writer) func(apply.Event)
	// Applied shows a workspace's result and returns it as text.
	Applied(w io.Writer, res *apply.Result) string
	// WorkspaceFailed reports a workspace not applied (locking or
	// planning again failed); nothing was written to it.
	WorkspaceFailed(file string, err error) error
	// FileApplied reports a workspace's outcome once every workspace is
	// done: result is what Applied returned.
	FileApplied(file, result string, ok bool) error
}

// Confirmer asks whether to apply the plans shown. An error is a refusal
// (for example: no terminal to ask on).
type Confirmer interface {
	Confirm() (bool, error)
}

// LockEventKind says what a LockEvent reports.
type LockEventKind int

// Kinds of LockEvent.
const (
	// LockNone: applying without any lock (--lock none).
	LockNone LockEventKind = iota
	// LockLocalOnly: the lease cannot be taken (Reason, or Err from Plain).
	LockLocalOnly
	// LockWaiting: another run (Holder) holds the lease Until.
	LockWaiting
	// LockDeletedOwn: this run's lease ID was deleted.
	LockDeletedOwn
	// LockDeletedExpired: another run's expired lease ID was deleted.
	LockDeletedExpired
	// LockHolding: this run holds the lease.
	LockHolding
	// LockReleaseFailed: deleting this run's lease failed (Err).
	LockReleaseFailed
	// LockNotHonoured: target ID looks like a lease held Until, too far ahead.
	LockNotHonoured
	// LockExpiredRemoved: the expired leases IDs were removed.
	LockExpiredRemoved
	// LockExpiredRemoveFailed: removing expired leases failed (Err).
	LockExpiredRemoveFailed
	// LockExpiredNote: apply would remove the expired leases IDs.
	LockExpiredNote
)

// LockEvent is one thing locking a workspace did or saw.
type LockEvent struct {
	Kind      LockEventKind
	Workspace string
	ID        string
	IDs       []string
	Holder    string
	Until     time.Time
	Timeout   time.Duration
	Reason    string
	Err       error
}
