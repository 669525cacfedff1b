// Live mode, for the leak workflow (advisor diff, advisor watch and their tests).
//
// With ADVISOR_REPRO_LIVE=1 the program repeats main's leaky calls at a steady pace
// until it is killed, instead of running the bounded demonstration in main.go. It
// runs from init: files initialise in name order, so the loopback pprof server that
// `advisor repro` generates (zz_advisor_pprof.go) is already listening, and main.go
// and its recorded output stay exactly as they are. Growth stops after a fixed
// number of rounds, so a forgotten process does not eat the machine.
package main

import (
	"bytes"
	"os"
	"sync"
	"time"
)

const liveMaxWaves = 24 // at most 24 pooled buffers of 8 MiB

func init() {
	if os.Getenv("ADVISOR_REPRO_LIVE") == "1" {
		live() // never returns
	}
}

// live leaks at a steady pace until the process is killed.
func live() {
	for i := 0; i < 32; i++ { // steady tiny requests keep every pooled buffer cycling
		go func() {
			for {
				handle(1024)
			}
		}()
	}
	go func() { // unrelated garbage, so that GC cycles keep running
		for {
			garbage := make([]byte, 256<<10)
			_ = garbage
			time.Sleep(2 * time.Millisecond)
		}
	}()
	for wave := 1; ; wave++ {
		if wave <= liveMaxWaves { // a burst of large requests, one more in flight than last time
			var wg sync.WaitGroup
			for i := 0; i < wave; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					b := bufPool.Get().(*bytes.Buffer)
					b.Grow(8 * mib)
					time.Sleep(20 * time.Millisecond)
					bufPool.Put(b)
				}()
			}
			wg.Wait()
		}
		time.Sleep(100 * time.Millisecond)
	}
}
