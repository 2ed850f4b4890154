package cli

import (
	"os"
	"syscall"
	"unsafe"
)

// isTerminal reports whether f is a terminal. A character device is not
// enough: /dev/null is one too, and "plainsync apply < /dev/null" in a
// script must be refused for want of --auto-approve, not prompted. Asking
// the device for its terminal attributes is what isatty(3) does.
func isTerminal(f *os.File) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
