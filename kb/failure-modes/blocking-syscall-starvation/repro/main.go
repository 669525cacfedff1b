// Reproducer: goroutines blocked in raw, blocking system calls.
//
// 64 goroutines each call syscall.Read on a blocking pipe (created with syscall.Pipe,
// so the fd is not in the netpoller). Each one keeps its OS thread inside read(2);
// the runtime hands the P to another thread (sysmon's retake / handoffp), so main keeps
// running even with GOMAXPROCS=1, but the process now needs one thread per blocked call:
// GODEBUG=schedtrace=200 shows threads= rising, /proc/self/status shows Threads:, and the
// goroutine dump shows the goroutines in [syscall]. At 10,000 threads the runtime would
// die with "runtime: program exceeds 10000-thread limit".
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

func threads() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Threads:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func main() {
	const n = 64
	writers := make([]int, 0, n)
	for i := 0; i < n; i++ {
		var p [2]int
		if err := syscall.Pipe(p[:]); err != nil { // blocking fds, not in the netpoller
			panic(err)
		}
		writers = append(writers, p[1])
		go func(fd int) {
			buf := make([]byte, 1)
			syscall.Read(fd, buf) // blocks this goroutine and its OS thread in read(2)
		}(p[0])
	}

	// The rest of the program keeps running: the blocked threads gave their P away.
	start := time.Now()
	ticks := 0
	for time.Since(start) < 1200*time.Millisecond {
		time.Sleep(10 * time.Millisecond)
		ticks++
	}
	fmt.Printf("main loop ran %d ticks in %v while %d goroutines sat in read(2)\n", ticks, time.Since(start).Round(time.Millisecond), n)
	fmt.Printf("/proc/self/status Threads: %s, threadcreate profile count: %d\n", threads(), pprof.Lookup("threadcreate").Count())
	fmt.Printf("%d goroutines blocked in raw syscalls hold %s OS threads\n", n, threads())

	fmt.Println("--- goroutine dump (debug=2) ---")
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)

	for _, w := range writers { // release the readers
		syscall.Write(w, []byte{1})
	}
}
