package exitcode

import (
	"errors"
	"fmt"
	"testing"
)

func TestExitCodeMapping(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("boom"), 1},
		{&Error{Code: Drift}, 2},
		{&Error{Code: Failure, Err: errors.New("x")}, 1},
	}
	for _, tc := range cases {
		if got := Of(tc.err); got != tc.want {
			t.Errorf("Of(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	if !Reported(&Error{Code: Drift}) || Reported(&Error{Code: Failure, Err: errors.New("x")}) || Reported(errors.New("x")) {
		t.Fatal("Reported misclassifies")
	}
}

// A wrapped Error still carries its code; its message is its Err's, or
// the exit status when the command reported already.
func TestErrorWrapsAndReads(t *testing.T) {
	inner := errors.New("boom")
	wrapped := fmt.Errorf("ctx: %w", &Error{Code: Changes, Err: inner})
	if Of(wrapped) != Changes || !errors.Is(wrapped, inner) || wrapped.Error() != "ctx: boom" {
		t.Errorf("wrapped: %d %v", Of(wrapped), wrapped)
	}
	if got := (&Error{Code: Drift}).Error(); got != "exit status 2" {
		t.Errorf("reported: %q", got)
	}
}
