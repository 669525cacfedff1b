// Fixed: the dedup map is bounded (at most maxEntries ids, oldest evicted first),
// and when the whole set must be dropped the map is replaced, not emptied with
// delete, so its tables become garbage. The live heap stays flat while requests
// arrive and returns to a few MiB after the reset.
package main

import (
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

type record [120]byte

const maxEntries = 50_000

// boundedSet remembers the most recent maxEntries ids.
type boundedSet struct {
	m     map[int64]record
	order []int64 // ring buffer of ids in insertion order
	next  int
}

func newBoundedSet() *boundedSet {
	return &boundedSet{m: make(map[int64]record)}
}

func (s *boundedSet) add(id int64, r record) {
	if _, ok := s.m[id]; ok {
		return
	}
	if len(s.order) < maxEntries {
		s.order = append(s.order, id)
	} else {
		delete(s.m, s.order[s.next]) // evict the oldest; the map's size stays bounded
		s.order[s.next] = id
		s.next = (s.next + 1) % maxEntries
	}
	s.m[id] = r
}

// reset forgets every id by replacing the map and the ring instead of deleting
// keys one by one: the old tables become garbage as a whole.
func (s *boundedSet) reset() {
	s.m = make(map[int64]record)
	s.order = nil
	s.next = 0
}

var seen = newBoundedSet()

func handle(id int64) {
	var r record
	r[0] = byte(id)
	seen.add(id, r)
}

var garbage []byte

func liveMiB() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() >> 20
}

func cycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func churn(n uint64) {
	target := cycles() + n
	for cycles() < target {
		garbage = make([]byte, 1<<20)
		time.Sleep(100 * time.Microsecond) // gentle: little is allocated while a cycle is marking
	}
}

func main() {
	var id int64
	start := time.Now()
	for step := 1; step <= 6; step++ {
		for i := 0; i < 200_000; i++ {
			id++
			handle(id)
		}
		churn(1)
		fmt.Printf("t=%.2fs entries=%d /gc/heap/live:bytes=%d MiB\n", time.Since(start).Seconds(), len(seen.m), liveMiB())
	}

	seen.reset() // drop the old map as a whole: its tables become garbage
	churn(2)
	fmt.Printf("after replacing the map: len=%d /gc/heap/live:bytes=%d MiB\n", len(seen.m), liveMiB())

	fmt.Println("--- heap profile (debug=1), in-use part ---")
	pprof.Lookup("heap").WriteTo(os.Stdout, 1)
}
