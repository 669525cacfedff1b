// Reproducer: what a Go program does on SIGQUIT (kill -QUIT, Ctrl-\) when nobody
// called signal.Notify for it.
//
// The program starts a few goroutines that block in typical states (channel receive,
// mutex, sleep, select), first sends itself SIGUSR1 to show that an un-notified
// SIGUSR1 is caught and ignored, then sends itself SIGQUIT. The runtime's signal
// handler prints "SIGQUIT: quit", the PC and the M that took the signal, then the
// stack of every goroutine (also with the default GOTRACEBACK=single), and exits with
// status 2 without running deferred calls.
package main

import (
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
)

func main() {
	defer fmt.Println("deferred call in main: never printed, the process exits from the signal handler")

	ch := make(chan int)
	var mu sync.Mutex
	mu.Lock()
	go func() { <-ch }()                    // [chan receive]
	go func() { mu.Lock() }()               // [sync.Mutex.Lock]
	go func() { time.Sleep(time.Hour) }()   // [sleep]
	go func() { select {} }()               // [select (no cases)]
	time.Sleep(100*time.Millisecond + hold) // let them block

	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	time.Sleep(100 * time.Millisecond)
	fmt.Println("after SIGUSR1: still running (caught and ignored without signal.Notify)")

	syscall.Kill(os.Getpid(), syscall.SIGQUIT)
	time.Sleep(2 * time.Second) // the runtime exits before this returns
	fmt.Println("after SIGQUIT: not reached")
}

// An optional argument (e.g. 5s) keeps the goroutines blocked that much longer before
// the signals, so that a dump can be taken over HTTP first. Declared after main so
// that the line numbers in the recorded samples stay the same.
var hold time.Duration

func init() {
	if len(os.Args) > 1 {
		hold, _ = time.ParseDuration(os.Args[1])
	}
}
