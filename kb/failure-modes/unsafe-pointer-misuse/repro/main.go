// Reproducer: unsafe.Pointer conversions that break the rules in
// https://pkg.go.dev/unsafe#Pointer. Build with -race (or
// -gcflags=all=-d=checkptr), which turns on the runtime's checkptr
// instrumentation, and each misuse becomes a deterministic fatal error at the
// conversion instead of silent memory corruption.
//
//	./prog            (default) parse a 16-byte header out of an 8-byte packet:
//	                  fatal error: checkptr: converted pointer straddles multiple allocations
//	./prog arith      step a pointer past the end of its array:
//	                  fatal error: checkptr: pointer arithmetic result points to invalid allocation
//	./prog badptr     keep a uintptr to a freed object and turn it back into a pointer;
//	                  the garbage collector later finds it: fatal error: found bad pointer in Go heap
//	                  (the GC check is not deterministic: it fires only if the span was freed)
package main

import (
	"fmt"
	"os"
	"runtime"
	"unsafe"
)

// header is the fixed 16-byte prefix of a wire message.
type header struct {
	Magic   uint32
	Version uint32
	Length  uint64
}

var packet []byte // a received packet (heap-allocated)

// parseHeader reinterprets the packet bytes in place without checking the length.
func parseHeader(p []byte) *header {
	return (*header)(unsafe.Pointer(&p[0]))
}

var table = new([4]uint64)

type holder struct{ p *[1 << 20]byte }

var keep *holder

func main() {
	mode := "straddle"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "straddle":
		packet = make([]byte, 8) // a short packet: only 8 of the 16 header bytes arrived
		h := parseHeader(packet)
		fmt.Println("magic", h.Magic, "length", h.Length)
	case "arith":
		base := unsafe.Pointer(table)
		past := unsafe.Pointer(uintptr(base) + 5*unsafe.Sizeof(table[0])) // element 5 of 4
		fmt.Println(*(*uint64)(past))
	case "badptr":
		big := new([1 << 20]byte)
		addr := uintptr(unsafe.Pointer(big)) // a uintptr does not keep big alive
		big = nil
		runtime.GC()
		runtime.GC() // the 1 MiB object is now freed and its span returned to the heap
		keep = &holder{}
		keep.p = (*[1 << 20]byte)(unsafe.Pointer(addr)) // a dangling pointer in a heap object
		runtime.GC()                                    // the GC scans keep and finds it
		fmt.Println("the GC did not notice this time; run again")
	}
}
