// Fixed: the same service and monitoring loop, but the monitor reads runtime/metrics
// (which never stops the world) instead of runtime.ReadMemStats, and takes the
// goroutine count from /sched/goroutines:goroutines instead of dumping every stack.
// Full dumps are left for on-demand debugging. The non-GC stop-the-world count stays
// near zero and the 1 ms tick is no longer delayed by the monitor.
package main

import (
	"fmt"
	"math"
	"runtime/metrics"
	"sync"
	"time"
)

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
	metrics.Read(s)
	return s[0].Value.Float64Histogram(), s[1].Value.Float64Histogram()
}

func monitor(stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/goal:bytes"},
		{Name: "/sched/goroutines:goroutines"},
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		metrics.Read(samples) // no stop-the-world
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
	for i := 0; i < 1500; i++ {
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
}
