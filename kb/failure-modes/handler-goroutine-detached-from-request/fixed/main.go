// Fixed: everything a request starts ends with the request.
//
//   - /search: the backend call takes r.Context() and the result channel has
//     room for the answer, so the goroutine can always finish; when the handler
//     gives up it cancels the context and the backend call returns at once.
//   - /report: the inner handler passes r.Context() to the backend;
//     TimeoutHandler cancels that context when it answers 503, so the
//     goroutine it started returns too.
//
// Work that must continue after the response (audit, cache fill) would be
// handed to a server-owned worker with its own deadline and a WaitGroup that
// Shutdown waits for, never a bare go statement in the handler.
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

// backend answers after d, or returns early when ctx is done.
func backend(ctx context.Context, d time.Duration, q string) (string, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return "result for " + q, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

type searchHandler struct{}

func (searchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Millisecond)
	defer cancel()
	q := r.URL.Query().Get("q")
	res := make(chan string, 1) // the goroutine can always deliver and exit
	go func() {
		v, err := backend(ctx, 50*time.Millisecond, q)
		if err != nil {
			v = ""
		}
		res <- v
	}()
	select {
	case v := <-res:
		io.WriteString(w, v)
	case <-ctx.Done():
		http.Error(w, "backend timeout", http.StatusGatewayTimeout)
	}
}

func report(w http.ResponseWriter, r *http.Request) {
	v, err := backend(r.Context(), time.Minute, "report")
	if err != nil {
		return // TimeoutHandler already answered
	}
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
	time.Sleep(100 * time.Millisecond)
	fmt.Println("goroutines after server shutdown:", runtime.NumGoroutine())

	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 1)
	fmt.Println()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
