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
	return askYes(c.In, c.Out, "\nDo you want to apply these changes? Only 'yes' will be accepted: "), nil
}

// askYes writes question to out and reads one line from in: only "yes"
// is a yes; no answer (end of input) is a no.
func askYes(in io.Reader, out io.Writer, question string) bool {
	fmt.Fprint(out, question)
	FlushOut(out)
	line, _ := bufio.NewReader(in).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}
