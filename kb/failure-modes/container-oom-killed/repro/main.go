// Reproducer (a stand-in, without root or cgroups): a container OOM kill comes from
// the kernel, not from Go. When a cgroup's memory.max is exceeded the kernel's OOM
// killer sends SIGKILL; the Go program prints nothing, and the runtime (Docker,
// containerd, Kubernetes) reports exit code 137 = 128 + 9 and reason OOMKilled.
//
// Here the parent process plays the kernel: it re-executes itself as a child
// "service", polls the child's resident set size (VmRSS) every 5 ms and sends
// SIGKILL when it passes 200 MiB. The child's live data (120 MiB) fits, but with the
// default GOGC=100 and no memory limit the heap is allowed to grow to about twice
// the live data before the next collection, so the garbage it produces pushes RSS
// over the limit. The parent then reports "signal: killed" and exits 137, as a
// shell or container runtime would.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const limitMiB = 200 // stands in for the container's memory limit

func rssMiB(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb >> 10
		}
	}
	return -1
}

var live [][]byte // the service's cache: stays reachable for the whole run

// service holds 120 MiB of live data and then churns through short-lived 1 MiB
// buffers for two seconds, like a cache plus request handling.
func service() {
	live = make([][]byte, 0, 120)
	for i := 0; i < 120; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = 1
		}
		live = append(live, b)
	}
	deadline := time.Now().Add(2 * time.Second)
	for n := 0; time.Now().Before(deadline); n++ {
		b := make([]byte, 1<<20) // garbage after this iteration
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		if n%8 == 7 {
			// requests arrive at a rate, not in one tight loop; this also keeps the
			// demo stable on a loaded CI machine, where a starved GC lags behind
			time.Sleep(time.Millisecond)
		}
	}
	fmt.Println("service: finished, live chunks:", len(live))
}

func main() {
	if os.Getenv("ROLE") == "service" {
		service()
		return
	}
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "ROLE=service")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	fmt.Printf("watchdog: limit %d MiB (stands in for the cgroup's memory.max)\n", limitMiB)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	peak, killed := 0, false
	for {
		select {
		case err := <-done:
			fmt.Println("watchdog: peak RSS", peak, "MiB")
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				fmt.Println(err) // "signal: killed" for SIGKILL
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					os.Exit(128 + int(ws.Signal())) // 137, as a shell or container runtime reports it
				}
				os.Exit(ee.ExitCode())
			}
			return
		case <-tick.C:
			r := rssMiB(cmd.Process.Pid)
			if r > peak {
				peak = r
			}
			if r > limitMiB && !killed {
				killed = true
				fmt.Printf("watchdog: RSS %d MiB > %d MiB: sending SIGKILL (what the kernel OOM killer does)\n", r, limitMiB)
				_ = cmd.Process.Kill()
			}
		}
	}
}
