// Fixed: the same 64 readers, but the pipes come from os.Pipe and are read through
// *os.File. Those fds are non-blocking and registered with the netpoller, so a reader
// with nothing to read parks its goroutine ([IO wait]) and frees its thread: the
// process keeps a handful of threads (schedtrace threads=, /proc/self/status Threads:).
// For files and calls that can only block (regular files, C libraries, ioctl), bound the
// number of concurrent callers instead (see the entry's fixes).
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
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
	writers := make([]*os.File, 0, n)
	for i := 0; i < n; i++ {
		r, w, err := os.Pipe() // non-blocking fds, registered with the netpoller
		if err != nil {
			panic(err)
		}
		writers = append(writers, w)
		go func(r *os.File) {
			buf := make([]byte, 1)
			r.Read(buf) // parks the goroutine in the netpoller; no thread is held
		}(r)
	}

	// The rest of the program keeps running: the blocked threads gave their P away.
	start := time.Now()
	ticks := 0
	for time.Since(start) < 1200*time.Millisecond {
		time.Sleep(10 * time.Millisecond)
		ticks++
	}
	fmt.Printf("main loop ran %d ticks in %v while %d goroutines waited in the netpoller\n", ticks, time.Since(start).Round(time.Millisecond), n)
	fmt.Printf("/proc/self/status Threads: %s, threadcreate profile count: %d\n", threads(), pprof.Lookup("threadcreate").Count())
	fmt.Printf("%d goroutines parked in [IO wait] need only %s OS threads\n", n, threads())

	fmt.Println("--- goroutine dump (debug=2) ---")
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)

	for _, w := range writers { // release the readers
		w.Write([]byte{1})
	}
}
