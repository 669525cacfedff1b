// Reproducer: a deadline cascade across two local hops, A -> B -> C, all on
// 127.0.0.1. C has become slow (600 ms per request). B calls C with a fresh
// 400 ms timeout built from context.Background() (not from the incoming
// request) and retries 3 times; A calls B with a 700 ms Client.Timeout and
// also retries 3 times. Every hop logs "context deadline exceeded", B keeps
// working after A has given up, and one user call turns into 9 requests on the
// slow service. One user call is made; the program ends after ~3 s with exit 1.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

func serve(h http.HandlerFunc) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, h)
	return "http://" + ln.Addr().String()
}

func main() {
	var cRequests atomic.Int32
	urlC := serve(func(w http.ResponseWriter, r *http.Request) {
		cRequests.Add(1)
		time.Sleep(600 * time.Millisecond) // slow, and does not watch r.Context()
		fmt.Fprintln(w, "stock reserved")
	})

	clientBC := &http.Client{}
	urlB := serve(func(w http.ResponseWriter, r *http.Request) {
		var err error
		for attempt := 1; attempt <= 3; attempt++ {
			// Bug: a new budget from Background, blind to the caller's deadline.
			ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, urlC+"/reserve", nil)
			var resp *http.Response
			resp, err = clientBC.Do(req)
			cancel()
			if err == nil {
				resp.Body.Close()
				fmt.Fprintln(w, "ok")
				return
			}
			fmt.Printf("B -> C attempt %d: %v\n", attempt, err)
		}
		http.Error(w, "upstream C: "+err.Error(), http.StatusBadGateway)
	})

	clientAB := &http.Client{Timeout: 700 * time.Millisecond}
	start := time.Now()
	for attempt := 1; attempt <= 3; attempt++ { // A retries immediately, no budget
		resp, err := clientAB.Get(urlB + "/checkout")
		if err != nil {
			fmt.Printf("A -> B attempt %d: %v\n", attempt, err)
			continue
		}
		resp.Body.Close()
		fmt.Println("A -> B:", resp.Status)
		break
	}
	elapsed := time.Since(start)
	time.Sleep(900 * time.Millisecond) // B is still retrying on behalf of a caller that left
	fmt.Printf("1 user call: A gave up after %v; C received %d requests (600 ms of work each) for it\n",
		elapsed.Round(100*time.Millisecond), cRequests.Load())
	os.Exit(1)
}
