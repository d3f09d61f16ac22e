package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/reportd/reportd/reports/batch/riverbatch"
)

// jobFlags are serve's flags for batch jobs over replicas (PostgreSQL).
type jobFlags struct {
	workers                                     *int
	replica                                     *string
	renderTimeout, rescueAfter, assembleTimeout *time.Duration
}

// jobOptions are the parsed jobFlags.
type jobOptions struct {
	Workers                                     int
	Replica                                     string
	RenderTimeout, RescueAfter, AssembleTimeout time.Duration
}

func envInt(e *env, key string, def int) int {
	if v, err := strconv.Atoi(e.getenv(key)); err == nil {
		return v
	}
	return def
}

func envDuration(e *env, key string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(e.getenv(key)); err == nil {
		return v
	}
	return def
}

func addJobFlags(fs *flag.FlagSet, e *env) jobFlags {
	return jobFlags{
		workers: fs.Int("batch-workers", envInt(e, "REPORTD_BATCH_WORKERS", 0),
			"with PostgreSQL: batch forms this replica renders at once (0: one per CPU) (env REPORTD_BATCH_WORKERS)"),
		replica: fs.String("replica", e.getenv("REPORTD_REPLICA"),
			"with PostgreSQL: this replica's name in the job queue, unique per process (default HOSTNAME-PID) (env REPORTD_REPLICA)"),
		renderTimeout: fs.Duration("batch-job-timeout", envDuration(e, "REPORTD_BATCH_JOB_TIMEOUT", riverbatch.DefaultRenderTimeout),
			"with PostgreSQL: longest one form's batch job may take (env REPORTD_BATCH_JOB_TIMEOUT)"),
		rescueAfter: fs.Duration("batch-rescue-after", envDuration(e, "REPORTD_BATCH_RESCUE_AFTER", riverbatch.DefaultRescueAfter),
			"with PostgreSQL: a job running this long is taken for dead (its replica gone) and run again elsewhere; at least -batch-job-timeout (env REPORTD_BATCH_RESCUE_AFTER)"),
		assembleTimeout: fs.Duration("batch-assemble-timeout", envDuration(e, "REPORTD_BATCH_ASSEMBLE_TIMEOUT", riverbatch.DefaultAssembleTimeout),
			"with PostgreSQL: longest writing an archive may take; a dead assembler's job is rescued after it (env REPORTD_BATCH_ASSEMBLE_TIMEOUT)"),
	}
}

func (f jobFlags) options() (jobOptions, error) {
	o := jobOptions{Workers: *f.workers, Replica: *f.replica, RenderTimeout: *f.renderTimeout, RescueAfter: *f.rescueAfter, AssembleTimeout: *f.assembleTimeout}
	if o.Workers < 0 {
		return o, fmt.Errorf("-batch-workers: %d is negative", o.Workers)
	}
	if o.RenderTimeout <= 0 || o.AssembleTimeout <= 0 {
		return o, fmt.Errorf("-batch-job-timeout and -batch-assemble-timeout must be positive")
	}
	if o.RescueAfter < o.RenderTimeout {
		return o, fmt.Errorf("-batch-rescue-after %s is shorter than -batch-job-timeout %s: jobs still running would be run twice", o.RescueAfter, o.RenderTimeout)
	}
	if o.Replica == "" {
		host, _ := os.Hostname()
		o.Replica = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if len(o.Replica) > 100 {
		return o, fmt.Errorf("-replica: at most 100 characters")
	}
	return o, nil
}
