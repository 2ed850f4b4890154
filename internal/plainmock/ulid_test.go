package plainmock

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/plainsync/plainsync/internal/plain"
)

func TestIDsHavePlainsShapeAndTime(t *testing.T) {
	u := newULIDSource(nil)
	now := time.Date(2026, 5, 11, 10, 0, 0, 0, time.UTC)
	for _, prefix := range []string{plain.TargetIDPrefix, plain.AttemptIDPrefix, plain.EventIDPrefix} {
		id := u.id(prefix, now)
		m := plain.IDShape.FindStringSubmatch(id)
		if m == nil || m[1]+"_" != prefix {
			t.Fatalf("%q is not %s + a ULID", id, prefix)
		}
		parsed, err := ulid.ParseStrict(strings.TrimPrefix(id, prefix))
		if err != nil || parsed.Time() != uint64(now.UnixMilli()) {
			t.Errorf("%s: ULID time %d (%v), want %d", id, parsed.Time(), err, now.UnixMilli())
		}
	}
}

func TestULIDsAreMonotonicWithinAMillisecond(t *testing.T) {
	u := newULIDSource(nil)
	now := time.Date(2026, 5, 11, 10, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 1000 {
		at := now
		if i%100 == 99 {
			at = now.Add(-time.Second) // a clock that steps back
		}
		if i >= 500 {
			at = at.Add(time.Millisecond)
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

func TestSeededIDsRepeat(t *testing.T) {
	now := time.Date(2026, 5, 11, 10, 0, 0, 0, time.UTC)
	a, err := New(Config{Seed: 7, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{Seed: 7, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if x, y := a.ids.id(plain.TargetIDPrefix, now), b.ids.id(plain.TargetIDPrefix, now); x != y {
		t.Errorf("the same seed and clock gave %s and %s", x, y)
	}
}
