// Fixed: the same 40 readers, but the pipe is opened with os.Pipe, whose *os.File
// is non-blocking and registered with the netpoller. A goroutine waiting in
// f.Read parks ([IO wait]) and releases its thread, so 40 waiting readers need
// only a handful of threads and stay far below the 20-thread limit. Closing the
// write end wakes them all (io.EOF). For work that really blocks a thread (regular
// files, cgo, raw syscalls), bound the concurrency instead (a semaphore).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"time"
)

func main() {
	debug.SetMaxThreads(20)
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("pipe:", err)
		os.Exit(1)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	eofs := 0
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1)
			if _, err := r.Read(buf); errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
				mu.Lock()
				eofs++
				mu.Unlock()
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	fmt.Println("threads created:", pprof.Lookup("threadcreate").Count())
	w.Close()
	r.Close()
	wg.Wait()
	fmt.Println("readers finished:", eofs)
}
