package plainmock

import (
	"sort"
	"strings"
	"testing"
	"time"
)

func TestULIDEncodesTimeLikeTheSpec(t *testing.T) {
	// The ULID spec's example: 1469918176385 ms encodes as 01ARYZ6S41.
	got := encodeULID(1469918176385, 0, 0)
	if !strings.HasPrefix(got, "01ARYZ6S41") || len(got) != 26 {
		t.Fatalf("encodeULID = %s, want prefix 01ARYZ6S41", got)
	}
	if ms, ok := decodeULIDTime(got); !ok || ms != 1469918176385 {
		t.Errorf("decodeULIDTime = %d, %v", ms, ok)
	}
	if _, ok := decodeULIDTime("short"); ok {
		t.Error("decoded a short string")
	}
	if _, ok := decodeULIDTime("ILOU0000000000000000000000"); ok {
		t.Error("decoded non-Crockford characters")
	}
}

func TestULIDsAreMonotonicWithinAMillisecond(t *testing.T) {
	var u ulidSource
	now := time.Date(2026, 5, 11, 10, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 1000 {
		at := now
		if i%100 == 99 {
			at = now.Add(-time.Second) // a clock that steps back
		}
		ids = append(ids, u.next(at))
	}
	if !sort.StringsAreSorted(ids) {
		t.Error("ids are not in creation order")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
	}
}
