package plainmock

import (
	"fmt"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// resultKind ties plain's neutral result names to the schema's union
// member and WebhookDeliveryAttemptResultStatus value.
type resultKind struct {
	typeName string
	status   string
}

var resultKinds = map[string]resultKind{
	plain.ResultSuccessfulResponse:     {"WebhookDeliveryAttemptSuccessfulResult", "SUCCESSFUL_RESPONSE"},
	plain.ResultFailedResponse:         {"WebhookDeliveryAttemptFailedResult", "FAILED_RESPONSE"},
	plain.ResultError:                  {"WebhookDeliveryAttemptErrorResult", "ERROR"},
	plain.ResultRejected:               {"WebhookDeliveryAttemptRejectedResult", "REJECTED"},
	plain.ResultSchemaValidationFailed: {"WebhookDeliveryAttemptSchemaValidationFailedResult", "SCHEMA_VALIDATION_FAILED"},
}

// resultOrder fixes an order for messages and for simulation.
var resultOrder = []string{
	plain.ResultSuccessfulResponse,
	plain.ResultFailedResponse,
	plain.ResultError,
	plain.ResultRejected,
	plain.ResultSchemaValidationFailed,
}

func resultKindList() string { return strings.Join(resultOrder, ", ") }

// fillAttempt gives a seeded or simulated attempt the ids and time Plain
// would have given it.
func (s *Server) fillAttempt(a plain.DeliveryAttempt) plain.DeliveryAttempt {
	now := s.nowMS()
	if a.ID == "" {
		a.ID = s.ids.id(plain.AttemptIDPrefix, now)
	}
	if a.PublicEventID == "" {
		a.PublicEventID = s.ids.id(plain.EventIDPrefix, now)
	}
	if a.AttemptedAt.IsZero() {
		a.AttemptedAt = now
	}
	return a
}

// attemptLess orders attempts newest first, as Plain lists them.
func attemptLess(a, b plain.DeliveryAttempt) bool {
	if !a.AttemptedAt.Equal(b.AttemptedAt) {
		return a.AttemptedAt.After(b.AttemptedAt)
	}
	return a.ID < b.ID
}

func attemptObj(a plain.DeliveryAttempt) obj {
	rk := resultKinds[a.Result]
	result := obj{"__typename": rk.typeName, "status": rk.status}
	switch a.Result {
	case plain.ResultSuccessfulResponse, plain.ResultFailedResponse:
		result["httpStatusCode"] = a.HTTPStatusCode
	case plain.ResultError:
		result["errorCode"] = a.ErrorCode
		result["errorMessage"] = a.Message
	case plain.ResultRejected:
		result["rejectedMessage"] = a.Message
	case plain.ResultSchemaValidationFailed:
		result["errorMessage"] = a.Message
	}
	return obj{
		"__typename":             "WebhookDeliveryAttempt",
		"id":                     a.ID,
		"webhookTargetId":        a.WebhookTargetID,
		"publicEventId":          a.PublicEventID,
		"publicEventEventType":   a.EventType,
		"attemptedAt":            dateTimeObj(a.AttemptedAt),
		"durationInMilliseconds": a.DurationInMilliseconds,
		"result":                 result,
	}
}

func (s *Server) resolveDeliveryAttempts(args map[string]any, oc *opCtx) (any, *fieldError) {
	pa, ferr := parsePageArgs(args)
	if ferr != nil {
		return nil, ferr
	}
	targetID, _ := asString(args["webhookTargetId"])
	var wantTypes map[string]bool
	wantStatus := ""
	if f, ok := args["filters"].(map[string]any); ok {
		if list, ok := f["eventTypes"].([]any); ok && len(list) > 0 {
			wantTypes = map[string]bool{}
			for _, v := range list {
				if s, ok := asString(v); ok {
					wantTypes[s] = true
				}
			}
		}
		wantStatus, _ = asString(f["resultStatus"])
	}
	all := oc.ws.attempts[targetID] // already newest first
	if wantTypes == nil && wantStatus == "" {
		return paginateSeq("WebhookDeliveryAttempt", "attempt", pageSource{
			n:    len(all),
			key:  func(i int) string { return attemptKey(all[i]) },
			node: func(i int) obj { return attemptObj(all[i]) },
		}, pa)
	}
	var list []plain.DeliveryAttempt
	for _, a := range all {
		if wantTypes != nil && !wantTypes[a.EventType] {
			continue
		}
		if wantStatus != "" && resultKinds[a.Result].status != wantStatus {
			continue
		}
		list = append(list, a)
	}
	items := make([]pageItem, len(list))
	for i, a := range list {
		items[i] = pageItem{key: attemptKey(a), node: attemptObj(a)}
	}
	return paginate("WebhookDeliveryAttempt", "attempt", items, pa)
}

// SimulateDeliveries is SimulateDeliveriesIn for every workspace.
func (s *Server) SimulateDeliveries(perTarget int) {
	for _, w := range s.Workspaces() {
		s.SimulateDeliveriesIn(w.ID, perTarget)
	}
}

// SimulateDeliveriesIn records perTarget delivery attempts for every
// existing target of workspace wsID ("" is the primary one), spread over the last three days, with a realistic mix of
// outcomes: mostly successes, some failed responses and errors, the
// occasional rejection and schema-validation failure. With perTarget >= 5
// every target gets each of the five kinds at least once, so listings and
// health summaries always have something of each to show.
func (s *Server) SimulateDeliveriesIn(wsID string, perTarget int) {
	if perTarget <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.mustWorkspace("SimulateDeliveriesIn", wsID)
	now := s.nowMS()
	targets := w.targets.sorted()
	if len(targets) == 0 {
		return // nothing changes, so nothing is written
	}
	for _, t := range targets {
		kinds := make([]string, perTarget)
		for i := range kinds {
			kinds[i] = s.pickKind()
		}
		if perTarget >= len(resultOrder) {
			ensureEveryKind(kinds)
		}
		for _, kind := range kinds {
			w.addAttempt(s.simulatedAttempt(w, t, kind, now))
		}
	}
	s.persistOrLog()
}

// pickKind draws an outcome with weights 80/8/6/3/3.
func (s *Server) pickKind() string {
	n := s.simRand.IntN(100)
	switch {
	case n < 80:
		return plain.ResultSuccessfulResponse
	case n < 88:
		return plain.ResultFailedResponse
	case n < 94:
		return plain.ResultError
	case n < 97:
		return plain.ResultRejected
	default:
		return plain.ResultSchemaValidationFailed
	}
}

// ensureEveryKind overwrites surplus entries (taken from the most common
// kind) with the kinds that were not drawn.
func ensureEveryKind(kinds []string) {
	for _, want := range resultOrder {
		count := map[string]int{}
		for _, k := range kinds {
			count[k]++
		}
		if count[want] > 0 {
			continue
		}
		most := ""
		for _, k := range resultOrder {
			if count[k] > count[most] {
				most = k
			}
		}
		for i := len(kinds) - 1; i >= 0; i-- {
			if kinds[i] == most {
				kinds[i] = want
				break
			}
		}
	}
}

var (
	failedStatuses = []int{500, 502, 503, 504, 404, 410, 400, 401, 429}
	successCodes   = []int{200, 200, 200, 200, 202, 204}
	errorOutcomes  = []struct{ code, msg string }{
		{"ECONNREFUSED", "Connection refused by the webhook target."},
		{"ETIMEDOUT", "The webhook target did not respond within 10 seconds."},
		{"ENOTFOUND", "The webhook target's host name could not be resolved."},
		{"ECONNRESET", "The webhook target closed the connection before responding."},
		{"CERT_HAS_EXPIRED", "The webhook target's TLS certificate has expired."},
	}
	rejectedMessages = []string{
		"The webhook target URL resolves to a private IP address.",
		"The webhook target responded with a redirect, which is not followed.",
		"The webhook target's response body exceeded the maximum size.",
	}
)

func (s *Server) simulatedAttempt(w *workspace, t plain.Target, kind string, now time.Time) plain.DeliveryAttempt {
	r := s.simRand
	eventType := ""
	if len(t.EventTypes) > 0 {
		eventType = t.EventTypes[r.IntN(len(t.EventTypes))]
	} else {
		eventType = w.eventTypes[r.IntN(len(w.eventTypes))].EventType
	}
	at := now.Add(-time.Duration(r.Int64N(int64(72 * time.Hour)))).Truncate(time.Millisecond)
	a := plain.DeliveryAttempt{
		WebhookTargetID: t.ID,
		EventType:       eventType,
		AttemptedAt:     at,
		Result:          kind,
	}
	switch kind {
	case plain.ResultSuccessfulResponse:
		a.HTTPStatusCode = successCodes[r.IntN(len(successCodes))]
		a.DurationInMilliseconds = 40 + r.IntN(600)
	case plain.ResultFailedResponse:
		a.HTTPStatusCode = failedStatuses[r.IntN(len(failedStatuses))]
		a.DurationInMilliseconds = 30 + r.IntN(2500)
	case plain.ResultError:
		e := errorOutcomes[r.IntN(len(errorOutcomes))]
		a.ErrorCode, a.Message = e.code, e.msg
		if e.code == "ETIMEDOUT" {
			a.DurationInMilliseconds = 10000
		} else {
			a.DurationInMilliseconds = 5 + r.IntN(200)
		}
	case plain.ResultRejected:
		a.Message = rejectedMessages[r.IntN(len(rejectedMessages))]
		a.DurationInMilliseconds = r.IntN(5)
	case plain.ResultSchemaValidationFailed:
		a.Message = fmt.Sprintf("The %s event payload did not validate against webhook version %s.", eventType, t.Version)
		a.DurationInMilliseconds = 1 + r.IntN(10)
	}
	return s.fillAttempt(a)
}
