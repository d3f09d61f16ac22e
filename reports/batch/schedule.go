package batch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
)

// DefaultCron is 31 December at 02:00 (Asia/Shanghai): the year's batch
// after the last working day, before anyone is in the office.
const DefaultCron = "0 2 31 12 *"

// Schedule is a recurring batch.
type Schedule struct {
	Name string `json:"name"` // unique; part of the batch idempotency key
	// Cron is a five-field crontab (minute hour day month weekday) read in
	// the scheduler's location.
	Cron    string   `json:"cron"`
	Year    int      `json:"year,omitempty"` // 0: the year of the tick
	Unit    string   `json:"unit,omitempty"` // "" for every unit
	Formats []string `json:"formats"`
}

// ScheduleInfo is a schedule with its run times, for GET /api/v1/schedules.
type ScheduleInfo struct {
	Schedule
	Location string    `json:"location"`
	NextRun  time.Time `json:"next_run"`
	LastTick time.Time `json:"last_tick,omitzero"` // latest tick run or caught up
}

// Scheduler runs schedules with gocron and catches up once on start for
// ticks missed while no process ran.
type Scheduler struct {
	Runner    *Runner
	Schedules []Schedule
	// Location of the cron expressions; Asia/Shanghai when nil.
	Location *time.Location
	// Clock drives gocron and the catch-up decision; the real clock when nil.
	Clock clockwork.Clock
	// Locker, when set, lets one replica only run each tick (PostgreSQL
	// advisory locks across replicas).
	Locker gocron.Locker
	Log    *slog.Logger

	mu   sync.Mutex
	s    gocron.Scheduler
	jobs map[string]gocron.Job
}

// Shanghai is Asia/Shanghai. Go embeds no zone data by default; when the
// system has none either, China's fixed UTC+8 (no DST since 1991) is exact.
func Shanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("Asia/Shanghai", 8*3600)
}

func (s *Scheduler) loc() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return Shanghai()
}

func (s *Scheduler) clock() clockwork.Clock {
	if s.Clock != nil {
		return s.Clock
	}
	return clockwork.NewRealClock()
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Scheduler) cron(sc Schedule) (gocron.Cron, error) {
	c := gocron.NewDefaultCron(false)
	if err := c.IsValid(sc.Cron, s.loc(), s.clock().Now()); err != nil {
		return nil, fmt.Errorf("schedule %s: cron %q: %w", sc.Name, sc.Cron, err)
	}
	return c, nil
}

// ValidateSchedules checks names are unique and present, crons parse and
// formats are renderable, so a bad configuration fails at start.
func (s *Scheduler) ValidateSchedules() error {
	seen := map[string]bool{}
	for _, sc := range s.Schedules {
		if sc.Name == "" {
			return fmt.Errorf("schedule with cron %q has no name", sc.Cron)
		}
		if seen[sc.Name] {
			return fmt.Errorf("schedule %s is defined twice", sc.Name)
		}
		seen[sc.Name] = true
		if _, err := s.cron(sc); err != nil {
			return err
		}
		year := sc.Year
		if year == 0 {
			year = 2000 // any valid year: only the formats are checked here
		}
		if err := (Spec{Year: year, Unit: sc.Unit, Formats: sc.Formats}).Validate(s.Runner.Formats()); err != nil {
			return fmt.Errorf("schedule %s: %w", sc.Name, err)
		}
	}
	return nil
}

// PrevTick returns the latest tick of c at or before t, searching back up
// to ten years; ok is false when there is none.
func PrevTick(c gocron.Cron, t time.Time) (time.Time, bool) {
	// Widen the window until it holds a tick, then walk forward to the last
	// one: cheap for yearly and per-minute schedules alike.
	for _, back := range []time.Duration{time.Hour, 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour, 3660 * 24 * time.Hour} {
		next := c.Next(t.Add(-back))
		if next.IsZero() || next.After(t) {
			continue
		}
		for {
			after := c.Next(next)
			if after.IsZero() || after.After(t) {
				return next, true
			}
			next = after
		}
	}
	return time.Time{}, false
}

// Start validates the schedules, resumes batches left running, catches up
// missed ticks (once per schedule) and starts gocron. ctx bounds the jobs;
// call Stop to shut down.
func (s *Scheduler) Start(ctx context.Context) error {
	if err := s.ValidateSchedules(); err != nil {
		return err
	}
	opts := []gocron.SchedulerOption{gocron.WithLocation(s.loc()), gocron.WithClock(s.clock()), gocron.WithLogger(gocronLogger{s.log()})}
	if s.Locker != nil {
		opts = append(opts, gocron.WithDistributedLocker(s.Locker))
	}
	gs, err := gocron.NewScheduler(opts...)
	if err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	s.mu.Lock()
	s.s, s.jobs = gs, map[string]gocron.Job{}
	s.mu.Unlock()
	now := s.clock().Now()
	// Batches a crash or shutdown left running come first.
	if _, err := gs.NewJob(gocron.OneTimeJob(gocron.OneTimeJobStartImmediately()),
		gocron.NewTask(func(ctx context.Context) {
			if err := s.Runner.Resume(ctx); err != nil && ctx.Err() == nil {
				s.log().Error("resume batches", "err", err)
			}
		}), gocron.WithName("reportd resume"), gocron.WithContext(ctx)); err != nil {
		gs.Shutdown()
		return fmt.Errorf("start scheduler: %w", err)
	}
	for _, sc := range s.Schedules {
		c, _ := s.cron(sc)
		name := "reportd schedule " + sc.Name
		j, err := gs.NewJob(gocron.CronJob(sc.Cron, false),
			gocron.NewTask(func(ctx context.Context) {
				// gocron fires at or just after the tick: the tick is the
				// latest one not after now.
				tick, ok := PrevTick(c, s.clock().Now())
				if ok {
					s.runTick(ctx, sc, tick)
				}
			}),
			gocron.WithName(name), gocron.WithContext(ctx), gocron.WithSingletonMode(gocron.LimitModeReschedule))
		if err != nil {
			gs.Shutdown()
			return fmt.Errorf("schedule %s: %w", sc.Name, err)
		}
		s.mu.Lock()
		s.jobs[sc.Name] = j
		s.mu.Unlock()
		if err := s.catchUp(ctx, gs, sc, c, name, now); err != nil {
			gs.Shutdown()
			return err
		}
	}
	gs.Start()
	return nil
}

// catchUp runs a schedule once now if its latest tick passed while no
// process was running. A schedule seen for the first time records its
// latest tick instead: installing reportd in March does not run last
// December's batch.
func (s *Scheduler) catchUp(ctx context.Context, gs gocron.Scheduler, sc Schedule, c gocron.Cron, name string, now time.Time) error {
	prev, ok := PrevTick(c, now)
	if !ok {
		return nil
	}
	last, seen, err := s.Runner.Store.ScheduleTick(ctx, sc.Name)
	if err != nil {
		return err
	}
	if !seen {
		return s.Runner.Store.SetScheduleTick(ctx, sc.Name, prev)
	}
	if !prev.After(last) {
		return nil
	}
	s.log().Info("catching up a missed scheduled batch", "schedule", sc.Name, "tick", prev, "last", last)
	// Same job name, so the same distributed lock as the regular tick.
	_, err = gs.NewJob(gocron.OneTimeJob(gocron.OneTimeJobStartImmediately()),
		gocron.NewTask(func(ctx context.Context) { s.runTick(ctx, sc, prev) }),
		gocron.WithName(name), gocron.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("schedule %s: catch up: %w", sc.Name, err)
	}
	return nil
}

// TickKey is the idempotency key of a schedule's batch for a tick.
func TickKey(schedule string, tick time.Time) string {
	return "schedule " + schedule + " at " + tick.UTC().Format(time.RFC3339)
}

// runTick creates (or finds) the tick's batch and runs it.
func (s *Scheduler) runTick(ctx context.Context, sc Schedule, tick time.Time) {
	year := sc.Year
	if year == 0 {
		year = tick.In(s.loc()).Year()
	}
	spec := Spec{Year: year, Unit: sc.Unit, Formats: sc.Formats}
	log := s.log().With("schedule", sc.Name, "tick", tick)
	b, created, err := s.Runner.Create(ctx, spec, TickKey(sc.Name, tick), sc.Name, "")
	if err != nil {
		log.Error("create scheduled batch", "err", err)
		return
	}
	// Recorded after the batch exists: a crash in between is caught up and
	// finds the batch by its key.
	if err := s.Runner.Store.SetScheduleTick(ctx, sc.Name, tick); err != nil {
		log.Error("record schedule tick", "err", err)
	}
	if !created && b.State == StateDone {
		return
	}
	log.Info("running scheduled batch", "batch", b.ID, "year", year, "forms", b.Total)
	if err := s.Runner.Start(ctx, b.ID); err != nil && !errors.Is(err, ErrLocked) && ctx.Err() == nil {
		log.Error("scheduled batch", "batch", b.ID, "err", err)
	}
}

// List returns the schedules with their next run and last recorded tick.
func (s *Scheduler) List(ctx context.Context) ([]ScheduleInfo, error) {
	var out []ScheduleInfo
	for _, sc := range s.Schedules {
		info := ScheduleInfo{Schedule: sc, Location: s.loc().String()}
		s.mu.Lock()
		j := s.jobs[sc.Name]
		s.mu.Unlock()
		if j != nil {
			info.NextRun, _ = j.NextRun()
		}
		if info.NextRun.IsZero() {
			// Not started (or gocron not yet settled): compute it.
			if c, err := s.cron(sc); err == nil {
				info.NextRun = c.Next(s.clock().Now())
			}
		}
		last, ok, err := s.Runner.Store.ScheduleTick(ctx, sc.Name)
		if err != nil {
			return nil, err
		}
		if ok {
			info.LastTick = last
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b ScheduleInfo) int { return a.NextRun.Compare(b.NextRun) })
	return out, nil
}

// Stop stops gocron, cancelling running jobs' contexts, and waits for them.
func (s *Scheduler) Stop() error {
	s.mu.Lock()
	gs := s.s
	s.mu.Unlock()
	if gs == nil {
		return nil
	}
	return gs.Shutdown()
}

// gocronLogger sends gocron's logs to slog.
type gocronLogger struct{ l *slog.Logger }

func (g gocronLogger) Debug(msg string, args ...any) { g.l.Debug(msg, args...) }
func (g gocronLogger) Error(msg string, args ...any) { g.l.Error(msg, args...) }
func (g gocronLogger) Info(msg string, args ...any)  { g.l.Info(msg, args...) }
func (g gocronLogger) Warn(msg string, args ...any)  { g.l.Warn(msg, args...) }
