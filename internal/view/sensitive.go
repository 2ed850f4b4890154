package view

import (
	"errors"
	"fmt"
)

// These rules decide where text that must not be kept (a full webhook URL,
// a delivered body with customers' personal data) may be shown: getenv
// reads the environment, outIsTerminal says whether stdout is a terminal.

// CheckReveal allows --show-secrets (reveal) only where no log keeps the
// output: one named target (nargs is the number of TARGET arguments),
// stdout a terminal, not inside GitHub Actions (whose logs are kept, and
// whose runners can fake a terminal).
func CheckReveal(reveal bool, nargs int, getenv func(string) string, outIsTerminal bool) error {
	const why = "--show-secrets prints a full webhook URL, credentials included"
	switch {
	case !reveal:
		return nil
	case nargs != 1:
		return fmt.Errorf("%s: name the one target to show (plainsync targets TARGET --show-secrets)", why)
	case getenv("GITHUB_ACTIONS") == "true":
		return fmt.Errorf("%s, so it is refused inside GitHub Actions, whose logs are kept; run it by hand in a terminal", why)
	case !outIsTerminal:
		return fmt.Errorf("%s, so it runs only with stdout on a terminal, not into a pipe or a file", why)
	}
	return nil
}

// inCI reports whether the command runs in CI, where output ends up in
// logs that others read.
func inCI(getenv func(string) string) bool {
	return getenv("GITHUB_ACTIONS") == "true" || getenv("CI") == "true"
}

// BodyToTerminal refuses to print a body where it would be kept: in CI,
// into a pipe or a file, or inside JSON (output "json").
func BodyToTerminal(getenv func(string) string, outIsTerminal bool, output string) error {
	switch {
	case inCI(getenv):
		return errors.New("refusing to print an event body in CI (it holds customers' personal data and would stay in the logs); write it to a file with --out FILE")
	case !outIsTerminal:
		return errors.New("refusing to print an event body: stdout is not a terminal (it holds customers' personal data); write it to a file with --out FILE")
	case output == "json":
		return errors.New("-o json never carries an event body; write it to a file with --out FILE")
	}
	return nil
}
