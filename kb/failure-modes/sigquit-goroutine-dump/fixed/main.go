// Fixed: the service wants goroutine dumps on demand without dying, so it calls
// signal.Notify for SIGQUIT and writes the dump itself (the pprof goroutine
// profile with debug=2, the same text as /debug/pprof/goroutine?debug=2), then keeps
// running. (Alternatively leave SIGQUIT alone and pull the dump over HTTP.)
// SIGUSR1 is still caught and ignored because nobody asked for it.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
)

func main() {
	quit := make(chan os.Signal, 1)
	signal.Notify(quit, syscall.SIGQUIT) // the runtime now delivers SIGQUIT here instead of dying
	dumped := make(chan struct{})
	go func() {
		for range quit {
			fmt.Fprintln(os.Stderr, "received quit signal: writing goroutine dump, still serving")
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
			close(dumped)
			return
		}
	}()

	ch := make(chan int)
	var mu sync.Mutex
	mu.Lock()
	go func() { <-ch }()
	go func() { mu.Lock() }()
	go func() { time.Sleep(time.Hour) }()
	go func() { select {} }()
	time.Sleep(100 * time.Millisecond)

	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	time.Sleep(100 * time.Millisecond)
	fmt.Println("after SIGUSR1: still running (caught and ignored without signal.Notify)")

	syscall.Kill(os.Getpid(), syscall.SIGQUIT)
	<-dumped
	fmt.Println("after SIGQUIT: still running; exiting normally")
}
