package plainmock

import (
	"cmp"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// workspace is one Plain workspace: everything a request authenticated by
// one of its keys sees and changes. As on Plain, the API key decides the
// workspace; workspaces share nothing but the listener. Every field is
// guarded by Server.mu.
type workspace struct {
	info plain.Workspace

	// hmac is the workspace's request-signing secret, what workspaceHmac
	// answers and regenerateWorkspaceHmac replaces; nil until one exists
	// (Plain signs deliveries only when the workspace has a secret).
	hmac *HMAC

	// stateKeys are the keys that came from this workspace's record in the
	// state file; only these are written back (keys from Config stay out of
	// the file).
	stateKeys map[string][]string

	targets  targetIndex
	attempts map[string][]plain.DeliveryAttempt // by webhookTargetId, in attemptLess order
	// events are the request bodies of delivered events by public event id,
	// what publicEventRequestBody answers (publicevents.go).
	events map[string]publicEvent

	// The catalog: what subscriptionEventTypes and webhookVersions answer
	// and what create/update accept. customCatalog records that it came
	// from the state file, so that only then is it written back.
	eventTypes    []plain.EventType
	versions      []plain.WebhookVersion
	customCatalog bool
}

// HMAC is a workspace's request-signing secret with its timestamps, as
// Plain's WorkspaceHmac type reports them.
type HMAC struct {
	Secret    string    `json:"hmacSecret"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func newWorkspace(info plain.Workspace) *workspace {
	return &workspace{
		info:       info,
		targets:    targetIndex{byID: map[string]plain.Target{}},
		attempts:   map[string][]plain.DeliveryAttempt{},
		events:     map[string]publicEvent{},
		eventTypes: eventCatalog,
		versions:   versionCatalog,
	}
}

func (w *workspace) knownEventType(name string) bool {
	for _, e := range w.eventTypes {
		if e.EventType == name {
			return true
		}
	}
	return false
}

func (w *workspace) knownVersion(v string) bool {
	for _, x := range w.versions {
		if x.Version == v {
			return true
		}
	}
	return false
}

func (w *workspace) latestVersion() string {
	for _, x := range w.versions {
		if x.IsLatest {
			return x.Version
		}
	}
	if len(w.versions) > 0 {
		return w.versions[0].Version
	}
	return latestVersion()
}

// addAttempt inserts a at its place in its target's newest-first list.
func (w *workspace) addAttempt(a plain.DeliveryAttempt) {
	list := w.attempts[a.WebhookTargetID]
	i := sort.Search(len(list), func(i int) bool { return !attemptLess(list[i], a) })
	list = append(list, plain.DeliveryAttempt{})
	copy(list[i+1:], list[i:])
	list[i] = a
	w.attempts[a.WebhookTargetID] = list
}

// allAttempts is every attempt, newest first (the state file's order).
func (w *workspace) allAttempts() []plain.DeliveryAttempt {
	out := []plain.DeliveryAttempt{}
	for _, list := range w.attempts {
		out = append(out, list...)
	}
	sort.SliceStable(out, func(i, j int) bool { return attemptLess(out[i], out[j]) })
	return out
}

// targetIndex holds a workspace's targets by id and in listing order
// (createdAt, then id), so that a page is found by binary search and costs
// O(log n + page) rather than a sort of every target.
type targetIndex struct {
	byID  map[string]plain.Target
	order []targetRef
}

type targetRef struct {
	createdAt time.Time
	id        string
}

func (r targetRef) less(o targetRef) bool {
	if !r.createdAt.Equal(o.createdAt) {
		return r.createdAt.Before(o.createdAt)
	}
	return r.id < o.id
}

// key is the cursor key: it sorts as the listing does.
func (r targetRef) key() string {
	return fmt.Sprintf("%020d|%s", r.createdAt.UnixNano(), r.id)
}

// compareAt parses cursor key k once and compares entries with it. A key
// that does not parse (another server's cursor) compares as a string, so
// it still lands at a stable place.
func (x *targetIndex) compareAt(k string) func(i int) int {
	nanos, id, ok := strings.Cut(k, "|")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil || len(nanos) != 20 {
		return func(i int) int { return strings.Compare(x.order[i].key(), k) }
	}
	return func(i int) int {
		r := x.order[i]
		if c := cmp.Compare(r.createdAt.UnixNano(), n); c != 0 {
			return c
		}
		return strings.Compare(r.id, id)
	}
}

func (x *targetIndex) len() int { return len(x.order) }

func (x *targetIndex) get(id string) (plain.Target, bool) {
	t, ok := x.byID[id]
	return t, ok
}

// at is the i-th target in listing order.
func (x *targetIndex) at(i int) plain.Target { return x.byID[x.order[i].id] }

func (x *targetIndex) pos(r targetRef) int {
	return sort.Search(len(x.order), func(i int) bool { return !x.order[i].less(r) })
}

// put inserts t or replaces the target with its id.
func (x *targetIndex) put(t plain.Target) {
	ref := targetRef{createdAt: t.CreatedAt, id: t.ID}
	if old, ok := x.byID[t.ID]; ok {
		if old.CreatedAt.Equal(t.CreatedAt) {
			x.byID[t.ID] = t
			return
		}
		x.remove(t.ID)
	}
	i := x.pos(ref)
	x.order = append(x.order, targetRef{})
	copy(x.order[i+1:], x.order[i:])
	x.order[i] = ref
	x.byID[t.ID] = t
}

func (x *targetIndex) remove(id string) {
	old, ok := x.byID[id]
	if !ok {
		return
	}
	i := x.pos(targetRef{createdAt: old.CreatedAt, id: id})
	x.order = append(x.order[:i], x.order[i+1:]...)
	delete(x.byID, id)
}

// sorted copies every target in listing order.
func (x *targetIndex) sorted() []plain.Target {
	out := make([]plain.Target, len(x.order))
	for i := range x.order {
		out[i] = x.at(i)
	}
	return out
}

// attemptKey sorts ascending in attemptLess order.
func attemptKey(a plain.DeliveryAttempt) string {
	return fmt.Sprintf("%020d|%s", math.MaxInt64-a.AttemptedAt.UnixNano(), a.ID)
}
