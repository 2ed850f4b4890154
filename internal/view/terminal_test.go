package view

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIsTerminal(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	if IsTerminal(devNull) {
		t.Error("/dev/null is a character device but not a terminal")
	}
	file, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if IsTerminal(file) {
		t.Error("a regular file is not a terminal")
	}
	// The master side of a pseudo-terminal answers terminal ioctls.
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Logf("no /dev/ptmx here (%v); the positive case is not checked", err)
		return
	}
	defer pty.Close()
	if !IsTerminal(pty) {
		t.Error("a pseudo-terminal was not recognised")
	}
}
