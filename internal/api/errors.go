package api

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/plainsync/plainsync/internal/secret"
)

// Sentinels for errors.Is; the typed errors below match them.
var (
	// ErrUnauthorized: Plain rejected the API key (HTTP 401 or UNAUTHENTICATED).
	ErrUnauthorized = errors.New("API key rejected")
	// ErrForbidden: the key lacks a permission (HTTP 403 or FORBIDDEN).
	ErrForbidden = errors.New("forbidden")
	// ErrRateLimited: HTTP 429 persisted through every retry.
	ErrRateLimited = errors.New("rate limited")
)

// GraphQL error codes Plain puts in errors[].extensions.code.
const (
	CodeUnauthenticated     = "UNAUTHENTICATED"
	CodeForbidden           = "FORBIDDEN"
	CodeParseFailed         = "GRAPHQL_PARSE_FAILED"
	CodeValidationFailed    = "GRAPHQL_VALIDATION_FAILED"
	CodeBadUserInput        = "BAD_USER_INPUT"
	CodeInternalServerError = "INTERNAL_SERVER_ERROR"
	CodeRateLimited         = "RATE_LIMITED"
)

// ErrorItem is one entry of a GraphQL response's top-level errors array.
type ErrorItem struct {
	Message string
	Code    string // extensions.code, "" when absent
	Path    []any
}

// GraphQLError is a response that carried top-level GraphQL errors (or a
// failing HTTP status with a JSON body). Unlike the machinebox client it
// keeps every message, every extensions.code and the HTTP status.
type GraphQLError struct {
	Status int
	Errors []ErrorItem
}

// Code returns the first non-empty extensions.code, or "".
func (e *GraphQLError) Code() string {
	for _, it := range e.Errors {
		if it.Code != "" {
			return it.Code
		}
	}
	return ""
}

// Codes returns every extensions.code present, in order, without repeats.
func (e *GraphQLError) Codes() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range e.Errors {
		if it.Code != "" && !seen[it.Code] {
			seen[it.Code] = true
			out = append(out, it.Code)
		}
	}
	return out
}

// HasCode reports whether any error item carries code.
func (e *GraphQLError) HasCode(code string) bool {
	for _, it := range e.Errors {
		if it.Code == code {
			return true
		}
	}
	return false
}

// Is lets callers test errors.Is(err, ErrUnauthorized) and friends.
func (e *GraphQLError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == 401 || e.HasCode(CodeUnauthenticated)
	case ErrForbidden:
		return e.Status == 403 || e.HasCode(CodeForbidden)
	case ErrRateLimited:
		return e.Status == 429 || e.HasCode(CodeRateLimited)
	}
	return false
}

func (e *GraphQLError) messages() string {
	if len(e.Errors) == 0 {
		return "no error message"
	}
	parts := make([]string, 0, len(e.Errors))
	for _, it := range e.Errors {
		s := it.Message
		if s == "" {
			s = "(no message)"
		}
		if it.Code != "" {
			s += " [" + it.Code + "]"
		}
		if len(it.Path) > 0 {
			p := make([]string, len(it.Path))
			for i, el := range it.Path {
				p[i] = fmt.Sprint(el)
			}
			s += " at " + strings.Join(p, ".")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func (e *GraphQLError) statusText() string {
	if e.Status == 0 || e.Status == 200 {
		if c := e.Code(); c != "" {
			return c
		}
		return "GraphQL"
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

func (e *GraphQLError) Error() string {
	switch {
	case e.Is(ErrUnauthorized):
		return fmt.Sprintf("API key rejected (%s): %s", e.statusText(), e.messages())
	case e.Is(ErrForbidden):
		return fmt.Sprintf("forbidden (%s): %s", e.statusText(), e.messages())
	case e.Is(ErrRateLimited):
		return fmt.Sprintf("rate limited (%s), still limited after retrying: %s", e.statusText(), e.messages())
	}
	return fmt.Sprintf("GraphQL error (%s): %s", e.statusText(), e.messages())
}

// retryable reports whether the errors say the server failed internally,
// and nothing says the request itself was at fault.
func (e *GraphQLError) retryable() bool {
	internal := e.Status >= 500
	for _, it := range e.Errors {
		switch it.Code {
		case CodeUnauthenticated, CodeForbidden, CodeParseFailed, CodeValidationFailed, CodeBadUserInput:
			return false
		case CodeInternalServerError:
			internal = true
		}
	}
	return internal
}

// HTTPError is a response whose body was not GraphQL JSON (for example a
// load balancer's HTML error page), a redirect, or JSON without data or
// errors. Such a body is described, never quoted: it was written by
// whoever answered (a proxy that echoes the request, secrets and all, in
// any encoding), and nothing in it was meant for the user.
type HTTPError struct {
	Status int
	Reason string // what was wrong; "" means "unexpected non-JSON response"
	// ContentType is the response's media type when it is a plain
	// "type/subtype" token, else "".
	ContentType string
	Size        int // body length in bytes
}

func (e *HTTPError) Error() string {
	reason := e.Reason
	if reason == "" {
		reason = "unexpected non-JSON response"
	}
	status := fmt.Sprintf("HTTP %d", e.Status)
	if t := http.StatusText(e.Status); t != "" {
		status += " " + t
	}
	msg := fmt.Sprintf("%s (%s)", reason, status)
	switch {
	case e.Size == 0:
		msg += ", empty body"
	default:
		kind := e.ContentType
		if kind == "" {
			kind = "untyped"
		}
		msg += fmt.Sprintf(", %s body of %d bytes, not shown", kind, e.Size)
	}
	return msg
}

// mediaTypeRe is a media type fit to show: two short tokens.
var mediaTypeRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.+-]{0,39}/[a-z0-9][a-z0-9.+-]{0,39}$`)

// mediaType is the media type of a Content-Type header, or "" when it is
// missing or not a plain token pair.
func mediaType(header string) string {
	mt, _, err := mime.ParseMediaType(header)
	if err != nil || !mediaTypeRe.MatchString(mt) {
		return ""
	}
	return mt
}

// Is matches the auth sentinels when a proxy answered 401/403/429 in HTML.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == 401
	case ErrForbidden:
		return e.Status == 403
	case ErrRateLimited:
		return e.Status == 429
	}
	return false
}

// FieldError is one field's problem inside a MutationError.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

// MutationError is the business error a mutation returns inside data
// (HTTP 200): Plain rejected the change and applied nothing.
type MutationError struct {
	Type    string       `json:"type"` // VALIDATION, FORBIDDEN or INTERNAL
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Fields  []FieldError `json:"fields"`
}

func (e *MutationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Message == "" {
		b.WriteString("mutation failed")
	}
	var tags []string
	if e.Type != "" {
		tags = append(tags, e.Type)
	}
	if e.Code != "" {
		tags = append(tags, e.Code)
	}
	if len(tags) > 0 {
		b.WriteString(" (" + strings.Join(tags, " ") + ")")
	}
	for _, f := range e.Fields {
		b.WriteString("; ")
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Message)
		if f.Type != "" {
			b.WriteString(" (" + f.Type + ")")
		}
	}
	return b.String()
}

// Is lets a FORBIDDEN mutation error match ErrForbidden.
func (e *MutationError) Is(target error) bool {
	return target == ErrForbidden && e.Type == "FORBIDDEN"
}

// redactedError hides a secret from an error's text while keeping the chain
// intact for errors.Is/As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr makes sure key never appears in err's text.
func redactErr(err error, key string) error {
	if err == nil || key == "" {
		return err
	}
	msg := err.Error()
	hidden := hideKey(msg, key, "***")
	if hidden == msg {
		return err
	}
	return &redactedError{msg: hidden, err: err}
}

// scrub makes text a server wrote fit for an error message: the API key
// and the caller's secrets are masked, and text that still gives one away
// in any encoding (percent-encoded, HTML entities, base64, case-folded,
// cut) is withheld whole.
func (t *transport) scrub(s string) string {
	s = hideKey(s, t.key, "***")
	if t.key != "" && secret.Echoes(s, t.key) {
		return secret.Withheld
	}
	switch {
	case t.untrusted != nil:
		return t.untrusted(s)
	case t.mask != nil:
		return t.mask(s)
	}
	return s
}

// withholdEcho is scrub for server text the caller masks and redacts
// itself (delivery attempts' messages): s unchanged, or the withheld note
// when it echoes a secret in a form masking cannot undo.
func (t *transport) withholdEcho(s string) string {
	if t.scrub(s) == secret.Withheld {
		return secret.Withheld
	}
	return s
}

// scrubErrors scrubs every message, code and path element of g in place.
func (t *transport) scrubErrors(g *GraphQLError) {
	for i := range g.Errors {
		it := &g.Errors[i]
		it.Message = t.scrub(it.Message)
		it.Code = t.scrub(it.Code)
		for j, el := range it.Path {
			if s, ok := el.(string); ok {
				it.Path[j] = t.scrub(s)
			}
		}
	}
}

// scrubMutation scrubs the text of a mutation's business error.
func (t *transport) scrubMutation(e *MutationError) {
	if e == nil {
		return
	}
	e.Type, e.Code, e.Message = t.scrub(e.Type), t.scrub(e.Code), t.scrub(e.Message)
	for i := range e.Fields {
		f := &e.Fields[i]
		f.Field, f.Message, f.Type = t.scrub(f.Field), t.scrub(f.Message), t.scrub(f.Type)
	}
}
