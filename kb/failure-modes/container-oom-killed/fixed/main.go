// Fixed: the same service and the same 200 MiB limit, but the service sets a soft
// memory limit below the hard one (debug.SetMemoryLimit, equivalent to
// GOMEMLIMIT=150MiB), so the GC runs before the heap reaches the limit instead of
// waiting until it has doubled. RSS stays under the limit, the service finishes and
// the program exits 0. GOMEMLIMIT only helps because the live data (120 MiB) fits:
// if live data itself grew past the limit, the fix would be finding that growth.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"runtime/metrics"
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
	debug.SetMemoryLimit(150 << 20) // below the 200 MiB hard limit, leaving headroom
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
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	fmt.Println("service: finished, live chunks:", len(live), "GC cycles:", s[0].Value.Uint64())
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
