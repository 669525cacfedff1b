// Fixed: the same low soft limit (64 descriptors) and 200 requests, but every
// response body is drained and closed so the client reuses one keep-alive
// connection, and the server caps concurrently open connections with a limiting
// listener, so a misbehaving client cannot take all descriptors. The descriptor
// count stays small and nothing fails.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"
)

// limitListener allows at most n accepted connections to be open at once;
// Accept blocks (without consuming a descriptor) while n are open.
type limitListener struct {
	net.Listener
	sem chan struct{}
}

func (l *limitListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

func main() {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		panic(err)
	}
	lim.Cur = 64 // same low limit as the reproducer
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		panic(err)
	}

	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	ln := &limitListener{Listener: inner, sem: make(chan struct{}, 32)}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, "ok")
		}),
		ReadHeaderTimeout: 2 * time.Second,
		IdleTimeout:       30 * time.Second, // idle keep-alive connections are closed eventually
	}
	go srv.Serve(ln)
	defer srv.Close()

	client := &http.Client{Timeout: 2 * time.Second}
	url := "http://" + inner.Addr().String() + "/"
	for i := 0; i < 200; i++ {
		resp, err := client.Get(url)
		if err != nil {
			fmt.Println("request failed:", err)
			os.Exit(1)
		}
		io.Copy(io.Discard, resp.Body) // drain and close: the connection goes back to the pool
		resp.Body.Close()
	}
	f, err := os.Open(os.DevNull)
	if err != nil {
		fmt.Println("os.Open failed:", err)
		os.Exit(1)
	}
	f.Close()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		panic(err)
	}
	fmt.Printf("200 requests served; /proc/self/fd lists %d descriptors\n", len(fds))
}
