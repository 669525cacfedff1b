// Reproducer: two goroutines write to one map without synchronisation.
// The map implementation notices the overlapping write and calls the runtime's
// fatal path; recover in main cannot catch it and the process exits with status 2.
package main

import (
	"fmt"
	"strconv"
	"sync"
)

func main() {
	defer func() {
		// Never runs: a fatal error is not a panic and does not unwind.
		if r := recover(); r != nil {
			fmt.Println("recovered:", r)
		}
	}()

	hits := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1_000_000; i++ {
				hits["path-"+strconv.Itoa(i%64)]++ // unsynchronised write
			}
		}()
	}
	wg.Wait()
	fmt.Println("finished without detection (the check is best-effort); run with -race")
}
