// Fixed: the same A -> B -> C chain with C slow (600 ms), but with one deadline
// budget for the whole user call. A gives the call 1 s (context.WithTimeoutCause)
// and sends the remaining budget to B in a header (HTTP does not carry Go
// contexts); B derives its context from the incoming request plus that budget,
// gives each attempt at most 400 ms, retries only while enough budget is left,
// with jitter, and classifies failures with errors.Is(err, context.DeadlineExceeded)
// and context.Cause; C watches r.Context() and stops working when its caller leaves. The call
// fails fast with a named cause and C sees 2 requests instead of 9.
package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

const budgetHeader = "X-Request-Budget-Ms" // like gRPC's grpc-timeout

// deadlineCause is a context cause that still matches context.DeadlineExceeded.
// Since Go 1.23 the HTTP client returns context.Cause(ctx) as the request error,
// so a plain errors.New cause would hide the deadline from errors.Is.
type deadlineCause string

func (c deadlineCause) Error() string      { return string(c) }
func (deadlineCause) Is(target error) bool { return target == context.DeadlineExceeded }

const (
	errBudget         = deadlineCause("checkout budget of 1s exhausted")
	errCallerBudget   = deadlineCause("budget from caller exhausted")
	errAttemptTimeout = deadlineCause("attempt to C took longer than 400ms")
)

func serve(h http.HandlerFunc) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, h)
	return "http://" + ln.Addr().String()
}

// withBudget derives a context from the incoming request (cancelled when the
// caller goes away) bounded by the budget the caller sent, minus a margin for
// the way back.
func withBudget(r *http.Request, margin time.Duration) (context.Context, context.CancelFunc) {
	ms, err := strconv.Atoi(r.Header.Get(budgetHeader))
	if err != nil || ms <= 0 {
		ms = 1000 // a default budget; never unbounded
	}
	return context.WithTimeoutCause(r.Context(), time.Duration(ms)*time.Millisecond-margin, errCallerBudget)
}

func callWithBudget(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		req.Header.Set(budgetHeader, strconv.FormatInt(time.Until(dl).Milliseconds(), 10))
	}
	return c.Do(req)
}

func main() {
	var cRequests, cAbandoned atomic.Int32
	urlC := serve(func(w http.ResponseWriter, r *http.Request) {
		cRequests.Add(1)
		select {
		case <-time.After(600 * time.Millisecond): // still slow
			fmt.Fprintln(w, "stock reserved")
		case <-r.Context().Done(): // but stops when the caller has gone
			cAbandoned.Add(1)
		}
	})

	client := &http.Client{Timeout: 5 * time.Second} // outer safety net; budgets do the real work
	urlB := serve(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := withBudget(r, 50*time.Millisecond)
		defer cancel()
		const perAttempt = 400 * time.Millisecond
		for attempt := 1; ; attempt++ {
			actx, acancel := context.WithTimeoutCause(ctx, perAttempt, errAttemptTimeout)
			resp, err := callWithBudget(actx, client, urlC+"/reserve")
			cause := context.Cause(actx)
			acancel()
			if err == nil {
				resp.Body.Close()
				fmt.Fprintln(w, "ok")
				return
			}
			fmt.Printf("B -> C attempt %d: deadline=%v cause: %v\n", attempt, errors.Is(err, context.DeadlineExceeded), cause)
			dl, _ := ctx.Deadline()
			if ctx.Err() != nil || time.Until(dl) < perAttempt/2 { // not enough budget for a useful retry
				fmt.Printf("B: giving up after %d attempts, %v of the budget left\n", attempt, time.Until(dl).Round(10*time.Millisecond))
				http.Error(w, "upstream C too slow for the remaining budget", http.StatusGatewayTimeout)
				return
			}
			time.Sleep(time.Duration(30+rand.IntN(40)) * time.Millisecond) // jittered backoff
		}
	})

	start := time.Now()
	ctx, cancel := context.WithTimeoutCause(context.Background(), time.Second, errBudget)
	defer cancel()
	resp, err := callWithBudget(ctx, client, urlB+"/checkout")
	switch {
	case err != nil && errors.Is(err, context.DeadlineExceeded):
		fmt.Printf("A: call failed after %v: %v\n", time.Since(start).Round(100*time.Millisecond), context.Cause(ctx))
	case err != nil:
		fmt.Println("A: call failed:", err)
	default:
		resp.Body.Close()
		fmt.Printf("A: %s from B after %v; no retry, the budget is spent\n",
			resp.Status, time.Since(start).Round(100*time.Millisecond))
	}
	time.Sleep(700 * time.Millisecond) // give C's handlers time to finish or notice
	fmt.Printf("1 user call: C received %d requests and abandoned %d when the caller left\n",
		cRequests.Load(), cAbandoned.Load())
}
