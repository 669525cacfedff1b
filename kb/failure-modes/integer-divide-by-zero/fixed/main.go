// Fixed: the divisor is checked first and an empty window reports "no data"
// instead of dividing by zero.
package main

import "fmt"

func avgLatencyMS(samples []int) (int, bool) {
	if len(samples) == 0 {
		return 0, false
	}
	total := 0
	for _, s := range samples {
		total += s
	}
	return total / len(samples), true
}

func main() {
	for _, w := range [][]int{{12, 18, 30}, nil} {
		if avg, ok := avgLatencyMS(w); ok {
			fmt.Println("avg:", avg)
		} else {
			fmt.Println("avg: no samples in window")
		}
	}
}
