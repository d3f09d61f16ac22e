package reports

import (
	"errors"
	"fmt"
)

// Error codes, mapped to HTTP statuses in one place (api) and to exit codes
// by the CLI. Adapters wrap their failures in *Error so callers can decide
// without string matching.
const (
	ECONFLICT     = "conflict"     // stale version (If-Match), duplicate
	EINTERNAL     = "internal"     // a bug or an unexpected failure
	EINVALID      = "invalid"      // bad input: see Problems
	ENOTFOUND     = "not_found"    // no such thing, or not visible to the caller
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // known caller, not allowed
	EUNAVAILABLE  = "unavailable"  // overloaded or shutting down: retry later
	ETOOLARGE     = "too_large"    // input over a configured limit
	EPRECONDITION = "precondition" // a required precondition (If-Match) is missing
	EGONE         = "gone"         // existed, deleted on purpose (a pruned batch archive)
	ETIMEOUT      = "timeout"      // the client sent its request too slowly
	ETOOMANY      = "too_many"     // this caller has too much in progress, or failed too often
)

// Error is reportd's application error: a code for machines, a message for
// people, and optionally the validation problems behind it.
type Error struct {
	Code     string
	Message  string
	Problems Problems
	Err      error // the underlying cause, logged but not shown to clients
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of err: the *Error's message, or a
// generic one for internal errors so that causes do not leak to clients.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
