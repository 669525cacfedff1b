// Fixed: the same 20 callers (against a backend that answers in 100 ms, so that admitted
// requests finish inside their 1 s deadline), but the client admits only as many
// requests as it has connections (a semaphore sized to MaxConnsPerHost), waits for
// a slot no longer than its deadline allows and sheds the rest with an explicit
// error, keeps as many idle connections as it may open (MaxIdleConnsPerHost), so
// connections are reused instead of churned, and bounds each call with a context
// deadline. Every request either completes or is rejected quickly; nothing queues
// without limit.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

var errPoolBusy = errors.New("backend pool busy: request shed")

type limitedClient struct {
	client *http.Client
	slots  chan struct{}
}

func newLimitedClient(maxConns int) *limitedClient {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxConnsPerHost = maxConns
	t.MaxIdleConnsPerHost = maxConns // keep what we open; the default of 2 churns
	t.ResponseHeaderTimeout = 2 * time.Second
	return &limitedClient{
		client: &http.Client{Transport: t, Timeout: 3 * time.Second},
		slots:  make(chan struct{}, maxConns),
	}
}

func (c *limitedClient) get(ctx context.Context, url string, maxWait time.Duration) error {
	wait := time.NewTimer(maxWait)
	defer wait.Stop()
	select {
	case c.slots <- struct{}{}: // admitted: a connection is free for us
	case <-wait.C:
		return errPoolBusy // shed instead of queueing without limit
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.slots }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// churn: the same 3 bursts of 20 as the reproducer, with MaxIdleConnsPerHost
// raised to the burst size, so the connections of the first burst are reused.
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

	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	client := &http.Client{Transport: t, Timeout: 2 * time.Second}
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
	fmt.Printf("part 1: 60 requests in 3 bursts of 20 opened %d TCP connections (MaxIdleConnsPerHost=32)\n", opened.Load())
}

func main() {
	churn()

	var accepted atomic.Int32
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(100 * time.Millisecond):
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
	defer srv.Close()

	lc := newLimitedClient(4)
	url := "http://" + ln.Addr().String() + "/quote"

	var ok, shed atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			switch err := lc.get(ctx, url, 250*time.Millisecond); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, errPoolBusy):
				shed.Add(1)
			default:
				fmt.Println("error:", err)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("part 2: 20 callers: %d served, %d shed quickly, %d connections opened (pool of 4, reused)\n",
		ok.Load(), shed.Load(), accepted.Load())
}
