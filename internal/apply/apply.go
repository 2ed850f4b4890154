// Package apply executes a diff.Plan against Plain: creates first, then
// updates, then deletes (make-before-break), each phase bounded in
// concurrency, with safety guards that run before any write and careful
// handling of mutations whose outcome is unknown.
package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
)

// Client is the part of the Plain API that applying a plan needs.
// internal/api's client satisfies it; tests use an in-memory fake.
type Client interface {
	CreateWebhookTarget(ctx context.Context, in plain.CreateInput) (plain.Target, error)
	UpdateWebhookTarget(ctx context.Context, in plain.UpdateInput) (plain.Target, error)
	DeleteWebhookTarget(ctx context.Context, id string) error
	ListWebhookTargets(ctx context.Context) ([]plain.Target, error)
}

// DefaultParallelism is the number of concurrent mutations per phase when
// Options.Parallelism is not set.
const DefaultParallelism = 4

// Options tune Execute.
type Options struct {
	// Parallelism caps concurrent mutations within a phase; <= 0 means
	// DefaultParallelism.
	Parallelism int
	// Progress is called as each change finishes. Calls are serialised, so
	// the callback may write to a stream without locking.
	Progress func(Event)
	// Now is the clock for elapsed times; nil means time.Now. It may be
	// called from several goroutines at once.
	Now func() time.Time
	// LostCreateWait bounds how long a create whose outcome is unknown is
	// looked for in live state, re-reading it with backoff, before apply
	// stops with "outcome unknown — run plan again". Such a create is
	// never sent again: a request Plain commits late (a gateway timeout
	// answered first) would then land twice. 0 means
	// DefaultLostCreateWait; a negative value reads live state once.
	LostCreateWait time.Duration
	// PollInterval is the first pause between those reads; it doubles up
	// to MaxPollInterval. 0 means DefaultPollInterval.
	PollInterval time.Duration
}

// Defaults of the lost-create poll. The CLI sets LostCreateWait to the
// request timeout: a request Plain still holds commits within it or fails.
const (
	DefaultLostCreateWait = 30 * time.Second
	DefaultPollInterval   = 500 * time.Millisecond
	MaxPollInterval       = 5 * time.Second
)

// Outcome is what happened to one change.
type Outcome string

const (
	OutcomeCreated Outcome = "created"
	OutcomeUpdated Outcome = "updated"
	OutcomeDeleted Outcome = "deleted"
	// OutcomeAdopted is a create whose response was lost but whose target
	// was found by re-reading live state.
	OutcomeAdopted Outcome = "adopted"
	OutcomeFailed  Outcome = "failed"
	// OutcomeSkipped is a change that was deliberately not sent; Event.Err
	// says why and wraps ErrSkipped.
	OutcomeSkipped Outcome = "skipped"
)

// ErrSkipped is wrapped by the reason of every skipped change.
var ErrSkipped = errors.New("skipped")

// skipError is the reason a change was skipped. Its text is the reason
// alone, because renderers already say "skipped"; it matches ErrSkipped
// and whatever the reason wraps (context.Canceled, for one).
type skipError struct{ reason error }

func (e *skipError) Error() string   { return e.reason.Error() }
func (e *skipError) Unwrap() []error { return []error{ErrSkipped, e.reason} }

// skip builds a skipError; format and args are as for fmt.Errorf.
func skip(format string, args ...any) error {
	return &skipError{reason: fmt.Errorf(format, args...)}
}

// Event reports one finished (or skipped) change.
type Event struct {
	// Index counts finished changes from 1 in the order they finished;
	// Total is the number of changes the plan asked to apply.
	Index, Total int
	Change       diff.Change
	Outcome      Outcome
	// Err is the failure of a failed change or the reason of a skipped
	// one; nil otherwise. It may hold secrets: mask it before printing.
	Err     error
	Elapsed time.Duration
	// TargetID is the live target's id: the new one for creates and
	// adoptions, the existing one for updates and deletes.
	TargetID string
}

// Result is the outcome of a whole run.
type Result struct {
	// Events are in the order the changes finished (Event.Index order).
	Events                                              []Event
	Created, Updated, Deleted, Adopted, Failed, Skipped int
	Elapsed                                             time.Duration
}

// HasFailures reports whether any change failed.
func (r *Result) HasFailures() bool {
	return r != nil && r.Failed > 0
}

// Succeeded reports whether every change of the plan was applied (created,
// adopted, updated or deleted): nothing failed and nothing was skipped. A
// cancelled run has skipped changes and so did not succeed; the CLI exits
// 1 unless this is true.
func (r *Result) Succeeded() bool {
	return r != nil && r.Failed == 0 && r.Skipped == 0
}

// Execute applies the plan's creates, then its updates, then its deletes,
// never starting a phase before the previous one has finished. No-op and
// unmanaged entries are not sent. If any create or update fails (or is
// skipped), every delete is skipped: deleting an old target is only safe
// once its replacement is known to exist. Cancelling ctx stops launching
// changes; the ones already sent run to completion (a lost create is then
// not sent a second time) and the rest are skipped.
func Execute(ctx context.Context, p *diff.Plan, c Client, o Options) *Result {
	x := &executor{client: c, now: o.Now, progress: o.Progress, lostWait: o.LostCreateWait, poll: o.PollInterval, known: knownIDs(p), cancel: ctx}
	if x.lostWait == 0 {
		x.lostWait = DefaultLostCreateWait
	}
	if x.poll <= 0 {
		x.poll = DefaultPollInterval
	}
	if x.now == nil {
		x.now = time.Now
	}
	par := o.Parallelism
	if par <= 0 {
		par = DefaultParallelism
	}
	start := x.now()
	creates, updates, deletes := Phases(p)
	x.total = len(creates) + len(updates) + len(deletes)

	x.runPhase(ctx, creates, par, x.create)
	x.runPhase(ctx, updates, par, x.update)
	// Skipped creates and updates count too: a create that was never sent
	// leaves no replacement either.
	x.mu.Lock()
	notDone := x.result.Failed + x.result.Skipped
	x.mu.Unlock()
	if notDone > 0 {
		reason := skip("%d earlier create or update did not succeed, and deletes run only once every replacement exists", notDone)
		for _, ch := range deletes {
			x.record(Event{Change: ch, Outcome: OutcomeSkipped, Err: reason, TargetID: ch.TargetID})
		}
	} else {
		x.runPhase(ctx, deletes, par, x.delete)
	}
	x.result.Elapsed = x.now().Sub(start)
	return &x.result
}

// Phases splits the plan's changes by action, keeping plan order within
// each phase.
func Phases(p *diff.Plan) (creates, updates, deletes []diff.Change) {
	if p == nil {
		return nil, nil, nil
	}
	for _, ch := range p.Changes {
		switch ch.Action {
		case diff.ActionCreate:
			creates = append(creates, ch)
		case diff.ActionUpdate:
			updates = append(updates, ch)
		case diff.ActionDelete:
			deletes = append(deletes, ch)
		}
	}
	return creates, updates, deletes
}

type executor struct {
	client Client
	// known holds the ids of the live targets the plan was made from. A
	// lost create can only have made a target outside it.
	known map[string]bool
	// cancel is the caller's context. Steps run under a context that
	// outlives it, so that a sent request is never abandoned; a lost
	// create's poll consults it and ends at once when it is done.
	cancel   context.Context
	now      func() time.Time
	progress func(Event)
	lostWait time.Duration
	poll     time.Duration
	total    int

	mu     sync.Mutex // guards result and serialises progress
	result Result
}

// record tallies ev, numbers it and reports it. Holding the lock while
// calling Progress is what serialises the callback.
func (x *executor) record(ev Event) {
	x.mu.Lock()
	defer x.mu.Unlock()
	ev.Index = len(x.result.Events) + 1
	ev.Total = x.total
	switch ev.Outcome {
	case OutcomeCreated:
		x.result.Created++
	case OutcomeUpdated:
		x.result.Updated++
	case OutcomeDeleted:
		x.result.Deleted++
	case OutcomeAdopted:
		x.result.Adopted++
	case OutcomeFailed:
		x.result.Failed++
	case OutcomeSkipped:
		x.result.Skipped++
	}
	x.result.Events = append(x.result.Events, ev)
	if x.progress != nil {
		x.progress(ev)
	}
}

// step performs one change and returns its outcome, the target id and the
// error of a failed or skipped change.
type step func(ctx context.Context, ch diff.Change) (Outcome, string, error)

// runPhase runs every change of one phase with at most par in flight and
// returns when all of them have finished.
func (x *executor) runPhase(ctx context.Context, changes []diff.Change, par int, do step) {
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	// In-flight mutations get a context that is not cancelled with ctx:
	// abandoning a request halfway leaves its outcome unknown, which is
	// worse than letting it finish (the API client bounds each request).
	mctx := context.WithoutCancel(ctx)
	for _, ch := range changes {
		if !x.acquire(ctx, sem) {
			x.record(Event{Change: ch, Outcome: OutcomeSkipped, TargetID: ch.TargetID,
				Err: skip("apply was cancelled before this change was sent: %w", context.Cause(ctx))})
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			start := x.now()
			outcome, id, err := do(mctx, ch)
			if id == "" {
				id = ch.TargetID
			}
			x.record(Event{Change: ch, Outcome: outcome, Err: err, Elapsed: x.now().Sub(start), TargetID: id})
		}()
	}
	wg.Wait()
}

// acquire takes a concurrency slot, or reports false once ctx is done.
func (x *executor) acquire(ctx context.Context, sem chan struct{}) bool {
	if ctx.Err() != nil {
		return false
	}
	select {
	case sem <- struct{}{}:
		// select picks at random when both cases are ready; never launch
		// after cancellation.
		if ctx.Err() != nil {
			<-sem
			return false
		}
		return true
	case <-ctx.Done():
		return false
	}
}

// CreateInput builds the create mutation's input from the desired state.
func CreateInput(after *diff.TargetState) plain.CreateInput {
	return plain.CreateInput{
		URL:         after.URL,
		Description: after.Description,
		EventTypes:  slices.Clone(after.EventTypes),
		Version:     after.Version,
		Enabled:     after.Enabled,
	}
}

func (x *executor) create(ctx context.Context, ch diff.Change) (Outcome, string, error) {
	if ch.After == nil {
		return OutcomeFailed, "", fmt.Errorf("create webhook target \"%s\": the plan has no desired state for it", ch.Name)
	}
	in := CreateInput(ch.After)
	t, err := x.client.CreateWebhookTarget(ctx, in)
	if err == nil {
		return OutcomeCreated, t.ID, nil
	}
	if !errors.Is(err, plain.ErrOutcomeUnknown) {
		return OutcomeFailed, "", fmt.Errorf("create webhook target \"%s\": %w", ch.Name, err)
	}
	// The create may have landed, or may still land: a gateway can answer
	// 504 while Plain commits the request seconds later. Re-read live state
	// with backoff and adopt what appears. Never send it again: "not found
	// yet" does not prove it will not land, and a second create would
	// leave a duplicate target.
	return x.awaitCreated(ctx, ch, in, err)
}

// awaitCreated polls live state for a create whose outcome is unknown
// (sendErr) until it appears, x.lostWait has passed, or apply is
// cancelled; only an appearance succeeds.
func (x *executor) awaitCreated(ctx context.Context, ch diff.Change, in plain.CreateInput, sendErr error) (Outcome, string, error) {
	unknown := func(detail string, cause error) (Outcome, string, error) {
		if cause != nil {
			return OutcomeFailed, "", fmt.Errorf("create webhook target \"%s\": outcome unknown — run plan again: %w; %s: %w", ch.Name, sendErr, detail, cause)
		}
		return OutcomeFailed, "", fmt.Errorf("create webhook target \"%s\": outcome unknown — run plan again: %w; %s", ch.Name, sendErr, detail)
	}
	var waited time.Duration
	delay := x.poll
	var lastErr error
	for {
		id, found, lerr := x.findCreated(ctx, in)
		var amb *ambiguousError
		switch {
		case lerr == nil && found:
			return OutcomeAdopted, id, nil
		case errors.As(lerr, &amb):
			return unknown("checking whether it landed failed", lerr)
		}
		lastErr = lerr
		if x.lostWait < 0 || waited >= x.lostWait {
			break
		}
		pause := min(delay, x.lostWait-waited)
		timer := time.NewTimer(pause)
		select {
		case <-timer.C:
		case <-x.cancel.Done():
			timer.Stop()
			return unknown("it is not in live state yet, and apply was cancelled", context.Cause(x.cancel))
		}
		waited += pause
		delay = min(2*delay, MaxPollInterval)
	}
	if lastErr != nil {
		return unknown("checking whether it landed failed", lastErr)
	}
	return unknown(fmt.Sprintf("it has not appeared in live state within %s, and it was not sent again, so that it can never land twice", roundWait(waited)), nil)
}

// roundWait renders a wait for a message.
func roundWait(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// knownIDs collects the ids of every live target the plan names (its
// updates, deletes, no-ops and unmanaged entries: every live target).
func knownIDs(p *diff.Plan) map[string]bool {
	known := map[string]bool{}
	if p == nil {
		return known
	}
	for _, ch := range p.Changes {
		if ch.TargetID != "" {
			known[ch.TargetID] = true
		}
		if ch.Before != nil && ch.Before.ID != "" {
			known[ch.Before.ID] = true
		}
	}
	return known
}

// findCreated looks for the live target a lost create would have made: a
// target the plan did not know, with the same description and URL. A
// known target can share both (one the file pins by id and renames while
// a new webhook takes its old name and URL) and must not be taken for the
// new one. Several matches are an error rather than a guess, because
// adopting the wrong one would leave a duplicate that plainsync then
// believes it manages.
func (x *executor) findCreated(ctx context.Context, in plain.CreateInput) (string, bool, error) {
	targets, err := x.client.ListWebhookTargets(ctx)
	if err != nil {
		return "", false, fmt.Errorf("look for the created target: %w", err)
	}
	var ids []string
	for _, t := range targets {
		if !x.known[t.ID] && t.Description == in.Description && t.URL == in.URL {
			ids = append(ids, t.ID)
		}
	}
	switch len(ids) {
	case 0:
		return "", false, nil
	case 1:
		return ids[0], true, nil
	default:
		return "", false, &ambiguousError{ids: ids}
	}
}

// ambiguousError is several unknown live targets that a lost create could
// have made: adopting any of them would be a guess.
type ambiguousError struct{ ids []string }

func (e *ambiguousError) Error() string {
	return fmt.Sprintf("%d live targets have this description and URL (%v); plan again: it offers to remove the duplicate", len(e.ids), e.ids)
}

// UpdateInput maps the change's changed fields onto an UpdateInput; fields
// that did not change stay nil so that they are not sent.
func UpdateInput(ch diff.Change) (plain.UpdateInput, error) {
	in := plain.UpdateInput{ID: ch.TargetID}
	if ch.TargetID == "" {
		return in, errors.New("the plan has no target id for it")
	}
	if ch.After == nil {
		return in, errors.New("the plan has no desired state for it")
	}
	a := ch.After
	for _, f := range ch.Fields {
		switch f.Field {
		case diff.FieldDescription:
			in.Description = &a.Description
		case diff.FieldURL:
			in.URL = &a.URL
		case diff.FieldEvents:
			// Plain replaces the whole list, so send all desired events,
			// not just the added ones.
			in.EventTypes = slices.Clone(a.EventTypes)
			if in.EventTypes == nil {
				in.EventTypes = []string{}
			}
		case diff.FieldVersion:
			in.Version = &a.Version
		case diff.FieldEnabled:
			in.Enabled = &a.Enabled
		default:
			return in, fmt.Errorf("unknown field %q in the plan", f.Field)
		}
	}
	return in, nil
}

// updateLanded reports whether t already has every value in.
func updateLanded(t plain.Target, in plain.UpdateInput) bool {
	if in.URL != nil && t.URL != *in.URL {
		return false
	}
	if in.Description != nil && t.Description != *in.Description {
		return false
	}
	if in.Version != nil && t.Version != *in.Version {
		return false
	}
	if in.Enabled != nil && t.Enabled != *in.Enabled {
		return false
	}
	if in.EventTypes != nil && !slices.Equal(plain.SortedUnique(t.EventTypes), plain.SortedUnique(in.EventTypes)) {
		return false
	}
	return true
}

func (x *executor) update(ctx context.Context, ch diff.Change) (Outcome, string, error) {
	in, err := UpdateInput(ch)
	if err != nil {
		return OutcomeFailed, "", fmt.Errorf("update webhook target \"%s\": %w", ch.Name, err)
	}
	if in.IsEmpty() {
		return OutcomeSkipped, "", skip("the plan lists no changed fields for this update")
	}
	_, err = x.client.UpdateWebhookTarget(ctx, in)
	if err == nil {
		return OutcomeUpdated, "", nil
	}
	if !errors.Is(err, plain.ErrOutcomeUnknown) {
		return OutcomeFailed, "", fmt.Errorf("update webhook target \"%s\" (%s): %w", ch.Name, ch.TargetID, err)
	}
	landed, lerr := x.checkUpdate(ctx, in)
	if lerr != nil {
		return OutcomeFailed, "", fmt.Errorf("update webhook target \"%s\" (%s): %w; checking whether it landed failed: %w; run plan again", ch.Name, ch.TargetID, err, lerr)
	}
	if landed {
		return OutcomeUpdated, "", nil
	}
	// Updates are idempotent, but retry only once all the same: a second
	// unknown outcome points at a problem that more retries will not fix.
	_, err = x.client.UpdateWebhookTarget(ctx, in)
	if err == nil {
		return OutcomeUpdated, "", nil
	}
	if errors.Is(err, plain.ErrOutcomeUnknown) {
		if landed, lerr := x.checkUpdate(ctx, in); lerr == nil && landed {
			return OutcomeUpdated, "", nil
		}
	}
	return OutcomeFailed, "", fmt.Errorf("update webhook target \"%s\" (%s) (retry after an unknown outcome): %w; run plan again", ch.Name, ch.TargetID, err)
}

// checkUpdate re-reads live state and reports whether the target already
// has the desired values.
func (x *executor) checkUpdate(ctx context.Context, in plain.UpdateInput) (bool, error) {
	targets, err := x.client.ListWebhookTargets(ctx)
	if err != nil {
		return false, fmt.Errorf("check whether the update landed: %w", err)
	}
	for _, t := range targets {
		if t.ID == in.ID {
			return updateLanded(t, in), nil
		}
	}
	return false, fmt.Errorf("target %s no longer exists", in.ID)
}

func (x *executor) delete(ctx context.Context, ch diff.Change) (Outcome, string, error) {
	if ch.TargetID == "" {
		return OutcomeFailed, "", fmt.Errorf("delete webhook target \"%s\": the plan has no target id for it", ch.Name)
	}
	err := x.client.DeleteWebhookTarget(ctx, ch.TargetID)
	if err == nil {
		return OutcomeDeleted, "", nil
	}
	if !errors.Is(err, plain.ErrOutcomeUnknown) {
		return OutcomeFailed, "", fmt.Errorf("delete webhook target \"%s\" (%s): %w", ch.Name, ch.TargetID, err)
	}
	gone, lerr := x.checkGone(ctx, ch.TargetID)
	if lerr != nil {
		return OutcomeFailed, "", fmt.Errorf("delete webhook target \"%s\" (%s): %w; checking whether it landed failed: %w; run plan again", ch.Name, ch.TargetID, err, lerr)
	}
	if gone {
		return OutcomeDeleted, "", nil
	}
	// Deleting is idempotent, so one retry is safe.
	err = x.client.DeleteWebhookTarget(ctx, ch.TargetID)
	if err == nil {
		return OutcomeDeleted, "", nil
	}
	// The retry may fail because the first attempt landed after all (Plain
	// then reports the target as not found), so look once more whatever
	// the error.
	if gone, lerr := x.checkGone(ctx, ch.TargetID); lerr == nil && gone {
		return OutcomeDeleted, "", nil
	}
	return OutcomeFailed, "", fmt.Errorf("delete webhook target \"%s\" (%s) (retry after an unknown outcome): %w; run plan again", ch.Name, ch.TargetID, err)
}

// checkGone re-reads live state and reports whether id is absent.
func (x *executor) checkGone(ctx context.Context, id string) (bool, error) {
	targets, err := x.client.ListWebhookTargets(ctx)
	if err != nil {
		return false, fmt.Errorf("check whether the delete landed: %w", err)
	}
	for _, t := range targets {
		if t.ID == id {
			return false, nil
		}
	}
	return true, nil
}
