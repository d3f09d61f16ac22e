package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/reportd/reportd/reports/store"
)

// unitList is a repeatable -unit flag.
type unitList []string

func (u *unitList) String() string { return strings.Join(*u, ",") }
func (u *unitList) Set(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return fmt.Errorf("empty unit")
	}
	*u = append(*u, v)
	return nil
}

func runToken(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, tokenUsage)
		return exitError{2}
	}
	if isHelp(args[0]) {
		fmt.Fprintln(e.stdout, tokenUsage)
		fmt.Fprintln(e.stdout, "\nRun 'reportd token SUBCOMMAND -h' for its flags and examples.")
		return nil
	}
	// The audit log names who made a change from the command line.
	ctx = store.WithActor(ctx, cliActor(e))
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, e, args[1:])
	case "list":
		return runTokenList(ctx, e, args[1:])
	case "revoke":
		return runTokenRevoke(ctx, e, args[1:])
	case "signout":
		return runTokenSignout(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "reportd token: unknown subcommand %q\n%s\n", args[0], tokenUsage)
	return exitError{2}
}

const tokenUsage = `usage: reportd token create -role admin|clerk|service [-unit 申报单位]... [-name NAME]
       reportd token list
       reportd token revoke ID
       reportd token signout ID`

func runTokenCreate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := addStoreFlags(fs, e)
	role := fs.String("role", "", "admin, clerk or service")
	name := fs.String("name", "", "who or what holds the token")
	expires := fs.String("expires", "", "the token stops working after this long: 90d, 12h, 30m (empty: never)")
	var units unitList
	fs.Var(&units, "unit", "申报单位名称 a clerk may see (repeat for several)")
	if err := parseFlags(e, fs, args, helpText{usage: "-role admin|clerk|service [-unit 申报单位]... [-name NAME] [flags]",
		about:    "Create an API token and print its secret once on stdout.",
		examples: []string{"reportd token create -role clerk -unit 上海市促进中小企业发展协调办公室 -name 张三", "reportd token create -role service -name 预算系统"}}); err != nil {
		return err
	}
	r := store.Role(*role)
	switch {
	case !r.Valid():
		return fmt.Errorf("-role %q: use admin, clerk or service", *role)
	case r == store.RoleClerk && len(units) == 0:
		return fmt.Errorf("a clerk token needs at least one -unit 申报单位名称")
	case r != store.RoleClerk && len(units) > 0:
		return fmt.Errorf("-unit applies to clerk tokens only")
	}
	var until time.Time
	if *expires != "" {
		d, err := parseLifetime(*expires)
		if err != nil {
			return fmt.Errorf("-expires %q: %w", *expires, err)
		}
		until = time.Now().Add(d)
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	secret := store.NewSecret()
	t, err := st.CreateToken(ctx, store.Token{Name: *name, Role: r, Units: units, Hash: store.HashToken(secret), Expires: until})
	if err != nil {
		return err
	}
	// The secret goes to stdout alone so scripts can capture it; it is
	// not stored and cannot be shown again.
	fmt.Fprintln(e.stdout, secret)
	fmt.Fprintf(e.stderr, "token %d (%s%s) created%s; this is the only time it is shown\n", t.ID, t.Role, scope(t), expiry(t))
	return nil
}

func expiry(t store.Token) string {
	if t.Expires.IsZero() {
		return ""
	}
	return ", valid until " + t.Expires.In(china).Format("2006-01-02 15:04")
}

// china is the time zone times are shown in.
var china = time.FixedZone("CST", 8*3600)

// parseLifetime reads a duration with days: "90d", "12h", "1d12h".
func parseLifetime(v string) (time.Duration, error) {
	var days int
	rest := v
	if i := strings.IndexByte(v, 'd'); i > 0 {
		n, err := strconv.Atoi(v[:i])
		if err != nil {
			return 0, fmt.Errorf("not a duration like 90d or 12h")
		}
		days, rest = n, v[i+1:]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil {
			return 0, fmt.Errorf("not a duration like 90d or 12h")
		}
	}
	d += time.Duration(days) * 24 * time.Hour
	if d <= 0 || days > 100*366 {
		return 0, fmt.Errorf("must be positive and under a century")
	}
	return d, nil
}

// cliActor names the operator of the command line for the audit log.
func cliActor(e *env) store.Actor {
	who := e.getenv("USER")
	if who == "" {
		who = "?"
	}
	host, _ := os.Hostname()
	return store.Actor{Name: fmt.Sprintf("command line (%s@%s)", who, host), Remote: "local"}
}

func scope(t store.Token) string {
	if len(t.Units) == 0 {
		return ""
	}
	return ": " + strings.Join(t.Units, "、")
}

func runTokenList(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("token list", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := addStoreFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "[flags]",
		about:    "List the tokens (never their secrets), times in Beijing time.",
		examples: []string{"reportd token list"}}); err != nil {
		return err
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ts, err := st.Tokens(ctx)
	if err != nil {
		return err
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "ID\tROLE\tUNITS\tNAME\tCREATED\tEXPIRES\tLAST USED")
	when := func(t time.Time, zero string) string {
		if t.IsZero() {
			return zero
		}
		return t.In(china).Format("2006-01-02 15:04")
	}
	for _, t := range ts {
		exp := when(t.Expires, "never")
		if !t.Expires.IsZero() && !t.Expires.After(time.Now()) {
			exp += " (expired)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, strings.Join(t.Units, "、"), t.Name, when(t.Created, ""), exp, when(t.LastUsed, "never"))
	}
	return tw.Flush()
}

// runTokenSignout ends web sessions: every session, or those of one token.
func runTokenSignout(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("token signout", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := addStoreFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "[flags] ID",
		about:    "End every web session signed in with token ID.",
		examples: []string{"reportd token signout 3"}}); err != nil {
		return err
	}
	var id int64
	switch fs.NArg() {
	case 0:
	case 1:
		var err error
		if id, err = strconv.ParseInt(fs.Arg(0), 10, 64); err != nil || id < 1 {
			return fmt.Errorf("token id %q is not a number", fs.Arg(0))
		}
	default:
		return fmt.Errorf("usage: reportd token signout [flags] [ID]")
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.DeleteSessions(ctx, id)
	if err != nil {
		return err
	}
	what := "every session"
	if id != 0 {
		what = fmt.Sprintf("the sessions of token %d", id)
	}
	if err := st.Record(ctx, store.AuditEntry{Action: store.AuditSignOutAll, TokenID: id, Detail: fmt.Sprintf("%s: %d", what, n)}); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%d web sessions ended (%s)\n", n, what)
	return nil
}

func runTokenRevoke(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("token revoke", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := addStoreFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "[flags] ID",
		about:    "Revoke token ID: it no longer signs in or calls the API.",
		examples: []string{"reportd token revoke 3"}}); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: reportd token revoke [flags] ID")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return fmt.Errorf("token id %q is not a number", fs.Arg(0))
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RevokeToken(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "token %d revoked\n", id)
	return nil
}
