// Reproducer: main has a deferred recover, but the panic happens in a worker
// goroutine that has none. recover only works in the panicking goroutine, so the
// runtime (runtime.gopanic -> runtime.fatalpanic) prints "panic: <value>" and that
// goroutine's stack ("created by main.main in goroutine 1") and exits with status 2.
// The worker's own deferred call runs first; main's deferred function never runs.
//
// Optional argument (used for the extra samples in samples/): with "repanic"
// the worker recovers, logs and panics again with the same value (Go 1.25+:
// "panic: ... [recovered, repanicked]"); with "nil" the worker calls panic(nil)
// (Go 1.21+: *runtime.PanicNilError).
package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

type job struct{ id int }

func process(j job) {
	if j.id == 42 {
		panic(fmt.Errorf("process job %d: upstream returned status 503", j.id))
	}
}

func worker(jobs <-chan job, wg *sync.WaitGroup, mode string) {
	defer wg.Done()
	defer fmt.Fprintln(os.Stderr, "worker: deferred cleanup ran")
	if mode == "repanic" {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintln(os.Stderr, "worker: logging and re-panicking:", r)
				panic(r)
			}
		}()
	}
	for j := range jobs {
		if mode == "nil" && j.id == 42 {
			var reason error // nil by mistake
			panic(reason)
		}
		process(j)
	}
}

func main() {
	defer func() {
		// Never runs: a panic in another goroutine cannot be recovered here.
		if r := recover(); r != nil {
			fmt.Println("main recovered:", r)
		}
		fmt.Println("main: deferred function ran")
	}()
	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}

	jobs := make(chan job)
	var wg sync.WaitGroup
	wg.Add(1)
	go worker(jobs, &wg, mode)
	for id := 40; id < 45; id++ {
		jobs <- job{id: id}
	}
	close(jobs)
	wg.Wait()
	time.Sleep(100 * time.Millisecond)
	fmt.Println("main: all jobs done")
}
