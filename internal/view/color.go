package view

// ColorOn decides colour for output on a terminal (outIsTerminal): no
// NO_COLOR, no TERM=dumb. As no-color.org defines it, NO_COLOR counts only
// when it is non-empty. getenv reads the environment ("" when unset).
func ColorOn(outIsTerminal bool, getenv func(string) string) bool {
	noColor := getenv("NO_COLOR") != ""
	return outIsTerminal && !noColor && getenv("TERM") != "dumb"
}
