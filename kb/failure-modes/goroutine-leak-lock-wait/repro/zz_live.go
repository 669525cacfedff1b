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

const liveMaxRounds = 3000

func init() {
	if os.Getenv("ADVISOR_REPRO_LIVE") == "1" {
		live() // never returns
	}
}

// live leaks at a steady pace until the process is killed.
func live() {
	c := &cache{m: map[string]string{"a": "1"}}
	c.get("missing") // returns with the mutex held: every later get blocks
	r := &registry{items: map[int]string{1: "x", 2: "y"}}
	out := make(chan string)
	go r.stream(out)
	<-out // the consumer leaves with the read lock still held
	go r.set(3, "z")
	for round := 0; ; round++ {
		if round < liveMaxRounds {
			go c.get("a")
			go fanOut([]int{1, -2})
			go r.lookup(1)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
