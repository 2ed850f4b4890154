// Package lock serialises applies to one workspace, so that two runs can
// never send the same creates (which would leave duplicate targets):
//
//   - Local is an exclusive file lock under the user's cache directory,
//     keyed by API endpoint and workspace id: two applies on one machine
//     (a user and a cron job, two terminals) take turns.
//   - Lease is a lock every runner sees, because it lives in Plain itself:
//     a disabled webhook target whose description is
//     "plainsync-lease v1 holder=ID until=TIME". An apply creates its lease,
//     re-lists the leases and proceeds only if its own is the oldest live
//     one (Plain orders creates, so every contender agrees on the winner);
//     losers delete theirs and wait. The holder renews the expiry while it
//     works and deletes the lease when done, also after Ctrl-C, retrying a
//     delete that fails or whose outcome is unknown a few times with
//     backoff; a lease whose holder died (kill -9, a cancelled CI job) or
//     could not delete it expires and is deleted by the next run that
//     looks after its TTL. A lease of a run's own holder that a listing
//     shows (a create whose response was lost) is that run's: adopted if
//     it is the oldest, deleted otherwise, never one created beside it.
//
// A lease takes one of Plain's 25 target slots while an apply runs. When
// the apply itself needs every slot (live targets plus creates, since
// creates run before deletes), there is no room for it: the apply then
// runs under the local lock alone and says so, rather than a full
// workspace becoming unable to apply at all.
package lock
