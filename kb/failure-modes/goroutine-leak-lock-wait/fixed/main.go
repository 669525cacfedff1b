// Fixed: every lock is released and every WaitGroup reaches zero on all paths.
//
//   - cache.get uses defer c.mu.Unlock(), so the error path unlocks too.
//   - fanOut calls defer wg.Done() first thing in each worker.
//   - stream copies the values under RLock and sends them after RUnlock, and
//     the send also watches a done channel, so an absent consumer holds no lock.
//
// The same bounded workload runs; the dump shows only main.
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
	defer c.mu.Unlock()
	v, ok := c.m[k]
	if !ok {
		return "", errNotFound
	}
	return v, nil
}

func fanOut(items []int) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	sum := 0
	wg.Add(len(items))
	for _, it := range items {
		go func() {
			defer wg.Done() // on every path
			if it < 0 {
				return
			}
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

func (r *registry) stream(out chan<- string, done <-chan struct{}) {
	r.mu.RLock()
	vals := make([]string, 0, len(r.items))
	for _, v := range r.items {
		vals = append(vals, v)
	}
	r.mu.RUnlock() // never hold a lock across a channel operation
	for _, v := range vals {
		select {
		case out <- v:
		case <-done:
			return
		}
	}
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
	done := make(chan struct{})
	go r.stream(out, done)
	<-out
	close(done) // the consumer leaves and says so
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
