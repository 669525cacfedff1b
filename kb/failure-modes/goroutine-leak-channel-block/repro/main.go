// Reproducer: goroutines that block for ever on channel operations.
//
// Two classic shapes, each run a bounded number of times:
//   - firstReply asks three replicas and returns the first answer; the result
//     channel is unbuffered, so the two slower replicas block in [chan send]
//     once nobody is left to receive.
//   - squareSum starts four workers that range over a jobs channel that is
//     never closed; after the caller has its results the workers sit in
//     [chan receive] for ever.
//
// The program then prints the goroutineleak profile (Go 1.26 experiment, GA in
// 1.27) and the full goroutine dump (debug=2) and exits 0. Nothing crashes:
// the leak only shows as a growing goroutine count.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

func firstReply(replicas []func() string) string {
	ch := make(chan string) // unbuffered: losers can never deliver
	for _, ask := range replicas {
		go func() {
			v := ask()
			ch <- v // blocks for ever for every replica but the first
		}()
	}
	return <-ch
}

func squareSum(items []int) int {
	jobs := make(chan int)
	results := make(chan int)
	for w := 0; w < 4; w++ {
		go func() {
			for n := range jobs { // jobs is never closed
				results <- n * n
			}
		}()
	}
	go func() {
		for _, n := range items {
			jobs <- n
		}
		// missing: close(jobs)
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
	time.Sleep(50 * time.Millisecond) // let the slow replicas reach their send
	fmt.Printf("goroutines after %d calls: %d\n", calls, runtime.NumGoroutine())

	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 1)
	fmt.Println()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
