// Reproducer: DNS resolution failures, seen from a Go client.
// A UDP "DNS server" on 127.0.0.1 reads queries and never answers (an overloaded
// or unreachable resolver). A net.Resolver using Go's own resolver (PreferGo)
// with a Dial func pointed at it times out: "lookup HOST on SERVER: ... i/o timeout",
// and an http.Client using that resolver fails before it ever connects:
// "dial tcp: lookup HOST on SERVER: ... i/o timeout". A second local server
// answers NXDOMAIN, which Go reports as "no such host". Only 127.0.0.1 is
// contacted; the program makes three lookups and exits 1.
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

// silentDNS reads queries and never replies.
func silentDNS() string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return pc.LocalAddr().String()
}

// nxdomainDNS answers every query with the query itself, flagged as a response
// with RCODE 3 (NXDOMAIN): the name does not exist.
func nxdomainDNS() string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			resp := append([]byte(nil), buf[:n]...)
			resp[2] |= 0x80               // QR: this is a response
			resp[3] = resp[3]&0x70 | 0x83 // RA set, RCODE 3 = NXDOMAIN
			pc.WriteTo(resp, addr)
		}
	}()
	return pc.LocalAddr().String()
}

// resolverVia returns a pure-Go resolver that sends every query to addr,
// whatever /etc/resolv.conf says.
func resolverVia(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", addr)
		},
	}
}

func main() {
	silent := resolverVia(silentDNS())

	// 1. A direct lookup with a 1.5 s budget.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	start := time.Now()
	_, err := silent.LookupHost(ctx, "orders.internal.example")
	cancel()
	fmt.Printf("LookupHost after %v: %v\n", time.Since(start).Round(100*time.Millisecond), err)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		fmt.Printf("  *net.DNSError: IsTimeout=%v IsNotFound=%v Server=%q\n", dnsErr.IsTimeout, dnsErr.IsNotFound, dnsErr.Server)
	}

	// 2. The same resolver behind an HTTP client: the request fails in the dial.
	client := &http.Client{
		Timeout: 1500 * time.Millisecond,
		Transport: &http.Transport{
			DialContext: (&net.Dialer{Timeout: time.Second, Resolver: silent}).DialContext,
		},
	}
	if _, err := client.Get("http://orders.internal.example:8080/health"); err != nil {
		fmt.Println("HTTP GET:", err)
	}

	// 3. A server that says the name does not exist.
	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Second)
	_, err = resolverVia(nxdomainDNS()).LookupHost(ctx, "payments.internal.example.")
	cancel()
	fmt.Println("LookupHost (NXDOMAIN):", err)
	if errors.As(err, &dnsErr) {
		fmt.Printf("  *net.DNSError: IsTimeout=%v IsNotFound=%v\n", dnsErr.IsTimeout, dnsErr.IsNotFound)
	}
	os.Exit(1)
}
