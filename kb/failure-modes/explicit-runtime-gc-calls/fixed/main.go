// Fixed: the same service without explicit collections. The pacer (GOGC) starts
// cycles when the heap has grown enough, in the background, and requests no longer
// wait for a complete cycle; memory is returned to the OS by the background scavenger
// (and capped, if needed, with GOMEMLIMIT instead of FreeOSMemory).
package main

import (
	"fmt"
	"runtime/metrics"
	"slices"
	"time"
)

type node struct {
	next *node
	val  [32]byte
}

var cache *node

var sink []byte

func handle(i int) []byte {
	out := make([]byte, 4096)
	out[0] = byte(i)
	return out
}

func forced() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func main() {
	for i := 0; i < 800_000; i++ {
		cache = &node{next: cache}
	}
	f0 := forced()
	var lat []time.Duration
	for i := 0; i < 60; i++ {
		start := time.Now()
		sink = handle(i)
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	fmt.Printf("60 requests: p50 %v, max %v\n", lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	fmt.Printf("runtime/metrics /gc/cycles/forced:gc-cycles: %d forced GC cycles for 60 requests\n", forced()-f0)
}
