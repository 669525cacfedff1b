// Reproducer: a TLS handshake that never completes. A TCP listener on 127.0.0.1
// accepts connections and never speaks TLS (like a plain-TCP port, a proxy with no
// healthy backend, or a server too busy to answer the ClientHello). The client's
// Transport has TLSHandshakeTimeout 1 s (http.DefaultTransport uses 10 s), so
// each request fails with "net/http: TLS handshake timeout". Three requests are
// made; the program exits 1.
package main

import (
	"context"
	"crypto/tls"
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
	var held []net.Conn // accepted, then silence: no ServerHello ever comes
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()

	fmt.Println("http.DefaultTransport TLSHandshakeTimeout:",
		http.DefaultTransport.(*http.Transport).TLSHandshakeTimeout)

	client := &http.Client{Transport: &http.Transport{
		TLSHandshakeTimeout: time.Second,
		TLSClientConfig:     &tls.Config{ServerName: "payments.internal.example"},
	}}
	url := "https://" + ln.Addr().String() + "/charge"
	for i := 1; i <= 3; i++ {
		start := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			fmt.Printf("attempt %d after %v: %v\n", i, time.Since(start).Round(100*time.Millisecond), err)
			if i == 1 {
				var ne net.Error
				fmt.Printf("  net.Error.Timeout()=%v errors.Is(err, context.DeadlineExceeded)=%v\n",
					errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded))
			}
			continue
		}
		resp.Body.Close()
	}
	os.Exit(1)
}
