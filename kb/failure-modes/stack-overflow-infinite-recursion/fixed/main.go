// Fixed: the walk is iterative, bounded, and detects cycles, returning an error
// instead of recursing without end.
package main

import (
	"errors"
	"fmt"
	"os"
)

type Node struct {
	Name   string
	Parent *Node
}

var errCycle = errors.New("cycle in parent chain")

const maxDepth = 10_000

func depth(n *Node) (int, error) {
	seen := map[*Node]bool{}
	d := 0
	for ; n.Parent != nil; n = n.Parent {
		if seen[n] || d >= maxDepth {
			return 0, fmt.Errorf("at %q: %w", n.Name, errCycle)
		}
		seen[n] = true
		d++
	}
	return d, nil
}

func main() {
	root := &Node{Name: "root"}
	team := &Node{Name: "team", Parent: root}
	d, err := depth(team)
	fmt.Println("depth(team) =", d, err)

	root.Parent = team
	if _, err := depth(team); err != nil {
		fmt.Fprintln(os.Stderr, "rejected:", err)
	}
}
