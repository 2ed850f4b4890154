package plainmock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

// stdJSON is json.Marshal without HTML escaping, the reference jsonWriter
// must match byte for byte.
func stdJSON(t testing.TB, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func TestJSONWriterMatchesEncodingJSON(t *testing.T) {
	strs := []string{"", "plain", `quo"te`, `back\slash`, "a&b<c>d", "tab\there", "nl\n", "\x00\x1f\x7f", "ünïcødé", "\u2028\u2029", "bad\xffutf8", "https://h.example.com/p?a=1&b=2"}
	for _, s := range strs {
		if got, want := mustMarshal(t, s), stdJSON(t, s); got != want {
			t.Errorf("string %q: %s, want %s", s, got, want)
		}
	}
	inner := newOrderedMap()
	inner.set("z", 1)
	inner.set("a", []any{nil, true, false, 2.5, -7, "x&y", map[string]any{"b": 1, "a": []string{"s"}}})
	inner.set("nilMap", map[string]any(nil))
	inner.set("nilList", []any(nil))
	inner.set("nilOrdered", (*orderedMap)(nil))
	inner.set("err", []gqlErr{{Message: "m", Code: "C", Path: []any{"a", 0}, Locations: []location{{Line: 1, Column: 2}}}})
	outer := map[string]any{"data": inner, "b": "é", "a": int64(9)}
	// The reference: the same values through encoding/json alone, the
	// ordered map as the ordered object it is.
	want := `{"a":9,"b":"é","data":{"z":1,"a":[null,true,false,2.5,-7,"x&y",{"a":["s"],"b":1}],"nilMap":null,"nilList":null,"nilOrdered":null,"err":[{"message":"m","locations":[{"line":1,"column":2}],"path":["a",0],"extensions":{"code":"C"}}]}}`
	if got := mustMarshal(t, outer); got != want {
		t.Errorf("nested:\n got %s\nwant %s", got, want)
	}
	// encoding/json, calling orderedMap's MarshalJSON, agrees.
	if got := stdJSON(t, outer); got != want {
		t.Errorf("encoding/json with MarshalJSON:\n got %s\nwant %s", got, want)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := marshalJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A value encoding/json cannot encode (only a resolver bug makes one) is
// answered as Plain's server answers an internal error, never half a
// document.
func TestWriteJSONUnencodableIsAnInternalError(t *testing.T) {
	m := newOrderedMap()
	m.set("data", map[string]any{"bad": make(chan int)})
	rec := httptest.NewRecorder()
	writeJSON(rec, 200, m)
	if rec.Code != 500 || rec.Body.String() != `{"errors":[{"message":"internal error encoding the response","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`+"\n" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// BenchmarkEncodeResponse encodes a page of 100 delivery-attempt-like
// objects, the largest answer plainsync asks for.
func BenchmarkEncodeResponse(b *testing.B) {
	edges := make([]any, 100)
	for i := range edges {
		node := newOrderedMap()
		node.set("id", fmt.Sprintf("whAttempt_01HD450N6X782MDTDBMS6Z%04d", i))
		node.set("webhookTargetId", "whTarget_01HD4400VTDJQ646V6RY37SR7K")
		node.set("publicEventEventType", "thread.thread_created")
		at := newOrderedMap()
		at.set("iso8601", "2026-11-20T12:00:00.000Z")
		node.set("attemptedAt", at)
		node.set("durationInMilliseconds", 12)
		res := newOrderedMap()
		res.set("__typename", "WebhookDeliveryAttemptSuccessfulResult")
		res.set("httpStatusCode", 200)
		node.set("result", res)
		e := newOrderedMap()
		e.set("node", node)
		edges[i] = e
	}
	conn := newOrderedMap()
	conn.set("edges", edges)
	data := newOrderedMap()
	data.set("webhookDeliveryAttempts", conn)
	body := newOrderedMap()
	body.set("data", data)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		writeJSON(rec, 200, body)
	}
}
