// Reproducer: an HTTP client that never closes response bodies.
//
// A health checker polls a loopback server 100 times and looks only at
// resp.StatusCode. Each unclosed body pins its connection: the Transport cannot
// reuse it, so every request dials a new one, and every connection keeps two
// goroutines (net/http.(*persistConn).readLoop waiting for the body to be read,
// and writeLoop) plus a file descriptor, on this side and on the server's.
// CloseIdleConnections does not help: these connections are not idle. (With a
// Client.Timeout the request context would eventually cancel them; this client,
// like http.DefaultClient, has none.)
//
// The program prints the goroutine and fd counts, the goroutineleak profile and
// the debug=2 goroutine dump, then exits 0. Only 127.0.0.1 is used.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"
)

func openFDs() int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1 // not Linux
	}
	return len(fds)
}

func main() {
	var dials atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"status":"ok","detail":"`+strings.Repeat("x", 64<<10)+`"}`)
		}),
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				dials.Add(1)
			}
		},
	}
	go srv.Serve(ln)

	fmt.Println("goroutines at start:", runtime.NumGoroutine(), "open fds:", openFDs())
	client := &http.Client{} // no Timeout, like http.DefaultClient: nothing ever tears these down
	url := "http://" + ln.Addr().String() + "/healthz"
	for i := 0; i < 100; i++ {
		resp, err := client.Get(url)
		if err != nil {
			panic(err)
		}
		if resp.StatusCode != http.StatusOK { // BUG: resp.Body is never closed
			fmt.Println("unhealthy:", resp.Status)
		}
	}
	client.CloseIdleConnections() // closes idle connections only
	time.Sleep(100 * time.Millisecond)
	fmt.Printf("after 100 requests: connections dialed %d, goroutines %d, open fds %d\n",
		dials.Load(), runtime.NumGoroutine(), openFDs())

	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 1)
	fmt.Println()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
