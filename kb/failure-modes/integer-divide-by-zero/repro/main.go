// Reproducer: an average over a window divides by the number of samples, which is
// zero for an empty window. Integer division by a zero divisor panics with
// "runtime error: integer divide by zero" (runtime.panicdivide); the first call is
// recovered to show it is an ordinary panic, the same division with float64 just
// yields NaN/+Inf, and the last call is unrecovered, so the process exits with status 2.
package main

import (
	"fmt"
	"os"
)

func avgLatencyMS(samples []int) int {
	total := 0
	for _, s := range samples {
		total += s
	}
	return total / len(samples) // len == 0 for an empty window
}

func ratio(a, b float64) float64 { return a / b }

func main() {
	fmt.Println("avg:", avgLatencyMS([]int{12, 18, 30}))

	func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintln(os.Stderr, "recovered:", r)
			}
		}()
		fmt.Println("avg:", avgLatencyMS(nil))
	}()

	fmt.Println("float:", ratio(0, 0), ratio(1, 0)) // NaN +Inf, no panic

	fmt.Println("avg:", avgLatencyMS([]int{})) // not recovered
}
