// Reproducer: explicit runtime.GC() / debug.FreeOSMemory() calls on the request path.
//
// A service with ~40 MiB of pointer-rich live data handles 60 small requests; after
// each one it calls runtime.GC() ("to keep memory low"), and every 10th request calls
// debug.FreeOSMemory(). Each call blocks the caller until a complete cycle (mark, mark
// termination and sweep) has finished, so every request pays a full collection. With
// GODEBUG=gctrace=1 every such cycle ends in "(forced)"; runtime/metrics
// /gc/cycles/forced:gc-cycles counts them (MemStats.NumForcedGC is the same number).
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"time"
)

type node struct {
	next *node
	val  [32]byte
}

var cache *node

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
	for i := 0; i < 800_000; i++ { // ~40 MiB live: the GC must mark all of it every cycle
		cache = &node{next: cache}
	}
	f0 := forced()
	var lat []time.Duration
	for i := 0; i < 60; i++ {
		start := time.Now()
		_ = handle(i)
		runtime.GC() // "free memory after each request": blocks until a full cycle is done
		if i%10 == 9 {
			debug.FreeOSMemory() // another forced GC, plus returning memory to the OS
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	fmt.Printf("60 requests: p50 %v, max %v\n", lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	n := forced() - f0
	fmt.Printf("runtime/metrics /gc/cycles/forced:gc-cycles: %d forced GC cycles for 60 requests\n", n)
	if n > 0 {
		fmt.Println("explicit runtime.GC/debug.FreeOSMemory calls forced", n, "collections on the request path")
	}
}
