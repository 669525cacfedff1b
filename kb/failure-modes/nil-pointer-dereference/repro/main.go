// Reproducer: a registry lookup returns a nil *Backend on a miss and the caller reads
// a field through it. The load faults at address 0x0; the runtime's signal handler
// (runtime.sigpanic -> runtime.panicmem) turns the SIGSEGV into an ordinary panic.
// The first call runs under a deferred recover and is caught (the panic is
// recoverable); the second is not, so the process prints the panic, the
// "[signal SIGSEGV ...]" line and the stack, and exits with status 2.
package main

import (
	"fmt"
	"os"
)

type Backend struct {
	Addr      string
	TimeoutMS int
}

var backends = map[string]*Backend{
	"api": {Addr: "127.0.0.1:8080", TimeoutMS: 500},
}

// lookup returns nil for an unknown name: the bug is that callers do not check.
func lookup(name string) *Backend { return backends[name] }

//go:noinline
func dialAddr(name string) string {
	return lookup(name).Addr // nil dereference when name is unknown
}

// guarded is what an HTTP server or a recover middleware does for each request.
func guarded(name string) (addr string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	return dialAddr(name), nil
}

func main() {
	fmt.Println("api ->", dialAddr("api"))
	if _, err := guarded("db"); err != nil {
		fmt.Fprintln(os.Stderr, "guarded call:", err)
	}
	fmt.Println("db ->", dialAddr("db")) // not recovered: the process dies here
}
