// Reproducer: latency spikes from diagnostics that stop the world.
//
// A service with 10,000 parked goroutines runs a latency-sensitive loop (a 1 ms
// tick), while a "monitoring" goroutine calls runtime.ReadMemStats every 10 ms and
// writes a full goroutine dump (pprof goroutine profile, debug=2, which is what
// /debug/pprof/goroutine?debug=2 serves and equals runtime.Stack(buf, true)) every
// 100 ms. Each of those stops the world; the dump keeps it stopped while it walks
// every stack. runtime/metrics (/sched/pauses/total/other:seconds, Go 1.22+) counts
// the non-GC stop-the-world pauses and their lengths, and the tick loop sees them as lateness.
package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

// summary reports count, approximate total and the largest bucket of a pause histogram.
func summary(h *metrics.Float64Histogram) (n uint64, total, worst float64) {
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		lo := h.Buckets[i]
		if math.IsInf(lo, -1) {
			lo = 0
		}
		n += c
		total += float64(c) * lo
		worst = lo
	}
	return
}

func pauses() (other, gc *metrics.Float64Histogram) {
	s := []metrics.Sample{
		{Name: "/sched/pauses/total/other:seconds"},
		{Name: "/sched/pauses/total/gc:seconds"},
	}
	metrics.Read(s) // does not stop the world
	return s[0].Value.Float64Histogram(), s[1].Value.Float64Histogram()
}

func monitor(stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	var ms runtime.MemStats
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		runtime.ReadMemStats(&ms) // stop-the-world
		if i%10 == 0 {
			pprof.Lookup("goroutine").WriteTo(io.Discard, 2) // stop-the-world for the whole dump
		}
	}
}

func main() {
	park := make(chan struct{})
	for i := 0; i < 10000; i++ {
		go func() { <-park }()
	}
	o0, g0 := pauses()
	n0, _, _ := summary(o0)
	gn0, _, _ := summary(g0)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go monitor(stop, &wg)

	var worstLate time.Duration
	var late []time.Duration
	for i := 0; i < 1500; i++ { // the latency-sensitive work: 1 ms ticks for ~1.5 s
		t := time.Now()
		time.Sleep(time.Millisecond)
		l := time.Since(t) - time.Millisecond
		late = append(late, l)
		worstLate = max(worstLate, l)
	}
	close(stop)
	wg.Wait()
	close(park)

	o1, g1 := pauses()
	n1, total, worst := summary(o1)
	gn1, _, _ := summary(g1)
	over := 0
	for _, l := range late {
		if l > 2*time.Millisecond {
			over++
		}
	}
	fmt.Printf("/sched/pauses/total/other:seconds: %d non-GC stop-the-world pauses, ~%.1f ms in total, worst bucket >= %.2f ms\n",
		n1-n0, total*1e3, worst*1e3)
	fmt.Printf("/sched/pauses/total/gc:seconds: %d GC pauses\n", gn1-gn0)
	fmt.Printf("1 ms tick: worst lateness %v, %d of %d ticks more than 2 ms late\n", worstLate.Round(time.Microsecond), over, len(late))
	if n1-n0 > 50 {
		fmt.Println("stop-the-world diagnostics (ReadMemStats, goroutine dumps) paused the whole program", n1-n0, "times")
	}
}
