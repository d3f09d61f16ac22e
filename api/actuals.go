package api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/evaluation"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/formfile"
	"github.com/reportd/reportd/reports/jsonform"
	"github.com/reportd/reportd/reports/store"
)

// What a form achieved: the year-end self-evaluation and mid-year
// monitoring reports of a stored form.
//
//	GET  /api/v1/forms/{id}/actuals/{kind}         current actuals, score, problems
//	PUT  /api/v1/forms/{id}/actuals/{kind}         save (JSON reportd/actuals/v1 or a filled workbook), If-Match
//	POST /api/v1/forms/{id}/actuals/{kind}/score   score a body without saving it
//	GET  /api/v1/forms/{id}/actuals/{kind}.pdf     the report (.ofd, .xlsx); blank and pre-filled when none is saved

// actualsJSON is a form's actuals as the API answers them.
type actualsJSON struct {
	FormID      int64            `json:"form_id"`
	Kind        string           `json:"kind"`
	Version     int              `json:"version"` // 0: nothing saved yet (a blank report)
	FormVersion int              `json:"form_version"`
	Created     *time.Time       `json:"created,omitempty"`
	Actuals     *reports.Actuals `json:"actuals"`
	Score       *scoreJSON       `json:"score,omitempty"`
	Rate        string           `json:"rate,omitempty"` // monitoring: 执行率
	Problems    []problem        `json:"problems"`
}

// scoreJSON is a self-evaluation's score: printed values (rounded as the
// family prints them) and exact ones ("97.1634…" as a fraction).
type scoreJSON struct {
	Total      string            `json:"total"`
	TotalExact string            `json:"total_exact"`
	Max        string            `json:"max"`
	Grade      string            `json:"grade"`
	Budget     partJSON          `json:"budget"`
	Indicators []partJSON        `json:"indicators"`
	Explain    string            `json:"explain"`
	Cells      map[string]string `json:"cells"` // printed values by path of the derived form ("indicators[2].score")
}

type partJSON struct {
	Points  string `json:"points"`
	Score   string `json:"score"`
	Rate    string `json:"rate,omitempty"`
	Formula string `json:"formula"`
	Met     bool   `json:"met"`
	Review  bool   `json:"review,omitempty"`
}

func actualsOut(id int64, version int, formVersion int, created *time.Time, a *reports.Actuals, r *evaluation.Result) actualsJSON {
	out := actualsJSON{FormID: id, Kind: r.Kind, Version: version, FormVersion: formVersion, Created: created, Actuals: a,
		Problems: problemsOf(0, r.Problems)}
	if r.Rate != nil {
		out.Rate = reports.Percent(r.Rate, 2)
	}
	if s := r.Score; s != nil {
		sj := &scoreJSON{Total: s.Fmt(s.Total), TotalExact: s.Total.RatString(), Max: r.Form.Extra["points"], Grade: s.Grade, Explain: r.Explain(),
			Budget: partJSON{Points: s.Fmt(s.Budget.Points), Score: s.Fmt(s.Budget.Score), Formula: s.Budget.Formula, Met: s.Budget.Rate != nil && s.Budget.Score.Cmp(s.Budget.Points) == 0},
			Cells:  map[string]string{}}
		if s.Budget.Rate != nil {
			sj.Budget.Rate = reports.Percent(s.Budget.Rate, 2)
		}
		for _, is := range s.Indicators {
			sj.Indicators = append(sj.Indicators, partJSON{Points: s.Fmt(is.Points), Score: s.Fmt(is.Score), Formula: is.Formula, Met: is.Met, Review: is.Review})
		}
		for k, v := range r.Form.Extra {
			sj.Cells["extra."+k] = v
		}
		for i, in := range r.Form.Indicators {
			for _, k := range []string{"points", "score"} {
				sj.Cells[reports.IndicatorPath(i, k)] = in.Extra[k]
			}
		}
		out.Score = sj
	}
	return out
}

func actualsETag(version int) string { return `"a` + strconv.Itoa(version) + `"` }

// actualsKind parses the {kind} segment: "self-evaluation", "monitoring",
// optionally with a document suffix ("self-evaluation.pdf").
func actualsKind(c *echo.Context) (kind, suffix string, err error) {
	kind, suffix, _ = strings.Cut(c.Param("kind"), ".")
	if kind != reports.KindSelfEvaluation && kind != reports.KindMonitoring {
		return "", "", reports.Errorf(reports.ENOTFOUND, "no report kind %q (self-evaluation or monitoring)", kind)
	}
	return kind, suffix, nil
}

func (s *Server) families() *family.Registry {
	if s.cfg.Families != nil {
		return s.cfg.Families
	}
	reg, err := family.Builtin()
	if err != nil {
		panic("built-in families: " + err.Error()) // the binary's own files
	}
	return reg
}

// formAndActuals returns the visible form and its current actuals of a
// kind (a blank set pinned to the form's version when none is saved).
func (s *Server) formAndActuals(c *echo.Context, kind string) (store.StoredForm, store.StoredActuals, error) {
	id, suffix, err := formID(c)
	if err != nil || suffix != "" {
		return store.StoredForm{}, store.StoredActuals{}, reports.Errorf(reports.ENOTFOUND, "no form %q", c.Param("id"))
	}
	sf, err := s.visibleForm(c, id)
	if err != nil {
		return sf, store.StoredActuals{}, err
	}
	sa, err := s.cfg.Store.Actuals(c.Request().Context(), id, kind)
	if reports.ErrorCode(err) == reports.ENOTFOUND {
		a := reports.NewActuals(kind, &sf.Form)
		a.FormVersion = sf.Version
		return sf, store.StoredActuals{FormID: id, Kind: kind, FormVersion: sf.Version, Actuals: *a}, nil
	}
	return sf, sa, err
}

// pinnedForm is the version of the form actuals were entered against.
func (s *Server) pinnedForm(c *echo.Context, sf store.StoredForm, version int) (reports.Form, error) {
	if version == 0 || version == sf.Version {
		return sf.Form, nil
	}
	vs, err := s.cfg.Store.FormVersions(c.Request().Context(), sf.ID)
	if err != nil {
		return reports.Form{}, err
	}
	for _, v := range vs {
		if v.Version == version {
			return v.Form, nil
		}
	}
	return sf.Form, nil
}

// getActuals is GET /api/v1/forms/{id}/actuals/{kind} and its documents.
func (s *Server) getActuals(c *echo.Context) error {
	kind, suffix, err := actualsKind(c)
	if err != nil {
		return err
	}
	var rd reports.Renderer
	if suffix != "" {
		var ok bool
		if rd, ok = s.cfg.Renderers[suffix]; !ok {
			return reports.Errorf(reports.ENOTFOUND, "no document format %q", suffix)
		}
	}
	sf, sa, err := s.formAndActuals(c, kind)
	if err != nil {
		return err
	}
	target, err := s.pinnedForm(c, sf, sa.FormVersion)
	if err != nil {
		return err
	}
	r, err := evaluation.Evaluate(s.families(), &target, &sa.Actuals)
	if err != nil {
		return err
	}
	if rd != nil {
		d := r.Form
		hash := store.FormHash(d) + strconv.FormatBool(d.Draft) // the cache key of the derived form
		h := c.Response().Header()
		etag := docETag(hash, rd.Format())
		h.Set("ETag", etag)
		h.Set("Cache-Control", "private, no-cache")
		if matchesETag(c.Request().Header.Get("If-None-Match"), etag) {
			return c.NoContent(http.StatusNotModified)
		}
		data, err := s.document(c.Request().Context(), rd, d, hash)
		if err != nil {
			return err
		}
		h.Set("Content-Disposition", contentDisposition(dispositionOf(c), reports.DocumentFileName(&target, kind)+"."+rd.Format(), docFallback(&target, sf.ID, rd.Format())))
		return c.Blob(http.StatusOK, rd.ContentType(), data)
	}
	var created *time.Time
	if sa.Version > 0 {
		created = &sa.Created
	}
	c.Response().Header().Set("ETag", actualsETag(sa.Version))
	return c.JSON(http.StatusOK, actualsOut(sf.ID, sa.Version, sa.FormVersion, created, &sa.Actuals, r))
}

func dispositionOf(c *echo.Context) string {
	if d := c.QueryParam("download"); d == "1" || d == "true" {
		return "attachment"
	}
	return "inline"
}

// readActuals reads a body of actuals for a stored form: JSON
// reportd/actuals/v1, or a filled workbook read back against the form.
func (s *Server) readActuals(c *echo.Context, kind string, sf store.StoredForm, prev *reports.Actuals) (*reports.Actuals, error) {
	k, err := kindOf(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil {
		return nil, err
	}
	data, err := s.readBody(c)
	if err != nil {
		return nil, err
	}
	var a *reports.Actuals
	switch {
	case k == formfile.JSON:
		doc, err := jsonform.ReadActuals(bytes.NewReader(data), "body")
		if err != nil {
			return nil, reports.Errorf(reports.EINVALID, "%v", err)
		}
		if doc.Form != nil {
			return nil, reports.Errorf(reports.EINVALID, "the body carries a form: send the actuals alone, the stored form %d is the one they refer to", sf.ID)
		}
		a = &doc.Actuals
		a.Year = sf.Form.Year
	case k == formfile.XLSX || k == sniff && bytes.HasPrefix(data, []byte("PK\x03\x04")):
		forms, err := s.parse(c.Request().Context(), formfile.XLSX, data, "body")
		if err != nil {
			return nil, parseError(err)
		}
		if len(forms) != 1 {
			return nil, reports.Errorf(reports.EINVALID, "the workbook holds %d sheets of reports; upload the one of this form", len(forms))
		}
		if a, err = evaluation.FromDerived(s.families(), &sf.Form, prev, &forms[0]); err != nil {
			return nil, err
		}
	default:
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType, "send actuals as application/json (reportd/actuals/v1) or a filled workbook ("+XLSXType+")")
	}
	if a.Kind != kind {
		return nil, reports.Errorf(reports.EINVALID, "the body holds %s actuals, not %s", a.Kind, kind)
	}
	if a.FormVersion != 0 && a.FormVersion != sf.Version {
		return nil, reports.Errorf(reports.ECONFLICT, "the actuals were entered against version %d of the form, which is now at version %d: enter them against the current version", a.FormVersion, sf.Version)
	}
	a.FormVersion = sf.Version
	return a, nil
}

// scoreActuals is POST /api/v1/forms/{id}/actuals/{kind}/score: the score
// and problems of a body, nothing saved (the web page's live score).
func (s *Server) scoreActuals(c *echo.Context) error {
	kind, suffix, err := actualsKind(c)
	if err != nil || suffix != "" {
		return reports.Errorf(reports.ENOTFOUND, "no report kind %q", c.Param("kind"))
	}
	sf, sa, err := s.formAndActuals(c, kind)
	if err != nil {
		return err
	}
	a, err := s.readActuals(c, kind, sf, &sa.Actuals)
	if err != nil {
		return err
	}
	r, err := evaluation.Evaluate(s.families(), &sf.Form, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, actualsOut(sf.ID, sa.Version, sf.Version, nil, a, r))
}

// putActuals is PUT /api/v1/forms/{id}/actuals/{kind}: saved only without
// errors (422 lists every problem); warnings come back with the result.
func (s *Server) putActuals(c *echo.Context) error {
	kind, suffix, err := actualsKind(c)
	if err != nil || suffix != "" {
		return reports.Errorf(reports.ENOTFOUND, "no report kind %q", c.Param("kind"))
	}
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" {
		return reports.Errorf(reports.EPRECONDITION, `If-Match is required: the ETag of the actuals you changed ("a0" when there are none yet) or *`)
	}
	sf, sa, err := s.formAndActuals(c, kind)
	if err != nil {
		return err
	}
	if err := mayWrite(caller(c), []reports.Form{sf.Form}); err != nil {
		return err
	}
	version := sa.Version
	if h != "*" {
		v := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
		n, err := strconv.Atoi(strings.TrimPrefix(v, "a"))
		if err != nil || n < 0 {
			return reports.Errorf(reports.EINVALID, `If-Match %q is not an ETag of actuals ("a3")`, h)
		}
		version = n
	}
	a, err := s.readActuals(c, kind, sf, &sa.Actuals)
	if err != nil {
		return err
	}
	r, err := evaluation.Evaluate(s.families(), &sf.Form, a)
	if err != nil {
		return err
	}
	if r.Problems.HasErrors() {
		return &invalid{msg: "the actuals have errors; nothing was saved", problems: problemsOf(0, r.Problems.Errors())}
	}
	saved, err := s.cfg.Store.PutActuals(c.Request().Context(), sf.ID, version, *a)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", actualsETag(saved.Version))
	return c.JSON(http.StatusOK, actualsOut(sf.ID, saved.Version, saved.FormVersion, &saved.Created, &saved.Actuals, r))
}
