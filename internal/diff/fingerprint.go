package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sort"
	"strconv"

	"github.com/plainsync/plainsync/internal/plain"
)

// Fingerprint identifies the live state a plan is computed from: "sha256:"
// and the hex digest of the workspace id and every target's id, URL,
// description, event types, version and enabled flag. Target order and
// event order do not matter; timestamps and the catalog do not count,
// because they do not change what applying a plan would do to a target.
func Fingerprint(live *plain.Snapshot) string {
	h := sha256.New()
	if live == nil {
		return "sha256:" + hex.EncodeToString(h.Sum(nil))
	}
	field(h, live.Workspace.ID)
	targets := make([]*plain.Target, len(live.Targets))
	for i := range live.Targets {
		targets[i] = &live.Targets[i]
	}
	sort.SliceStable(targets, func(i, j int) bool { return targets[i].ID < targets[j].ID })
	field(h, strconv.Itoa(len(targets)))
	for _, t := range targets {
		field(h, t.ID)
		field(h, t.URL)
		field(h, t.Description)
		events := plain.SortedUnique(t.EventTypes)
		field(h, strconv.Itoa(len(events)))
		for _, e := range events {
			field(h, e)
		}
		field(h, t.Version)
		field(h, strconv.FormatBool(t.Enabled))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// field writes s length-prefixed, so that no two different states can
// produce the same byte stream ("ab"+"c" vs "a"+"bc").
func field(h hash.Hash, s string) {
	h.Write([]byte(strconv.Itoa(len(s))))
	h.Write([]byte{':'})
	h.Write([]byte(s))
}
