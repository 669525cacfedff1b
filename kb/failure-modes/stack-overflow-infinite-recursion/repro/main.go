// Reproducer: a recursive walk up a parent chain never terminates because the
// data contains a cycle (a node became its own grandparent). Each call needs a
// little more stack; runtime.newstack doubles the goroutine stack until the next
// size would pass the limit (1 GB on 64-bit, runtime/debug.SetMaxStack), then
// prints "runtime: goroutine stack exceeds 1000000000-byte limit" and dies with
// "fatal error: stack overflow". This is a fatal error, not a panic: main's deferred
// recover never runs, and the process exits with status 2 after about a second.
package main

import "fmt"

type Node struct {
	Name   string
	Parent *Node
}

// depth has no cycle detection.
func depth(n *Node) int {
	if n.Parent == nil {
		return 0
	}
	return 1 + depth(n.Parent)
}

func main() {
	defer func() {
		if r := recover(); r != nil { // never runs: stack overflow is fatal
			fmt.Println("recovered:", r)
		}
	}()
	root := &Node{Name: "root"}
	team := &Node{Name: "team", Parent: root}
	fmt.Println("depth(team) =", depth(team))

	root.Parent = team // a bad update creates a cycle
	fmt.Println("depth(team) =", depth(team))
}
