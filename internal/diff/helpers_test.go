package diff

import "github.com/plainsync/plainsync/internal/diff/difftest"

// The shared fixtures (see difftest), under the short names the tests use.
var (
	testCatalog = difftest.Catalog
	snapshot    = difftest.Snapshot
	target      = difftest.Target
	pos         = difftest.Pos
	text        = difftest.Text
	webhook     = difftest.Webhook
	desired     = difftest.Desired
	envOf       = difftest.EnvOf
)
