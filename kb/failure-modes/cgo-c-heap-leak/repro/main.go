// Reproducer: a cgo C-heap leak. Each "request" converts a Go string with
// C.CString and asks a C helper for a scratch buffer (malloc), and never calls C.free.
// The process RSS (VmRSS from /proc/self/status) climbs by ~128 KiB per request while
// the Go heap (runtime/metrics) stays flat: the Go GC does not know the C memory exists.
// A memory limit of 64 MiB (debug.SetMemoryLimit, same as GOMEMLIMIT=64MiB) does not
// help either: the limit covers only memory the Go runtime manages.
package main

/*
#include <stdlib.h>
#include <string.h>

// scratch returns a malloc'd buffer of n bytes; the caller must free it.
static void* scratch(size_t n) {
	void* p = malloc(n);
	if (p) memset(p, 1, n); // touch the pages so they count in RSS
	return p;
}

static size_t consume(const char* s, void* buf) {
	return strlen(s) + (buf != NULL);
}
*/
import "C"

import (
	"bufio"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// vmRSSKiB reads the resident set size from /proc/self/status (Linux).
func vmRSSKiB() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

var names = []string{
	"/memory/classes/heap/objects:bytes", // Go heap objects, live and not yet swept
	"/memory/classes/total:bytes",        // everything the Go runtime has mapped
	"/cgo/go-to-c-calls:calls",
}

func report(label string) (rssMiB, heapMiB int64) {
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	metrics.Read(s)
	rssMiB = vmRSSKiB() >> 10
	heapMiB = int64(s[0].Value.Uint64() >> 20)
	fmt.Printf("%-14s VmRSS=%4d MiB  go heap objects=%3d MiB  go runtime total=%3d MiB  cgo calls=%d\n",
		label, rssMiB, heapMiB, s[1].Value.Uint64()>>20, s[2].Value.Uint64())
	return
}

func handle(payload string) {
	cs := C.CString(payload)   // malloc'd copy: caller must C.free it
	buf := C.scratch(64 << 10) // malloc'd: caller must C.free it
	_ = C.consume(cs, buf)
	// BUG: no C.free(unsafe.Pointer(cs)), no C.free(buf)
}

func main() {
	debug.SetMemoryLimit(64 << 20) // GOMEMLIMIT=64MiB: does not cover C memory
	payload := strings.Repeat("x", 64<<10)
	rss0, heap0 := report("start")
	var rss, heap int64
	for i := 1; i <= 2000; i++ {
		handle(payload)
		if i%400 == 0 {
			rss, heap = report(fmt.Sprintf("requests=%d", i))
		}
	}
	fmt.Printf("VmRSS grew by %d MiB while the Go heap stayed flat (%d -> %d MiB): the growth is outside the Go heap (C malloc)\n",
		rss-rss0, heap0, heap)
	if len(os.Args) > 1 && os.Args[1] == "hold" {
		time.Sleep(time.Minute) // keep the leaked memory, for /proc and pprof readings from outside
	}
}
