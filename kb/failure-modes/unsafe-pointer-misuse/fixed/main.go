// Fixed: the same three jobs without breaking the unsafe.Pointer rules.
//   - the header is decoded with encoding/binary after a length check (no
//     reinterpretation of a buffer that may be too short);
//   - elements are reached by bounds-checked slice indexing, not pointer arithmetic;
//   - a reference is kept as a real pointer, so the GC keeps the object alive.
//
// It passes go vet (unsafeptr) and runs clean under -race/checkptr.
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
)

type header struct {
	Magic   uint32
	Version uint32
	Length  uint64
}

const headerSize = 16

var errShort = errors.New("short packet")

func parseHeader(p []byte) (header, error) {
	if len(p) < headerSize {
		return header{}, fmt.Errorf("%w: %d of %d header bytes", errShort, len(p), headerSize)
	}
	return header{
		Magic:   binary.LittleEndian.Uint32(p[0:4]),
		Version: binary.LittleEndian.Uint32(p[4:8]),
		Length:  binary.LittleEndian.Uint64(p[8:16]),
	}, nil
}

type holder struct{ p *[1 << 20]byte }

var keep *holder

func main() {
	if _, err := parseHeader(make([]byte, 8)); !errors.Is(err, errShort) {
		fmt.Println("expected a short-packet error, got", err)
		os.Exit(1)
	}
	h, err := parseHeader([]byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("magic", h.Magic, "version", h.Version, "length", h.Length)

	table := make([]uint64, 4)
	if i := 5; i < len(table) {
		fmt.Println(table[i])
	} else {
		fmt.Println("index", i, "out of range for", len(table), "elements: skipped")
	}

	big := new([1 << 20]byte)
	keep = &holder{p: big} // a real pointer: the object stays alive
	runtime.GC()
	fmt.Println("object still reachable:", len(keep.p))
}
