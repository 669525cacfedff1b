// Reproducer: the goroutine leaks that timers really cause (Go 1.23+ semantics).
//
// A timer owns no goroutine; it leaks goroutines only through the code around it:
//   - watchdog: a goroutine waits on t.C, and the request calls t.Stop() when it
//     finishes in time. Stop never closes t.C, so the waiter blocks for ever in
//     [chan receive].
//   - AfterFunc deadline: time.AfterFunc(d, f) is never stopped; when it fires,
//     the runtime starts f in a new goroutine (created by time.goFunc) and f
//     blocks sending its timeout to a caller that already left ([chan send]).
//   - time.After in a loop: counts the heap allocations of a select loop that
//     calls time.After on every iteration (one new timer and channel each time).
//
// Bounded: 100 requests, then the goroutineleak profile and the debug=2 dump; exit 0.
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

// watchdogRequest logs a timeout if work takes longer than d.
func watchdogRequest(d time.Duration, work func()) {
	t := time.NewTimer(d)
	go func() {
		<-t.C // never fires after Stop, never closed
		fmt.Println("request timed out")
	}()
	work()
	t.Stop()
}

// deadlineRequest returns errTimeout if work takes longer than d.
func deadlineRequest(d time.Duration, work func() error) error {
	result := make(chan error)                         // unbuffered
	time.AfterFunc(d, func() { result <- errTimeout }) // never stopped
	go func() { result <- work() }()
	return <-result // the first value wins; the timer's callback is left behind
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
	time.Sleep(100 * time.Millisecond) // let the AfterFunc callbacks fire and block
	fmt.Println("goroutines after 100 requests:", runtime.NumGoroutine())

	events := make(chan int, 1)
	perIter := allocsPerIteration(func(n int) {
		for i := 0; i < n; i++ {
			events <- i
			select {
			case <-events:
			case <-time.After(time.Minute): // a new timer + channel per iteration
			}
		}
	})
	fmt.Printf("heap allocations per iteration of a select with time.After: %.1f\n", perIter)

	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 1)
	fmt.Println()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
