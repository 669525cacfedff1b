// Live mode of the fixed program: a healthy service for the leak workflow's negative
// test. With ADVISOR_REPRO_LIVE=1 it polls a loopback server at a steady pace with the
// fixed check (body drained and closed, one reused connection) until it is killed,
// instead of running main's bounded demonstration; goroutines come and go, nothing
// grows. It runs from init, after the generated pprof server's init (files initialise
// in name order), so main.go and its output stay as they are.
package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

func init() {
	if os.Getenv("ADVISOR_REPRO_LIVE") == "1" {
		live() // never returns
	}
}

// live serves and checks health at a steady pace until the process is killed.
func live() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go (&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"status":"ok","detail":"`+strings.Repeat("x", 64<<10)+`"}`)
	})}).Serve(ln)
	client := &http.Client{Timeout: 5 * time.Second}
	url := "http://" + ln.Addr().String() + "/healthz"
	for {
		if err := check(client, url); err != nil {
			os.Stdout.WriteString("check: " + err.Error() + "\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
