// Fixed: the same workload with a well-behaved sync.Pool.
//
//   - Buffers that grew beyond a cap (64 KiB) are dropped instead of Put back, so a
//     burst of large requests is garbage after the burst and the live heap falls back.
//   - The []byte pool stores *[]byte, a pointer, so Put does not allocate.
//
// Run with GODEBUG=gctrace=1: the live heap (third number of "a->b->c MB") drops to a
// few MB after the burst. The program prints runtime/metrics readings and exits.
package main

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

const maxPooled = 64 << 10 // do not keep buffers that grew beyond this

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooled {
		return // let the GC have it
	}
	b.Reset()
	bufPool.Put(b)
}

func handle(size int) {
	b := bufPool.Get().(*bytes.Buffer)
	b.Grow(size)
	b.Write(make([]byte, 16))
	time.Sleep(time.Millisecond) // request processing time: many buffers are out of the pool at once
	putBuffer(b)
}

var slicePool = sync.Pool{New: func() any {
	s := make([]byte, 0, 512)
	return &s
}}

func useSlicePool() {
	p := slicePool.Get().(*[]byte)
	*p = append((*p)[:0], "payload"...)
	slicePool.Put(p) // a pointer fits in an interface without allocating
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
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := bufPool.Get().(*bytes.Buffer)
			b.Grow(32 * mib)
			time.Sleep(50 * time.Millisecond)
			putBuffer(b) // dropped: too big to pool
		}()
	}
	wg.Wait()

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

	before := read("/gc/heap/allocs:objects")[0].Value.Uint64()
	const n = 100000
	for i := 0; i < n; i++ {
		useSlicePool()
	}
	after := read("/gc/heap/allocs:objects")[0].Value.Uint64()
	fmt.Printf("runtime/metrics: /gc/heap/allocs:objects grew by %d over %d Get/Put of a *[]byte (%.2f allocs/op)\n",
		after-before, n, float64(after-before)/n)
	fmt.Println("pool holds only small buffers; live heap returned to baseline")
}
