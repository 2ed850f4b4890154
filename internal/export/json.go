package export

import (
	"bytes"
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

// JSON returns the file as indented JSON with the keys in the YAML's
// order, for export -o json. JSON is also YAML, so plainsync reads the
// result as it reads the YAML; only the comments (the variable list, the
// notes) are lost. The document is as written: whoever prints it makes it
// inert (view.Gate.JSON).
func (ex *File) JSON() ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(ex.YAML, &doc); err != nil {
		return nil, fmt.Errorf("export as JSON: %w", err)
	}
	var b bytes.Buffer
	if err := writeJSON(&b, &doc, ""); err != nil {
		return nil, fmt.Errorf("export as JSON: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// writeJSON writes n as JSON. Only what Build writes occurs: mappings,
// sequences and scalars (strings, integers, booleans).
func writeJSON(b *bytes.Buffer, n *yaml.Node, indent string) error {
	inner := indent + "  "
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("want one document, got %d", len(n.Content))
		}
		return writeJSON(b, n.Content[0], indent)
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteString("{\n")
		for i := 0; i < len(n.Content); i += 2 {
			key, err := json.Marshal(n.Content[i].Value)
			if err != nil {
				return err
			}
			b.WriteString(inner)
			b.Write(key)
			b.WriteString(": ")
			if err := writeJSON(b, n.Content[i+1], inner); err != nil {
				return err
			}
			if i+2 < len(n.Content) {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteString("[\n")
		for i, c := range n.Content {
			b.WriteString(inner)
			if err := writeJSON(b, c, inner); err != nil {
				return err
			}
			if i+1 < len(n.Content) {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	case yaml.ScalarNode:
		var v any
		switch n.ShortTag() {
		case "!!str":
			v = n.Value
		case "!!int", "!!bool", "!!null", "!!float":
			if err := n.Decode(&v); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unexpected %s scalar %q", n.ShortTag(), n.Value)
		}
		enc, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(enc)
	default:
		return fmt.Errorf("unexpected YAML node kind %d", n.Kind)
	}
	return nil
}
