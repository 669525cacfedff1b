// Fixed: the shared counter is updated atomically (a sync.Mutex works as well),
// and the loop variable is passed to the goroutine explicitly, which is correct
// under every language version. The race detector stays silent.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

type stats struct {
	processed atomic.Int64
}

func main() {
	var wg sync.WaitGroup
	var st stats
	jobs := [][]byte{[]byte("alpha"), []byte("beta"), []byte("gamma"), []byte("delta")}
	for _, job := range jobs {
		wg.Add(1)
		go func(b []byte) {
			defer wg.Done()
			st.processed.Add(int64(len(b)))
		}(job)
	}
	wg.Wait()
	fmt.Println("processed", st.processed.Load(), "bytes")

	var mu sync.Mutex
	seen := map[int]bool{}
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			mu.Lock()
			seen[i] = true
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	fmt.Println("seen", len(seen), "distinct values (want 3)")
}
