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
	for round := 0; ; round++ {
		if round < liveMaxRounds {
			firstReply([]func() string{
				replica(1*time.Millisecond, "a"),
				replica(3*time.Millisecond, "b"),
			})
			squareSum([]int{1, 2, 3})
		}
		time.Sleep(20 * time.Millisecond)
	}
}
