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
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

const liveMaxRounds = 400 // two fds per leaked connection: stay well under the fd limit

func init() {
	if os.Getenv("ADVISOR_REPRO_LIVE") == "1" {
		live() // never returns
	}
}

// live leaks at a steady pace until the process is killed.
func live() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go (&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"status":"ok","detail":"`+strings.Repeat("x", 64<<10)+`"}`)
	})}).Serve(ln)
	client := &http.Client{}
	url := "http://" + ln.Addr().String() + "/healthz"
	for round := 0; ; round++ {
		if round < liveMaxRounds {
			if resp, err := client.Get(url); err == nil && resp.StatusCode != http.StatusOK {
				os.Stdout.WriteString("unhealthy: " + resp.Status + "\n") // BUG kept: the body is never closed
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}
