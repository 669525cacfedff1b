// Reproducer: a package-level map that only grows, and a map that does not shrink
// after delete (golang/go#20135).
//
// Phase 1: every "request" records its id in a global dedup map that is never
// evicted; the live heap (gctrace's third heap number, /gc/heap/live:bytes) climbs
// with every GC cycle for as long as requests arrive.
// Phase 2: the program deletes every key. len(map) is 0, but the map keeps its tables,
// so the live heap stays where it was.
// Finally it writes the heap profile (debug=1): the in-use bytes sit under the map
// growth frames (internal/runtime/maps.* since Go 1.24; runtime.hashGrow/makeBucketArray before).
package main

import (
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

type record [120]byte // stored inline in the map's slots

var seen = map[int64]record{} // request id -> metadata; nothing ever removes entries

func handle(id int64) {
	var r record
	r[0] = byte(id)
	seen[id] = r
}

var garbage []byte

func liveMiB() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s) // runtime/metrics does not stop the world
	return s[0].Value.Uint64() >> 20
}

func cycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// churn allocates unrelated short-lived garbage until n more GC cycles have
// completed, so the live-heap reading reflects the current state of the map.
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
		fmt.Printf("t=%.2fs entries=%d /gc/heap/live:bytes=%d MiB\n", time.Since(start).Seconds(), len(seen), liveMiB())
	}
	peak := liveMiB()

	for k := range seen {
		delete(seen, k)
	}
	churn(2)
	fmt.Printf("after deleting every key: len(seen)=%d /gc/heap/live:bytes=%d MiB (peak %d MiB): the map kept its tables\n",
		len(seen), liveMiB(), peak)

	fmt.Println("--- heap profile (debug=1), in-use part ---")
	pprof.Lookup("heap").WriteTo(os.Stdout, 1)
}
