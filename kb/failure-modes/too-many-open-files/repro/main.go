// Reproducer: a process that leaks connections hits RLIMIT_NOFILE.
// The program lowers its soft open-file limit to 64 (Go 1.19+ raised it to the
// hard limit at startup), starts an HTTP server on 127.0.0.1 and then opens
// client connections to it without ever closing them (at most 200 attempts).
// Every connection costs two descriptors in this process (client and server
// side). Within a few dozen connections the server's accept loop logs
// "http: Accept error: accept tcp ...: accept4: too many open files; retrying in 5ms",
// the client gets "socket: too many open files", and a plain os.Open fails too.
// The program then reports the open descriptor count and exits 1.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

func main() {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		panic(err)
	}
	fmt.Printf("RLIMIT_NOFILE at start: soft=%d hard=%d\n", lim.Cur, lim.Max)
	lim.Cur = 64
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		panic(err)
	}
	fmt.Println("soft limit lowered to 64")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})}
	go srv.Serve(ln) // ErrorLog nil: accept errors go to the standard logger (stderr)

	var leaked []net.Conn // the bug: connections are opened and never closed
	deadline := time.Now().Add(3 * time.Second)
	for i := 0; i < 200 && time.Now().Before(deadline); i++ {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err != nil {
			fmt.Printf("dial #%d failed: %v\n", i+1, err)
			break
		}
		leaked = append(leaked, c)
		time.Sleep(2 * time.Millisecond) // let the server accept
	}
	if _, err := os.Open(os.DevNull); err != nil {
		fmt.Println("os.Open failed:", err)
	}
	time.Sleep(100 * time.Millisecond) // the accept loop retries with backoff and logs

	leaked[0].Close() // free one descriptor so /proc/self/fd can be listed
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		fmt.Printf("%d connections leaked; /proc/self/fd lists %d descriptors\n", len(leaked), len(fds))
	}
	if len(os.Args) > 1 && os.Args[1] == "hold" {
		time.Sleep(time.Minute) // keep the descriptors, for /proc and ss readings from outside
	}
	os.Exit(1)
}
