// Reproducer: a C function called through cgo dereferences a pointer it was
// handed without checking it (here NULL, as when a C library handle was never
// initialised). The fault happens in C code, on the system stack, so the Go
// runtime cannot turn it into a panic: it prints "SIGSEGV: segmentation
// violation", "signal arrived during cgo execution" and every goroutine, then
// exits with status 2. The deferred recover in main never runs.
package main

/*
#include <stdint.h>

typedef struct {
	int64_t hits;
	int64_t misses;
} cache_stats;

// Like many C APIs, it trusts its caller to pass a valid pointer.
static int64_t cache_total(const cache_stats *s) {
	return s->hits + s->misses;
}
*/
import "C"

import "fmt"

type cache struct {
	stats *C.cache_stats // nil until open() has run
}

func main() {
	defer func() {
		// Never runs: a fault in C code is a fatal signal, not a Go panic.
		if r := recover(); r != nil {
			fmt.Println("recovered:", r)
		}
	}()

	var c cache // open() was never called
	fmt.Println("total:", C.cache_total(c.stats))
}
