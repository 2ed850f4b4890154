package plainmock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
)

// jsonWriter encodes a response in one pass into one buffer: ordered maps,
// maps, lists and the common scalars are written directly, and any other
// value goes through the writer's single json.Encoder, which appends to
// the same buffer. The output is byte for byte what json.Marshal (with
// HTML escaping off) gives: map keys sorted, strings escaped alike.
//
// It replaces an encoder per key and value, whose nested MarshalJSON
// results encoding/json then validated and copied again at every level.
type jsonWriter struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newJSONWriter() *jsonWriter {
	w := &jsonWriter{}
	w.enc = json.NewEncoder(&w.buf)
	// Webhook URLs are full of '&', and "\u0026" in every curl answer
	// helps nobody.
	w.enc.SetEscapeHTML(false)
	return w
}

var jsonWriters = sync.Pool{New: func() any { return newJSONWriter() }}

// value appends v. On an error the buffer holds a partial document.
func (w *jsonWriter) value(v any) error {
	switch x := v.(type) {
	case nil:
		w.buf.WriteString("null")
	case *orderedMap:
		if x == nil {
			w.buf.WriteString("null")
			return nil
		}
		w.buf.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			w.str(k)
			w.buf.WriteByte(':')
			if err := w.value(x.vals[k]); err != nil {
				return err
			}
		}
		w.buf.WriteByte('}')
	case map[string]any:
		if x == nil {
			w.buf.WriteString("null")
			return nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			w.str(k)
			w.buf.WriteByte(':')
			if err := w.value(x[k]); err != nil {
				return err
			}
		}
		w.buf.WriteByte('}')
	case []any:
		if x == nil {
			w.buf.WriteString("null")
			return nil
		}
		w.buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			if err := w.value(e); err != nil {
				return err
			}
		}
		w.buf.WriteByte(']')
	case string:
		w.str(x)
	case bool:
		w.buf.WriteString(strconv.FormatBool(x))
	case int:
		w.buf.Write(strconv.AppendInt(w.buf.AvailableBuffer(), int64(x), 10))
	default:
		return w.encode(v)
	}
	return nil
}

// str appends s as a JSON string. Plain printable ASCII, nearly every
// string the mock answers, is quoted as is; anything else is left to the
// encoder, whose escaping (control characters, U+2028, invalid UTF-8) is
// json.Marshal's.
func (w *jsonWriter) str(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			_ = w.encode(s) // a string always encodes
			return
		}
	}
	w.buf.WriteByte('"')
	w.buf.WriteString(s)
	w.buf.WriteByte('"')
}

// encode appends v through the shared encoder, without its newline.
func (w *jsonWriter) encode(v any) error {
	if err := w.enc.Encode(v); err != nil {
		return err // Encode writes nothing when it fails
	}
	w.buf.Truncate(w.buf.Len() - 1)
	return nil
}

// writeJSON answers with status and v, encoded by a pooled jsonWriter.
func writeJSON(rw http.ResponseWriter, status int, v any) {
	w := jsonWriters.Get().(*jsonWriter)
	defer func() {
		if w.buf.Cap() <= 1<<20 { // keep the pool from holding huge buffers
			jsonWriters.Put(w)
		}
	}()
	w.buf.Reset()
	if err := w.value(v); err != nil {
		// Only resolver bugs get here; answer like Plain's server would.
		status = http.StatusInternalServerError
		w.buf.Reset()
		_ = w.value(map[string]any{"errors": []gqlErr{{Message: "internal error encoding the response", Code: codeInternal}}})
	}
	w.buf.WriteByte('\n')
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	_, _ = rw.Write(w.buf.Bytes())
}
