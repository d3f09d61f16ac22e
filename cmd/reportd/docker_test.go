package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for reportd in a child process
// (TestDockerfileSteps runs it as another user).
func TestMain(m *testing.M) {
	if os.Getenv("REPORTD_TEST_RUN_MAIN") == "1" {
		os.Exit(run(context.Background(), &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// image is what the Dockerfile's final stage does to the file system and
// how it starts reportd.
type image struct {
	uid              int
	user, home       string
	workdir          string
	mkdirs, volumes  []string
	chowns           map[string]bool // paths chowned to the user
	entrypoint, args []string
}

// readDockerfile reads the final stage of the Dockerfile: its RUN steps
// (useradd, mkdir -p, chown), USER, WORKDIR, VOLUME, ENTRYPOINT and CMD.
func readDockerfile(t *testing.T, path string) image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	stages := regexp.MustCompile(`(?m)^FROM `).Split(text, -1)
	final := stages[len(stages)-1]
	img := image{chowns: map[string]bool{}}
	words := func(s string) []string {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "[") {
			var out []string
			for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(s, -1) {
				out = append(out, m[1])
			}
			return out
		}
		return strings.Fields(s)
	}
	for _, line := range strings.Split(final, "\n") {
		kw, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch kw {
		case "RUN":
			for _, cmd := range regexp.MustCompile(`&&|;`).Split(rest, -1) {
				f := strings.Fields(cmd)
				if len(f) == 0 {
					continue
				}
				switch f[0] {
				case "useradd":
					for i := 1; i+1 < len(f); i++ {
						switch f[i] {
						case "--uid":
							img.uid, _ = strconv.Atoi(f[i+1])
						case "--home-dir":
							img.home = f[i+1]
						}
					}
					img.user = f[len(f)-1]
				case "mkdir":
					for _, a := range f[1:] {
						if !strings.HasPrefix(a, "-") {
							img.mkdirs = append(img.mkdirs, a)
						}
					}
				case "chown":
					owner := ""
					for _, a := range f[1:] {
						switch {
						case strings.HasPrefix(a, "-"):
						case owner == "":
							owner, _, _ = strings.Cut(a, ":")
						case owner == img.user:
							img.chowns[a] = true
						}
					}
				}
			}
		case "WORKDIR":
			img.workdir = strings.TrimSpace(rest)
		case "VOLUME":
			img.volumes = append(img.volumes, words(rest)...)
		case "ENTRYPOINT":
			img.entrypoint = words(rest)
		case "CMD":
			img.args = words(rest)
		}
	}
	if img.uid == 0 || img.workdir == "" || len(img.volumes) == 0 || len(img.entrypoint) == 0 {
		t.Fatalf("Dockerfile not understood: %+v", img)
	}
	return img
}

// TestDockerfileSteps runs what the image does, without Docker: the
// user's home made by useradd, the directories the RUN steps make and
// chown, each VOLUME's mount point as Docker makes it when the image lacks
// it (owned by root), then `reportd serve` as the image's user in the
// image's working directory with an empty volume. It must come up ready
// (issue #18: the data volume was root's and serve could not open its
// database).
func TestDockerfileSteps(t *testing.T) {
	img := readDockerfile(t, "../../Dockerfile")
	if os.Geteuid() != 0 {
		t.Skipf("needs root to start reportd as the image's user (uid %d) and give it its directories, as CI runs", img.uid)
	}
	root := t.TempDir()
	for p := root; p != os.TempDir() && p != filepath.Dir(p); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil { // t.TempDir is 0700
			t.Fatal(err)
		}
	}
	mk := func(path string, uid int) {
		if err := os.MkdirAll(root+path, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(root+path, uid, uid); err != nil {
			t.Fatal(err)
		}
	}
	mk(img.home, img.uid) // useradd --create-home
	for _, d := range img.mkdirs {
		mk(d, 0)
	}
	for d := range img.chowns {
		if err := os.Chown(root+d, img.uid, img.uid); err != nil {
			t.Fatalf("chown %s: %v", d, err)
		}
	}
	for _, v := range img.volumes {
		if _, err := os.Stat(root + v); os.IsNotExist(err) {
			mk(v, 0) // Docker makes a missing mount point as root
		}
	}
	if _, err := os.Stat(root + img.workdir); err != nil {
		mk(img.workdir, 0)
	}
	// The test binary stands in for /usr/local/bin/reportd; the user must
	// be able to run it.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "reportd")
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	args := append(append([]string{}, img.entrypoint[1:]...), img.args...)
	for i, a := range args {
		if a == "-addr" && i+1 < len(args) {
			args[i+1] = addr // the image's port, on loopback here
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = root + img.workdir
	cmd.Env = []string{"REPORTD_TEST_RUN_MAIN=1", "HOME=" + root + img.home, "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(img.uid), Gid: uint32(img.uid)}}
	var stderr syncBuffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://%s/readyz", addr))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("reportd %s as uid %d in %s exited (%v):\n%s", strings.Join(args, " "), img.uid, img.workdir, err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready after 30 s:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, v := range img.volumes {
		if _, err := os.Stat(filepath.Join(root+v, "reportd.db")); err != nil {
			t.Errorf("the database is not in the volume %s: %v", v, err)
		}
	}
}
