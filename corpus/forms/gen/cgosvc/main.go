// Command cgosvc wraps a small C "codec" library through cgo and misuses it (cgosvc MODE),
// for the generalisation corpus in corpus/forms.
package main

/*
#include <stdlib.h>
#include <string.h>

typedef struct { char *buf; size_t len; } codec;

static codec *codec_new(size_t n) {
	codec *c = malloc(sizeof(codec));
	c->buf = malloc(n);
	c->len = n;
	return c;
}

static void codec_free(codec *c) { free(c->buf); free(c); }

static void codec_encode(codec *c, const char *src, size_t n) { memcpy(c->buf, src, n); }

static char *codec_name(void) { return strdup("gzip-level-9"); }
*/
import "C"

import (
	"fmt"
	"os"
	"strings"
	"unsafe"
)

var modes = map[string]func(){
	"doublefree": doubleFree,
	"overflow":   overflow,
	"leakname":   leakName,
	"badsize":    badSize,
}

func main() {
	if len(os.Args) < 2 || modes[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: cgosvc MODE")
		os.Exit(2)
	}
	modes[os.Args[1]]()
}

// doubleFree: a Go finaliser and an explicit Close both free the codec.
func doubleFree() {
	c := C.codec_new(64)
	C.codec_free(c)
	C.codec_free(c)
}

// overflow: the Go side passes the payload length, not the buffer's.
func overflow() {
	c := C.codec_new(16)
	defer C.codec_free(c)
	payload := C.CString(strings.Repeat("x", 48))
	defer C.free(unsafe.Pointer(payload))
	C.codec_encode(c, payload, 48)
}

// leakName: the C string returned by codec_name is never freed.
func leakName() {
	for i := 0; i < 50; i++ {
		name := C.codec_name()
		_ = C.GoString(name)
	}
	fmt.Println("encoded 50 batches")
}

// badSize: Go reads the C buffer with the wrong length.
func badSize() {
	c := C.codec_new(32)
	defer C.codec_free(c)
	b := unsafe.Slice((*byte)(unsafe.Pointer(c.buf)), 128)
	fmt.Println(b[100])
}
