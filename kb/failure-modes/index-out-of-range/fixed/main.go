// Fixed: the parser checks the field count and the length prefix before
// indexing or slicing, and returns errors instead of panicking.
package main

import (
	"fmt"
	"os"
	"strings"
)

func field5(line string) (string, error) {
	parts := strings.Split(line, ",")
	if len(parts) < 6 {
		return "", fmt.Errorf("want 6 fields, got %d in %q", len(parts), line)
	}
	return parts[5], nil
}

func payload(buf []byte, n int) ([]byte, error) {
	if n < 0 || n > cap(buf) {
		return nil, fmt.Errorf("length %d does not fit capacity %d", n, cap(buf))
	}
	return buf[:n], nil
}

func main() {
	for _, line := range []string{"a,b,c,d,e,f", "only-one-field"} {
		f, err := field5(line)
		if err != nil {
			fmt.Fprintln(os.Stderr, "rejected:", err)
			continue
		}
		fmt.Println("ok:", f)
	}
	if _, err := payload(make([]byte, 3, 5), 7); err != nil {
		fmt.Fprintln(os.Stderr, "rejected:", err)
	}
}
