// Fixed: each goroutine gets its own copy of the value it works on.
//
// The subscriber is passed as an argument (`go func(s *subscriber) {...}(s)`),
// which is correct under every language version; with go.mod >= 1.22 the range
// variable is also per-iteration, so the old capture would be correct too.
// Every subscriber is notified exactly once and no goroutine is left behind.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"sync"
	"time"
)

type subscriber struct {
	id int
	ch chan string
}

var audit []string

func notifyAll(subs []*subscriber, event string) {
	defer func() {
		for _, s := range subs {
			go func(s *subscriber) {
				s.ch <- event
			}(s) // evaluated now, one copy per goroutine
		}
	}()
	audit = append(audit, event)
}

func finish(log chan<- string) {
	status := "started"
	defer func() {
		final := status // copy before starting the goroutine
		go func() { log <- "finished with status " + final }()
	}()
	status = "done"
}

func main() {
	subs := make([]*subscriber, 8)
	var mu sync.Mutex
	var got []int
	for i := range subs {
		subs[i] = &subscriber{id: i, ch: make(chan string)}
		go func(s *subscriber) {
			<-s.ch
			mu.Lock()
			got = append(got, s.id)
			mu.Unlock()
		}(subs[i])
	}
	notifyAll(subs, "config-changed")

	log := make(chan string, 1)
	finish(log)
	fmt.Println(<-log)

	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	sort.Ints(got)
	fmt.Printf("subscribers notified: %v of %d\n", got, len(subs))
	mu.Unlock()
	fmt.Println("goroutines:", runtime.NumGoroutine())
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
