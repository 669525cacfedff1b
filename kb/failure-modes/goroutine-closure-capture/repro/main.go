// Reproducer: goroutines started from a deferred function and a loop, capturing
// a variable they should not share.
//
// Built with go.mod "go 1.21" (repro.language_version), so a range loop has ONE
// variable for the whole loop, as before Go 1.22.
//   - notifyAll commits a change and, in a deferred function, starts one goroutine
//     per subscriber: `go func() { s.ch <- event }()`. Every closure captures the
//     same loop variable s, so most of them send to whichever subscriber s holds
//     when they run (the last one). That subscriber reads one event; the other
//     senders block for ever in [chan send] (created by the deferred function
//     literal), and the other subscribers wait for ever in [chan receive].
//   - finish starts a goroutine from a deferred function that reads a local
//     assigned after the closure was created. This is safe: the compiler moves the
//     variable to the heap (see samples/gcflags-m2-go1.27.3.log); the goroutine
//     prints the final value, not freed stack memory.
//
// The program prints which subscribers were notified and the debug=2 goroutine
// dump, then exits 0. (Built with -race it also reports the race on s; see
// near-misses/, a race report ranks the data-race entry first.)
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
			go func() {
				s.ch <- event // s is shared by every iteration (go 1.21 semantics)
			}()
		}
	}()
	audit = append(audit, event) // commit the change first
}

func finish(log chan<- string) {
	status := "started"
	defer func() {
		go func() { log <- "finished with status " + status }() // status lives on the heap
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
