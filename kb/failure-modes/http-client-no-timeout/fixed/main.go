// Fixed: the same hung server, but the client has an overall Client.Timeout and
// the request carries a context deadline, so the call fails after 500 ms with
// "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
// instead of hanging. The transport also bounds dial, TLS and header waits.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	var held []net.Conn // accepted connections, never answered
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()

	transport := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   2 * time.Second,
		ResponseHeaderTimeout: 2 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   16,
	}
	client := &http.Client{Transport: transport, Timeout: 500 * time.Millisecond}

	// A per-call deadline as well: the tighter of the two wins.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ln.Addr().String()+"/orders", nil)
	if err != nil {
		panic(err)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		fmt.Println("unexpected success")
		os.Exit(1)
	}
	var ne net.Error
	fmt.Printf("after %v: %v\n", time.Since(start).Round(100*time.Millisecond), err)
	fmt.Println("net.Error.Timeout():", errors.As(err, &ne) && ne.Timeout())
	fmt.Println("errors.Is(err, context.DeadlineExceeded):", errors.Is(err, context.DeadlineExceeded))
}
