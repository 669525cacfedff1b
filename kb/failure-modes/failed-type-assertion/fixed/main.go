// Fixed: every assertion uses the comma-ok form (or a type switch) and handles
// the JSON number type (float64) explicitly; bad or missing values are errors.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func intField(cfg map[string]any, key string) (int, error) {
	switch v := cfg[key].(type) {
	case float64:
		if v != float64(int(v)) {
			return 0, fmt.Errorf("%s: %v is not an integer", key, v)
		}
		return int(v), nil
	case nil:
		return 0, fmt.Errorf("%s: missing", key)
	default:
		return 0, fmt.Errorf("%s: unexpected type %T", key, v)
	}
}

func main() {
	var cfg map[string]any
	if err := json.Unmarshal([]byte(`{"host":"127.0.0.1","port":8080}`), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	host, ok := cfg["host"].(string)
	if !ok {
		fmt.Fprintln(os.Stderr, "host: not a string")
		os.Exit(1)
	}
	if user, ok := cfg["user"].(string); ok {
		fmt.Println("user:", user)
	} else {
		fmt.Println("user: not set, using default")
	}
	port, err := intField(cfg, "port")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listen on %s:%d\n", host, port)
}
