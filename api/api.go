package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/formfile"
	"github.com/reportd/reportd/reports/store"
)

// Config is what the service is built from. Store and at least one
// renderer are required; the rest have working defaults.
type Config struct {
	Store store.Store
	// Renderers by format name ("pdf", "xlsx"): reports.Renderer.Format().
	Renderers map[string]reports.Renderer
	// Readers parse request bodies; formfile.Default() when nil. Register
	// formfile.XLSX to accept workbooks.
	Readers formfile.Readers
	// Validate checks a form before it is stored or rendered; forms with
	// errors are refused with 422. Nil means reports.Check with
	// reports.DefaultRules.
	Validate func(*reports.Form) reports.Problems
	Logger   *slog.Logger // nil discards logs
	// Families lay forms out on the web pages (family.Builtin() when nil);
	// SessionKey signs their session cookies (random per process when empty).
	Families   *family.Registry
	SessionKey []byte
	// SessionLifetime ends a web session this long after sign-in (12 h
	// when 0); SessionIdle ends it after this long without a request
	// (30 min when 0).
	SessionLifetime time.Duration
	SessionIdle     time.Duration

	BodyLimit int64 // largest request body; 10 MB when 0
	MaxForms  int   // most forms in one request body; 500 when 0
	// MaxRenderRows bounds one POST /api/v1/render: 25 rows per form
	// plus its indicator rows; 30,000 when 0 (500 forms of 35 indicators).
	MaxRenderRows int
	RenderTimeout time.Duration // longest single render; 30 s when 0
	RenderWorkers int           // renders at once; GOMAXPROCS when 0
	RenderQueue   int           // renders waiting for a worker before 503; max(64, 8×workers) when 0
	CacheBytes    int64         // rendered documents kept by content hash; 64 MB when 0, <0 disables
	// PerCallerBodies bounds the requests with a body one token (or
	// signed-in clerk) has in progress, reading included; past it 429.
	// max(2, (RenderWorkers+RenderQueue)/4) when 0, so that no caller can
	// hold more than a quarter of the shared capacity.
	PerCallerBodies int
	// A body must arrive within BodyGrace plus one second per MinBodyRate
	// bytes (5 s and 16 KB/s when 0), and within ReadTimeout; a slower
	// one is cut off with 408 before it takes any shared capacity.
	BodyGrace   time.Duration
	MinBodyRate int64

	// HSTS sends Strict-Transport-Security on every answer (the service
	// is only reached through TLS). TrustProxy believes X-Forwarded-For
	// (client addresses in logs and the audit log) and X-Forwarded-Proto
	// (HSTS, Secure cookies) from proxies on private and loopback
	// addresses.
	HSTS       bool
	TrustProxy bool
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// SignInFailures failed sign-ins from one address within
	// SignInWindow make it wait (429) until the window passes: 10 in 15
	// minutes when 0.
	SignInFailures int
	SignInWindow   time.Duration

	// Server timeouts used by Serve.
	ReadTimeout     time.Duration // whole request incl. body; 60 s when 0
	WriteTimeout    time.Duration // whole response; RenderTimeout + 30 s when 0
	IdleTimeout     time.Duration // keep-alive; 120 s when 0
	ShutdownTimeout time.Duration // in-flight requests get this long after the signal; 60 s when 0
}

func (c *Config) defaults() error {
	if c.Store == nil {
		return errors.New("api: no store")
	}
	if len(c.Renderers) == 0 {
		return errors.New("api: no renderer")
	}
	for name, r := range c.Renderers {
		if r == nil || r.Format() != name {
			return fmt.Errorf("api: renderer %q is nil or reports another format", name)
		}
	}
	if c.Readers == nil {
		c.Readers = formfile.Default()
	}
	if c.Validate == nil {
		c.Validate = func(f *reports.Form) reports.Problems { return reports.Check(f, reports.DefaultRules) }
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.BodyLimit <= 0 {
		c.BodyLimit = 10 << 20
	}
	if c.MaxForms <= 0 {
		// A department's year is a few hundred projects; a zip of 500
		// documents is ~50 MB held in memory until it is sent.
		c.MaxForms = 500
	}
	if c.MaxRenderRows <= 0 {
		c.MaxRenderRows = 30_000
	}
	if c.RenderTimeout <= 0 {
		c.RenderTimeout = 30 * time.Second
	}
	if c.RenderWorkers <= 0 {
		c.RenderWorkers = runtime.GOMAXPROCS(0)
	}
	if c.RenderQueue <= 0 {
		// Enough that a few dozen clients queue rather than fail; the
		// waiting forms are already parsed, so memory stays small.
		c.RenderQueue = max(64, 8*c.RenderWorkers)
	}
	if c.SessionLifetime <= 0 {
		c.SessionLifetime = sessionTTL
	}
	if c.SessionIdle <= 0 {
		c.SessionIdle = sessionIdle
	}
	if c.SignInFailures <= 0 {
		c.SignInFailures = 10
	}
	if c.SignInWindow <= 0 {
		c.SignInWindow = 15 * time.Minute
	}
	if c.PerCallerBodies <= 0 {
		c.PerCallerBodies = max(2, (c.RenderWorkers+c.RenderQueue)/4)
	}
	if c.BodyGrace <= 0 {
		c.BodyGrace = 5 * time.Second
	}
	if c.MinBodyRate <= 0 {
		c.MinBodyRate = 16 << 10
	}
	if c.CacheBytes == 0 {
		c.CacheBytes = 64 << 20
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 60 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = c.RenderTimeout + 30*time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 120 * time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 60 * time.Second
	}
	return nil
}

// Server is the HTTP service. It is an http.Handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	echo    *echo.Echo
	pool    *pool
	bodies  chan struct{} // admission of requests that carry a form body: admit.go
	callers *callers      // per-token share of it
	signIns *failures     // failed sign-ins per address
	cache   *cache
	metrics *metrics
	// openArchive reads a done batch's archive; set by MountBatches (the
	// runner's blobs), the file at Batch.Archive until then.
	openArchive func(context.Context, batch.Batch) (batch.ArchiveReader, error)
}

// New builds the service.
func New(cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		pool:    newPool(cfg.RenderWorkers, cfg.RenderQueue),
		bodies:  make(chan struct{}, cfg.RenderWorkers+cfg.RenderQueue),
		callers: newCallers(cfg.PerCallerBodies),
		signIns: newFailures(cfg.SignInFailures, cfg.SignInWindow),
		cache:   newCache(cfg.CacheBytes),
		metrics: newMetrics(),
	}
	e := echo.NewWithConfig(echo.Config{
		Logger:                       cfg.Logger,
		NoGroupAutoRegister404Routes: true,
	})
	// Errors are handled (and logged, and counted) by observe; this only
	// sees what happens outside the middleware chain.
	e.HTTPErrorHandler = func(c *echo.Context, err error) { s.writeError(c, err) }
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.Use(
		middleware.RequestID(),
		s.observe,
		middleware.Recover(),
		securityHeaders,
		s.hsts,
		validQuery,
	)
	s.routes(e)
	s.echo = e
	return s, nil
}

func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler, s.metricsAuth)
	e.GET("/openapi.json", s.openapi)

	anyRole := s.require(store.RoleAdmin, store.RoleClerk, store.RoleService)
	forms := s.require(store.RoleAdmin, store.RoleClerk)
	v1 := e.Group("/api/v1")
	v1.POST("/render", s.render, anyRole, s.admitBody)
	v1.POST("/forms/import", s.importForms, forms, s.admitBody)
	v1.GET("/forms", s.listForms, forms)
	// /forms/{id}.pdf and .xlsx share this route: Echo parameters run to
	// the next slash, so getForm dispatches on the suffix.
	v1.GET("/forms/:id", s.getForm, forms)
	v1.PUT("/forms/:id", s.putForm, forms, s.admitBody)
	v1.DELETE("/forms/:id", s.deleteForm, forms)
	v1.GET("/forms/:id/versions", s.formVersions, forms)
	// /actuals/self-evaluation.pdf (.ofd, .xlsx) share the GET route.
	v1.GET("/forms/:id/actuals/:kind", s.getActuals, forms)
	v1.PUT("/forms/:id/actuals/:kind", s.putActuals, forms, s.admitBody)
	v1.POST("/forms/:id/actuals/:kind/score", s.scoreActuals, forms, s.admitBody)
	admin := s.require(store.RoleAdmin)
	v1.GET("/audit", s.audit, admin)
	v1.DELETE("/sessions", s.endSessions, admin)
	s.webRoutes(e) // web pages for clerks: web.go
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Routes lists the registered routes (method and Echo path), for
// documentation checks.
func (s *Server) Routes() echo.Routes { return s.echo.Router().Routes() }

// Serve answers requests on ln until ctx is done, then stops accepting
// connections and waits up to ShutdownTimeout for requests in flight
// (renders included) to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", s.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err2 := <-done; !errors.Is(err2, http.ErrServerClosed) && err == nil {
		err = err2
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// validQuery refuses, for every route in one place, a query string that
// is malformed or whose names or values are not UTF-8 or hold NUL: no
// handler or store sees such bytes (PostgreSQL refuses them with an
// error that would otherwise surface as a 500).
func validQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		raw := c.Request().URL.RawQuery
		if raw == "" {
			return next(c)
		}
		q, err := url.ParseQuery(raw)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "the query string is malformed: "+err.Error())
		}
		for k, vs := range q {
			for _, v := range append([]string{k}, vs...) {
				if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("query parameter %q is not UTF-8 text without NUL", strings.ToValidUTF8(strings.ReplaceAll(k, "\x00", ""), "?")))
				}
			}
		}
		return next(c)
	}
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		return next(c)
	}
}

func (s *Server) healthz(c *echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c *echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		return &reports.Error{Code: reports.EUNAVAILABLE, Message: "store unreachable", Err: err}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
