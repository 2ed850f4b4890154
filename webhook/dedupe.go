package webhook

import (
	"context"
	"sync"
)

// MemoryDeduper is a [Deduper] that remembers the last Max event ids in
// memory, for a receiver running as one process. It forgets everything on
// restart; Plain retries a failed event for about 5 days, so a receiver
// with several instances or restarts wants a Deduper backed by its
// database instead.
type MemoryDeduper struct {
	mu    sync.Mutex
	max   int
	seen  map[string]struct{}
	order []string // ring of ids, oldest at next
	next  int
}

// NewMemoryDeduper returns a MemoryDeduper that remembers up to max event
// ids (at least 1), forgetting the oldest first.
func NewMemoryDeduper(max int) *MemoryDeduper {
	if max < 1 {
		max = 1
	}
	return &MemoryDeduper{max: max, seen: make(map[string]struct{})}
}

// Seen reports whether Mark was called for eventID (and not forgotten).
func (d *MemoryDeduper) Seen(_ context.Context, eventID string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.seen[eventID]
	return ok, nil
}

// Mark remembers eventID, forgetting the oldest id when full.
func (d *MemoryDeduper) Mark(_ context.Context, eventID string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.seen[eventID]; ok {
		return nil
	}
	if len(d.order) < d.max {
		d.order = append(d.order, eventID)
	} else {
		delete(d.seen, d.order[d.next])
		d.order[d.next] = eventID
		d.next = (d.next + 1) % d.max
	}
	d.seen[eventID] = struct{}{}
	return nil
}
