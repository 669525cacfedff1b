// Fixed: the goroutine recovers its own panics at its entry point (a safeGo-style
// wrapper) and turns them into errors reported to the caller; a failed job no
// longer takes the process down, and main sees the error.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"
)

type job struct{ id int }

func process(j job) {
	if j.id == 42 {
		panic(fmt.Errorf("process job %d: upstream returned status 503", j.id))
	}
}

// safeProcess converts a panic in one job into an error, with the stack for the log.
func safeProcess(j job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job %d panicked: %v\n%s", j.id, r, debug.Stack())
		}
	}()
	process(j)
	return nil
}

func main() {
	jobs := make(chan job)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for j := range jobs {
			if err := safeProcess(j); err != nil {
				errs <- err
			}
		}
	}()
	for id := 40; id < 45; id++ {
		jobs <- job{id: id}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		failed++
		msg, _, _ := strings.Cut(err.Error(), "\n") // first line; the stack follows
		fmt.Fprintln(os.Stderr, "failed:", msg)
	}
	fmt.Println("main: failed jobs:", failed)
	fmt.Println("main: all jobs handled")
}
