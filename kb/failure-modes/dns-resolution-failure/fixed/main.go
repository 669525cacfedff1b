// Fixed: the client survives a resolver outage. Go's resolver keeps no cache, so
// the service wraps it: every lookup has a short deadline of its own, a
// successful answer is remembered, and when the DNS server stops answering
// (timeout, not NXDOMAIN) the last good address is used instead of failing the
// request. "No such host" is never papered over: it evicts the entry.
// A local DNS server on 127.0.0.1 answers A queries with 127.0.0.1 until it is
// switched off; an HTTP server on 127.0.0.1 plays the backend.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// localDNS answers A queries with 127.0.0.1 (TTL 30) and other types with no
// records, until down is set; then it reads and ignores every query.
func localDNS(down *atomic.Bool) string {
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
			if down.Load() || n < 12 {
				continue
			}
			i := 12
			for i < n && buf[i] != 0 { // skip the question name
				i += int(buf[i]) + 1
			}
			if i+5 > n {
				continue
			}
			qtype := int(buf[i+1])<<8 | int(buf[i+2])
			end := i + 5
			resp := append([]byte(nil), buf[:end]...)
			resp[2] |= 0x80                                   // QR
			resp[3] = 0x80                                    // RA, RCODE 0
			resp[6], resp[7] = 0, 0                           // ANCOUNT
			resp[8], resp[9], resp[10], resp[11] = 0, 0, 0, 0 // NSCOUNT, ARCOUNT
			if qtype == 1 {                                   // A
				resp[7] = 1
				resp = append(resp, 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 127, 0, 0, 1)
			}
			pc.WriteTo(resp, addr)
		}
	}()
	return pc.LocalAddr().String()
}

type cachedAddrs struct {
	addrs []string
	at    time.Time
}

// staleOnErrorResolver bounds each lookup and falls back to the last good answer
// when the resolver is unreachable or slow.
type staleOnErrorResolver struct {
	r       *net.Resolver
	timeout time.Duration
	mu      sync.Mutex
	last    map[string]cachedAddrs
}

func (s *staleOnErrorResolver) lookup(ctx context.Context, host string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	addrs, err := s.r.LookupHost(ctx, host)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.last[host] = cachedAddrs{addrs, time.Now()}
		return addrs, nil
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		delete(s.last, host) // the name is gone: do not serve stale data
		return nil, err
	}
	if c, ok := s.last[host]; ok {
		fmt.Printf("  resolver unavailable (timeout=%v); using the address cached %v ago\n",
			errors.As(err, &dnsErr) && dnsErr.IsTimeout, time.Since(c.at).Round(time.Millisecond))
		return c.addrs, nil
	}
	return nil, err
}

func (s *staleOnErrorResolver) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	addrs, err := s.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, net.JoinHostPort(addrs[0], port))
}

func main() {
	var dnsDown atomic.Bool
	dnsAddr := localDNS(&dnsDown)

	backend, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(backend, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	}))
	_, port, _ := net.SplitHostPort(backend.Addr().String())

	res := &staleOnErrorResolver{
		r: &net.Resolver{
			PreferGo: true,
			Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "udp", dnsAddr)
			},
		},
		timeout: 300 * time.Millisecond,
		last:    map[string]cachedAddrs{},
	}
	client := &http.Client{
		Timeout: 2 * time.Second,
		// DisableKeepAlives only so that every request resolves the name again here;
		// in production keep-alive connections also spare most lookups.
		Transport: &http.Transport{DialContext: res.DialContext, DisableKeepAlives: true},
	}
	url := "http://orders.internal.example:" + port + "/health"

	for i, down := range []bool{false, true, true} {
		dnsDown.Store(down)
		resp, err := client.Get(url)
		if err != nil {
			fmt.Printf("request %d failed: %v\n", i+1, err)
			os.Exit(1)
		}
		resp.Body.Close()
		fmt.Printf("request %d (dns down=%v): %s\n", i+1, down, resp.Status)
	}
}
