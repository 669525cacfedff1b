// Fixed: the ids are copied out of the documents with strings.Clone and
// bytes.Clone (Go 1.20), so each document becomes garbage once it has been parsed.
// 200 ids of 12 bytes now cost a few KB; the live heap stays at its baseline.
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

func fetch(n int) []byte {
	body := bytes.Repeat([]byte{'a' + byte(n%26)}, docSize)
	copy(body, fmt.Sprintf("id=%012d;", n))
	out, _ := io.ReadAll(bytes.NewReader(body))
	return out
}

var (
	stringIDs []string
	byteIDs   [][]byte
)

func liveMiB() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() >> 20
}

func main() {
	before := liveMiB()
	for i := 0; i < 100; i++ {
		doc := string(fetch(i))
		id, _, _ := strings.Cut(doc[3:], ";")
		stringIDs = append(stringIDs, strings.Clone(id)) // own copy: doc can be freed
	}
	for i := 100; i < 200; i++ {
		body := fetch(i)
		byteIDs = append(byteIDs, bytes.Clone(body[3:15])) // own 12-byte array
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
	fmt.Printf("/gc/heap/live:bytes went from %d MiB to %d MiB: the ids own their memory\n", before, after)
}
