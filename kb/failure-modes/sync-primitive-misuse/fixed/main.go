// Fixed: every Lock has exactly one Unlock (the deferred one), every Add has
// exactly one Done (the deferred one, or WaitGroup.Go since Go 1.25), and each
// WaitGroup is used for one round of work. Runs clean; go vet (copylocks,
// waitgroup) is quiet.
package main

import (
	"errors"
	"fmt"
	"sync"
)

var errEmpty = errors.New("empty batch")

type store struct {
	mu   sync.Mutex
	sent int
}

func (s *store) flush(batch []string) error {
	if len(batch) == 0 {
		return errEmpty // nothing to do: no lock taken, nothing to unlock
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent += len(batch)
	return nil
}

func fetchAll(urls []string) int {
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		ok int
	)
	for _, u := range urls {
		wg.Go(func() { // Add(1) before the goroutine starts, Done when it returns
			if u == "" {
				return // the single Done still happens exactly once
			}
			mu.Lock()
			ok++
			mu.Unlock()
		})
	}
	wg.Wait()
	return ok
}

func main() {
	fmt.Println("fetched", fetchAll([]string{"https://a.example", ""}))
	s := &store{}
	fmt.Println("flush:", s.flush(nil))
	fmt.Println("flush:", s.flush([]string{"a", "b"}), "sent", s.sent)
}
