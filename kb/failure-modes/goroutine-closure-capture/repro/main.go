// Reproducer: goroutines that capture a variable they should not share.
//
// Built with go.mod "go 1.21" (repro.language_version), so a range loop has ONE
// variable for the whole loop, as before Go 1.22, and with -race.
//   - notifyAll starts one goroutine per subscriber with `go func() { s.ch <- event }()`.
//     Every closure captures the same loop variable s, so most of them send to
//     whichever subscriber s holds when they run (usually the last one). That
//     subscriber reads one event; the other senders block for ever in
//     [chan send] and the other subscribers wait for ever in [chan receive].
//     The race detector reports the loop's write to s against the goroutine's read.
//   - finish starts a goroutine from a deferred function that reads a local
//     variable assigned after the closure was created. This is safe: the
//     compiler moves the variable to the heap (see -gcflags=-m), nothing reads
//     a freed stack slot.
//
// The program prints which subscribers were notified, then the debug=2
// goroutine dump. With races detected the race runtime exits 66.
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

func notifyAll(subs []*subscriber, event string) {
	for _, s := range subs {
		go func() {
			s.ch <- event // s is shared by every iteration (go 1.21 semantics)
		}()
	}
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
