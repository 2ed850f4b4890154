package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/plainsync/plainsync/internal/plain"
)

type attemptPage struct {
	Edges []struct {
		Node wireAttempt `json:"node"`
	} `json:"edges"`
	PageInfo pageInfo `json:"pageInfo"`
}

// batchListing is one target's listing inside ListDeliveryAttemptsForTargets.
type batchListing struct {
	id    string
	out   []plain.DeliveryAttempt
	after string
	p     *pager
}

// ListDeliveryAttemptsForTargets reads the delivery attempts of many
// targets at once, each filtered by f exactly as ListDeliveryAttempts
// filters one (Limit and Since apply to each target on its own). It asks
// with one alias per target, MaxAttemptAliases targets per request, and
// asks a target again, for its next page, only while Plain says it has one
// and neither Limit nor Since has stopped it: N targets whose attempts fit
// a page cost ceil(N/MaxAttemptAliases) requests, not N.
//
// The result holds every target asked about (an empty list for one
// without attempts), in Plain's order.
func (c *Client) ListDeliveryAttemptsForTargets(ctx context.Context, targetIDs []string, f DeliveryFilter) (map[string][]plain.DeliveryAttempt, error) {
	const op = "DeliveryAttemptsBatch"
	if f.Limit < 0 {
		return nil, fmt.Errorf("ListDeliveryAttemptsForTargets: negative limit %d", f.Limit)
	}
	filters, err := f.wire("ListDeliveryAttemptsForTargets")
	if err != nil {
		return nil, err
	}
	ctx, bc := countBytes(ctx)
	res := make(map[string][]plain.DeliveryAttempt, len(targetIDs))
	var all []*batchListing
	for _, id := range targetIDs {
		if id == "" {
			return nil, errors.New("ListDeliveryAttemptsForTargets: empty target id")
		}
		if _, dup := res[id]; dup {
			continue
		}
		res[id] = nil
		all = append(all, &batchListing{id: id, out: []plain.DeliveryAttempt{}, p: &pager{what: "delivery attempts", limit: attemptsLimit, bytes: bc}})
	}
	pending := all
	for len(pending) > 0 {
		var more []*batchListing
		for start := 0; start < len(pending); start += MaxAttemptAliases {
			chunk := pending[start:min(start+MaxAttemptAliases, len(pending))]
			vars := map[string]any{}
			if len(filters) > 0 {
				vars["filters"] = filters
			}
			for i, l := range chunk {
				n := strconv.Itoa(i)
				first := PageSize
				if f.Limit > 0 {
					first = min(PageSize, f.Limit-len(l.out))
				}
				vars["id"+n] = l.id
				vars["first"+n] = first
				if l.after != "" {
					vars["after"+n] = l.after
				}
			}
			var resp map[string]*attemptPage
			if err := c.run(ctx, op, docAttemptsBatch[len(chunk)], vars, false, &resp); err != nil {
				return nil, err
			}
			for i, l := range chunk {
				page := resp["t"+strconv.Itoa(i)]
				if page == nil {
					return nil, fmt.Errorf("%s: unexpected response shape: no answer for target %q", opPhrase(op), l.id)
				}
				next, err := l.take(page, f)
				if err != nil {
					return nil, err
				}
				if next {
					more = append(more, l)
				}
			}
		}
		pending = more
	}
	for _, l := range all {
		res[l.id] = l.out
	}
	return res, nil
}

// take adds a page to l's listing and says whether to read the next one.
func (l *batchListing) take(page *attemptPage, f DeliveryFilter) (bool, error) {
	before := len(l.out)
	for _, e := range page.Edges {
		if f.Limit > 0 && len(l.out) >= f.Limit {
			break
		}
		l.out = append(l.out, e.Node.attempt())
	}
	if f.Limit > 0 && len(l.out) >= f.Limit {
		return false, nil
	}
	if !f.Since.IsZero() && len(l.out) > before && l.out[len(l.out)-1].AttemptedAt.Before(f.Since) {
		return false, nil
	}
	after, more, err := l.p.next(page.PageInfo, len(l.out)-before, len(l.out))
	if err != nil {
		return false, err
	}
	l.after = after
	return more, nil
}
