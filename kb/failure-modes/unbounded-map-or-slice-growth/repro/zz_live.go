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
	"os"
	"time"
)

const liveMaxEntries = 1_000_000 // ~200 MB of map tables, then the map stops growing

func init() {
	if os.Getenv("ADVISOR_REPRO_LIVE") == "1" {
		live() // never returns
	}
}

// live leaks at a steady pace until the process is killed.
func live() {
	var id int64
	for {
		for i := 0; i < 5000 && id < liveMaxEntries; i++ {
			id++
			handle(id)
		}
		garbage = make([]byte, 1<<20) // unrelated short-lived garbage, so GC cycles keep running
		time.Sleep(25 * time.Millisecond)
	}
}
