package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

// formJSON is a stored form as answered.
type formJSON struct {
	ID      int64         `json:"id"`
	Version int           `json:"version"`
	Hash    string        `json:"hash"`
	Created time.Time     `json:"created"`
	Updated time.Time     `json:"updated"`
	SavedBy string        `json:"saved_by,omitempty"` // in version lists: who saved it
	Form    *reports.Form `json:"form,omitempty"`
}

// summaryJSON is a form in listings.
type summaryJSON struct {
	ID      int64     `json:"id"`
	Version int       `json:"version"`
	Year    int       `json:"year"`
	Unit    string    `json:"unit"`
	Project string    `json:"project"`
	Family  string    `json:"family"` // the layout the form was read as (detected unless named)
	Hash    string    `json:"hash"`
	Updated time.Time `json:"updated"`
}

func summary(sf store.StoredForm) summaryJSON {
	return summaryJSON{ID: sf.ID, Version: sf.Version, Year: sf.Form.Year, Unit: sf.Form.Unit, Project: sf.Form.Project, Family: sf.Form.Family, Hash: sf.Hash, Updated: sf.Updated}
}

func full(sf store.StoredForm) formJSON {
	return formJSON{ID: sf.ID, Version: sf.Version, Hash: sf.Hash, Created: sf.Created, Updated: sf.Updated, SavedBy: sf.SavedBy, Form: &sf.Form}
}

func formETag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// ifMatch reads the version a change is conditional on: "v3", W/"v3",
// "3", or * for whatever is current (0).
func ifMatch(c *echo.Context) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" {
		return 0, reports.Errorf(reports.EPRECONDITION, "If-Match is required: send the ETag of the version you changed")
	}
	if h == "*" {
		return 0, nil
	}
	v := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.Atoi(strings.TrimPrefix(v, "v"))
	if err != nil || n < 1 {
		return 0, reports.Errorf(reports.EINVALID, "If-Match %q is not an ETag of this API (\"v3\")", h)
	}
	return n, nil
}

// formID parses the {id} path segment; the suffix is "", "pdf", "ofd" or "xlsx"…
func formID(c *echo.Context) (int64, string, error) {
	raw := c.Param("id")
	base, suffix, _ := strings.Cut(raw, ".")
	id, err := strconv.ParseInt(base, 10, 64)
	if err != nil || id < 1 {
		return 0, "", reports.Errorf(reports.ENOTFOUND, "no form %q", raw)
	}
	return id, suffix, nil
}

// visibleForm returns a form the caller may see; others do not exist for
// it (404, never 403, so ids do not reveal other units' forms).
func (s *Server) visibleForm(c *echo.Context, id int64) (store.StoredForm, error) {
	sf, err := s.cfg.Store.Form(c.Request().Context(), id)
	if err != nil {
		return sf, err
	}
	if !caller(c).Sees(sf.Form.Unit) {
		return store.StoredForm{}, store.NotFound("form", id)
	}
	return sf, nil
}

// mayWrite refuses forms of units outside a clerk's scope.
func mayWrite(t store.Token, forms []reports.Form) error {
	for i, f := range forms {
		if !t.Sees(f.Unit) {
			return reports.Errorf(reports.EFORBIDDEN, "form %d: 申报单位名称 %q is not one of this token's units (%s)", i+1, f.Unit, strings.Join(t.Units, "、"))
		}
	}
	return nil
}

// importForms is POST /api/v1/forms/import: all forms or none.
func (s *Server) importForms(c *echo.Context) error {
	forms, warns, err := s.readForms(c)
	if err != nil {
		return err
	}
	if err := mayWrite(caller(c), forms); err != nil {
		return err
	}
	if dups := s.duplicateKeys(forms); len(dups) > 0 {
		return &invalid{msg: fmt.Sprintf("%d forms repeat another form's 年度, 申报单位 and 项目名称; nothing was done", len(dups)), problems: dups}
	}
	res, err := s.storeImport(c.Request().Context(), forms)
	if err != nil {
		return err
	}
	type importedJSON struct {
		summaryJSON
		Status   string `json:"status"`                     // created, updated or unchanged
		Previous int    `json:"previous_version,omitempty"` // the version an update replaced
	}
	out := struct {
		IDs       []int64        `json:"ids"`
		Forms     []importedJSON `json:"forms"`
		Created   int            `json:"created"`
		Updated   int            `json:"updated"`
		Unchanged int            `json:"unchanged"`
		Warnings  []problem      `json:"warnings"`
	}{IDs: []int64{}, Forms: []importedJSON{}, Warnings: warns}
	if out.Warnings == nil {
		out.Warnings = []problem{}
	}
	for _, r := range res {
		out.IDs = append(out.IDs, r.Form.ID)
		out.Forms = append(out.Forms, importedJSON{summary(r.Form), r.Status, r.Previous})
	}
	out.Created, out.Updated, out.Unchanged = importCounts(res)
	status := http.StatusOK
	if out.Created > 0 {
		status = http.StatusCreated
	}
	return c.JSON(status, out)
}

// listForms is GET /api/v1/forms.
func (s *Server) listForms(c *echo.Context) error {
	f := store.ListFilter{Unit: c.QueryParam("unit"), Query: c.QueryParam("q")}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"year", &f.Year}, {"page", &f.Page}, {"page_size", &f.PageSize}} {
		if v := c.QueryParam(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return &reports.Error{Code: reports.EINVALID, Message: "query parameter " + p.name + " must be a whole number",
					Problems: reports.Problems{{Severity: reports.SeverityError, Path: p.name, Message: "不是整数：" + v}}}
			}
			*p.dst = n
		}
	}
	if t := caller(c); t.Role == store.RoleClerk {
		f.Units = append([]string{}, t.Units...)
	}
	page, err := s.cfg.Store.ListForms(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Forms    []summaryJSON `json:"forms"`
		Total    int           `json:"total"`
		Page     int           `json:"page"`
		PageSize int           `json:"page_size"`
	}{Forms: []summaryJSON{}, Total: page.Total, Page: page.Page, PageSize: page.PageSize}
	for _, sf := range page.Forms {
		out.Forms = append(out.Forms, summary(sf))
	}
	return c.JSON(http.StatusOK, out)
}

// getForm is GET /api/v1/forms/{id}, {id}.pdf and {id}.xlsx.
func (s *Server) getForm(c *echo.Context) error {
	id, suffix, err := formID(c)
	if err != nil {
		return err
	}
	var r reports.Renderer
	if suffix != "" {
		var ok bool
		if r, ok = s.cfg.Renderers[suffix]; !ok {
			return reports.Errorf(reports.ENOTFOUND, "no document format %q", suffix)
		}
	} else {
		// The form or, when Accept asks for a document type (Accept:
		// application/ofd), the document: caches must keep them apart.
		c.Response().Header().Add("Vary", "Accept")
		r = s.acceptedRenderer(c.Request().Header.Get("Accept"))
	}
	sf, err := s.visibleForm(c, id)
	if err != nil {
		return err
	}
	if r != nil {
		return s.sendDocument(c, r, &sf.Form, sf.ID, sf.Hash)
	}
	etag := formETag(sf.Version)
	c.Response().Header().Set("ETag", etag)
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	if matchesETag(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSON(http.StatusOK, full(sf))
}

// changing returns the id of the form a PUT or DELETE changes and the
// version it must still be: the If-Match version, or the current one for
// "If-Match: *" (then star is true). The form must be visible to the
// caller (404 otherwise).
func (s *Server) changing(c *echo.Context) (id int64, version int, star bool, err error) {
	id, suffix, err := formID(c)
	if err != nil || suffix != "" {
		return 0, 0, false, reports.Errorf(reports.ENOTFOUND, "no form %q", c.Param("id"))
	}
	if version, err = ifMatch(c); err != nil {
		return 0, 0, false, err
	}
	cur, err := s.visibleForm(c, id)
	if err != nil {
		return 0, 0, false, err
	}
	if version == 0 {
		return id, cur.Version, true, nil
	}
	return id, version, false, nil
}

// maxAnyRetries bounds how often a change under "If-Match: *" is retried
// when another change got in first: each round one of the racing writers
// wins, so this covers as many writers at once.
const maxAnyRetries = 100

// change runs fn at the version the request is conditional on. Under
// "If-Match: *" (any current version) a version that went stale while
// fn ran is not the caller's conflict: the form's visibility is checked
// again at its new version and fn retried, so every writer succeeds in
// some order, each making a new version.
func (s *Server) change(c *echo.Context, id int64, version int, star bool, fn func(version int) error) error {
	for attempt := 0; ; attempt++ {
		err := fn(version)
		if !star || reports.ErrorCode(err) != reports.ECONFLICT || attempt >= maxAnyRetries || c.Request().Context().Err() != nil {
			return err
		}
		cur, err := s.visibleForm(c, id)
		if err != nil {
			return err
		}
		version = cur.Version
	}
}

// putForm is PUT /api/v1/forms/{id}: the body is one form.
func (s *Server) putForm(c *echo.Context) error {
	id, version, star, err := s.changing(c)
	if err != nil {
		return err
	}
	forms, _, err := s.readForms(c)
	if err != nil {
		return err
	}
	if len(forms) != 1 {
		return reports.Errorf(reports.EINVALID, "the body holds %d forms; PUT replaces exactly one", len(forms))
	}
	if err := mayWrite(caller(c), forms); err != nil {
		return err
	}
	var sf store.StoredForm
	err = s.change(c, id, version, star, func(version int) (err error) {
		// Unchanged means no new version, as on the edit page: a client
		// that PUTs back what it GOT does not fill the history.
		cur, err := s.cfg.Store.Form(c.Request().Context(), id)
		if err == nil && cur.Version == version && cur.Hash == store.FormHash(&forms[0]) {
			sf = cur
			return nil
		}
		sf, err = s.cfg.Store.UpdateForm(c.Request().Context(), id, version, forms[0])
		return err
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", formETag(sf.Version))
	return c.JSON(http.StatusOK, full(sf))
}

// deleteForm is DELETE /api/v1/forms/{id}.
func (s *Server) deleteForm(c *echo.Context) error {
	id, version, star, err := s.changing(c)
	if err != nil {
		return err
	}
	err = s.change(c, id, version, star, func(version int) error {
		return s.cfg.Store.DeleteForm(c.Request().Context(), id, version)
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// formVersions is GET /api/v1/forms/{id}/versions, oldest first. Versions
// of the time the form belonged to a unit the caller does not see are left
// out: moving a form into a clerk's unit does not hand over its past.
func (s *Server) formVersions(c *echo.Context) error {
	id, suffix, err := formID(c)
	if err != nil || suffix != "" {
		return reports.Errorf(reports.ENOTFOUND, "no form %q", c.Param("id"))
	}
	if _, err := s.visibleForm(c, id); err != nil {
		return err
	}
	vs, err := s.cfg.Store.FormVersions(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := struct {
		Versions []formJSON `json:"versions"`
	}{Versions: make([]formJSON, 0, len(vs))}
	for _, v := range vs {
		if caller(c).Sees(v.Form.Unit) {
			out.Versions = append(out.Versions, full(v))
		}
	}
	return c.JSON(http.StatusOK, out)
}
