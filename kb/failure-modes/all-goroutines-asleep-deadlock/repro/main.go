// Reproducer: main ranges over a results channel that no one ever closes. After the
// workers have sent their results and exited, main blocks in a channel receive and
// no other goroutine exists that could wake it. The scheduler's deadlock check
// (runtime.checkdead, run when the last running M goes idle) sees that no goroutine
// can ever run again and reports "fatal error: all goroutines are asleep - deadlock!",
// exit status 2. It fires only because nothing else (timer, network poller, signal
// handler via os/signal) is alive; the same bug in a server simply hangs.
//
// Optional argument (used for an extra sample in samples/): with "wait", main
// calls wg.Wait() before draining the unbuffered channel, so the workers block
// in [chan send] and main in [sync.WaitGroup.Wait].
package main

import (
	"fmt"
	"os"
	"sync"
)

func main() {
	results := make(chan int)
	var wg sync.WaitGroup
	for i := 1; i <= 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- i * i
		}()
	}
	if len(os.Args) > 1 && os.Args[1] == "wait" {
		wg.Wait() // workers cannot finish: nobody receives yet
		close(results)
	}
	sum := 0
	for r := range results { // never ends: results is never closed
		sum += r
	}
	wg.Wait()
	fmt.Println("sum", sum)
}
