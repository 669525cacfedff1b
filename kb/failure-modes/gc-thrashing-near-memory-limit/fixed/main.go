// Fixed: the same workload (~56 MiB live, garbage at full speed) started with the
// same environment (GOGC=off GOMEMLIMIT=60MiB), but the program restores a
// proportional GC target and sets the memory limit with headroom above the live heap
// (debug.SetGCPercent(100), debug.SetMemoryLimit(256 MiB)); in production the same is
// done with GOGC=100 GOMEMLIMIT=<~90 % of the container limit>, sized at least twice
// the live heap. GC cycles fall to a few per second and the GC CPU share to a few percent.
package main

import (
	"flag"
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// node is one entry of a pointer-rich cache, like a map of structs or a tree:
// the GC must visit every one of them in every cycle.
type node struct {
	next    *node
	payload [40]byte
}

var cache *node // live data: ~1.2 million nodes, ~56 MiB
var sink []byte

var names = []string{
	"/gc/cycles/total:gc-cycles",
	"/cpu/classes/gc/total:cpu-seconds",
	"/cpu/classes/total:cpu-seconds",
	"/gc/heap/live:bytes",
	"/gc/gomemlimit:bytes",
	"/gc/gogc:percent",
	"/gc/limiter/last-enabled:gc-cycle",
	"/cpu/classes/user:cpu-seconds",
}

func read() []metrics.Sample {
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	metrics.Read(s)
	return s
}

func val(s metrics.Sample) float64 {
	if s.Value.Kind() == metrics.KindFloat64 {
		return s.Value.Float64()
	}
	return float64(s.Value.Uint64())
}

// busy spins for d, standing in for the CPU work a request does besides allocating.
func busy(d time.Duration) {
	for t := time.Now(); time.Since(t) < d; {
	}
}

// -duration keeps the request loop running longer, e.g. while a CPU profile is taken.
var duration = flag.Duration("duration", 2*time.Second, "how long the request loop runs")

func main() {
	flag.Parse()
	debug.SetGCPercent(100)         // GOGC=100: a cycle after the heap doubles
	debug.SetMemoryLimit(256 << 20) // limit with room above the live heap
	for i := 0; i < 1_200_000; i++ {
		cache = &node{next: cache}
	}
	start := time.Now()
	s0 := read()
	work := 0
	for time.Since(start) < *duration { // request loop, bounded in time
		sink = make([]byte, 64<<10)  // per-request garbage
		busy(100 * time.Microsecond) // the request's own CPU work
		work++
	}
	s1 := read()
	elapsed := time.Since(start).Seconds()
	cycles := val(s1[0]) - val(s0[0])
	gcCPU := val(s1[1]) - val(s0[1])
	allCPU := val(s1[2]) - val(s0[2])
	userCPU := val(s1[7]) - val(s0[7])
	share := gcCPU / (gcCPU + userCPU)              // GC's part of the CPU the program actually used
	gogc := fmt.Sprint(int64(s1[5].Value.Uint64())) // GOGC=off reads as -1
	fmt.Printf("runtime/metrics: /gc/gomemlimit:bytes=%.0f MiB /gc/gogc:percent=%s /gc/heap/live:bytes=%.0f MiB /gc/limiter/last-enabled:gc-cycle=%.0f\n",
		val(s1[4])/(1<<20), gogc, val(s1[3])/(1<<20), val(s1[6]))
	fmt.Printf("runtime/metrics: %.0f GC cycles in %.1fs (%.0f/s), GC CPU %.2fs of %.2fs available (%.0f%%), %.0f%% of the CPU used, %d requests\n",
		cycles, elapsed, cycles/elapsed, gcCPU, allCPU, 100*gcCPU/allCPU, 100*share, work)
	if share >= 0.3 && val(s1[3]) >= 0.8*val(s1[4]) {
		fmt.Println("still thrashing")
	} else {
		fmt.Println("GC load is proportional to allocation again; the limit is a backstop, not the trigger")
	}
}
