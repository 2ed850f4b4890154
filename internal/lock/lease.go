package lock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// Client is what a lease needs from Plain. internal/api's client has it.
type Client interface {
	ListLeases(ctx context.Context) ([]plain.Target, error)
	// Snapshot reads the whole workspace: the look that decides whether
	// a new lease won is one, so that the winner plans against it.
	Snapshot(ctx context.Context) (*plain.Snapshot, error)
	CreateWebhookTarget(ctx context.Context, in plain.CreateInput) (plain.Target, error)
	UpdateWebhookTarget(ctx context.Context, in plain.UpdateInput) (plain.Target, error)
	DeleteWebhookTarget(ctx context.Context, id string) error
}

// LeaseURL is where a lease target points (see plain.LeaseURL).
const LeaseURL = plain.LeaseURL

// ErrRefused is wrapped by AcquireLease's error when Plain refuses to
// create the lease target (LeaseOptions.Refused says which errors are
// refusals): the caller falls back to the local lock rather than fail.
//
//lint:ignore ST1005 Plain is a proper noun; the message is shown as is.
var ErrRefused = errors.New("Plain refused the apply lease target")

// Defaults of LeaseOptions.
const (
	DefaultTTL  = plain.LeaseTTL
	DefaultPoll = time.Second
	// DefaultRetry is the first pause between attempts to delete a lease.
	DefaultRetry = 250 * time.Millisecond
)

// LeaseOptions tune AcquireLease.
type LeaseOptions struct {
	// Holder identifies this run in the lease; "" makes a random one.
	Holder string
	// TTL is how long a lease stays valid without renewal; the holder
	// renews it every TTL/3. 0 means DefaultTTL.
	TTL time.Duration
	// Timeout bounds the wait for another holder's lease to go away.
	Timeout time.Duration
	// Poll is the pause between looks at the leases (with jitter); 0
	// means DefaultPoll.
	Poll time.Duration
	// Retry is the first pause between attempts to delete a lease (it
	// doubles); 0 means DefaultRetry.
	Retry time.Duration
	// EventType is the one event the disabled lease target subscribes to:
	// Plain requires at least one.
	EventType string
	// Waiting, if set, is called once when the lease is held by another
	// run and this one starts to wait.
	Waiting func(holder string, until time.Time)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Refused, if set, reports whether an error of the lease's create is
	// Plain refusing the target for good (a validation error on its URL,
	// a missing permission, no free slot): AcquireLease then returns at
	// once with an error wrapping ErrRefused.
	Refused func(error) bool
	// Protected, if set, names targets that are never deleted, expired
	// leases included (those an ignore: rule of the file covers).
	Protected func(plain.Target) bool
	// Deleted, if set, is called for every lease deleted: own tells this
	// run's own from another run's expired one.
	Deleted func(id string, own bool)
	// NotHonoured, if set, is called once per target that is a lease in
	// every respect but an end further ahead than any lease can have
	// (TTL plus half a TTL of clock skew): it blocks nothing and is never
	// deleted.
	NotHonoured func(id string, until time.Time)
	// Seen, if set, is the workspace as the caller last read it (the
	// snapshot its plan was computed from). When its leases leave nothing
	// to wait for or remove, AcquireLease creates its lease at once,
	// without listing first: whether the lease won is decided by the
	// listing after the create in any case. Otherwise (a lease of
	// another run, live or expired) it lists afresh before acting.
	Seen *plain.Snapshot
}

// protected reports whether o protects t from deletion.
func (o LeaseOptions) protected(t plain.Target) bool {
	return o.Protected != nil && o.Protected(t)
}

// deleted reports a deleted lease.
func (o LeaseOptions) deleted(id string, own bool) {
	if o.Deleted != nil {
		o.Deleted(id, own)
	}
}

// Lease is a held apply lease.
type Lease struct {
	o      LeaseOptions
	c      Client
	id     string
	holder string
	ttl    time.Duration
	retry  time.Duration
	now    func() time.Time
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	// snap is the workspace as read when the lease was won.
	snap *plain.Snapshot
	// doubt is set when acquiring left something unsure (a create or a
	// delete whose outcome is unknown or that failed, an adopted lease):
	// Release then checks the listing for leases to remove, rather than
	// trusting a delete that succeeded.
	doubt bool
}

// acquiring is what AcquireLease learns on its way.
type acquiring struct {
	created bool // a create was sent
	doubt   bool // see Lease.doubt
}

// leaseInfo is a lease target as parsed from its description.
type leaseInfo struct {
	t      plain.Target
	holder string
	until  time.Time
}

// describe is a lease's description.
func describe(holder string, until time.Time) string {
	return fmt.Sprintf("%s v1 holder=%s until=%s", plain.LeasePrefix, holder, until.UTC().Format(plain.LeaseTimeLayout))
}

// leaseKind sorts what a listing shows.
type leaseKind int

const (
	notLease leaseKind = iota // anything else: never deleted, never blocks
	tooFar                    // a lease but for its end: not honoured, never deleted
	isLease
)

// parse reads t as a lease at now. It is one only if everything says so
// (plain.ParseLease: the lease URL, disabled, the exact description) and
// its end is no further ahead than ttl plus half a ttl of clock skew: a
// plainsync run never writes a later one, so a lease "until 2099" is a
// forgery or a mistake, and honouring it would stop every apply for good.
func parse(t plain.Target, now time.Time, ttl time.Duration) (leaseInfo, leaseKind) {
	holder, until, ok := plain.ParseLease(t)
	if !ok {
		return leaseInfo{}, notLease
	}
	li := leaseInfo{t: t, holder: holder, until: until}
	if until.After(now.Add(ttl + ttl/2)) {
		return li, tooFar
	}
	return li, isLease
}

// stale reports whether a lease has expired, allowing for clocks that
// disagree by up to half a TTL.
func (li leaseInfo) stale(now time.Time, ttl time.Duration) bool {
	return li.until.IsZero() || now.After(li.until.Add(ttl/2))
}

// AcquireLease takes the workspace's apply lease: it waits (up to
// o.Timeout) while another run holds a live one, deletes expired ones,
// creates its own and keeps it only if it is the oldest live lease. The
// lease is renewed in the background until Release.
//
// A lease of this holder found in a listing (a create whose response was
// lost, committed all the same) is adopted if it is the oldest live
// lease, and deleted otherwise; one is never created beside another. When
// AcquireLease gives up it deletes whatever leases of its holder it can
// still see, so that a lost create does not linger until it expires.
func AcquireLease(ctx context.Context, c Client, o LeaseOptions) (*Lease, error) {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Retry <= 0 {
		o.Retry = DefaultRetry
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Holder == "" {
		o.Holder = NewHolder()
	}
	if o.EventType == "" {
		return nil, errors.New("apply lease: no event type for the lease target")
	}
	if o.NotHonoured != nil {
		// Once per target, however many looks see it.
		seen := map[string]bool{}
		var mu sync.Mutex
		report := o.NotHonoured
		o.NotHonoured = func(id string, until time.Time) {
			mu.Lock()
			first := !seen[id]
			seen[id] = true
			mu.Unlock()
			if first {
				report(id, until)
			}
		}
	}
	st := &acquiring{}
	l, err := acquire(ctx, c, o, st)
	if l != nil {
		l.doubt = st.doubt
	}
	if err != nil && st.created {
		// A lease of this run may be left (a create whose response was
		// lost, a loser's delete that failed). The clean-up runs even
		// after Ctrl-C, bounded by its attempts.
		_, _, _ = removeLeases(context.WithoutCancel(ctx), c, o, func(li leaseInfo) bool {
			return li.holder == o.Holder || li.stale(o.Now(), o.TTL)
		}, false)
	}
	return l, err
}

// acquire is AcquireLease's loop; it records in st what it sent.
func acquire(ctx context.Context, c Client, o LeaseOptions, st *acquiring) (*Lease, error) {
	deadline := o.Now().Add(o.Timeout)
	waiting := false
	for first := true; ; first = false {
		var v leaseView
		var err error
		if seen := o.Seen; first && seen != nil {
			// The caller's snapshot stands for the first look when it
			// shows no lease to wait for or remove.
			v = view(seen.Leases, o)
		}
		if !first || o.Seen == nil || len(v.mine)+len(v.others)+len(v.stale) > 0 {
			if v, err = look(ctx, c, o); err != nil {
				return nil, err
			}
		}
		for _, li := range v.stale {
			// Its holder died without releasing it. A failed delete is no
			// reason to stop, and an expired lease blocks no one: the next
			// look tries again, and so does Release. One an ignore: rule
			// covers is left alone.
			if o.protected(li.t) {
				continue
			}
			if c.DeleteWebhookTarget(ctx, li.t.ID) == nil {
				o.deleted(li.t.ID, false)
			} else {
				st.doubt = true
			}
		}
		if len(v.mine) > 0 || len(v.others) == 0 {
			// Mutations run to the end even after Ctrl-C (their outcome
			// would be unknown otherwise), and a lease won meanwhile is
			// given back at once.
			mctx := context.WithoutCancel(ctx)
			var l *Lease
			var won bool
			if len(v.mine) > 0 {
				// An earlier create of this run landed after all.
				st.doubt = true
				l, won, err = settle(mctx, c, o, nil, st)
			} else {
				st.created = true
				l, won, err = tryCreate(mctx, c, o, st)
			}
			if err != nil {
				return nil, err
			}
			if won && ctx.Err() != nil {
				l.doubt = st.doubt
				if err := l.release(mctx); err != nil {
					return nil, fmt.Errorf("taking the apply lease: %w; %w", context.Cause(ctx), err)
				}
				return nil, fmt.Errorf("taking the apply lease: %w", context.Cause(ctx))
			}
			if won {
				l.start()
				return l, nil
			}
			// Lost a race, or the create's outcome is unknown and it has
			// not appeared: look again after a pause, within the deadline.
			if !o.Now().Before(deadline) {
				return nil, fmt.Errorf("%w: could not take the apply lease of this workspace within %s (raise --lock-timeout to wait longer)", ErrTimeout, o.Timeout)
			}
		} else {
			holder := v.others[0]
			if !o.Now().Before(deadline) {
				return nil, fmt.Errorf("%w: another plainsync run (%s) holds the apply lease of this workspace until %s; waited %s (raise --lock-timeout to wait longer)",
					ErrTimeout, holder.holder, holder.until.UTC().Format(time.RFC3339), o.Timeout)
			}
			if !waiting && o.Waiting != nil {
				o.Waiting(holder.holder, holder.until)
			}
			waiting = true
		}
		if err := sleep(ctx, min(jitter(o.Poll), time.Until(deadline)+time.Millisecond)); err != nil {
			return nil, fmt.Errorf("waiting for the apply lease: %w", err)
		}
	}
}

// leaseView is one look at a workspace's leases.
type leaseView struct {
	mine   []leaseInfo // this holder's, oldest first, expired or not
	others []leaseInfo // other holders' live leases, oldest first
	stale  []leaseInfo // other holders' expired leases
}

// look lists the leases and sorts them into a leaseView.
func look(ctx context.Context, c Client, o LeaseOptions) (leaseView, error) {
	ts, err := c.ListLeases(ctx)
	if err != nil {
		return leaseView{}, fmt.Errorf("apply lease: list leases: %w", err)
	}
	return view(ts, o), nil
}

// view sorts the leases among ts into a leaseView.
func view(ts []plain.Target, o LeaseOptions) leaseView {
	var v leaseView
	now := o.Now()
	for _, t := range ts {
		li, kind := parse(t, now, o.TTL)
		if kind == tooFar && o.NotHonoured != nil {
			o.NotHonoured(t.ID, li.until)
		}
		if kind != isLease {
			continue
		}
		switch {
		case li.holder == o.Holder:
			v.mine = append(v.mine, li)
		case li.stale(o.Now(), o.TTL):
			v.stale = append(v.stale, li)
		default:
			v.others = append(v.others, li)
		}
	}
	sortOldest(v.mine)
	sortOldest(v.others)
	return v
}

// sortOldest orders leases by creation, then id: the order Plain
// committed them in, which every contender sees alike.
func sortOldest(ls []leaseInfo) {
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i].t, ls[j].t
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	})
}

// tryCreate creates this run's lease and settles whether it won. A create
// whose outcome is unknown is settled the same way: the holder id finds
// it in the listing if it landed.
func tryCreate(ctx context.Context, c Client, o LeaseOptions, st *acquiring) (*Lease, bool, error) {
	in := plain.CreateInput{
		URL:         LeaseURL,
		Description: describe(o.Holder, o.Now().Add(o.TTL)),
		EventTypes:  []string{o.EventType},
		Enabled:     false,
	}
	t, err := c.CreateWebhookTarget(ctx, in)
	if err != nil && !errors.Is(err, plain.ErrOutcomeUnknown) && o.Refused != nil && o.Refused(err) {
		// Plain applied nothing (a MutationError), so nothing is left.
		return nil, false, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if err != nil && !errors.Is(err, plain.ErrOutcomeUnknown) {
		return nil, false, fmt.Errorf("apply lease: create the lease target: %w", err)
	}
	var created *plain.Target
	if err == nil {
		created = &t
	} else {
		st.doubt = true
	}
	return settle(ctx, c, o, created, st)
}

// settle reads the workspace again and reports whether this holder won:
// whether its oldest lease (created, when the create's response arrived,
// is one even if the listing does not show it yet) is the oldest live
// lease. The winner keeps that one and deletes any other of its own; a
// loser deletes all of its own.
//
// The read is a whole snapshot, kept with the lease won (Lease.Snapshot):
// every earlier holder had let its lease go before it (else that lease
// would be older and live), and so had finished writing, so the winner
// plans against it without reading the workspace once more.
func settle(ctx context.Context, c Client, o LeaseOptions, created *plain.Target, st *acquiring) (*Lease, bool, error) {
	snap, err := c.Snapshot(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("apply lease: list leases: %w", err)
	}
	all := slices.Clone(snap.Leases)
	if created != nil && !slices.ContainsFunc(all, func(x plain.Target) bool { return x.ID == created.ID }) {
		all = append(all, *created)
	}
	var live []leaseInfo
	var mine []string
	now := o.Now()
	for _, x := range all {
		li, kind := parse(x, now, o.TTL)
		if kind != isLease {
			continue
		}
		if li.holder == o.Holder {
			mine = append(mine, x.ID)
		}
		// An expired lease counts for no one, this holder's included (a
		// create that landed very late): others may already take it
		// over, so winning on it could make two writers. It is deleted
		// with this holder's others, and a fresh one decides.
		if !li.stale(o.Now(), o.TTL) {
			live = append(live, li)
		}
	}
	sortOldest(live)
	if len(live) == 0 || live[0].holder != o.Holder {
		// Lost, or nothing landed: none of this holder's leases may stay.
		// A delete that fails is tried again at the next look, which
		// finds the lease among this holder's, and when AcquireLease
		// gives up.
		for _, id := range mine {
			if c.DeleteWebhookTarget(ctx, id) == nil {
				o.deleted(id, true)
			} else {
				st.doubt = true
			}
		}
		return nil, false, nil
	}
	l := &Lease{o: o, c: c, id: live[0].t.ID, holder: o.Holder, ttl: o.TTL, retry: o.Retry, now: o.Now, snap: snap}
	for _, id := range mine {
		if id != l.id {
			// A second lease of this holder (an earlier create that
			// landed late); Release retries it if this fails.
			st.doubt = true
			if c.DeleteWebhookTarget(ctx, id) == nil {
				o.deleted(id, true)
			}
		}
	}
	return l, true, nil
}

// start renews the lease every TTL/3 until Release.
func (l *Lease) start() {
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(l.done)
		tick := time.NewTicker(l.ttl / 3)
		defer tick.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-tick.C:
				desc := describe(l.holder, l.now().Add(l.ttl))
				ctx, cancel := context.WithTimeout(context.Background(), l.ttl/3)
				// A failed renewal is retried at the next tick; the TTL
				// leaves room for two misses.
				_, _ = l.c.UpdateWebhookTarget(ctx, plain.UpdateInput{ID: l.id, Description: &desc})
				cancel()
			}
		}
	}()
}

// ID is the lease target's id.
func (l *Lease) ID() string { return l.id }

// Holder is the lease's holder id.
func (l *Lease) Holder() string { return l.holder }

// Snapshot is the workspace as read when the lease was won, after every
// earlier holder had finished: what the holder plans against, instead of
// reading the workspace again. Its Leases may lack this lease.
func (l *Lease) Snapshot() *plain.Snapshot { return l.snap }

// Release stops renewing and deletes the lease, and with it any other
// lease of its holder and any expired lease of another (whose holder died
// or could not delete it). When acquiring went cleanly (every create and
// delete answered, nothing adopted) and the delete succeeds, that is all:
// one request. A delete that fails or whose outcome is unknown, or an
// acquisition that left something unsure, is checked by listing the
// leases and retried with backoff, at most releaseAttempts times and
// within ctx. ctx should outlive an interrupt: the lease must go even
// after Ctrl-C.
func (l *Lease) Release(ctx context.Context) error {
	if l == nil {
		return nil
	}
	var err error
	l.once.Do(func() {
		if l.stop != nil {
			close(l.stop)
			<-l.done
		}
		err = l.release(ctx)
	})
	return err
}

// release deletes the lease as Release says.
func (l *Lease) release(ctx context.Context) error {
	o := l.o
	o.Holder, o.TTL, o.Retry, o.Now = l.holder, l.ttl, l.retry, l.now
	_, left, err := removeLeases(ctx, l.c, o, func(li leaseInfo) bool {
		return li.t.ID == l.id || li.holder == l.holder || li.stale(l.now(), l.ttl)
	}, !l.doubt, l.id)
	if err != nil {
		return fmt.Errorf("apply lease: delete lease target(s) %s: %w (a lease expires by itself %s after its last renewal; the next apply deletes it then)",
			strings.Join(left, ", "), err, l.ttl+l.ttl/2)
	}
	return nil
}

// releaseAttempts bounds the rounds of removeLeases.
const releaseAttempts = 5

// removeLeases deletes every lease that want picks, plus the targets ids
// names (this run's own leases, already known). Only leases are picked
// (parse), never one o protects; each lease deleted is reported to
// o.Deleted. A round deletes each, then lists the
// leases to see which are left: a delete whose outcome is unknown may have
// worked, and one that failed is tried again in the next round, after a
// pause that starts at o.Retry and doubles. With final, the first round's
// deletes of ids, when all succeed, are the end: nothing is listed (the
// caller knows there is nothing else). It returns the ids it deleted
// (sent a delete for, and no longer listed); after releaseAttempts rounds,
// or when ctx ends, it gives up and returns those still left too, with the
// last error.
func removeLeases(ctx context.Context, c Client, o LeaseOptions, want func(leaseInfo) bool, final bool, ids ...string) (deleted, left []string, err error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Retry <= 0 {
		o.Retry = DefaultRetry
	}
	pending := slices.Clone(ids)
	var tried []string
	gone := func() []string {
		var out []string
		for _, id := range tried {
			if !slices.Contains(pending, id) {
				out = append(out, id)
			}
		}
		return out
	}
	// owner remembers whose each lease was, for o.Deleted.
	owner := map[string]bool{}
	for _, id := range ids {
		owner[id] = true
	}
	report := func(del []string) []string {
		for _, id := range del {
			o.deleted(id, owner[id])
		}
		return del
	}
	listed := false
	pause := o.Retry
	var last error
	for round := 1; ; round++ {
		failed := false
		if !listed && len(pending) == 0 {
			// Nothing known yet: list first to find what want picks.
			if ts, err := c.ListLeases(ctx); err != nil {
				last, failed = err, true
			} else {
				pending, listed = pick(ts, o, want, ids), true
			}
		}
		for _, id := range pending {
			if !slices.Contains(tried, id) {
				tried = append(tried, id)
			}
			if err := c.DeleteWebhookTarget(ctx, id); err != nil {
				last, failed = err, true
			}
		}
		if final && round == 1 && !listed && !failed && len(pending) > 0 {
			pending = nil
			return report(gone()), nil, nil
		}
		if listed && len(pending) == 0 {
			return report(gone()), nil, nil
		}
		if ts, err := c.ListLeases(ctx); err != nil {
			last, failed = err, true
		} else {
			// Only what the listing still shows is left.
			pending, listed = pick(ts, o, want, ids), true
			if len(pending) == 0 {
				return report(gone()), nil, nil
			}
		}
		if round >= releaseAttempts {
			break
		}
		if failed {
			if err := sleep(ctx, jitter(pause)); err != nil {
				last = err
				break
			}
			pause *= 2
		}
	}
	if last == nil {
		last = errors.New("still listed after every attempt")
	}
	return report(gone()), pending, last
}

// pick returns the ids of the leases in ts that want picks or ids names.
// A target that is not a lease (parse), or one whose end is further ahead
// than a lease's can be, or one o protects, is never picked.
func pick(ts []plain.Target, o LeaseOptions, want func(leaseInfo) bool, ids []string) []string {
	var out []string
	now := o.Now()
	for _, t := range ts {
		li, kind := parse(t, now, o.TTL)
		if kind != isLease || o.protected(t) {
			continue
		}
		if want(li) || slices.Contains(ids, t.ID) {
			out = append(out, t.ID)
		}
	}
	return out
}

// RemoveExpired deletes the expired leases among leases (as a snapshot
// listed them; expired by DefaultTTL and now), retrying as Release does
// with a first pause of retry (0 means DefaultRetry). Only leases are
// deleted (see parse), never a target protected names (nil: none).
// It sends nothing when none has expired; the listing is read again
// before any delete. It returns the ids it removed and, on failure, those
// left with the error.
func RemoveExpired(ctx context.Context, c Client, leases []plain.Target, now time.Time, retry time.Duration, protected func(plain.Target) bool) (removed, left []string, err error) {
	expired := Expired(leases, now, protected)
	if len(expired) == 0 {
		return nil, nil, nil
	}
	// The listing is checked again before any delete: a lease its holder
	// renewed since the snapshot is not expired any more.
	o := LeaseOptions{TTL: DefaultTTL, Retry: retry, Now: func() time.Time { return now }, Protected: protected}
	removed, left, err = removeLeases(ctx, c, o, func(li leaseInfo) bool {
		return slices.Contains(expired, li.t.ID) && li.stale(now, DefaultTTL)
	}, false)
	if err != nil && len(left) == 0 {
		left = expired // the listing failed throughout
	}
	return removed, left, err
}

// Expired returns the ids of the expired leases among targets (by
// DefaultTTL and now) that protected (nil: none) does not name: what
// RemoveExpired would delete. Targets that are not leases are never in it.
func Expired(targets []plain.Target, now time.Time, protected func(plain.Target) bool) []string {
	var out []string
	for _, t := range targets {
		li, kind := parse(t, now, DefaultTTL)
		if kind == isLease && li.stale(now, DefaultTTL) && (protected == nil || !protected(t)) {
			out = append(out, t.ID)
		}
	}
	return out
}

// NotHonoured returns the targets among targets that would be leases but
// for an end further ahead than any lease can have (DefaultTTL plus half
// of it): AcquireLease does not honour them.
func NotHonoured(targets []plain.Target, now time.Time) []plain.Target {
	var out []plain.Target
	for _, t := range targets {
		if _, kind := parse(t, now, DefaultTTL); kind == tooFar {
			out = append(out, t)
		}
	}
	return out
}

// NewHolder returns a random holder id.
func NewHolder() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// jitter returns d scaled by a random factor in [0.5, 1.5), so that
// waiting runs do not poll in step.
func jitter(d time.Duration) time.Duration {
	n, err := rand.Int(rand.Reader, big.NewInt(1000))
	if err != nil {
		return d
	}
	return d/2 + time.Duration(n.Int64())*d/1000
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
