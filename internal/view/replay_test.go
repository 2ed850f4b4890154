package view

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/replay"
	"github.com/plainsync/plainsync/internal/secret"
)

func replayOutcome(status int, contentType, body string) *replay.Outcome {
	return &replay.Outcome{
		Delivery: &replay.Delivery{EventID: "pEv_01HD450JT0RPBT7RRKS1ZQJYBA", EventType: "thread.thread_created",
			AttemptID: "whAttempt_01HD450N6X782MDTDBMS6Z14DJ", AttemptNumber: 4, AttemptAt: time.Date(2026, 11, 20, 12, 0, 0, 123000000, time.UTC)},
		Result: &replay.Result{Status: status, StatusText: "Accepted", ContentType: contentType, Bytes: len(body), Body: []byte(body), Duration: 12 * time.Millisecond},
		Signed: true,
	}
}

// The receiver's answer is shown only as an inert, clipped, single-line
// summary of a textual body (moved from replay's TestSend).
func TestReplayResponseScreensTheAnswer(t *testing.T) {
	res := Gate{}.replayResponse(replayOutcome(202, "text/plain", "ok\x1b[31m red "+strings.Repeat("x", 500)).Result)
	if res.Status != 202 || res.Bytes != 512 || res.ContentType != "text/plain" || len(res.Summary) > MaxReplaySummary+20 || strings.ContainsRune(res.Summary, 0x1b) || !strings.HasPrefix(res.Summary, `ok\x1b[31m red xx`) {
		t.Errorf("response %+v", res)
	}
	// A binary, a NUL-holding or an empty body has no summary; the content
	// type is clipped and made inert.
	for _, body := range []string{"\xff\xfe", "a\x00b", ""} {
		if r := (Gate{}).replayResponse(replayOutcome(500, "text/x\x1b"+strings.Repeat("y", 200), body).Result); r.Summary != "" || len(r.ContentType) > 110 || strings.ContainsRune(r.ContentType, 0x1b) {
			t.Errorf("body %q: %+v", body, r)
		}
	}
}

// The whole answer is screened before the summary is cut from it: a secret
// the cut would split is withheld, not shown in part.
func TestReplayResponseScreensBeforeCutting(t *testing.T) {
	const key = "whsec_Zq8TnV4pLk2Mw"
	m := &secret.Masker{}
	m.Add("HMAC", key)
	g := Gate{Secrets: m}
	for _, body := range []string{
		strings.Repeat("x", 190) + " " + key,
		"expected key " + base64.StdEncoding.EncodeToString([]byte(key)),
	} {
		r := g.replayResponse(replayOutcome(401, "text/plain", body).Result)
		if secret.Echoes(r.Summary, key) || strings.Contains(r.Summary, key[:8]) {
			t.Errorf("summary %q gives the secret away", r.Summary)
		}
	}
	if r := g.replayResponse(replayOutcome(401, "text/"+key, "").Result); strings.Contains(r.ContentType, key) {
		t.Errorf("content type %q", r.ContentType)
	}
}

func TestReplayText(t *testing.T) {
	var b bytes.Buffer
	Gate{}.ReplayText(&b, replayOutcome(202, "text/plain", "thanks \x1b]0;pwned\x07"), "http://127.0.0.1:9/replayed?token=replay-TOKEN-1")
	want := "Replayed pEv_01HD450JT0RPBT7RRKS1ZQJYBA (thread.thread_created) as attempt 4 (whAttempt_01HD450N6X782MDTDBMS6Z14DJ) to http://127.0.0.1:9/replayed?token=REDACTED.\n" +
		"The receiver answered HTTP 202 Accepted in 12ms (17 bytes, text/plain): thanks \\x1b]0;pwned\\x07\n"
	if b.String() != want {
		t.Errorf("text:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	Gate{}.ReplayText(&b, replayOutcome(500, "", ""), "https://x.example.com/")
	if !strings.HasSuffix(b.String(), "The receiver answered HTTP 500 Accepted in 12ms (0 bytes)\n") {
		t.Errorf("text without an answer:\n%s", b.String())
	}
}

func TestReplayReport(t *testing.T) {
	doc, err := json.MarshalIndent(Gate{}.ReplayReport(replayOutcome(202, "text/plain", "thanks \x1b]0;pwned\x07"), "http://127.0.0.1:9/replayed?token=replay-TOKEN-1"), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "formatVersion": 1,
  "eventId": "pEv_01HD450JT0RPBT7RRKS1ZQJYBA",
  "eventType": "thread.thread_created",
  "attemptId": "whAttempt_01HD450N6X782MDTDBMS6Z14DJ",
  "attemptNumber": 4,
  "attemptedAt": "2026-11-20T12:00:00.123Z",
  "to": "http://127.0.0.1:9/replayed?token=REDACTED",
  "signed": true,
  "response": {
    "status": 202,
    "statusText": "Accepted",
    "contentType": "text/plain",
    "bytes": 17,
    "summary": "thanks \\x1b]0;pwned\\x07"
  }
}`
	if string(doc) != want {
		t.Errorf("report:\n%s\nwant\n%s", doc, want)
	}
}

func TestReplayFailedNamesTheReceiver(t *testing.T) {
	cause := errors.New("the receiver did not answer: connection refused")
	err := Gate{}.ReplayFailed("pEv_x", "https://u:pw@x.example.com/h?token=abc", &replay.SendError{Err: cause})
	if err.Error() != "replay pEv_x to https://REDACTED:REDACTED@x.example.com/h?token=REDACTED: the receiver did not answer: connection refused" || !errors.Is(err, cause) {
		t.Errorf("error %q", err)
	}
	if other := errors.New("other"); (Gate{}).ReplayFailed("pEv_x", "https://x.example.com/", other) != other {
		t.Error("another error was rewritten")
	}
}

// ProductionPrompt asks on a terminal, accepts only "yes", and refuses
// without a terminal.
func TestProductionPrompt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		tty  bool
		ok   bool
		fail string
	}{
		{in: "yes\n", tty: true, ok: true},
		{in: "  yes  \n", tty: true, ok: true},
		{in: "y\n", tty: true},
		{in: "", tty: true},
		{in: "yes\n", fail: "refusing to replay to the host of live target live\\x1b[2J (production) without confirmation: stdin is not a terminal; pass --auto-approve"},
	} {
		var out bytes.Buffer
		ok, err := ProductionPrompt{In: strings.NewReader(tc.in), Out: &out, InIsTerminal: tc.tty}.ConfirmProduction("live\x1b[2J")
		if tc.fail != "" {
			if err == nil || err.Error() != tc.fail || ok || out.Len() != 0 {
				t.Errorf("%q: %v %v, asked %q", tc.in, ok, err, out.String())
			}
			continue
		}
		if err != nil || ok != tc.ok || out.String() != `--to is on the host of live target live\x1b[2J: the event goes to production again. Only 'yes' will be accepted: ` {
			t.Errorf("%q: %v %v, asked %q", tc.in, ok, err, out.String())
		}
	}
}

func TestReplayNotes(t *testing.T) {
	var b bytes.Buffer
	n := ReplayNotes{W: &b}
	n.AutoApproved("live\x1b")
	n.NoHmacSecret()
	want := "note: --to is on the host of live target live\\x1b; sending as --auto-approve says\n" +
		"note: the workspace has no HMAC secret; sending without Plain-Request-Signature, as Plain does\n"
	if b.String() != want {
		t.Errorf("notes %q", b.String())
	}
}
