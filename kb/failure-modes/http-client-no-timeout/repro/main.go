// Reproducer: an http.Client with no timeout against a server that accepts the
// TCP connection and never answers. The request blocks for ever; this program
// gives up after 2 s, prints every goroutine (the client is parked in
// net/http.(*persistConn).roundTrip, its readLoop in [IO wait]) and exits 1.
// Only 127.0.0.1 is used; one request is made.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"time"
)

func main() {
	// A "server" that completes the TCP handshake (the kernel does that) and
	// then never reads or writes: like a hung backend or a black-holing proxy.
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

	client := &http.Client{} // no Timeout, DefaultTransport: nothing bounds the wait for headers
	done := make(chan error, 1)
	go func() {
		resp, err := client.Get("http://" + ln.Addr().String() + "/orders")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()

	select {
	case err := <-done:
		fmt.Println("request returned:", err)
		return
	case <-time.After(2 * time.Second):
	}
	fmt.Println("request still waiting for response headers after 2s; goroutines:")
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
	os.Exit(1)
}
