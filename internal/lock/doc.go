// Package lock serialises applies to one workspace, so that two runs can
// never send the same creates (which would leave duplicate targets):
//
//   - Local is an exclusive file lock under the user's cache directory,
//     keyed by API endpoint and workspace id: two applies on one machine
//     (a user and a cron job, two terminals) take turns. The file records
//     when each holder took and let go of it, so that the next one knows
//     whether anyone held it since it read the workspace (Local.Unchanged).
//   - Lease is a lock every runner sees, because it lives in Plain itself:
//     a disabled webhook target whose description is
//     "plainsync-lease v1 holder=ID until=TIME". An apply creates its lease,
//     reads the workspace again and proceeds only if its own is the oldest
//     live one (Plain orders creates, so every contender agrees on the
//     winner); that read is what the winner plans against (Lease.Snapshot),
//     and the caller's own snapshot stands for the look before the create
//     when it shows no lease (LeaseOptions.Seen);
//     losers delete theirs and wait. The holder renews the expiry while it
//     works and deletes the lease when done, also after Ctrl-C, retrying a
//     delete that fails or whose outcome is unknown a few times with
//     backoff; a lease whose holder died (kill -9, a cancelled CI job) or
//     could not delete it expires and is deleted by the next run that
//     looks after its TTL. A lease of a run's own holder that a listing
//     shows (a create whose response was lost) is that run's: adopted if
//     it is the oldest, deleted otherwise, never one created beside it.
//
// A target is a lease only if everything about it says so (plain.ParseLease:
// the lease URL, disabled, the exact description; and an end no further
// ahead than TTL plus half a TTL of skew). Anything else is never deleted
// and never blocks; a lease "until 2099" is reported (NotHonoured) and
// ignored. Only leases are ever deleted, never one LeaseOptions.Protected
// names (the file's ignore: rules), and each deletion is reported.
//
// The lease can never block an apply for a reason of its own: Plain
// refusing its target is ErrRefused (LeaseOptions.Refused classifies the
// create's error), and the caller (internal/cli) then applies under the
// local lock alone and says so, as it does when the apply itself needs
// every one of Plain's 25 slots or the key lacks create or delete.
package lock
