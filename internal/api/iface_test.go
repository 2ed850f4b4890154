package api

import "github.com/plainsync/plainsync/internal/apply"

// The executor drives mutations through this client; a signature drift
// must fail the build here rather than in the CLI wiring.
var _ apply.Client = (*Client)(nil)
