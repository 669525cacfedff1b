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
	mux := http.NewServeMux()
	mux.Handle("/search", searchHandler{})
	mux.Handle("/report", http.TimeoutHandler(http.HandlerFunc(report), 20*time.Millisecond, "report timed out"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go (&http.Server{Handler: mux}).Serve(ln)
	client := &http.Client{Timeout: 5 * time.Second}
	base := "http://" + ln.Addr().String()
	for round := 0; ; round++ {
		if round < liveMaxRounds {
			for _, path := range []string{"/search?q=go", "/report"} {
				if resp, err := client.Get(base + path); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}
