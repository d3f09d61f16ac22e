package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/formfile"
	"github.com/reportd/reportd/reports/textform"
)

// XLSXType is the media type of workbooks.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// readBody reads the whole request body, at most BodyLimit bytes.
func (s *Server) readBody(c *echo.Context) ([]byte, error) {
	r := c.Request()
	tooLarge := reports.Errorf(reports.ETOOLARGE, "request body is larger than %d bytes", s.cfg.BodyLimit)
	if r.ContentLength > s.cfg.BodyLimit {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.BodyLimit+1))
	if err != nil {
		return nil, &reports.Error{Code: reports.EINVALID, Message: "cannot read request body", Err: err}
	}
	if int64(len(data)) > s.cfg.BodyLimit {
		return nil, tooLarge
	}
	return data, nil
}

// kindOf chooses the reader from Content-Type.
func kindOf(contentType string) (formfile.Kind, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if contentType == "" || err != nil {
		return "", echo.NewHTTPError(http.StatusUnsupportedMediaType,
			"Content-Type is missing or malformed: use application/json, text/plain; charset=utf-8 or "+XLSXType)
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return formfile.JSON, nil
	case mt == "text/plain" || mt == "text/tab-separated-values":
		return formfile.Text, nil
	case mt == XLSXType:
		return formfile.XLSX, nil
	case mt == "application/octet-stream":
		return sniff, nil // decided from the first bytes in readForms
	}
	return "", echo.NewHTTPError(http.StatusUnsupportedMediaType,
		fmt.Sprintf("unsupported Content-Type %q: use application/json, text/plain; charset=utf-8 or %s", mt, XLSXType))
}

// sniff is the kind of an application/octet-stream body until its first
// bytes are seen: a zip (PK\x03\x04) is a workbook, anything else is refused.
const sniff formfile.Kind = "sniff"

// readForms parses the request body into forms and checks them. Forms
// with errors make the whole request a 422 listing every problem; the
// warnings of valid forms are returned.
func (s *Server) readForms(c *echo.Context) ([]reports.Form, []problem, error) {
	kind, err := kindOf(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil {
		return nil, nil, err
	}
	data, err := s.readBody(c)
	if err != nil {
		return nil, nil, err
	}
	if kind == sniff {
		if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			return nil, nil, echo.NewHTTPError(http.StatusUnsupportedMediaType,
				"an application/octet-stream body must be an XLSX workbook; send JSON or text with their own Content-Type")
		}
		kind = formfile.XLSX
	}
	if _, ok := s.cfg.Readers[kind]; !ok {
		return nil, nil, echo.NewHTTPError(http.StatusUnsupportedMediaType, fmt.Sprintf("this server does not read %s bodies", kind))
	}
	if kind == formfile.JSON {
		data = unwrapStored(data)
	}
	forms, err := s.parse(c.Request().Context(), kind, data, "body")
	if err != nil {
		return nil, nil, parseError(err)
	}
	if len(forms) > s.cfg.MaxForms {
		return nil, nil, reports.Errorf(reports.ETOOLARGE, "the body holds %d forms; at most %d are accepted at once: split it", len(forms), s.cfg.MaxForms)
	}
	var errs, warns []problem
	for i := range forms {
		for _, p := range problemsOf(i, s.cfg.Validate(&forms[i])) {
			if p.Severity == string(reports.SeverityError) {
				errs = append(errs, p)
			} else {
				warns = append(warns, p)
			}
		}
	}
	if len(errs) > 0 {
		return nil, nil, &invalid{msg: fmt.Sprintf("%d problems in %d forms; nothing was done", len(errs), len(forms)), problems: errs}
	}
	return forms, warns, nil
}

// parse reads forms from a body. Workbooks are parsed on the render pool
// (excelize is the costly part of reading, in CPU and memory), so that
// parsing counts against the same workers and queue as rendering; the
// reader's own bounds (reports/xlsx limits.go) keep one parse short.
func (s *Server) parse(ctx context.Context, kind formfile.Kind, data []byte, name string) ([]reports.Form, error) {
	if kind != formfile.XLSX {
		return s.cfg.Readers.Read(kind, bytes.NewReader(data), name)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RenderTimeout)
	defer cancel()
	var forms []reports.Form
	var err error
	perr := s.pool.do(ctx, func() error {
		forms, err = s.cfg.Readers.Read(kind, bytes.NewReader(data), name)
		return nil
	})
	if perr != nil {
		if isContextErr(perr) && ctx.Err() != nil {
			return nil, reports.Errorf(reports.EUNAVAILABLE, "the server is busy reading other workbooks; retry shortly")
		}
		return nil, perr
	}
	return forms, err
}

// parseError turns a reader's failure into a 422 with one problem, keeping
// the line when the reader knows it.
func parseError(err error) error {
	var re *reports.Error
	if errors.As(err, &re) && re.Code != reports.EINVALID && re.Code != "" {
		return err
	}
	if errors.As(err, &re) && len(re.Problems) > 0 {
		return &invalid{msg: re.Message, problems: problemsOf(0, re.Problems)}
	}
	p := problem{Severity: string(reports.SeverityError), Message: err.Error()}
	var te *textform.Error
	if errors.As(err, &te) {
		p.Line, p.Message = te.Line, te.Msg
	}
	return &invalid{msg: "the body is not a readable form: " + p.Message, problems: []problem{p}}
}

// unwrapStored turns a form as GET /api/v1/forms/{id} answers it
// ({"id": …, "version": …, "form": {…}}) into a reportd/form/v1 document,
// so that what a client GETs it can PUT back unchanged. Anything else is
// returned as it is.
func unwrapStored(data []byte) []byte {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return data
	}
	form, ok := top["form"]
	_, schema := top["schema"]
	_, forms := top["forms"]
	if !ok || schema || forms || !bytes.HasPrefix(bytes.TrimSpace(form), []byte("{")) {
		return data
	}
	// The stored form's own members, with the schema added in front;
	// the line numbers of problems then count from the form's "{".
	body := bytes.TrimSpace(form)
	out := []byte(`{"schema":"reportd/form/v1"`)
	if rest := bytes.TrimSpace(body[1:]); !bytes.HasPrefix(rest, []byte("}")) {
		out = append(out, ',')
	}
	return append(out, body[1:]...)
}
