package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

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
		return errNoCommand
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, e, args[1:])
	case "list":
		return runTokenList(ctx, e, args[1:])
	case "revoke":
		return runTokenRevoke(ctx, e, args[1:])
	}
	return fmt.Errorf("unknown token command %q (%v)", args[0], errNoCommand)
}

func runTokenCreate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := addStoreFlags(fs, e)
	role := fs.String("role", "", "admin, clerk or service")
	name := fs.String("name", "", "who or what holds the token")
	var units unitList
	fs.Var(&units, "unit", "申报单位名称 a clerk may see (repeat for several)")
	if err := fs.Parse(args); err != nil {
		return exitError{2}
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
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	secret := store.NewSecret()
	t, err := st.CreateToken(ctx, store.Token{Name: *name, Role: r, Units: units, Hash: store.HashToken(secret)})
	if err != nil {
		return err
	}
	// The secret goes to stdout alone so scripts can capture it; it is
	// not stored and cannot be shown again.
	fmt.Fprintln(e.stdout, secret)
	fmt.Fprintf(e.stderr, "token %d (%s%s) created; this is the only time it is shown\n", t.ID, t.Role, scope(t))
	return nil
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
	if err := fs.Parse(args); err != nil {
		return exitError{2}
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
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tUNITS\tNAME\tCREATED")
	for _, t := range ts {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Role, strings.Join(t.Units, "、"), t.Name, t.Created.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

func runTokenRevoke(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("token revoke", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := addStoreFlags(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitError{2}
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
