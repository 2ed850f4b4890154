package spec

import (
	"errors"
	"fmt"
	"strings"
)

// Interpolate replaces every ${VAR} in raw with the variable's value from
// lookupEnv; "$${" stands for a literal "${". It returns the result and the
// variables it used (name -> value), so that callers can register every value
// as a secret. It fails on an unset variable, an unterminated "${" or an
// invalid variable name; error messages name variables but never contain a
// value.
func Interpolate(raw string, lookupEnv func(string) (string, bool)) (string, map[string]string, error) {
	out, used, errs := interpolate(raw, lookupEnv)
	if len(errs) > 0 {
		return "", nil, errs[0]
	}
	return out, used, nil
}

// interpolate is Interpolate reporting every error, so that the loader can
// show all of a URL's problems at once.
func interpolate(raw string, lookupEnv func(string) (string, bool)) (string, map[string]string, []error) {
	var b strings.Builder
	var errs []error
	used := map[string]string{}
	for i := 0; i < len(raw); {
		if strings.HasPrefix(raw[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(raw[i:], "${") {
			b.WriteByte(raw[i])
			i++
			continue
		}
		end := strings.IndexByte(raw[i+2:], '}')
		if end < 0 {
			errs = append(errs, errors.New(`unterminated "${" (write "$${" for a literal "${")`))
			break
		}
		name := raw[i+2 : i+2+end]
		i += 2 + end + 1
		if !validVarName(name) {
			errs = append(errs, fmt.Errorf("invalid variable name %q in ${...}: use letters, digits and _ and do not start with a digit", name))
			continue
		}
		v, ok := lookupEnv(name)
		if !ok {
			errs = append(errs, fmt.Errorf("environment variable %s is not set", name))
			continue
		}
		used[name] = v
		b.WriteString(v)
	}
	if len(errs) > 0 {
		return "", nil, errs
	}
	return b.String(), used, nil
}

// validVarName reports whether s is a POSIX-style environment variable name.
func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
