// Fixed: the helpers get the request's context, so cancel() stops them.
//
// keepAlive and publishRetry receive ctx itself; when the request ends and
// cancel() runs, keepAlive's select takes the ctx.Done() case and
// publishRetry's loop sees ctx.Err() != nil (its sleep also watches ctx).
// Work that must outlive the request would instead get its own context
// from a server-level parent with a deadline, never plain Background().
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
			renewals.Add(1)
		}
	}
}

var errBrokerDown = errors.New("broker unavailable")

func publish(ctx context.Context, msg int) error {
	attempts.Add(1)
	return errBrokerDown
}

func publishRetry(ctx context.Context, msg int) {
	for {
		if publish(ctx, msg) == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func handle(ctx context.Context, id int) {
	go keepAlive(ctx, id)
	go publishRetry(ctx, id)
	time.Sleep(2 * time.Millisecond)
}

func main() {
	fmt.Println("goroutines at start:", runtime.NumGoroutine())
	for i := 0; i < 100; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		handle(ctx, i)
		cancel()
	}
	time.Sleep(200 * time.Millisecond)
	fmt.Println("goroutines after 100 cancelled requests:", runtime.NumGoroutine())

	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 1)
	fmt.Println()
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
