package view

import (
	"os"

	"golang.org/x/term"
)

// IsTerminal reports whether f is a terminal. A character device is not
// enough: /dev/null is one too, and "plainsync apply < /dev/null" in a
// script must be refused for want of --auto-approve, not prompted. x/term
// asks the device for its terminal attributes, as isatty(3) does (and the
// console mode on Windows).
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
