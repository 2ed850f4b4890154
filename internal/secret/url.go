package secret

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// A webhook URL is often a bearer credential: whoever reads a Slack hook's
// path, a URL's user info or its ?access_token= can post as Plain. This
// file is the one place that decides which parts of a URL are secret.
// Displays replace those parts by position (RedactURL), export turns
// exactly those into ${VAR}s, and validate warns where one is written
// literally, so the three can never disagree.

// Marker stands in a displayed URL for each secret part.
const Marker = "REDACTED"

// ChangedMarker stands in a plan for a secret part whose value changes.
const ChangedMarker = "(sensitive value changed)"

// ShortSecret is the length below which a secret part is too short to be
// masked by value: masking a 3-character value would garble every string
// holding those characters, and would give the value away by where the
// mask appears. Displays still redact such parts by position; export
// leaves them literal (see the README).
const ShortSecret = 8

// PartKind says where in a URL a secret part is.
type PartKind string

// Kinds of secret parts.
const (
	PartUser       PartKind = "user"            // user name of user info
	PartPassword   PartKind = "password"        // password of user info
	PartPath       PartKind = "path segment"    // one segment between slashes
	PartQueryValue PartKind = "query value"     // the value of key=value
	PartQueryParam PartKind = "query parameter" // a parameter without "=" that is itself a token
	PartFragment   PartKind = "fragment"        // everything after "#"
)

// URLPart is one secret part of a URL, located by byte offsets into the
// URL's text as written (percent-encoding and all), so that it can be
// replaced without re-encoding anything else.
type URLPart struct {
	Kind       PartKind
	Start, End int
	// Key is the query parameter's key as written (PartQueryValue).
	Key string
	// Index is the path segment's index (0 is the first segment after the
	// host) or the query parameter's index among the parameters.
	Index int
	// Why says what makes the part secret, for messages.
	Why string

	id string
}

// ID names the part's position independently of its value, so that the
// parts of two versions of a URL can be compared: "user", "password",
// "fragment", "path/3", "query/token/0" (the first "token" parameter).
func (p URLPart) ID() string { return p.id }

// urlLayout is a URL's text split the way net/url splits it: fragment at
// the first "#", query at the first "?" before it, authority after
// "scheme://" up to the next "/", user info up to its last "@".
type urlLayout struct {
	s                  string
	hasUser, hasPass   bool
	userStart, userEnd int
	passStart, passEnd int
	host               string // lower case, without port
	pathStart, pathEnd int
	hasQuery           bool
	queryStart         int // after "?"
	queryEnd           int
	hasFragment        bool
	fragStart          int // after "#"
}

var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:`)

func layout(s string) urlLayout {
	l := urlLayout{s: s}
	end := len(s)
	if i := strings.IndexByte(s, '#'); i >= 0 {
		l.hasFragment, l.fragStart, end = true, i+1, i
	}
	l.queryEnd = end
	if i := strings.IndexByte(s[:end], '?'); i >= 0 {
		l.hasQuery, l.queryStart, end = true, i+1, i
	}
	pos := 0
	if m := schemeRE.FindString(s[:end]); m != "" {
		pos = len(m)
	}
	if strings.HasPrefix(s[pos:end], "//") {
		aStart := pos + 2
		aEnd := end
		if i := strings.IndexByte(s[aStart:end], '/'); i >= 0 {
			aEnd = aStart + i
		}
		hostStart := aStart
		if at := strings.LastIndexByte(s[aStart:aEnd], '@'); at >= 0 {
			info := s[aStart : aStart+at]
			hostStart = aStart + at + 1
			user, _, hasPass := strings.Cut(info, ":")
			l.hasUser, l.userStart, l.userEnd = true, aStart, aStart+len(user)
			if hasPass {
				l.hasPass, l.passStart, l.passEnd = true, aStart+len(user)+1, aStart+at
			}
		}
		host := s[hostStart:aEnd]
		if strings.HasPrefix(host, "[") {
			if i := strings.IndexByte(host, ']'); i >= 0 {
				host = host[1:i]
			}
		} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
			host = host[:i]
		}
		l.host = strings.ToLower(host)
		pos = aEnd
	}
	l.pathStart, l.pathEnd = pos, end
	return l
}

// span is one path segment or query parameter, by offsets.
type span struct{ start, end int }

// spans splits s[a:b] on sep.
func spans(s string, a, b int, sep byte) []span {
	var out []span
	start := a
	for i := a; i <= b; i++ {
		if i == b || s[i] == sep {
			out = append(out, span{start, i})
			start = i + 1
		}
	}
	return out
}

// segments are the path's segments; the empty text before a leading "/"
// is not one.
func (l urlLayout) segments() []span {
	switch {
	case l.pathStart == l.pathEnd:
		return nil
	case l.s[l.pathStart] == '/':
		return spans(l.s, l.pathStart+1, l.pathEnd, '/')
	default:
		return spans(l.s, l.pathStart, l.pathEnd, '/')
	}
}

// ClassifyURL returns the secret parts of s, in order. It never fails: a
// string that is not a URL still has its path-, query- and fragment-like
// parts classified.
func ClassifyURL(s string) []URLPart { return classify(s, false) }

// classify finds the secret parts. With refs, s is a masked URL in which
// ${NAME} references stand for secrets: they are ignored when judging a
// part by its text (so a literal token beside a reference is still found).
func classify(s string, refs bool) []URLPart {
	l := layout(s)
	text := func(a, b int) string {
		t := s[a:b]
		if refs {
			t = refRE.ReplaceAllString(t, "")
		}
		return t
	}
	var parts []URLPart
	if l.hasUser && l.userEnd > l.userStart {
		parts = append(parts, URLPart{Kind: PartUser, Start: l.userStart, End: l.userEnd, Why: "user info", id: "user"})
	}
	if l.hasPass && l.passEnd > l.passStart {
		parts = append(parts, URLPart{Kind: PartPassword, Start: l.passStart, End: l.passEnd, Why: "user info", id: "password"})
	}
	segs := l.segments()
	names := make([]string, len(segs))
	for i, sp := range segs {
		names[i] = decodePath(s[sp.start:sp.end])
	}
	shape := hookShape(l.host, names)
	for i, sp := range segs {
		if sp.end == sp.start {
			continue
		}
		why := shape[i]
		if why == "" && looksLikeToken(decodePath(text(sp.start, sp.end))) {
			why = "token-like path segment"
		}
		if why != "" {
			parts = append(parts, URLPart{Kind: PartPath, Start: sp.start, End: sp.end, Index: i, Why: why, id: "path/" + strconv.Itoa(i)})
		}
	}
	if l.hasQuery {
		seen := map[string]int{}
		for i, sp := range spans(s, l.queryStart, l.queryEnd, '&') {
			param := s[sp.start:sp.end]
			key, value, hasValue := strings.Cut(param, "=")
			if !hasValue {
				if looksLikeToken(decodeQuery(text(sp.start, sp.end))) {
					parts = append(parts, URLPart{Kind: PartQueryParam, Start: sp.start, End: sp.end, Index: i, Why: "token-like query parameter", id: "param/" + strconv.Itoa(i)})
				}
				continue
			}
			n := seen[key]
			seen[key]++
			if value == "" {
				continue
			}
			vStart := sp.start + len(key) + 1
			why := ""
			switch {
			case credentialKey(decodeQuery(key)):
				why = "credential query parameter " + strconv.Quote(decodeQuery(key))
			case looksLikeToken(decodeQuery(text(vStart, sp.end))):
				why = "token-like query value"
			}
			if why != "" {
				parts = append(parts, URLPart{Kind: PartQueryValue, Start: vStart, End: sp.end, Key: key, Index: i, Why: why,
					id: "query/" + key + "/" + strconv.Itoa(n)})
			}
		}
	}
	if l.hasFragment && l.fragStart < len(s) {
		parts = append(parts, URLPart{Kind: PartFragment, Start: l.fragStart, End: len(s), Why: "fragment", id: "fragment"})
	}
	return parts
}

// refRE matches a ${NAME} reference as the Masker writes it.
var refRE = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)

// isRef reports whether s is exactly one ${NAME} reference.
func isRef(s string) bool {
	m := refRE.FindStringIndex(s)
	return m != nil && m[0] == 0 && m[1] == len(s)
}

// RedactURL returns s with each secret part replaced by Marker. Everything
// else (scheme, host, the readable path and query) is kept byte for byte.
// Use it for URLs read from Plain.
func RedactURL(s string) string {
	return Rewrite(s, ClassifyURL(s), func(p URLPart, text string) string {
		if text == ChangedMarker {
			return text
		}
		return Marker
	})
}

// RedactMaskedURL is RedactURL for a URL that has been through a Masker:
// a secret part that is exactly a ${NAME} reference is kept (it names the
// variable, not the value), and references are ignored when judging the
// rest, so a literal token written beside one is still redacted.
func RedactMaskedURL(s string) string {
	return RedactMaskedURLWith(s, nil)
}

// RedactMaskedURLWith is RedactMaskedURL where replace, when not nil, may
// choose the text of a part (for example ChangedMarker for a part a plan
// changes); it returns ok=false to leave the choice to RedactMaskedURL.
func RedactMaskedURLWith(s string, replace func(p URLPart) (string, bool)) string {
	return Rewrite(s, classify(s, true), func(p URLPart, text string) string {
		if replace != nil {
			if r, ok := replace(p); ok {
				return r
			}
		}
		if isRef(text) || text == ChangedMarker || refRE.ReplaceAllString(text, "") == "" {
			return text
		}
		return Marker
	})
}

// Rewrite replaces each part of s (as ClassifyURL returns them: in order,
// not overlapping) with what replace returns for it.
func Rewrite(s string, parts []URLPart, replace func(p URLPart, text string) string) string {
	if len(parts) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, p := range parts {
		b.WriteString(s[last:p.Start])
		b.WriteString(replace(p, s[p.Start:p.End]))
		last = p.End
	}
	b.WriteString(s[last:])
	return b.String()
}

// urlInText finds URLs in free text (error messages, log lines): a scheme,
// "://", and everything up to white space or a quoting character.
// ChangedMarker, which has spaces, is taken as part of the URL it stands in.
var urlInText = regexp.MustCompile("[A-Za-z][A-Za-z0-9+.\\-]*://(?:" + regexp.QuoteMeta(ChangedMarker) + "|[^\\s\"'<>`\\\\])+")

// RedactURLsInText redacts every URL inside s by position, leaving the
// text around it alone. s is taken to be masked already: ${NAME}
// references are kept.
func RedactURLsInText(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlInText.ReplaceAllStringFunc(s, func(u string) string {
		// Sentence punctuation after a URL is not part of it.
		trimmed := u
		if !strings.HasSuffix(u, ChangedMarker) {
			trimmed = strings.TrimRight(u, ".,;:!)]")
		}
		return RedactMaskedURL(trimmed) + u[len(trimmed):]
	})
}

// ChangedParts compares the secret parts of two URLs by position (ID) and
// returns the IDs of the parts of after whose value differs from before's
// part at the same position, or that before lacks.
func ChangedParts(before, after string) map[string]bool {
	old := map[string]string{}
	for _, p := range ClassifyURL(before) {
		old[p.id] = before[p.Start:p.End]
	}
	out := map[string]bool{}
	for _, p := range ClassifyURL(after) {
		if v, ok := old[p.id]; !ok || v != after[p.Start:p.End] {
			out[p.id] = true
		}
	}
	return out
}

// credentialWords are query keys, or words of keys ("access_token",
// "X-Api-Key", "clientSecret"), that name a credential.
var credentialWords = map[string]bool{
	"token": true, "key": true, "apikey": true, "secret": true, "sig": true, "signature": true,
	"auth": true, "authorization": true, "password": true, "passwd": true, "pwd": true,
	"pass": true, "passphrase": true, "code": true, "credential": true, "credentials": true,
	"session": true, "jwt": true, "bearer": true, "hmac": true, "otp": true, "private": true,
	"accesstoken": true, "authtoken": true, "apitoken": true, "sessionid": true,
}

// credentialKey reports whether a query key names a credential.
func credentialKey(key string) bool {
	k := strings.ToLower(key)
	if credentialWords[k] {
		return true
	}
	for _, w := range keyWords(key) {
		if credentialWords[w] {
			return true
		}
	}
	return false
}

// keyWords splits a key into lower-case words at non-alphanumeric
// characters and lower-to-upper case changes.
func keyWords(key string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range key {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return words
}

var uuidRE = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// looksLikeToken reports whether s (decoded) reads as a generated
// credential rather than a word, a version or an id: a UUID; a run of
// letters and digits of 12 or more that mixes both (hex and base64url
// tokens, Slack's and Mattermost's keys); a run of 20 or more letters in
// both cases; or 32 or more characters of the base64url alphabet with
// letters and digits however they are separated. "v2", "plain",
// "2026-05-06", "webhooks" and "IncomingWebhook" are not tokens.
func looksLikeToken(s string) bool {
	if len(s) < 12 {
		return false
	}
	if uuidRE.MatchString(s) {
		return true
	}
	b64, letters, digits := true, false, false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letters = true
		case r == '-' || r == '_':
		default:
			b64 = false
		}
	}
	if b64 && letters && digits && len(s) >= 32 {
		return true
	}
	for _, run := range alnumRuns(s) {
		var l, u, d bool
		for _, r := range run {
			switch {
			case r >= '0' && r <= '9':
				d = true
			case r >= 'a' && r <= 'z':
				l = true
			default:
				u = true
			}
		}
		if len(run) >= 12 && d && (l || u) || len(run) >= 20 && l && u {
			return true
		}
	}
	return false
}

// alnumRuns returns the maximal runs of ASCII letters and digits in s.
func alnumRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
}

func decodePath(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

func decodeQuery(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// hookShape marks, by index, the path segments that well-known webhook
// providers use as the credential, whatever they look like (a Zapier hook
// id is short; a Slack token may be all letters).
func hookShape(host string, segs []string) map[int]string {
	out := map[int]string{}
	seg := func(i int) string {
		if i >= 0 && i < len(segs) {
			return segs[i]
		}
		return ""
	}
	lastNonEmpty := func() int {
		for i := len(segs) - 1; i >= 0; i-- {
			if segs[i] != "" {
				return i
			}
		}
		return -1
	}
	switch {
	case host == "hooks.slack.com":
		// /services/T…/B…/TOKEN, /workflows/T…/A…/ID/TOKEN, /triggers/T…/ID/TOKEN:
		// the team and channel ids are readable, the last segment is the key.
		switch seg(0) {
		case "services", "workflows", "triggers":
			if i := lastNonEmpty(); i >= 2 {
				out[i] = "Slack webhook token"
			}
		}
	case host == "discord.com" || host == "discordapp.com" || strings.HasSuffix(host, ".discord.com"):
		// /api[/vN]/webhooks/ID/TOKEN[/slack|/github]
		for i, s := range segs {
			if s == "webhooks" && seg(0) == "api" && seg(i+2) != "" {
				out[i+2] = "Discord webhook token"
				break
			}
		}
	case strings.HasSuffix(host, ".webhook.office.com") || host == "outlook.office.com" || host == "outlook.office365.com":
		// /webhookb2/GROUP@TENANT/IncomingWebhook/TOKEN/CONNECTOR[/…]
		for i, s := range segs {
			if strings.EqualFold(s, "IncomingWebhook") {
				for _, j := range []int{i - 1, i + 1, i + 2} {
					if j >= 0 && seg(j) != "" && !strings.EqualFold(seg(j), "webhookb2") {
						out[j] = "Microsoft Teams connector credential"
					}
				}
				break
			}
		}
	case host == "hooks.zapier.com":
		// /hooks/catch/ACCOUNT/HOOK/: the hook id is the key, however short.
		if seg(0) == "hooks" && (seg(1) == "catch" || seg(1) == "standard") && seg(3) != "" {
			out[3] = "Zapier hook key"
		}
	case host == "hook.integromat.com" || host == "hook.make.com" || strings.HasPrefix(host, "hook.") && strings.HasSuffix(host, ".make.com"):
		if seg(0) != "" {
			out[0] = "Make webhook key"
		}
	case host == "maker.ifttt.com":
		// /trigger/EVENT/with/key/KEY
		for i, s := range segs {
			if s == "key" && seg(i+1) != "" {
				out[i+1] = "IFTTT key"
			}
		}
	}
	return out
}

// ClassifyTemplate is ClassifyURL for a URL as a desired-state file writes
// it, or as a Masker prints it: ${NAME} references are ignored when judging
// a part by its text, so "${TOKEN}" alone is not token-like, while a part
// at a secret position (a Slack token's) is found whatever it holds.
func ClassifyTemplate(s string) []URLPart { return classify(s, true) }

// StripRefs removes every ${NAME} reference from s.
func StripRefs(s string) string { return refRE.ReplaceAllString(s, "") }
