// Reproducer: sync.Pool misuse, the two common forms.
//
//  1. A pool of *bytes.Buffer whose buffers grow with the request (golang/go#23199):
//     a burst of large requests grows a few buffers to 32 MiB; afterwards a steady
//     stream of tiny requests keeps taking them out of the pool and putting them back,
//     so every GC finds them in use or in the victim cache and they are never freed.
//     The live heap stays at ~8 x 32 MiB although each request needs 1 KiB.
//  2. A pool of []byte (not a pointer): every Put boxes the slice header into an
//     interface, so the "allocation-free" path allocates once per call (staticcheck SA6002).
//
// Run with GODEBUG=gctrace=1: the gc lines show the live heap (third number of
// "a->b->c MB") stuck high. The program prints runtime/metrics readings and exits.
package main

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// handle serves one request of the given size with a pooled buffer.
func handle(size int) {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	b.Grow(size) // the buffer keeps its largest capacity for ever
	b.Write(make([]byte, 16))
	time.Sleep(time.Millisecond) // request processing time: many buffers are out of the pool at once
	bufPool.Put(b)               // put back whatever size it has grown to
}

var slicePool = sync.Pool{New: func() any { return make([]byte, 0, 512) }}

func useSlicePool() {
	s := slicePool.Get().([]byte)
	s = append(s[:0], "payload"...)
	slicePool.Put(s) // SA6002: the slice header is boxed into an interface, one allocation per Put
}

func read(names ...string) []metrics.Sample {
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	metrics.Read(s)
	return s
}

const mib = 1 << 20

func main() {
	// Burst: 8 concurrent large requests, each grows a pooled buffer to 32 MiB.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := bufPool.Get().(*bytes.Buffer)
			b.Grow(32 * mib)
			time.Sleep(50 * time.Millisecond) // all 8 in flight at once
			bufPool.Put(b)
		}()
	}
	wg.Wait()

	// Steady state: tiny requests on 8 workers for 1.5 s, plus some garbage so GC runs.
	deadline := time.Now().Add(1500 * time.Millisecond)
	for i := 0; i < 32; i++ { // more requests in flight than Ps, as in a server
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				handle(1024)
			}
		}()
	}
	wg.Add(1)
	go func() { // unrelated garbage, so that GC cycles keep running
		defer wg.Done()
		var sink []byte
		for time.Now().Before(deadline) {
			sink = make([]byte, 256<<10)
			_ = sink
			time.Sleep(200 * time.Microsecond)
		}
	}()
	wg.Wait()

	runtime.GC()
	live := read("/gc/heap/live:bytes", "/gc/cycles/total:gc-cycles")
	fmt.Printf("runtime/metrics: /gc/heap/live:bytes=%d MiB /gc/cycles/total:gc-cycles=%d\n",
		live[0].Value.Uint64()/mib, live[1].Value.Uint64())

	// Non-pointer pooling: count heap allocations per Get/Put round trip.
	before := read("/gc/heap/allocs:objects")[0].Value.Uint64()
	const n = 100000
	for i := 0; i < n; i++ {
		useSlicePool()
	}
	after := read("/gc/heap/allocs:objects")[0].Value.Uint64()
	perOp := float64(after-before) / n
	fmt.Printf("runtime/metrics: /gc/heap/allocs:objects grew by %d over %d Get/Put of a []byte (%.2f allocs/op)\n",
		after-before, n, perOp)

	if mibLive := live[0].Value.Uint64() / mib; mibLive >= 64 {
		fmt.Printf("sync.Pool pins %d MiB of oversized buffers across GC cycles (requests need 1 KiB)\n", mibLive)
	}
	if perOp >= 0.5 {
		fmt.Printf("sync.Pool Put of a non-pointer allocates %.2f objects per call (SA6002)\n", perOp)
	}
}
