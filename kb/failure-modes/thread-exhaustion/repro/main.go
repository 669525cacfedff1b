// Reproducer: goroutines blocked in raw system calls each pin an OS thread.
// A blocking syscall does not keep its P: sysmon's retake hands the P to another
// thread (handoffp -> startm), so the program keeps running, but every blocked
// goroutine still occupies one thread. Here 40 goroutines call syscall.Read on a
// pipe nobody writes to (a raw syscall bypasses the netpoller) and the thread limit
// is lowered from the default 10000 to 20 with debug.SetMaxThreads, so within
// milliseconds the runtime prints
//
//	runtime: program exceeds 20-thread limit
//	fatal error: thread exhaustion
//
// with runtime.checkmcount <- mReserveID <- startm <- handoffp <- retake <- sysmon on
// the stack, and exits with status 2.
//
//	./prog nproc   no SetMaxThreads; 500 blocked goroutines. Run it under a small
//	               `ulimit -u` (as a non-root user) to see the OS refuse the thread
//	               instead: "runtime: failed to create new OS thread" (CGO_ENABLED=0) or
//	               "runtime/cgo: pthread_create failed: Resource temporarily unavailable".
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
	"time"
)

func main() {
	n := 40
	if len(os.Args) > 1 && os.Args[1] == "nproc" {
		n = 500
	} else {
		debug.SetMaxThreads(20)
	}
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil { // blocking fds, not registered with the netpoller
		fmt.Println("pipe:", err)
		os.Exit(1)
	}
	for i := 0; i < n; i++ {
		go func() {
			buf := make([]byte, 1)
			syscall.Read(p[0], buf) // blocks this goroutine's thread in read(2)
		}()
	}
	time.Sleep(3 * time.Second)
	fmt.Println("no crash within 3 s")
}
