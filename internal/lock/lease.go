package lock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// Client is what a lease needs from Plain. internal/api's client has it.
type Client interface {
	ListLeases(ctx context.Context) ([]plain.Target, error)
	CreateWebhookTarget(ctx context.Context, in plain.CreateInput) (plain.Target, error)
	UpdateWebhookTarget(ctx context.Context, in plain.UpdateInput) (plain.Target, error)
	DeleteWebhookTarget(ctx context.Context, id string) error
}

// LeaseURL is where a lease target points. It is disabled, so Plain never
// delivers to it, and .invalid never resolves (RFC 2606) should it ever be
// enabled by hand.
const LeaseURL = "https://plainsync.invalid/lease"

// Defaults of LeaseOptions.
const (
	DefaultTTL  = 2 * time.Minute
	DefaultPoll = time.Second
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
	// EventType is the one event the disabled lease target subscribes to:
	// Plain requires at least one.
	EventType string
	// Waiting, if set, is called once when the lease is held by another
	// run and this one starts to wait.
	Waiting func(holder string, until time.Time)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Lease is a held apply lease.
type Lease struct {
	c      Client
	id     string
	holder string
	ttl    time.Duration
	now    func() time.Time
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

// leaseInfo is a lease target as parsed from its description.
type leaseInfo struct {
	t      plain.Target
	holder string
	until  time.Time
}

// describe is a lease's description.
func describe(holder string, until time.Time) string {
	return fmt.Sprintf("%s v1 holder=%s until=%s", plain.LeasePrefix, holder, until.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
}

// parse reads a lease target. A description that does not parse (a lease
// written by hand, or by a future version) expires ttl after its last
// update, so that it can never block applies for good.
func parse(t plain.Target, ttl time.Duration) leaseInfo {
	li := leaseInfo{t: t}
	for _, f := range strings.Fields(strings.TrimPrefix(t.Description, plain.LeasePrefix)) {
		switch {
		case strings.HasPrefix(f, "holder="):
			li.holder = strings.TrimPrefix(f, "holder=")
		case strings.HasPrefix(f, "until="):
			li.until, _ = time.Parse(time.RFC3339, strings.TrimPrefix(f, "until="))
		}
	}
	if li.until.IsZero() {
		last := t.UpdatedAt
		if last.IsZero() {
			last = t.CreatedAt
		}
		if !last.IsZero() {
			li.until = last.Add(ttl)
		}
	}
	return li
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
func AcquireLease(ctx context.Context, c Client, o LeaseOptions) (*Lease, error) {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
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
	deadline := o.Now().Add(o.Timeout)
	waiting := false
	for {
		others, err := liveLeases(ctx, c, o, "")
		if err != nil {
			return nil, err
		}
		if len(others) == 0 {
			// A create or delete that is abandoned halfway leaves its
			// outcome unknown: they run to the end even after Ctrl-C, and
			// a lease won meanwhile is given back at once.
			l, won, err := tryCreate(context.WithoutCancel(ctx), c, o)
			if err != nil {
				return nil, err
			}
			if won && ctx.Err() != nil {
				_ = l.delete(context.WithoutCancel(ctx))
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
			holder := others[0]
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

// liveLeases lists the leases, deletes the stale ones and returns the
// others except mine (by target id), oldest first.
func liveLeases(ctx context.Context, c Client, o LeaseOptions, mine string) ([]leaseInfo, error) {
	ts, err := c.ListLeases(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply lease: list leases: %w", err)
	}
	var out []leaseInfo
	for _, t := range ts {
		if t.ID == mine {
			continue
		}
		li := parse(t, o.TTL)
		if li.stale(o.Now(), o.TTL) {
			// Its holder died without releasing it. A failed delete is
			// no reason to stop: the next look tries again.
			_ = c.DeleteWebhookTarget(ctx, t.ID)
			continue
		}
		out = append(out, li)
	}
	sortOldest(out)
	return out, nil
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

// tryCreate creates this run's lease and reports whether it won: whether
// it is the oldest live lease once created. A lost lease is deleted.
func tryCreate(ctx context.Context, c Client, o LeaseOptions) (*Lease, bool, error) {
	in := plain.CreateInput{
		URL:         LeaseURL,
		Description: describe(o.Holder, o.Now().Add(o.TTL)),
		EventTypes:  []string{o.EventType},
		Enabled:     false,
	}
	t, err := c.CreateWebhookTarget(ctx, in)
	if err != nil && !errors.Is(err, plain.ErrOutcomeUnknown) {
		return nil, false, fmt.Errorf("apply lease: create the lease target: %w", err)
	}
	if err != nil {
		// The lease may have landed; the holder id finds it. If it has
		// not, the next look creates it again: a second lease of one
		// holder is harmless, and the extra one expires.
		ts, lerr := c.ListLeases(ctx)
		if lerr != nil {
			return nil, false, fmt.Errorf("apply lease: create the lease target: %w; and listing leases failed: %w", err, lerr)
		}
		found := false
		for _, x := range ts {
			if parse(x, o.TTL).holder == o.Holder {
				t, found = x, true
			}
		}
		if !found {
			return nil, false, nil
		}
	}
	l := &Lease{c: c, id: t.ID, holder: o.Holder, ttl: o.TTL, now: o.Now}
	all, err := c.ListLeases(ctx)
	if err != nil {
		l.delete(ctx)
		return nil, false, fmt.Errorf("apply lease: list leases: %w", err)
	}
	var live []leaseInfo
	for _, x := range all {
		li := parse(x, o.TTL)
		if x.ID == t.ID || !li.stale(o.Now(), o.TTL) {
			live = append(live, li)
		}
	}
	sortOldest(live)
	if len(live) > 0 && live[0].t.ID == t.ID {
		return l, true, nil
	}
	l.delete(ctx)
	return nil, false, nil
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

// Release stops renewing and deletes the lease. ctx should outlive an
// interrupt: the lease must go even after Ctrl-C.
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
		err = l.delete(ctx)
	})
	return err
}

// delete removes the lease target; when the outcome is unknown it checks
// whether the target is gone.
func (l *Lease) delete(ctx context.Context) error {
	err := l.c.DeleteWebhookTarget(ctx, l.id)
	if err == nil {
		return nil
	}
	if ts, lerr := l.c.ListLeases(ctx); lerr == nil {
		gone := true
		for _, t := range ts {
			if t.ID == l.id {
				gone = false
			}
		}
		if gone {
			return nil
		}
	}
	return fmt.Errorf("apply lease: delete the lease target %s: %w (it expires by itself)", l.id, err)
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
