// Reproducer: the two classic sync misuses, with opposite recoverability.
//
//  1. Done called once more than Add: "panic: sync: negative WaitGroup counter".
//     That is an ordinary panic, so the deferred recover catches it.
//  2. Unlock of a Mutex that is not locked (an Unlock on an early-return path plus a
//     deferred Unlock). That is a fatal error, "fatal error: sync: unlock of
//     unlocked mutex": no recover runs, the process exits with status 2.
//
// Other forms, run by hand:
//
//	./prog wg        the negative counter without recover (panic, exit 2)
//	./prog rwmutex   RUnlock of an RWMutex that is not read-locked (fatal error)
//	./prog reuse     Add on a WaitGroup whose Wait has not returned yet
//	                 (panic: sync: WaitGroup is reused before previous Wait has returned;
//	                 timing-dependent, it may take many iterations)
package main

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

var errEmpty = errors.New("empty batch")

// flush sends a batch; the early return unlocks, and so does the defer.
func (s *store) flush(batch []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(batch) == 0 {
		s.mu.Unlock() // BUG: the deferred Unlock will run as well
		return errEmpty
	}
	s.sent += len(batch)
	return nil
}

type store struct {
	mu   sync.Mutex
	sent int
}

func main() {
	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "wg":
		var wg sync.WaitGroup
		wg.Add(1)
		wg.Done()
		wg.Done()
		return
	case "rwmutex":
		var rw sync.RWMutex
		rw.RLock()
		rw.RUnlock()
		rw.RUnlock()
		return
	case "reuse":
		deadline := time.Now().Add(5 * time.Second)
		for i := 0; time.Now().Before(deadline); i++ {
			var wg sync.WaitGroup
			wg.Add(1)
			go wg.Done()
			go wg.Wait()
			go wg.Wait()
			wg.Wait()
			wg.Add(1) // reuse while the other Waits may still be waking up
			go wg.Done()
			wg.Wait()
		}
		fmt.Println("reuse was not detected in 5 s (timing-dependent)")
		return
	}

	func() {
		defer func() {
			fmt.Println("recovered:", recover())
		}()
		var wg sync.WaitGroup
		wg.Add(1)
		wg.Done()
		wg.Done() // one Done too many
	}()
	defer func() {
		// Never runs: the mutex error below is fatal, not a panic.
		fmt.Println("recovered:", recover())
	}()
	s := &store{}
	err := s.flush(nil)
	fmt.Println("flush:", err)
}
