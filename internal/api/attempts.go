package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/plainsync/plainsync/internal/plain"
)

// batchListing is one target's listing inside ListDeliveryAttemptsForTargets.
type batchListing struct {
	id string
	*listing[wireAttempt, plain.DeliveryAttempt]
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
		all = append(all, &batchListing{id: id, listing: c.attemptListing(bc, f)})
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
				vars["id"+n] = l.id
				l.vars(vars, n)
			}
			var resp map[string]*page[wireAttempt]
			if err := c.run(ctx, op, docAttemptsBatch[len(chunk)], vars, false, &resp); err != nil {
				return nil, err
			}
			for i, l := range chunk {
				page := resp["t"+strconv.Itoa(i)]
				if page == nil {
					return nil, fmt.Errorf("%s: unexpected response shape: no answer for target %q", opPhrase(op), l.id)
				}
				next, err := l.add(page)
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
