// Reproducer: small substrings and subslices keep huge backing arrays alive.
//
// The program "receives" 200 documents of 1 MiB each and keeps only a 16-byte id
// from each: half as a substring of the document (string), half as a subslice of
// the body ([]byte). A substring or subslice shares the original backing array, so
// every 16-byte id pins its whole 1 MiB document: 3.2 KB of useful data hold
// ~200 MiB of live heap (runtime/metrics /gc/heap/live:bytes).
package main

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"strings"
)

const docSize = 1 << 20

func fetch(n int) []byte { // stands in for an HTTP body or a file read
	body := bytes.Repeat([]byte{'a' + byte(n%26)}, docSize)
	copy(body, fmt.Sprintf("id=%012d;", n))
	out, _ := io.ReadAll(bytes.NewReader(body))
	return out
}

var (
	stringIDs []string // substrings of whole documents
	byteIDs   [][]byte // subslices of whole bodies
)

func liveMiB() uint64 {
	runtime.GC() // complete a cycle so the reading reflects what is reachable now
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() >> 20
}

func main() {
	before := liveMiB()
	for i := 0; i < 100; i++ {
		doc := string(fetch(i))               // one 1 MiB string
		id, _, _ := strings.Cut(doc[3:], ";") // 12-byte substring: same backing array
		stringIDs = append(stringIDs, id)
	}
	for i := 100; i < 200; i++ {
		body := fetch(i)
		byteIDs = append(byteIDs, body[3:15]) // 12-byte subslice: cap and array of 1 MiB
	}
	kept := 0
	for _, s := range stringIDs {
		kept += len(s)
	}
	for _, b := range byteIDs {
		kept += len(b)
	}
	after := liveMiB()
	fmt.Printf("kept %d ids, %d bytes of data; cap(byteIDs[0])=%d\n", len(stringIDs)+len(byteIDs), kept, cap(byteIDs[0]))
	fmt.Printf("/gc/heap/live:bytes went from %d MiB to %d MiB: each small substring or subslice keeps its whole 1 MiB backing array alive\n", before, after)
}
