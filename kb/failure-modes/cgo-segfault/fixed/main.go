// Fixed: the Go side owns the invariant. The C struct is allocated before
// use, and the wrapper refuses to call into C with a nil pointer, returning an
// error instead. (C code cannot be protected by recover, so every pointer must
// be valid before the call.)
package main

/*
#include <stdint.h>

typedef struct {
	int64_t hits;
	int64_t misses;
} cache_stats;

static int64_t cache_total(const cache_stats *s) {
	return s->hits + s->misses;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
)

type cache struct {
	stats *C.cache_stats
}

func open() *cache {
	// Go memory may be passed to C for the duration of the call: it contains
	// no Go pointers, so the cgo pointer-passing rules are satisfied.
	return &cache{stats: &C.cache_stats{hits: 3, misses: 1}}
}

var errNotOpen = errors.New("cache not open")

func (c *cache) total() (int64, error) {
	if c == nil || c.stats == nil {
		return 0, errNotOpen
	}
	return int64(C.cache_total(c.stats)), nil
}

func main() {
	var closed cache
	if _, err := closed.total(); !errors.Is(err, errNotOpen) {
		fmt.Println("expected errNotOpen, got", err)
		os.Exit(1)
	}
	n, err := open().total()
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("total:", n)
}
