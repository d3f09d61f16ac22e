package batch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reportd/reportd/reports"
)

// State is the state of a whole batch.
type State string

const (
	StateRunning State = "running" // created, rendering or assembling; resumed at start
	StateDone    State = "done"    // the archive is complete
)

// ItemState is the state of one form in a batch.
type ItemState string

const (
	ItemPending ItemState = "pending"
	ItemDone    ItemState = "done"
	ItemFailed  ItemState = "failed"
)

// Spec says what a batch renders.
type Spec struct {
	Year    int
	Unit    string   // exact 申报单位名称; "" means every unit
	Formats []string // "pdf", "xlsx"
}

// Validate checks the spec against the formats the caller can render.
func (s Spec) Validate(known []string) error {
	if s.Year < 1900 || s.Year > 2200 {
		return reports.Errorf(reports.EINVALID, "year: %d is not a year", s.Year)
	}
	if len(s.Formats) == 0 {
		return reports.Errorf(reports.EINVALID, "formats: at least one of %s is required", strings.Join(known, ", "))
	}
	seen := map[string]bool{}
	for _, f := range s.Formats {
		if !slices.Contains(known, f) {
			return reports.Errorf(reports.EINVALID, "formats: unknown format %q (use %s)", f, strings.Join(known, ", "))
		}
		if seen[f] {
			return reports.Errorf(reports.EINVALID, "formats: %q is given twice", f)
		}
		seen[f] = true
	}
	return nil
}

// ParseFormats reads "pdf,xlsx".
func ParseFormats(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Batch is one run over the forms of a year.
type Batch struct {
	ID   int64
	Spec Spec
	// Key makes creation idempotent: a second CreateBatch with the same
	// non-empty key returns the first batch. Scheduled runs use
	// "schedule NAME at TICK".
	Key      string
	Schedule string // name of the schedule that started it, "" when manual
	State    State
	// Archive is the path of the zip file, set at creation.
	Archive       string
	ArchiveSize   int64
	ArchiveSHA256 string
	// Error is the last error that stopped a run (the batch stays running
	// and is resumed); "" when none.
	Error    string
	Created  time.Time
	Finished time.Time // zero until done
	// ArchivePruned is when the retention policy deleted the archive (and
	// any spool files) of this done batch; zero while the archive is kept.
	ArchivePruned time.Time

	// Counts of items, filled by the store when reading.
	Total, Done, Failed int
}

// Output is one rendered document of an item.
type Output struct {
	Format string `json:"format"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Summary is what the archive's 汇总.xlsx shows of a form.
type Summary struct {
	Funds      reports.Funds `json:"funds"`
	Indicators int           `json:"indicators"`
	Errors     int           `json:"errors"`   // validation errors
	Warnings   int           `json:"warnings"` // validation warnings
}

// Item is one form of a batch. Seq orders items (by unit, project, form id)
// and names their spool files.
type Item struct {
	Seq     int
	FormID  int64
	Version int
	Unit    string
	Project string
	State   ItemState
	Reason  string   // why it failed
	Outputs []Output // one per format when done
	Summary Summary
}

// Store keeps batches and their items. The SQLite and PostgreSQL stores
// implement it next to their FormStore.
//
// Errors are *reports.Error with ENOTFOUND for an unknown batch.
type Store interface {
	// CreateBatch records b with one pending item per live form matching
	// b.Spec (at its current version), in one transaction. If b.Key is not
	// empty and a batch with that key exists, it returns that batch and
	// created=false instead.
	CreateBatch(ctx context.Context, b Batch) (_ Batch, created bool, err error)
	// Batch returns a batch with its item counts.
	Batch(ctx context.Context, id int64) (Batch, error)
	// Batches returns batches in a state ("" for all), newest first.
	Batches(ctx context.Context, state State, limit int) ([]Batch, error)
	// BatchItems returns the items of a batch ordered by Seq.
	BatchItems(ctx context.Context, id int64) ([]Item, error)
	// SaveBatchItems records the state, reason, outputs and summary of
	// items (matched by Seq) in one transaction.
	SaveBatchItems(ctx context.Context, id int64, items []Item) error
	// UpdateBatch records State, Error, Archive* and Finished (not
	// ArchivePruned: see MarkArchivePruned).
	UpdateBatch(ctx context.Context, b Batch) error
	// MarkArchivePruned records that a done batch's archive was deleted at
	// a moment. It keeps the first moment when called again, and refuses a
	// batch that is not done with ECONFLICT (a running batch's files are
	// never pruned).
	MarkArchivePruned(ctx context.Context, id int64, at time.Time) error
	// FormVersion returns a form as it was at a version.
	FormVersion(ctx context.Context, id int64, version int) (reports.Form, error)
	// ScheduleTick returns the latest tick recorded for a schedule.
	ScheduleTick(ctx context.Context, name string) (_ time.Time, ok bool, err error)
	// SetScheduleTick records a schedule's tick if it is later than the
	// recorded one.
	SetScheduleTick(ctx context.Context, name string, tick time.Time) error
}

// Progress is reported while a batch renders.
type Progress struct {
	Batch               int64
	Total, Done, Failed int       // Done and Failed include earlier runs
	Resumed             int       // items already finished when this run started
	Started             time.Time // start of this run
	Phase               string    // "render" or "archive"
}

func (p Progress) String() string {
	return fmt.Sprintf("batch %d: %d/%d done, %d failed", p.Batch, p.Done+p.Failed, p.Total, p.Failed)
}
