package reconcile

import (
	"errors"
	"fmt"
	"testing"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/plain"
)

// Plain refusing the lease target, and only that, makes apply fall back
// to the local lock: a validation error (its URL, a full workspace), a
// missing permission. An internal error or an unknown outcome is not a
// refusal.
func TestLeaseRefused(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&api.MutationError{Type: "VALIDATION", Code: "input_validation", Fields: []api.FieldError{{Field: "url", Message: "bad host", Type: "VALIDATION"}}}, true},
		{fmt.Errorf("create: %w", &api.MutationError{Type: "VALIDATION", Code: "too_many_webhook_targets"}), true},
		{&api.MutationError{Code: "too_many_webhook_targets"}, true},
		{&api.MutationError{Type: "FORBIDDEN", Code: "forbidden"}, true},
		{&api.MutationError{Type: "INTERNAL", Code: "internal"}, false},
		{fmt.Errorf("502: %w", plain.ErrOutcomeUnknown), false},
		{errors.New("connection refused"), false},
	}
	for _, tc := range cases {
		if got := leaseRefused(tc.err); got != tc.want {
			t.Errorf("leaseRefused(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
