package plainmock

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// gqlRequest is the JSON body of a GraphQL POST.
type gqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// execResult is what ServeHTTP writes back for a well-formed request.
type execResult struct {
	status     int
	body       any
	opName     string
	isMutation bool
}

// fieldError is a root field's failure, reported in the top-level errors
// with the field's path while sibling fields still resolve.
type fieldError struct {
	msg  string
	code string
}

func badInput(format string, args ...any) *fieldError {
	return &fieldError{msg: fmt.Sprintf(format, args...), code: codeBadUserInput}
}

// opCtx carries what resolvers need to know about the caller.
type opCtx struct {
	s     *Server
	ws    *workspace // the key's workspace: every resolver reads and writes only this
	perms map[string]bool
	// changed is set by mutations that altered state (for persistence and
	// for tests of the read-only guarantee).
	changed bool
}

// execute parses, validates and runs one request the way Plain's GraphQL
// server does: syntax and validation errors are HTTP 400 and run nothing;
// field errors are HTTP 200 next to the data that did resolve.
func (s *Server) execute(req *gqlRequest, grant keyGrant) execResult {
	doc, perr := parser.ParseQuery(&ast.Source{Name: "request", Input: req.Query})
	if perr != nil {
		return execResult{status: http.StatusBadRequest, body: errorsBody(fromGQLErrors(codeParseFailed, "Syntax Error: ", perr))}
	}
	if errs := validator.ValidateWithRules(mockSchema, doc, nil); len(errs) > 0 {
		return execResult{status: http.StatusBadRequest, body: errorsBody(fromGQLErrors(codeValidationFailed, "", errs))}
	}

	op, msg := selectOperation(doc, req.OperationName)
	if op == nil {
		return execResult{status: http.StatusBadRequest, body: errorsBody([]gqlErr{{Message: msg, Code: codeValidationFailed}})}
	}
	res := execResult{opName: op.Name, isMutation: op.Operation == ast.Mutation}

	vars, verr := validator.VariableValues(mockSchema, op, req.Variables)
	if verr != nil {
		res.status = http.StatusBadRequest
		res.body = errorsBody(variableErrors(verr))
		return res
	}

	rootName := "Query"
	switch op.Operation {
	case ast.Mutation:
		rootName = "Mutation"
	case ast.Subscription:
		rootName = "Subscription"
	}

	oc := &opCtx{s: s, ws: grant.ws, perms: map[string]bool{}}
	for _, p := range grant.perms {
		oc.perms[p] = true
	}
	e := &executor{schema: mockSchema, doc: doc, vars: vars, oc: oc}

	// Refuse, before anything runs, a query that reaches outside the
	// webhook surface: one error naming the fields, never partial data.
	if missing := e.checkImplemented(rootName, op.SelectionSet); len(missing) > 0 {
		res.status = http.StatusBadRequest
		res.body = errorsBody([]gqlErr{{
			Message:   notImplementedMessage(missing) + " It serves the webhook surface of Plain's API (see plain-mock --help).",
			Code:      codeNotImplemented,
			Locations: []location{{Line: op.Position.Line, Column: op.Position.Column}},
		}})
		return res
	}

	// One lock for the whole operation: a request sees one consistent
	// snapshot, and mutations apply in document order as the spec requires.
	s.mu.Lock()
	data, ok := e.executeObject(rootName, nil, op.SelectionSet, nil)
	s.mu.Unlock()
	errs := e.errs

	body := newOrderedMap()
	if len(errs) > 0 {
		body.set("errors", errs)
	}
	if !ok {
		// A non-null root field failed: the whole data is null.
		body.set("data", nil)
	} else {
		body.set("data", data)
	}
	res.status = http.StatusOK
	if hasCode(errs, codeForbidden) {
		// A query the key lacks the permission for: FORBIDDEN in errors, as
		// Plain's error-handling docs list it, on HTTP 403. Plain's SDKs
		// recognise a missing permission only by that status:
		// @team-plain/typescript-sdk 5.12.1 answers { type: 'forbidden',
		// message: errors[0].message } for 401/403 (on 200 it hands back
		// the null data), @team-plain/graphql throws ForbiddenError
		// ("Insufficient permissions: <message>") only on 403, and a Plain
		// key missing a permission reaches that ForbiddenError with Plain's
		// message naming the permission (generalaction/emdash#2167). What did
		// resolve is still in data. Mutations answer a MutationError
		// instead, on HTTP 200.
		res.status = http.StatusForbidden
	}
	res.body = body
	return res
}

func hasCode(errs []gqlErr, code string) bool {
	for _, e := range errs {
		if e.Code == code {
			return true
		}
	}
	return false
}

func errorsBody(errs []gqlErr) any { return map[string]any{"errors": errs} }

func selectOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, string) {
	if name != "" {
		if op := doc.Operations.ForName(name); op != nil {
			return op, ""
		}
		return nil, fmt.Sprintf("Unknown operation named %q.", name)
	}
	if len(doc.Operations) == 1 {
		return doc.Operations[0], ""
	}
	return nil, "Must provide operation name if query contains multiple operations."
}

func fromGQLErrors(code, prefix string, err error) []gqlErr {
	var list gqlerror.List
	var one *gqlerror.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = gqlerror.List{one}
	default:
		return []gqlErr{{Message: prefix + err.Error(), Code: code}}
	}
	out := make([]gqlErr, 0, len(list))
	for _, e := range list {
		ge := gqlErr{Message: prefix + e.Message, Code: code}
		for _, l := range e.Locations {
			ge.Locations = append(ge.Locations, location{Line: l.Line, Column: l.Column})
		}
		out = append(out, ge)
	}
	return out
}

// variableErrors phrases gqlparser's coercion errors the way Apollo (and so
// Plain) does: `Variable "$first" got invalid value …`.
func variableErrors(err error) []gqlErr {
	var ge *gqlerror.Error
	if !errors.As(err, &ge) {
		return []gqlErr{{Message: "Invalid variables: " + err.Error(), Code: codeBadUserInput}}
	}
	name := ""
	var rest []string
	for i, p := range ge.Path {
		switch el := p.(type) {
		case ast.PathName:
			if i == 0 && el == "variable" {
				continue
			}
			if name == "" {
				name = string(el)
				continue
			}
			rest = append(rest, string(el))
		case ast.PathIndex:
			rest = append(rest, strconv.Itoa(int(el)))
		}
	}
	msg := "Variable \"$" + name + "\" got invalid value"
	if len(rest) > 0 {
		msg += " at \"" + name + "." + strings.Join(rest, ".") + "\""
	}
	return []gqlErr{{Message: msg + ": " + ge.Message + ".", Code: codeBadUserInput}}
}

// fieldArgs evaluates a field's arguments. An argument bound to a variable
// the request did not provide is absent, which is how "only the given
// fields change" survives variables.
func fieldArgs(f *ast.Field, fd *ast.FieldDefinition, vars map[string]any) (map[string]any, *fieldError) {
	out := map[string]any{}
	for _, ad := range fd.Arguments {
		if ad.DefaultValue != nil && f.Arguments.ForName(ad.Name) == nil {
			if v, err := ad.DefaultValue.Value(nil); err == nil {
				out[ad.Name] = v
			}
		}
	}
	for _, a := range f.Arguments {
		if a.Value.Kind == ast.Variable {
			if v, ok := vars[a.Value.Raw]; ok {
				out[a.Name] = v
			}
			continue
		}
		v, err := a.Value.Value(vars)
		if err != nil {
			return nil, badInput("Argument %q has an invalid value: %v", a.Name, err)
		}
		out[a.Name] = v
	}
	return out, nil
}

// asInt accepts the number forms that reach resolvers: int64 from
// literals, float64 from JSON variables.
func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		if n > math.MaxInt32 || n < math.MinInt32 {
			return 0, false
		}
		return int(n), true
	case float64:
		if n != math.Trunc(n) || n > math.MaxInt32 || n < math.MinInt32 {
			return 0, false
		}
		return int(n), true
	}
	return 0, false
}

func asString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// --- query resolvers -------------------------------------------------------

func (s *Server) resolveWorkspace(_ map[string]any, oc *opCtx) (any, *fieldError) {
	return workspaceObj(oc.ws), nil
}

// resolveWorkspaceHmac answers null while the workspace has no secret.
func (s *Server) resolveWorkspaceHmac(_ map[string]any, oc *opCtx) (any, *fieldError) {
	return hmacObj(oc.ws), nil
}

func (s *Server) resolvePermissions(_ map[string]any, oc *opCtx) (any, *fieldError) {
	perms := make([]string, 0, len(oc.perms))
	for p := range oc.perms {
		perms = append(perms, p)
	}
	sort.Strings(perms)
	return obj{"__typename": "Permissions", "permissions": perms}, nil
}

func (s *Server) resolveEventTypes(_ map[string]any, oc *opCtx) (any, *fieldError) {
	out := make([]obj, len(oc.ws.eventTypes))
	for i, e := range oc.ws.eventTypes {
		out[i] = obj{"__typename": "SubscriptionEventType", "eventType": e.EventType, "description": e.Description}
	}
	return out, nil
}

func (s *Server) resolveVersions(args map[string]any, oc *opCtx) (any, *fieldError) {
	pa, ferr := parsePageArgs(args)
	if ferr != nil {
		return nil, ferr
	}
	items := make([]pageItem, len(oc.ws.versions))
	for i, v := range oc.ws.versions {
		items[i] = pageItem{key: fmt.Sprintf("%04d", i), node: obj{
			"__typename":   "WebhookVersion",
			"version":      v.Version,
			"isDeprecated": v.IsDeprecated,
			"isLatest":     v.IsLatest,
		}}
	}
	return paginate("WebhookVersion", "wv", items, pa)
}

func (s *Server) resolveTargets(args map[string]any, oc *opCtx) (any, *fieldError) {
	pa, ferr := parsePageArgs(args)
	if ferr != nil {
		return nil, ferr
	}
	// Only the page's targets are built: the index is ordered, so the
	// cursors are found by binary search.
	x := &oc.ws.targets
	return paginateSeq("WebhookTarget", "target", pageSource{
		n:       x.len(),
		key:     func(i int) string { return x.order[i].key() },
		compare: x.compareAt,
		node:    func(i int) obj { return targetObj(oc.ws, x.at(i)) },
	}, pa)
}

func (s *Server) resolveTarget(args map[string]any, oc *opCtx) (any, *fieldError) {
	id, _ := asString(args["webhookTargetId"])
	t, ok := oc.ws.targets.get(id)
	if !ok {
		// Plain answers null for an unknown id, not an error.
		return nil, nil
	}
	return targetObj(oc.ws, t), nil
}

// --- Relay pagination ------------------------------------------------------

const (
	defaultPageSize = 25
	maxPageSize     = 100
)

type pageArgs struct {
	first, last   *int
	after, before string
}

func parsePageArgs(args map[string]any) (pageArgs, *fieldError) {
	var pa pageArgs
	for _, name := range []string{"first", "last"} {
		v, ok := args[name]
		if !ok || v == nil {
			continue
		}
		n, ok := asInt(v)
		if !ok {
			return pa, badInput("%q must be an integer.", name)
		}
		if n < 0 || n > maxPageSize {
			return pa, badInput("%q must be between 0 and %d, got %d.", name, maxPageSize, n)
		}
		if name == "first" {
			pa.first = &n
		} else {
			pa.last = &n
		}
	}
	pa.after, _ = asString(args["after"])
	pa.before, _ = asString(args["before"])
	// Plain's pagination docs (plain.com/docs/graphql/pagination): forward
	// (first, after) and reverse (last, before) arguments "must not be
	// mixed, e.g performing a query with values for first & before will
	// result in a validation error". The query itself is valid against the
	// schema, so the error is the field's, with the code Plain's
	// error-handling docs give an invalid argument value: BAD_USER_INPUT.
	forward, backward := argNames(args, "first", "after"), argNames(args, "last", "before")
	if len(forward) > 0 && len(backward) > 0 {
		return pa, badInput("Forward (first, after) and backward (last, before) pagination arguments must not be mixed; got %s with %s.",
			strings.Join(forward, " and "), strings.Join(backward, " and "))
	}
	return pa, nil
}

// argNames lists which of names have a non-null value in args.
func argNames(args map[string]any, names ...string) []string {
	var out []string
	for _, n := range names {
		if v, ok := args[n]; ok && v != nil {
			out = append(out, n)
		}
	}
	return out
}

// pageItem is one node with its sort key; items are in ascending key order,
// so a cursor (an encoded key) still finds its place after the node it
// named has been deleted.
type pageItem struct {
	key  string
	node obj
}

func encodeCursor(prefix, key string) string {
	return base64.StdEncoding.EncodeToString([]byte(prefix + ":" + key))
}

func decodeCursor(prefix, c string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	key, ok := strings.CutPrefix(string(b), prefix+":")
	return key, ok && key != ""
}

func paginate(typeName, prefix string, items []pageItem, pa pageArgs) (any, *fieldError) {
	return paginateSeq(typeName, prefix, pageSource{
		n:    len(items),
		key:  func(i int) string { return items[i].key },
		node: func(i int) obj { return items[i].node },
	}, pa)
}

// pageSource is n items in ascending cursor-key order. node is called only
// for the items on the page, and compare (when set) finds a cursor's place
// without building any key, so a page costs O(log n + page).
type pageSource struct {
	n       int
	key     func(i int) string
	compare func(k string) func(i int) int // sign of key(i) compared with k
	node    func(i int) obj
}

func (p pageSource) cmp(k string) func(i int) int {
	if p.compare != nil {
		return p.compare(k)
	}
	return func(i int) int { return strings.Compare(p.key(i), k) }
}

func paginateSeq(typeName, prefix string, src pageSource, pa pageArgs) (any, *fieldError) {
	n := src.n
	start, end := 0, n
	if pa.after != "" {
		k, ok := decodeCursor(prefix, pa.after)
		if !ok {
			return nil, badInput("\"after\" is not a valid cursor.")
		}
		c := src.cmp(k)
		start = sort.Search(n, func(i int) bool { return c(i) > 0 })
	}
	if pa.before != "" {
		k, ok := decodeCursor(prefix, pa.before)
		if !ok {
			return nil, badInput("\"before\" is not a valid cursor.")
		}
		c := src.cmp(k)
		end = sort.Search(n, func(i int) bool { return c(i) >= 0 })
	}
	if end < start {
		end = start
	}
	if pa.first == nil && pa.last == nil {
		n := defaultPageSize
		pa.first = &n
	}
	if pa.first != nil && end-start > *pa.first {
		end = start + *pa.first
	}
	if pa.last != nil && end-start > *pa.last {
		start = end - *pa.last
	}
	edges := make([]obj, 0, end-start)
	for i := start; i < end; i++ {
		edges = append(edges, obj{"__typename": typeName + "Edge", "cursor": encodeCursor(prefix, src.key(i)), "node": src.node(i)})
	}
	pageInfo := obj{
		"__typename":      "PageInfo",
		"hasPreviousPage": start > 0,
		"hasNextPage":     end < n,
		"startCursor":     nil,
		"endCursor":       nil,
	}
	if len(edges) > 0 {
		pageInfo["startCursor"] = edges[0]["cursor"]
		pageInfo["endCursor"] = edges[len(edges)-1]["cursor"]
	}
	return obj{"__typename": typeName + "Connection", "edges": edges, "pageInfo": pageInfo}, nil
}
