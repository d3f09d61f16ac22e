package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/store/postgres"
	"github.com/reportd/reportd/reports/store/storetest"
)

// BenchmarkReplicas measures a year-end batch (PDF and XLSX per form, unit
// books, archive in PostgreSQL) with 1, 2 and 3 `reportd serve` replicas
// sharing one database through River, against the naive baseline of one
// `reportd batch run` process rendering in-process into its spool:
//
//	REPORTD_BENCH_FORMS=1000 go test -run X -bench Replicas -benchtime 1x ./cmd/reportd
//
// It reports forms/s (queueing to archive done) and the CPU the processes
// used per form (user+system, replicas summed): what sizing needs.
func BenchmarkReplicas(b *testing.B) {
	n := 500
	if v, err := strconv.Atoi(strings.TrimSpace(getenvDefault("REPORTD_BENCH_FORMS", ""))); err == nil && v > 0 {
		n = v
	}
	bin := buildReportd(b)
	sample, err := formgen.ReadSample(seedPath)
	if err != nil {
		b.Fatal(err)
	}
	var forms []reports.Form
	for _, f := range formgen.Generate(sample, formgen.Options{N: n, Year: 2020, Units: 20, Seed: 5}) {
		forms = append(forms, f)
	}
	setup := func(b *testing.B) (url, schema string) {
		url, schema = storetest.PostgresURL(b)
		db, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for i := 0; i < len(forms); i += 500 {
			if _, err := db.CreateForms(context.Background(), forms[i:min(i+500, len(forms))]); err != nil {
				b.Fatal(err)
			}
		}
		return url, schema
	}
	report := func(b *testing.B, elapsed time.Duration, cpu time.Duration) {
		b.ReportMetric(float64(n)/elapsed.Seconds(), "forms/s")
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/form")
		b.ReportMetric(0, "ns/op") // the run is one batch; ns/op says nothing more
	}

	b.Run("baseline=batch-run", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			url, schema := setup(b)
			cmd := exec.Command(bin, "batch", "run", "-year", "2020", "-format", "pdf,xlsx", "-db", url, "-db-schema", schema,
				"-data", b.TempDir(), "-o", filepath.Join(b.TempDir(), "a.zip"))
			b.StartTimer()
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("batch run: %v\n%s", err, out)
			}
			elapsed := time.Since(start)
			u := cmd.ProcessState
			if ru, ok := u.SysUsage().(*syscall.Rusage); ok {
				b.ReportMetric(float64(ru.Maxrss)/1024, "peak-rss-MB")
			}
			report(b, elapsed, u.UserTime()+u.SystemTime())
		}
	})
	for _, replicas := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("replicas=%d", replicas), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				url, schema := setup(b)
				args := []string{"-db", url, "-db-schema", schema}
				reps := []*replica{startReplica(b, bin, "r1", nil, args...)}
				for i := 2; i <= replicas; i++ {
					reps = append(reps, startReplica(b, bin, fmt.Sprintf("r%d", i), nil, args...))
				}
				token := strings.TrimSpace(string(mustRead(b, filepath.Join(reps[0].data, adminTokenFile))))
				b.StartTimer()
				start := time.Now()
				code, out, _ := call(b, "POST", reps[0].base+"/api/v1/batches", token, []byte(`{"year":2020,"formats":["pdf","xlsx"]}`))
				if code != 202 {
					b.Fatalf("start batch: %d %s", code, out)
				}
				for {
					code, out, _ := call(b, "GET", reps[0].base+"/api/v1/batches/1", token, nil)
					if code != 200 {
						b.Fatalf("batch: %d %s", code, out)
					}
					if strings.Contains(string(out), `"state":"done"`) {
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				elapsed := time.Since(start)
				b.StopTimer()
				var cpu time.Duration
				var peak int64
				for _, r := range reps {
					peak = max(peak, peakRSS(r.cmd.Process.Pid))
				}
				b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
				for _, r := range reps {
					r.stop(b)
					cpu += r.cmd.ProcessState.UserTime() + r.cmd.ProcessState.SystemTime()
				}
				report(b, elapsed, cpu)
			}
		})
	}
}

// peakRSS is a live process's peak resident set (VmHWM) in KB; 0 when
// /proc does not say.
func peakRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
