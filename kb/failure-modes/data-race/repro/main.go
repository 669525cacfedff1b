// Reproducer: worker goroutines add to a shared counter field without
// synchronisation. Built with -race, the race detector prints a
// "WARNING: DATA RACE" report naming both accesses and where each goroutine was
// created, the program finishes (possibly with a wrong total), prints
// "Found 1 data race(s)" and exits with status 66.
//
//	./prog           (default) the shared counter
//	./prog loopvar   goroutines read the loop variable; this races only when the
//	                 module's go.mod says go 1.21 or older (one shared variable for
//	                 all iterations); from go 1.22 each iteration has its own copy.
package main

import (
	"fmt"
	"os"
	"sync"
)

type stats struct {
	processed int // bytes processed; written by every worker
}

func main() {
	mode := "counter"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	var wg sync.WaitGroup
	switch mode {
	case "counter":
		var st stats
		jobs := [][]byte{[]byte("alpha"), []byte("beta"), []byte("gamma"), []byte("delta")}
		for _, job := range jobs {
			wg.Add(1)
			go func(b []byte) {
				defer wg.Done()
				st.processed += len(b) // unsynchronised read-modify-write
			}(job)
		}
		wg.Wait()
		fmt.Println("processed", st.processed, "bytes")
	case "loopvar":
		var mu sync.Mutex
		seen := map[int]bool{}
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mu.Lock()
				seen[i] = true // reads i: shared by all iterations before go 1.22
				mu.Unlock()
			}()
		}
		wg.Wait()
		fmt.Println("seen", len(seen), "distinct values (want 3)")
	}
}
