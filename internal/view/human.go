package view

// HumanOutput reports whether a command prints for people (text, tables)
// rather than a document that is captured (JSON, YAML, Markdown): output
// is the command's -o value, "" when it has no -o. Export and completion
// always write documents (a file, a shell script a step may save).
func HumanOutput(command, output string) bool {
	if command == "export" || command == "completion" {
		return false
	}
	switch output {
	case "text", "table", "":
		return true
	}
	return false
}
