// gendump writes a goroutine dump (pprof goroutine profile, debug=2) of N goroutines
// blocked in a handful of functions, the input of the advisor's large-dump benchmark.
// Usage: go run . -n 100000 > dump.txt
package main

import (
	"flag"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var (
	mu    sync.Mutex
	never = make(chan int)
	full  = make(chan int)
)

//go:noinline
func sender(id int) { full <- id }

//go:noinline
func receiver(id int) { <-never }

//go:noinline
func selector(id int, quit chan struct{}) {
	select {
	case <-never:
	case <-quit:
	}
}

//go:noinline
func locker(id int) { mu.Lock(); mu.Unlock() }

//go:noinline
func sleeper(id int) { time.Sleep(time.Hour) }

func main() {
	n := flag.Int("n", 100000, "goroutines")
	flag.Parse()
	quit := make(chan struct{})
	mu.Lock() // lockers block
	for i := 0; i < *n; i++ {
		switch i % 10 {
		case 0, 1, 2, 3:
			go sender(i)
		case 4, 5:
			go receiver(i)
		case 6, 7:
			go selector(i, quit)
		case 8:
			go locker(i)
		default:
			go sleeper(i)
		}
	}
	time.Sleep(500 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
