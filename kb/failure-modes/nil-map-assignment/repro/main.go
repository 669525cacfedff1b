// Reproducer: a struct's map field is never initialised (the zero value of a map
// is nil). Reading a nil map works, but the first write panics with "assignment to
// entry in nil map" (runtime.mapassign; internal/runtime/maps since Go 1.24). The
// first write is recovered to show it is an ordinary panic; the second is not, so
// the process exits with status 2.
package main

import (
	"fmt"
	"os"
)

type Stats struct {
	hits map[string]int // nil until someone calls make
}

func (s *Stats) Inc(path string) { s.hits[path]++ }

func main() {
	var s Stats // zero value: s.hits == nil
	fmt.Println("reads are fine:", s.hits["/"], len(s.hits))

	func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintln(os.Stderr, "recovered:", r)
			}
		}()
		s.Inc("/")
	}()

	s.Inc("/healthz") // not recovered
	fmt.Println("not reached")
}
