package compiler

import (
	"container/heap"
	"maps"
	"slices"
	"strings"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// sortStages reports dependency cycles (each with its whole path) and
// returns the stages in topological order, ties broken by source order.
// Edges that close a reported cycle are ignored so the order stays total.
func (c *compiler) sortStages(e *experiment) []*stage {
	const (
		white = iota
		grey
		black
	)
	color := map[*stage]int{}
	broken := map[[2]*stage]bool{} // edges ignored after reporting a cycle
	var stack []*stage
	var visit func(s *stage)
	visit = func(s *stage) {
		color[s] = grey
		stack = append(stack, s)
		for _, name := range slices.Sorted(maps.Keys(s.deps)) {
			up := e.byName[name]
			switch color[up] {
			case white:
				visit(up)
			case grey:
				start := 0
				for i, x := range stack {
					if x == up {
						start = i
					}
				}
				path := make([]string, 0, len(stack)-start+1)
				for _, x := range stack[start:] {
					path = append(path, "stage."+x.name)
				}
				path = append(path, "stage."+up.name)
				c.errorf(diag.Cycle, s.deps[name], "Dependency cycle",
					"The stages depend on each other in a cycle: %s.", strings.Join(path, " -> "))
				broken[[2]*stage{s, up}] = true
			}
		}
		stack = stack[:len(stack)-1]
		color[s] = black
	}
	for _, s := range e.stages {
		if color[s] == white {
			visit(s)
		}
	}
	// Kahn's algorithm over the remaining edges, smallest source index
	// first.
	pending := map[*stage]int{}
	downstream := map[*stage][]*stage{}
	for _, s := range e.stages {
		for name := range s.deps {
			up := e.byName[name]
			if broken[[2]*stage{s, up}] {
				continue
			}
			pending[s]++
			downstream[up] = append(downstream[up], s)
		}
	}
	ready := &stageHeap{}
	for _, s := range e.stages {
		if pending[s] == 0 {
			heap.Push(ready, s)
		}
	}
	order := make([]*stage, 0, len(e.stages))
	for ready.Len() > 0 {
		s := heap.Pop(ready).(*stage)
		order = append(order, s)
		for _, d := range downstream[s] {
			pending[d]--
			if pending[d] == 0 {
				heap.Push(ready, d)
			}
		}
	}
	return order
}

// stageHeap is a min-heap of stages by source index.
type stageHeap []*stage

func (h stageHeap) Len() int           { return len(h) }
func (h stageHeap) Less(i, j int) bool { return h[i].index < h[j].index }
func (h stageHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *stageHeap) Push(x any)        { *h = append(*h, x.(*stage)) }
func (h *stageHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
