// Reproducer: a fan-in closes the results channel when its deadline passes while
// a slow producer is still running. The producer's later send hits a closed channel
// (runtime.chansend -> "send on closed channel") in its own goroutine; nobody
// recovers it there, so the whole process exits with status 2. Before that, the two
// close mistakes ("close of closed channel", "close of nil channel") are shown to be
// ordinary, recoverable panics.
package main

import (
	"fmt"
	"os"
	"time"
)

func tryClose(name string, ch chan int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "recovered (%s): %v\n", name, r)
		}
	}()
	close(ch)
}

func producer(id int, delay time.Duration, out chan<- int) {
	time.Sleep(delay)
	out <- id // panics if the consumer already closed out
}

func main() {
	done := make(chan int)
	close(done)
	tryClose("double close", done)
	var never chan int
	tryClose("nil channel", never)

	results := make(chan int, 4)
	go producer(1, 10*time.Millisecond, results)
	go producer(2, 300*time.Millisecond, results) // slower than the deadline

	deadline := time.After(100 * time.Millisecond)
	got := 0
collect:
	for {
		select {
		case r := <-results:
			fmt.Println("result from producer", r)
			got++
		case <-deadline:
			break collect
		}
	}
	close(results) // bug: the receiver closes while a sender is still alive
	fmt.Println("collected", got, "result(s); closing results")
	time.Sleep(time.Second)
	fmt.Println("not reached")
}
