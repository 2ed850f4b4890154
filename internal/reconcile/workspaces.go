package reconcile

// MaxWorkspaces caps the default number of workspaces handled at once. By
// default every workspace of a run is read (and applied) at once: each has
// its own key and its own rate limit, so they do not slow one another, and
// a run over 20 workspaces takes about as long as one. Beyond 32 files a
// run goes in waves of 32, which bounds the connections open at once.
const MaxWorkspaces = 32

// DefaultWorkspaces is how many of n files' workspaces to handle at once
// when the user does not say: one per file, at most MaxWorkspaces.
func DefaultWorkspaces(n int) int { return min(max(n, 1), MaxWorkspaces) }
