package main

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes a started server die with the test process, so a test
// killed by a timeout or ^C leaves no replica running.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
