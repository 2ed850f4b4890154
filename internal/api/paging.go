package api

import (
	"context"
	"fmt"
	"sync/atomic"
)

// pageInfo is a Relay connection's PageInfo, as much as plainsync reads.
type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

// page is one page of a Relay connection of N nodes (Plain's
// WebhookTargetConnection, WebhookVersionConnection and
// WebhookDeliveryAttemptConnection all have edges { node } and pageInfo).
type page[N any] struct {
	Edges []struct {
		Node N `json:"node"`
	} `json:"edges"`
	PageInfo pageInfo `json:"pageInfo"`
}

// pager guards a Relay pagination loop against a server that says there is
// a next page but does not move its cursor, or moves it without returning
// anything new, or keeps returning new items without end: each would loop
// forever or exhaust memory. The caps sit far above anything Plain holds
// (25 webhook targets per workspace), so only a broken or hostile server
// reaches them.
type pager struct {
	what  string
	limit listingLimit
	bytes *byteCount // response bytes read for this listing; nil: not counted
	pages int
	seen  map[string]bool
}

// listingLimit bounds one listing: pages read, items kept, response bytes.
type listingLimit struct {
	pages, items int
	bytes        int64
}

// Caps of each listing. Targets and versions: Plain has at most 25 targets
// per workspace and a handful of versions. Delivery attempts are many, but
// the commands that read them stop far earlier.
var (
	targetLimit   = listingLimit{pages: 100, items: 10_000, bytes: 64 << 20}
	versionLimit  = listingLimit{pages: 100, items: 10_000, bytes: 64 << 20}
	attemptsLimit = listingLimit{pages: 1_000, items: 100_000, bytes: 256 << 20}
)

// byteCount counts the response bytes the transport reads for requests
// whose context carries it (see countBytes).
type byteCount struct{ n atomic.Int64 }

type byteCountKey struct{}

// countBytes returns ctx carrying a fresh byteCount.
func countBytes(ctx context.Context) (context.Context, *byteCount) {
	bc := &byteCount{}
	return context.WithValue(ctx, byteCountKey{}, bc), bc
}

// next returns the cursor of the next page; added is how many new items the
// page just read contributed and total how many the listing holds now.
func (p *pager) next(pi pageInfo, added, total int) (after string, more bool, err error) {
	p.pages++
	if p.limit.items > 0 && total > p.limit.items {
		return "", false, fmt.Errorf("listing %s: more than %d of them, the most plainsync reads; the server is not behaving like Plain", p.what, p.limit.items)
	}
	if p.bytes != nil && p.limit.bytes > 0 && p.bytes.n.Load() > p.limit.bytes {
		return "", false, fmt.Errorf("listing %s: more than %d MiB of responses, the most plainsync reads; the server is not behaving like Plain", p.what, p.limit.bytes>>20)
	}
	if !pi.HasNextPage {
		return "", false, nil
	}
	if p.limit.pages > 0 && p.pages >= p.limit.pages {
		return "", false, fmt.Errorf("listing %s: still more after %d pages, the most plainsync reads; the server is not behaving like Plain", p.what, p.limit.pages)
	}
	if pi.EndCursor == "" || p.seen[pi.EndCursor] {
		return "", false, fmt.Errorf("listing %s: pagination cursor did not advance", p.what)
	}
	if added == 0 {
		return "", false, fmt.Errorf("listing %s: a page with no progress (nothing new) claims another page follows", p.what)
	}
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[pi.EndCursor] = true
	return pi.EndCursor, true, nil
}

// listing is one Relay listing in progress: the items its pages brought,
// the cursor of the next page and the pager that bounds it. Every listing
// plainsync reads goes through add, whether one at a time (readAll) or many
// side by side (ListDeliveryAttemptsForTargets).
type listing[N, T any] struct {
	p     *pager
	out   []T
	after string // cursor of the next page; "" before the first
	// keep turns a node into an item; false drops it (a duplicate).
	keep func(N) (T, bool)
	// max stops the listing after that many items; 0: no maximum.
	max int
	// done, when set, stops the listing after a page: out is the items
	// so far, of which those from before are older pages'.
	done func(out []T, before int) bool
}

// newListing starts a listing of what (for errors) under limit, counting
// the response bytes in bc.
func newListing[N, T any](what string, limit listingLimit, bc *byteCount, keep func(N) (T, bool)) *listing[N, T] {
	return &listing[N, T]{p: &pager{what: what, limit: limit, bytes: bc}, out: []T{}, keep: keep}
}

// first is the page size to ask for next: PageSize, or less when max is
// nearer.
func (l *listing[N, T]) first() int {
	if l.max > 0 {
		return min(PageSize, l.max-len(l.out))
	}
	return PageSize
}

// vars sets the paging variables of the next request, named
// first<suffix> and after<suffix> (after only past the first page).
func (l *listing[N, T]) vars(vars map[string]any, suffix string) {
	vars["first"+suffix] = l.first()
	if l.after != "" {
		vars["after"+suffix] = l.after
	}
}

// add takes one page into the listing and says whether to read the next
// one (from l.after). A listing stops when max or done says so, before the
// pager judges the page, and otherwise when the pager says so.
func (l *listing[N, T]) add(pg *page[N]) (more bool, err error) {
	before := len(l.out)
	for _, e := range pg.Edges {
		if l.full() {
			break
		}
		if t, ok := l.keep(e.Node); ok {
			l.out = append(l.out, t)
		}
	}
	if l.full() || (l.done != nil && l.done(l.out, before)) {
		return false, nil
	}
	l.after, more, err = l.p.next(pg.PageInfo, len(l.out)-before, len(l.out))
	return more, err
}

func (l *listing[N, T]) full() bool { return l.max > 0 && len(l.out) >= l.max }

// readAll reads the listing to its end: first is a page already in hand
// (nil: none), fetch reads the page after a cursor with l.vars.
func (l *listing[N, T]) readAll(first *page[N], fetch func(vars map[string]any) (*page[N], error)) ([]T, error) {
	pg := first
	for {
		if pg == nil {
			vars := map[string]any{}
			l.vars(vars, "")
			var err error
			if pg, err = fetch(vars); err != nil {
				return nil, err
			}
		}
		more, err := l.add(pg)
		if err != nil {
			return nil, err
		}
		if !more {
			return l.out, nil
		}
		pg = nil
	}
}

// keepAll keeps every node as it is.
func keepAll[N any](n N) (N, bool) { return n, true }
