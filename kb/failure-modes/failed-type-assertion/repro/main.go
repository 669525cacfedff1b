// Reproducer: a config decoded into map[string]any is read with single-value type
// assertions. encoding/json stores every number as float64, so v.(int) fails
// (runtime.panicdottypeE -> *runtime.TypeAssertionError): "interface conversion:
// interface {} is float64, not int". The missing-key form ("is nil, not string")
// and the interface-to-interface form ("... is not io.Writer: missing method Write")
// are recovered first to show they are ordinary panics; the last one is not, so
// the process exits with status 2.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

func try(name string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "recovered (%s): %v\n", name, r)
		}
	}()
	f()
}

func main() {
	var cfg map[string]any
	if err := json.Unmarshal([]byte(`{"host":"127.0.0.1","port":8080}`), &cfg); err != nil {
		panic(err)
	}
	fmt.Println("host:", cfg["host"].(string))

	try("missing key", func() { _ = cfg["user"].(string) })
	try("interface", func() {
		var r io.Reader = strings.NewReader("x")
		_ = r.(io.Writer)
	})

	port := cfg["port"].(int) // float64 in the interface: not recovered
	fmt.Println("port:", port)
}
