// Reproducer: goroutines started for an HTTP request that outlive the request.
//
// A net/http server on 127.0.0.1 serves two routes to an in-process client
// (40 requests each, bounded):
//   - /search: ServeHTTP starts a goroutine to query a slow backend and waits
//     20 ms for its answer on an unbuffered channel; on timeout it replies 504
//     and returns. The goroutine was given no request context, finishes its
//     backend call later and then blocks for ever in [chan send].
//   - /report: wrapped in http.TimeoutHandler (20 ms). The client gets 503 on
//     time, but the inner handler ignores r.Context() and keeps waiting on the
//     backend in its own goroutine (created by net/http.(*timeoutHandler).ServeHTTP).
//
// After srv.Shutdown has returned (the server considers itself idle) the
// detached goroutines are still there. The program prints the goroutine count,
// the goroutineleak profile and the debug=2 dump, then exits 0.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// backend simulates a dependency that answers after d and ignores cancellation.
func backend(d time.Duration, q string) string {
	select {
	case <-time.After(d):
		return "result for " + q
	}
}

type searchHandler struct{}

func (searchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	res := make(chan string) // unbuffered
	go func() {
		res <- backend(50*time.Millisecond, q) // nobody receives after the timeout
	}()
	select {
	case v := <-res:
		io.WriteString(w, v)
	case <-time.After(20 * time.Millisecond):
		http.Error(w, "backend timeout", http.StatusGatewayTimeout)
	}
}

func report(w http.ResponseWriter, r *http.Request) {
	// Ignores r.Context(): keeps waiting after TimeoutHandler answered 503.
	v := backend(time.Minute, "report")
	io.WriteString(w, v)
}

func main() {
	fmt.Println("goroutines at start:", runtime.NumGoroutine())
	mux := http.NewServeMux()
	mux.Handle("/search", searchHandler{})
	mux.Handle("/report", http.TimeoutHandler(http.HandlerFunc(report), 20*time.Millisecond, "report timed out"))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)

	client := &http.Client{Timeout: 5 * time.Second}
	base := "http://" + ln.Addr().String()
	codes := map[int]int{}
	for i := 0; i < 40; i++ {
		for _, path := range []string{"/search?q=go", "/report"} {
			resp, err := client.Get(base + path)
			if err != nil {
				panic(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[resp.StatusCode]++
		}
	}
	fmt.Println("responses by status:", codes)

	client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Println("shutdown:", err)
	}
	time.Sleep(100 * time.Millisecond) // /search backends finish and block on send
	fmt.Println("goroutines after server shutdown:", runtime.NumGoroutine())

	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 1)
	fmt.Println()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
