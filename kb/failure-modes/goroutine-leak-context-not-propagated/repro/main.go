// Reproducer: background goroutines that never see the caller's cancellation.
//
// Each request starts two helpers and is cancelled when it finishes:
//   - keepAlive renews a lease until its context is done, but it is handed
//     context.Background(), so it loops in [select] for ever;
//   - publishRetry retries until its context is done, but it is handed
//     context.WithoutCancel(ctx), so it sleeps and retries for ever ([sleep]).
//
// 100 requests run (bounded), then the program prints the goroutine count, the
// goroutineleak profile (empty: these goroutines wait on a live ticker or in
// time.Sleep, which the GC-based detector does not treat as stuck) and the
// debug=2 goroutine dump, and exits 0.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"time"
)

var renewals, attempts atomic.Int64

func keepAlive(ctx context.Context, lease int) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			renewals.Add(1) // renew(lease)
		}
	}
}

var errBrokerDown = errors.New("broker unavailable")

func publish(ctx context.Context, msg int) error {
	attempts.Add(1)
	return errBrokerDown
}

func publishRetry(ctx context.Context, msg int) {
	for ctx.Err() == nil {
		if publish(ctx, msg) == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func handle(ctx context.Context, id int) {
	go keepAlive(context.Background(), id)          // BUG: drops ctx
	go publishRetry(context.WithoutCancel(ctx), id) // BUG: strips cancellation
	time.Sleep(2 * time.Millisecond)                // the request's own work
}

func main() {
	fmt.Println("goroutines at start:", runtime.NumGoroutine())
	for i := 0; i < 100; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		handle(ctx, i)
		cancel() // the request is over: everything it started should stop
	}
	time.Sleep(200 * time.Millisecond)
	fmt.Println("goroutines after 100 cancelled requests:", runtime.NumGoroutine())

	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 1)
	fmt.Println()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
