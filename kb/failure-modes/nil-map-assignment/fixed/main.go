// Fixed: a constructor makes the map, and Inc also initialises it lazily so the
// zero value of Stats is usable.
package main

import "fmt"

type Stats struct {
	hits map[string]int
}

func NewStats() *Stats { return &Stats{hits: make(map[string]int)} }

func (s *Stats) Inc(path string) {
	if s.hits == nil {
		s.hits = make(map[string]int)
	}
	s.hits[path]++
}

func main() {
	s := NewStats()
	s.Inc("/")
	var z Stats // the zero value works too
	z.Inc("/healthz")
	fmt.Println(s.hits, z.hits)
}
