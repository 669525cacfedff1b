// Reproducer: goroutines that wait for ever on sync primitives.
//
// Three common bugs, each driven by a bounded number of calls:
//   - cache.get returns early on an error path without Unlock; every later
//     caller blocks in [sync.Mutex.Lock].
//   - fanOut does wg.Add(len(items)) but a worker returns early on a bad item
//     without wg.Done(); callers block in [sync.WaitGroup.Wait] and keep
//     everything they reference alive.
//   - a streaming reader takes RLock and never releases it; a writer then waits
//     in [sync.RWMutex.Lock] and, because a waiting writer blocks new readers,
//     every later reader waits in [sync.RWMutex.RLock].
//
// Each call runs in its own goroutine, as requests would. After a bounded run
// the program prints the goroutine count, the goroutineleak profile and the
// debug=2 dump, and exits 0.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

type cache struct {
	mu sync.Mutex
	m  map[string]string
}

var errNotFound = errors.New("not found")

func (c *cache) get(k string) (string, error) {
	c.mu.Lock()
	v, ok := c.m[k]
	if !ok {
		return "", errNotFound // BUG: returns with the mutex held
	}
	c.mu.Unlock()
	return v, nil
}

func fanOut(items []int) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	sum := 0
	wg.Add(len(items))
	for _, it := range items {
		go func() {
			if it < 0 {
				return // BUG: no wg.Done() on this path
			}
			defer wg.Done()
			mu.Lock()
			sum += it
			mu.Unlock()
		}()
	}
	wg.Wait()
	return sum
}

type registry struct {
	mu    sync.RWMutex
	items map[int]string
}

func (r *registry) stream(out chan<- string) {
	r.mu.RLock()
	for _, v := range r.items {
		out <- v // BUG: the consumer went away; RLock is never released
	}
	r.mu.RUnlock()
}

func (r *registry) lookup(id int) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.items[id]
}

func (r *registry) set(id int, v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[id] = v
}

func main() {
	fmt.Println("goroutines at start:", runtime.NumGoroutine())

	c := &cache{m: map[string]string{"a": "1"}}
	for i := 0; i < 40; i++ {
		k := "a"
		if i == 5 {
			k = "missing"
		}
		go c.get(k)
		time.Sleep(time.Millisecond)
	}

	for i := 0; i < 30; i++ {
		go fanOut([]int{1, 2, -3, 4})
	}

	r := &registry{items: map[int]string{1: "x", 2: "y"}}
	out := make(chan string)
	go r.stream(out)
	<-out // the consumer reads one value and leaves
	time.Sleep(10 * time.Millisecond)
	go r.set(3, "z")
	time.Sleep(10 * time.Millisecond)
	for i := 0; i < 30; i++ {
		go r.lookup(1)
	}

	time.Sleep(200 * time.Millisecond)
	fmt.Println("goroutines after the bounded run:", runtime.NumGoroutine())
	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 1)
	fmt.Println()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
