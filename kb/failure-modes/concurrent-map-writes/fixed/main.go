// Fixed: every access to the shared map holds one mutex.
package main

import (
	"fmt"
	"strconv"
	"sync"
)

type counter struct {
	mu   sync.Mutex
	hits map[string]int
}

func (c *counter) inc(key string) {
	c.mu.Lock()
	c.hits[key]++
	c.mu.Unlock()
}

func main() {
	c := &counter{hits: map[string]int{}}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100_000; i++ {
				c.inc("path-" + strconv.Itoa(i%64))
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range c.hits {
		total += n
	}
	fmt.Println("total", total)
}
