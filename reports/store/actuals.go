package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reportd/reportd/reports"
)

// StoredActuals is one version of a form's actuals of one kind (the
// year-end self-evaluation or a monitoring report).
type StoredActuals struct {
	FormID  int64
	Kind    string // reports.KindSelfEvaluation or reports.KindMonitoring
	Version int    // 1 when first saved, +1 on every change
	// FormVersion is the version of the form the actuals were entered
	// against: its rows pair with that version's indicators.
	FormVersion int
	Actuals     reports.Actuals
	Created     time.Time // when this version was saved
}

// ActualsStore keeps what forms achieved, per form and kind, with every
// version. The year is the form's.
//
// Errors are *reports.Error: ENOTFOUND for a form that does not exist or
// has no actuals of the kind, ECONFLICT when the expected version is not
// the current one.
type ActualsStore interface {
	// PutActuals saves a new version of a live form's actuals of a kind if
	// the current version is version (0: there are none yet).
	PutActuals(ctx context.Context, formID int64, version int, a reports.Actuals) (StoredActuals, error)
	// Actuals returns the current version.
	Actuals(ctx context.Context, formID int64, kind string) (StoredActuals, error)
	// ActualsVersions returns every version, oldest first.
	ActualsVersions(ctx context.Context, formID int64, kind string) ([]StoredActuals, error)
	// ActualsOfYear returns the current actuals of a kind of every live
	// form of a year, by form id.
	ActualsOfYear(ctx context.Context, year int, kind string) (map[int64]StoredActuals, error)
}

// EncodeActuals is the JSON a store keeps for actuals.
func EncodeActuals(a *reports.Actuals) string {
	b, err := json.Marshal(a)
	if err != nil {
		panic("store: marshal actuals: " + err.Error()) // plain data
	}
	return string(b)
}

// DecodeActuals reads what EncodeActuals wrote.
func DecodeActuals(data string) (reports.Actuals, error) {
	var a reports.Actuals
	if err := json.Unmarshal([]byte(data), &a); err != nil {
		return a, fmt.Errorf("decode stored actuals: %w", err)
	}
	return a, nil
}

// CheckActuals refuses actuals a store cannot keep: an unknown kind, or
// a NUL character (PostgreSQL text cannot hold it).
func CheckActuals(a *reports.Actuals) error {
	if a.Kind != reports.KindSelfEvaluation && a.Kind != reports.KindMonitoring {
		return reports.Errorf(reports.EINVALID, "unknown kind %q (%s or %s)", a.Kind, reports.KindSelfEvaluation, reports.KindMonitoring)
	}
	// JSON writes NUL as \u0000; PostgreSQL would store it, but not in
	// the texts it is decoded into.
	if strings.Contains(EncodeActuals(a), `\u0000`) {
		return reports.Errorf(reports.EINVALID, "actuals contain a NUL character")
	}
	return nil
}

// NoActuals is the error for a form without actuals of a kind.
func NoActuals(formID int64, kind string) error {
	return reports.Errorf(reports.ENOTFOUND, "form %d has no %s actuals", formID, kind)
}

// StaleActuals is the error for a change against an old version.
func StaleActuals(formID int64, kind string, expected, current int) error {
	return reports.Errorf(reports.ECONFLICT, "the %s actuals of form %d are at version %d, not %d", kind, formID, current, expected)
}
