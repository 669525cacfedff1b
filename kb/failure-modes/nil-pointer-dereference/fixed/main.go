// Fixed: the lookup reports a miss explicitly (comma-ok plus an error), so no caller
// can dereference a nil *Backend; the unknown name becomes a handled error.
package main

import (
	"fmt"
	"os"
)

type Backend struct {
	Addr      string
	TimeoutMS int
}

var backends = map[string]*Backend{
	"api": {Addr: "127.0.0.1:8080", TimeoutMS: 500},
}

func lookup(name string) (*Backend, error) {
	b, ok := backends[name]
	if !ok || b == nil {
		return nil, fmt.Errorf("no backend %q", name)
	}
	return b, nil
}

func dialAddr(name string) (string, error) {
	b, err := lookup(name)
	if err != nil {
		return "", err
	}
	return b.Addr, nil
}

func main() {
	for _, name := range []string{"api", "db"} {
		addr, err := dialAddr(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "skipping:", err)
			continue
		}
		fmt.Println(name, "->", addr)
	}
}
