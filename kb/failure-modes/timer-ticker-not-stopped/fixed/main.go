// Fixed: no goroutine waits on a timer channel that may never fire, every
// AfterFunc is stopped when it is no longer needed, and the select loop reuses
// one timer instead of calling time.After per iteration.
//
//   - watchdog: time.AfterFunc runs the timeout action only if it fires; the
//     deferred Stop cancels it, and no goroutine exists in the meantime.
//   - deadline: the result channel has room for both parties and the timer is
//     stopped as soon as the work answers.
//   - loop: one Timer, Reset each iteration (safe since Go 1.23: Reset and Stop
//     discard any pending value).
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

var errTimeout = errors.New("deadline exceeded")

func watchdogRequest(d time.Duration, work func()) {
	t := time.AfterFunc(d, func() { fmt.Println("request timed out") })
	defer t.Stop()
	work()
}

func deadlineRequest(d time.Duration, work func() error) error {
	result := make(chan error, 2) // both the timer and the work can always deliver
	t := time.AfterFunc(d, func() { result <- errTimeout })
	defer t.Stop()
	go func() { result <- work() }()
	return <-result
}

func allocsPerIteration(loop func(n int)) float64 {
	const n = 10000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	loop(n)
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / n
}

func main() {
	fmt.Println("goroutines at start:", runtime.NumGoroutine())
	for i := 0; i < 100; i++ {
		watchdogRequest(time.Hour, func() { time.Sleep(time.Millisecond) })
		_ = deadlineRequest(5*time.Millisecond, func() error { return nil })
	}
	time.Sleep(100 * time.Millisecond)
	fmt.Println("goroutines after 100 requests:", runtime.NumGoroutine())

	events := make(chan int, 1)
	perIter := allocsPerIteration(func(n int) {
		t := time.NewTimer(time.Minute)
		defer t.Stop()
		for i := 0; i < n; i++ {
			events <- i
			t.Reset(time.Minute)
			select {
			case <-events:
			case <-t.C:
			}
		}
	})
	fmt.Printf("heap allocations per iteration of a select with a reused timer: %.1f\n", perIter)

	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 1)
	fmt.Println()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
