package reconcile

import "testing"

func TestDefaultWorkspaces(t *testing.T) {
	for n, want := range map[int]int{0: 1, 1: 1, 20: 20, 32: 32, 100: MaxWorkspaces} {
		if got := DefaultWorkspaces(n); got != want {
			t.Errorf("DefaultWorkspaces(%d) = %d, want %d", n, got, want)
		}
	}
}
