package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/store/postgres"
	"github.com/reportd/reportd/reports/store/sqlite"
)

// storeFlags are the flags every command that opens the store shares.
type storeFlags struct {
	data, db, schema *string
}

func addStoreFlags(fs *flag.FlagSet, e *env) storeFlags {
	return storeFlags{
		data: fs.String("data", envOr(e, "REPORTD_DATA", "data"), "data directory: the SQLite database and the first admin token (env REPORTD_DATA)"),
		db:   fs.String("db", e.getenv("REPORTD_DB"), "postgres://… to keep forms in PostgreSQL; empty means SQLite in the data directory (env REPORTD_DB)"),
		schema: fs.String("db-schema", e.getenv("REPORTD_DB_SCHEMA"),
			"PostgreSQL schema for reportd's and River's tables, created if missing; empty uses the search_path (env REPORTD_DB_SCHEMA)"),
	}
}

func envOr(e *env, key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

// describe names the store for messages, without a password.
func (f storeFlags) describe() string {
	if strings.TrimSpace(*f.db) == "" {
		return filepath.Join(*f.data, "reportd.db")
	}
	return "the PostgreSQL database (-db)"
}

// open opens the store the flags name.
func (f storeFlags) open(ctx context.Context) (store.Store, error) {
	dsn := strings.TrimSpace(*f.db)
	switch {
	case dsn == "":
		return sqlite.Open(ctx, filepath.Join(*f.data, "reportd.db"), sqlite.Options{})
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn, postgres.Options{Schema: strings.TrimSpace(*f.schema)})
	}
	return nil, fmt.Errorf("-db %q: expected postgres://… (or nothing for SQLite)", dsn)
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", envOr(e, "REPORTD_ADDR", "127.0.0.1:8080"), "listen address (env REPORTD_ADDR)")
	sf := addStoreFlags(fs, e)
	tmplDir := fs.String("templates", e.getenv("REPORTD_FAMILIES"), "directory of extra form family files (*.json)")
	bodyLimit := fs.Int64("body-limit", 10<<20, "largest request body in bytes")
	renderTimeout := fs.Duration("render-timeout", 30*time.Second, "longest time one render may take")
	workers := fs.Int("workers", 0, "renders at once (0: one per CPU)")
	queue := fs.Int("queue", 0, "renders that may wait for a worker before 503 (0: max(64, 8 per worker))")
	maxForms := fs.Int("max-forms", 500, "most forms in one request body or uploaded file (import, render, upload); more is refused with 413")
	logJSON := fs.Bool("log-json", false, "log JSON lines instead of text")
	maxRenderRows := fs.Int("max-render-rows", 30_000, "largest POST /api/v1/render in table rows (25 per form plus its indicators); larger ones are refused with 413")
	perCaller := fs.Int("per-caller", 0, "requests with a body one token or signed-in clerk may have in progress before 429 (0: a quarter of workers+queue, at least 2)")
	bodyGrace := fs.Duration("body-grace", 5*time.Second, "time a request body may take before -min-body-rate applies")
	minBodyRate := fs.Int64("min-body-rate", 16<<10, "slowest accepted request body in bytes/s after -body-grace; slower bodies are cut off with 408")
	sessionLifetime := fs.Duration("session-lifetime", 12*time.Hour, "a web session ends this long after sign-in, whatever the activity")
	sessionIdle := fs.Duration("session-idle", 30*time.Minute, "a web session ends after this long without a request")
	hsts := fs.Bool("hsts", false, "send Strict-Transport-Security on every answer (the service is only reached through TLS)")
	trustProxy := fs.Bool("trust-proxy", false, "believe X-Forwarded-For and X-Forwarded-Proto from proxies on private or loopback addresses (client addresses, HSTS)")
	metricsToken := fs.String("metrics-token", e.getenv("REPORTD_METRICS_TOKEN"), "bearer token /metrics requires (env REPORTD_METRICS_TOKEN; empty: /metrics is open)")
	fs.BoolVar(&e.pdfa, "pdfa", e.getenv("REPORTD_PDFA") == "1", "write PDFs as PDF/A-2b for archiving (XMP metadata, sRGB output intent; env REPORTD_PDFA=1)")
	rf := addRetentionFlags(fs, e)
	jf := addJobFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "[-addr 127.0.0.1:8080] [-data DIR | -db postgres://…] [flags]",
		about:    "Run the HTTP API, the clerk pages and the scheduled year-end batches. On first start it prints an admin\ntoken once and leaves it in DATA/admin-token (mode 0600).",
		examples: []string{"reportd serve", "reportd serve -addr :8080 -db postgres://reportd@db/reportd -max-forms 200"}}); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	keep, err := rf.retention()
	if err != nil {
		return err
	}
	var handler slog.Handler = slog.NewTextHandler(e.stderr, nil)
	if *logJSON {
		handler = slog.NewJSONHandler(e.stderr, nil)
	}
	log := slog.New(handler)

	fams, err := familiesFrom(*tmplDir)
	if err != nil {
		return err
	}
	renderers := map[string]reports.Renderer{}
	for _, name := range slices.Sorted(mapsKeys(backends)) {
		r, err := newRenderer(e, name, fams)
		if err != nil {
			return fmt.Errorf("%s renderer: %w", name, err)
		}
		renderers[name] = r
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := ensureAdminToken(ctx, e, st, *sf.data); err != nil {
		return err
	}
	sessionKey, err := sessionKey(e, *sf.data)
	if err != nil {
		return err
	}
	srv, err := api.New(api.Config{
		SessionKey: sessionKey,
		Store:      st,
		Renderers:  renderers,
		Readers:    formReaders(fams),
		Families:   fams, // the web pages lay forms out with the site's families too
		Validate: func(f *reports.Form) reports.Problems {
			rules, err := rulesFor(fams, f)
			if err != nil {
				return reports.Problems{{Severity: reports.SeverityError, Path: "family", Message: err.Error()}}
			}
			return reports.Check(f, rules)
		},
		Logger:        log,
		BodyLimit:     *bodyLimit,
		RenderTimeout: *renderTimeout,
		RenderWorkers: *workers,
		RenderQueue:   *queue,
		MaxForms:      *maxForms,

		MaxRenderRows:   *maxRenderRows,
		HSTS:            *hsts,
		TrustProxy:      *trustProxy,
		MetricsToken:    *metricsToken,
		SessionLifetime: *sessionLifetime,
		SessionIdle:     *sessionIdle,
		PerCallerBodies: *perCaller,
		BodyGrace:       *bodyGrace,
		MinBodyRate:     *minBodyRate,
	})
	if err != nil {
		return err
	}
	jobs, err := jf.options()
	if err != nil {
		return err
	}
	stopBatches, err := serveBatches(ctx, e, st, renderers, fams, srv, *sf.data, *sf.db, keep, log, jobs)
	if err != nil {
		return err
	}
	defer stopBatches()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	where := "sqlite " + filepath.Join(*sf.data, "reportd.db")
	if *sf.db != "" {
		where = "postgres"
	}
	log.Info("reportd listening", "addr", "http://"+ln.Addr().String(), "store", where, "formats", strings.Join(slices.Sorted(mapsKeys(renderers)), ","))
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	log.Info("reportd stopped")
	return nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// adminTokenFile is where the first admin token is left for the operator.
const adminTokenFile = "admin-token"

// ensureAdminToken makes the first start usable and safe: when the store
// has no admin token it creates one, prints it once to stderr and writes
// it to DATA/admin-token (mode 0600) so a one-command start can be
// followed by `curl -H "Authorization: Bearer $(cat data/admin-token)"`.
// Only the hash is stored; delete the file once the token is kept
// elsewhere.
func ensureAdminToken(ctx context.Context, e *env, st store.Store, dataDir string) error {
	n, err := st.CountTokens(ctx, store.RoleAdmin)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	secret := store.NewSecret()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("first admin token: %w", err)
	}
	path := filepath.Join(dataDir, adminTokenFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("first admin token: %w", err)
	}
	_, werr := fmt.Fprintln(f, secret)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return fmt.Errorf("first admin token: %w", werr)
	}
	if _, err := st.CreateToken(ctx, store.Token{Name: "首个管理员（首次启动时创建）", Role: store.RoleAdmin, Hash: store.HashToken(secret)}); err != nil {
		os.Remove(path)
		return err
	}
	fmt.Fprintf(e.stderr, "reportd: no admin token existed; created one (shown once, also in %s, mode 0600):\n\n    %s\n\n", path, secret)
	return nil
}

// sessionKey is the key that signs the web pages' session cookies:
// REPORTD_SESSION_KEY (base64url, 32+ bytes; replicas behind one address
// must share it), else a key kept in the data directory so that sessions
// survive a restart. With PostgreSQL and no shared key each replica signs
// its own sessions, which works only behind a sticky load balancer.
func sessionKey(e *env, dataDir string) ([]byte, error) {
	if k := e.getenv("REPORTD_SESSION_KEY"); k != "" {
		key, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k, "="))
		if err != nil || len(key) < 32 {
			return nil, errors.New("REPORTD_SESSION_KEY: want 32 or more bytes, base64url-encoded")
		}
		return key, nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	return api.SessionKeyFile(filepath.Join(dataDir, "session-key"))
}
