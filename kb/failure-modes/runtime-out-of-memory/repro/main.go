// Reproducer: the Go runtime itself runs out of memory. Without root or cgroups,
// the program caps its own address space with setrlimit(RLIMIT_AS) at 400 MiB above
// what it already has mapped, then keeps every 32 MiB buffer it reads (a "load the
// whole file/result set into memory" bug). When the heap needs more address space
// the mmap fails and the runtime prints
//
//	runtime: out of memory: cannot allocate 33554432-byte block (N in use)
//	fatal error: out of memory
//
// and exits with status 2. GOMEMLIMIT (set by the entry's repro env) does not
// prevent it: it is a soft target for the GC, and live data cannot be collected.
//
//	./prog data   caps RLIMIT_DATA instead, so mapping already-reserved heap pages
//	              fails with ENOMEM: "fatal error: runtime: out of memory" from
//	              runtime.sysMap (the form seen when the machine or commit limit is
//	              exhausted). Which runtime path fails first varies between runs.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// vmSize returns the process's current virtual size from /proc/self/status.
func vmSize() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmSize:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

var chunks [][]byte // everything read so far stays reachable

func main() {
	resource, limit := syscall.RLIMIT_AS, vmSize()+400<<20
	if len(os.Args) > 1 && os.Args[1] == "data" {
		resource, limit = syscall.RLIMIT_DATA, 400<<20
	}
	if err := syscall.Setrlimit(resource, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(1)
	}
	fmt.Printf("limit %d MiB; GOMEMLIMIT=%q\n", limit>>20, os.Getenv("GOMEMLIMIT"))
	for i := 1; ; i++ {
		buf := make([]byte, 32<<20) // "read the next 32 MiB of the export"
		for j := 0; j < len(buf); j += 4096 {
			buf[j] = byte(i)
		}
		chunks = append(chunks, buf)
		fmt.Println("holding", i*32, "MiB")
	}
}
