package view

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// TerminalConfirmer asks for "yes" on a terminal and refuses without one.
type TerminalConfirmer struct {
	In           io.Reader
	Out          io.Writer
	InIsTerminal bool
}

// Confirm asks on Out and reads the answer from In: only "yes" applies.
func (c TerminalConfirmer) Confirm() (bool, error) {
	if !c.InIsTerminal {
		return false, errors.New("refusing to apply without confirmation: stdin is not a terminal; review the plan and pass --auto-approve")
	}
	fmt.Fprint(c.Out, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	FlushOut(c.Out)
	line, err := bufio.NewReader(c.In).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	return strings.TrimSpace(line) == "yes", nil
}
