// Reproducer: a CSV-ish record parser trusts that every line has six fields and
// that a length prefix fits the buffer. Both are bounds-checked at run time:
// the slice expression fails in runtime.goPanicSliceAcap ("slice bounds out of
// range [:7] with capacity 5") and is recovered, showing it is an ordinary panic;
// the index expression fails in runtime.goPanicIndex ("index out of range [5]
// with length 1") unrecovered, so the process exits with status 2.
package main

import (
	"fmt"
	"os"
	"strings"
)

// field5 returns the sixth comma-separated field without checking the count.
func field5(line string) string {
	parts := strings.Split(line, ",")
	return parts[5]
}

// payload trusts a length taken from the input.
func payload(buf []byte, n int) []byte {
	return buf[:n]
}

func main() {
	fmt.Println("ok:", field5("a,b,c,d,e,f"))

	func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintln(os.Stderr, "recovered:", r)
			}
		}()
		buf := make([]byte, 3, 5)
		fmt.Println(len(payload(buf, 7)))
	}()

	fmt.Println("bad:", field5("only-one-field")) // not recovered
}
