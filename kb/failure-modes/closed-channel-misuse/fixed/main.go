// Fixed: only the sending side closes the channel, after every producer has
// returned (sync.WaitGroup), and producers give up on a context instead of
// sending into a channel nobody reads.
package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

func producer(ctx context.Context, id int, delay time.Duration, out chan<- int) {
	select {
	case <-time.After(delay):
	case <-ctx.Done():
		return
	}
	select {
	case out <- id:
	case <-ctx.Done():
	}
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()

	results := make(chan int)
	var wg sync.WaitGroup
	for i, d := range []time.Duration{10 * time.Millisecond, 300 * time.Millisecond} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			producer(ctx, i+1, d, results)
		}()
	}
	go func() {
		wg.Wait()
		close(results) // the senders are done: closing is now safe
	}()

	got := 0
	for r := range results {
		fmt.Println("result from producer", r)
		got++
	}
	fmt.Println("collected", got, "result(s); deadline:", ctx.Err())
}
