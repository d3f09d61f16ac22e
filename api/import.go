package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/store"
)

// How an import treats forms already stored (docs/http-api.md, "Importing
// the same forms again"): a form's natural key is its family, 年度,
// 申报单位名称 and 项目名称. A form whose key matches a stored form
// updates it as a new version, or leaves it unchanged when nothing
// differs; other forms are created. So uploading the same file twice
// stores nothing twice, and uploading a corrected file updates the forms it
// corrects.

// Import outcomes, per form.
const (
	importCreated   = "created"
	importUpdated   = "updated"
	importUnchanged = "unchanged"
)

// imported is what an import did with one form.
type imported struct {
	Form   store.StoredForm
	Status string // importCreated, importUpdated or importUnchanged
	// Previous is the version an update replaced (0 otherwise).
	Previous int
}

// naturalKey identifies a form across uploads.
type naturalKey struct {
	family, unit, project string
	year                  int
}

func (s *Server) keyOf(f *reports.Form) naturalKey {
	fam := f.Family
	if fam == "" {
		fam = s.defaultFamily()
	}
	return naturalKey{family: fam, year: f.Year, unit: strings.TrimSpace(f.Unit), project: strings.TrimSpace(f.Project)}
}

// defaultFamily is the family of a form that names none.
func (s *Server) defaultFamily() string {
	fams := s.cfg.Families
	if fams == nil {
		var err error
		if fams, err = family.Builtin(); err != nil {
			return ""
		}
	}
	return fams.Default().Name
}

// duplicateKeys refuses a body that holds one form twice: which of the
// two should win is the caller's to say.
func (s *Server) duplicateKeys(forms []reports.Form) []problem {
	seen := map[naturalKey]int{}
	var out []problem
	for i := range forms {
		k := s.keyOf(&forms[i])
		if j, dup := seen[k]; dup {
			out = append(out, problem{Form: i, Severity: string(reports.SeverityError), Path: "project", Label: "项目名称",
				Line: forms[i].Line("project"), Cell: forms[i].Cell("project"),
				Message: fmt.Sprintf("与第 %d 张表的年度、申报单位和项目名称相同：同一项目在一个文件里只能出现一次", j+1)})
			continue
		}
		seen[k] = i
	}
	return out
}

// importForms stores forms by their natural key: new ones in one
// transaction, then each changed one as a new version of its stored form.
// Forms must have been validated; the caller may write every one.
func (s *Server) storeImport(ctx context.Context, forms []reports.Form) ([]imported, error) {
	out := make([]imported, len(forms))
	var fresh []reports.Form
	var freshAt []int
	type update struct {
		i  int
		sf store.StoredForm
	}
	var updates []update
	for i := range forms {
		cur, found, err := s.findByKey(ctx, &forms[i])
		if err != nil {
			return nil, err
		}
		switch {
		case !found:
			fresh, freshAt = append(fresh, forms[i]), append(freshAt, i)
		case store.FormHash(&forms[i]) == cur.Hash:
			out[i] = imported{Form: cur, Status: importUnchanged}
		default:
			updates = append(updates, update{i, cur})
		}
	}
	if len(fresh) > 0 {
		stored, err := s.cfg.Store.CreateForms(ctx, fresh)
		if err != nil {
			return nil, err
		}
		for k, sf := range stored {
			out[freshAt[k]] = imported{Form: sf, Status: importCreated}
		}
	}
	for _, u := range updates {
		sf, err := s.cfg.Store.UpdateForm(ctx, u.sf.ID, u.sf.Version, forms[u.i])
		if err != nil {
			return nil, fmt.Errorf("update form %d (%s): %w", u.sf.ID, forms[u.i].Project, err)
		}
		out[u.i] = imported{Form: sf, Status: importUpdated, Previous: u.sf.Version}
	}
	return out, nil
}

// findByKey returns the stored form with f's natural key; of several (left
// by imports before the key was used) the one changed last.
func (s *Server) findByKey(ctx context.Context, f *reports.Form) (store.StoredForm, bool, error) {
	want := s.keyOf(f)
	if want.project == "" {
		return store.StoredForm{}, false, nil
	}
	page, err := s.cfg.Store.ListForms(ctx, store.ListFilter{Year: f.Year, Unit: f.Unit, Query: want.project, PageSize: store.MaxPageSize})
	if err != nil {
		return store.StoredForm{}, false, err
	}
	for _, sf := range page.Forms { // newest change first
		if s.keyOf(&sf.Form) == want {
			return sf, true, nil
		}
	}
	return store.StoredForm{}, false, nil
}

// importCounts says in words what an import did: "新建 1 张，更新 1 张，1 张未变".
func importCounts(res []imported) (created, updated, unchanged int) {
	for _, r := range res {
		switch r.Status {
		case importCreated:
			created++
		case importUpdated:
			updated++
		default:
			unchanged++
		}
	}
	return
}
