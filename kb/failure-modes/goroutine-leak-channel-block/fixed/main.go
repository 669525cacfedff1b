// Fixed: every goroutine has a way to finish.
//
//   - firstReply's result channel has room for every replica, so the losers
//     deliver into the buffer and exit (a context to cancel them would also
//     stop the wasted work).
//   - squareSum closes jobs when the producer is done, so the workers' range
//     loops end.
//
// The same bounded workload runs; the dumps show only main.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

func firstReply(replicas []func() string) string {
	ch := make(chan string, len(replicas)) // every sender has a slot
	for _, ask := range replicas {
		go func() {
			ch <- ask()
		}()
	}
	return <-ch
}

func squareSum(items []int) int {
	jobs := make(chan int)
	results := make(chan int)
	for w := 0; w < 4; w++ {
		go func() {
			for n := range jobs {
				results <- n * n
			}
		}()
	}
	go func() {
		defer close(jobs) // ends the workers' range loops
		for _, n := range items {
			jobs <- n
		}
	}()
	sum := 0
	for range items {
		sum += <-results
	}
	return sum
}

func replica(delay time.Duration, name string) func() string {
	return func() string {
		time.Sleep(delay)
		return name
	}
}

func main() {
	fmt.Println("goroutines at start:", runtime.NumGoroutine())
	deadline := time.Now().Add(1500 * time.Millisecond)
	calls := 0
	for calls < 50 && time.Now().Before(deadline) {
		firstReply([]func() string{
			replica(1*time.Millisecond, "a"),
			replica(3*time.Millisecond, "b"),
			replica(5*time.Millisecond, "c"),
		})
		squareSum([]int{1, 2, 3, 4, 5, 6, 7, 8})
		calls++
	}
	time.Sleep(50 * time.Millisecond)
	fmt.Printf("goroutines after %d calls: %d\n", calls, runtime.NumGoroutine())

	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 1)
	fmt.Println()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
