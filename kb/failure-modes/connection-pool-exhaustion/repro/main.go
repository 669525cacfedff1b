// Reproducer, part 1: connection churn. With the default MaxIdleConnsPerHost (2),
// three bursts of 20 concurrent requests to a fast handler open a new TCP
// connection for almost every request, because only 2 may be kept idle between
// bursts; each closed one leaves a socket in TIME_WAIT holding an ephemeral port
// (the road to "connect: cannot assign requested address").
//
// Part 2: a connection pool smaller than the offered concurrency, in front of
// a slow backend. The http.Transport allows 2 connections per host
// (MaxConnsPerHost); 20 goroutines call a handler on 127.0.0.1 that takes 1.5 s.
// Two requests get a connection, the other 18 queue inside the transport with no
// deadline. After 700 ms the program prints the goroutine profile, where the
// queued callers sit in [select] in net/http.(*Transport).getConn, and exits 1.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

func churn() {
	var opened atomic.Int32
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(20 * time.Millisecond)
		}),
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				opened.Add(1)
			}
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	client := &http.Client{Timeout: 2 * time.Second} // DefaultTransport: MaxIdleConnsPerHost 2
	url := "http://" + ln.Addr().String() + "/"
	for burst := 0; burst < 3; burst++ {
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if resp, err := client.Get(url); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
	}
	fmt.Printf("part 1: 60 requests in 3 bursts of 20 opened %d TCP connections (MaxIdleConnsPerHost=%d)\n",
		opened.Load(), http.DefaultMaxIdleConnsPerHost)
}

func main() {
	churn()

	var accepted atomic.Int32
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select { // a slow dependency: 1.5 s per request
			case <-time.After(1500 * time.Millisecond):
			case <-r.Context().Done():
			}
			fmt.Fprintln(w, "ok")
		}),
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				accepted.Add(1)
			}
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(ln)

	client := &http.Client{Transport: &http.Transport{
		MaxConnsPerHost: 2, // the pool: at most 2 connections to this host
	}} // and no timeout: a queued request waits as long as it takes

	url := "http://" + ln.Addr().String() + "/quote"
	const callers = 20 // bounded: one request per goroutine
	for i := 0; i < callers; i++ {
		go func() {
			resp, err := client.Get(url)
			if err != nil {
				return
			}
			resp.Body.Close()
		}()
	}

	time.Sleep(700 * time.Millisecond)
	fmt.Printf("part 2: %d callers, %d connections accepted by the server; the rest are queued for a connection\n",
		callers, accepted.Load())
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
	if len(os.Args) > 1 && os.Args[1] == "hold" {
		time.Sleep(time.Minute) // keep the queue, for pprof and ss readings from outside
	}
	os.Exit(1)
}
