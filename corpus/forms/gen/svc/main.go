// Command svc is a small order service that fails in one of many ways (svc MODE).
// It exists to produce the generalisation corpus in corpus/forms: output in the forms
// the runtime prints, from code written separately from the test fixtures' programs.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

type order struct {
	ID    int
	Items []string
	Notes map[string]string
}

type store struct {
	mu     sync.Mutex
	orders map[int]*order
	index  map[string][]int
}

func newStore() *store { return &store{orders: map[int]*order{}, index: map[string][]int{}} }

func (s *store) put(o *order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.ID] = o
	for _, it := range o.Items {
		s.index[it] = append(s.index[it], o.ID)
	}
}

var modes = map[string]func(){
	"mutexpile":   mutexPile,
	"wgdeadlock":  wgDeadlock,
	"conddead":    condDeadlock,
	"recursion":   recursion,
	"oom":         oom,
	"repanic":     middlewareRepanic,
	"deferfatal":  deferFatal,
	"nested":      nestedPanics,
	"mapiter":     mapIter,
	"mapread":     mapRead,
	"goexit":      goexitMain,
	"threadcap":   threadCap,
	"threads":     manyThreads,
	"racecache":   raceCache,
	"closedsend":  closedSend,
	"unhashable":  unhashableKey,
	"uncomp":      uncomparableKeys,
	"makecap":     makeCap,
	"mmaptrunc":   mmapTruncated,
	"pinner":      pinnerMisuse,
	"finalizer2":  finalizerTwice,
	"reflectset":  reflectSet,
	"slicebounds": sliceBounds,
	"divide":      divide,
	"leakchan":    leakChan,
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds | log.LUTC)
	if len(os.Args) < 2 || modes[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: svc MODE")
		os.Exit(2)
	}
	log.Printf("order service starting, mode=%s", os.Args[1])
	modes[os.Args[1]]()
}

// mutexPile: one request holds the store lock during a slow call; the rest queue behind it.
func mutexPile() {
	s := newStore()
	s.mu.Lock()
	for i := 0; i < 60; i++ {
		go s.put(&order{ID: i, Items: []string{"sku-1"}})
	}
	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}

// wgDeadlock: the collector waits for workers that wait for a result channel nobody reads.
func wgDeadlock() {
	var wg sync.WaitGroup
	results := make(chan int)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results <- i * i
		}(i)
	}
	wg.Wait()
	close(results)
}

// condDeadlock: consumers wait for a signal the producer never sends.
func condDeadlock() {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	ready := false
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			for !ready {
				c.Wait()
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
}

type node struct {
	Name     string
	Children []*node
	Parent   *node
}

// walk follows Parent links too: a cycle means infinite recursion.
func (n *node) size() int {
	total := 1
	for _, c := range n.Children {
		total += c.size()
	}
	if n.Parent != nil {
		total += n.Parent.size()
	}
	return total
}

func recursion() {
	root := &node{Name: "root"}
	child := &node{Name: "child", Parent: root}
	root.Children = []*node{child}
	fmt.Println(root.size())
}

var cache [][]byte

func oom() {
	for i := 0; ; i++ {
		cache = append(cache, make([]byte, 32<<20))
		if i%8 == 0 {
			log.Printf("cached %d MiB", (i+1)*32)
		}
	}
}

func handler(w http.ResponseWriter, r *http.Request) {
	var counts map[string]int
	counts[r.URL.Path]++
}

// middlewareRepanic: the middleware logs the panic and panics again with the same value.
func middlewareRepanic() {
	h := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					log.Printf("panic in %s: %v", r.URL.Path, v)
					panic(v)
				}
			}()
			next(w, r)
		}
	}(handler)
	h(httptest.NewRecorder(), httptest.NewRequest("GET", "/orders", nil))
}

// deferFatal: a handler panics; the deferred unlock releases a lock it never took.
func deferFatal() {
	s := newStore()
	defer s.mu.Unlock()
	var o *order
	s.put(&order{ID: 1})
	log.Printf("order %d", o.ID)
}

// nestedPanics: cleanup code panics while the first panic unwinds.
func nestedPanics() {
	done := make(chan struct{})
	close(done)
	defer func() {
		close(done)
	}()
	ids := []int{1, 2, 3}
	i := len(ids)
	fmt.Println(ids[i])
}

func mapIter() {
	s := newStore()
	for i := 0; i < 200; i++ {
		s.orders[i] = &order{ID: i}
	}
	go func() {
		for i := 0; ; i++ {
			s.orders[i%200] = &order{ID: i}
		}
	}()
	for {
		n := 0
		for range s.orders {
			n++
		}
	}
}

func mapRead() {
	s := newStore()
	go func() {
		for i := 0; ; i++ {
			s.index[fmt.Sprint(i%64)] = nil
		}
	}()
	for i := 0; ; i++ {
		_ = s.index[fmt.Sprint(i%64)]
	}
}

func goexitMain() {
	go func() {
		log.Printf("worker done")
	}()
	time.Sleep(50 * time.Millisecond)
	runtime.Goexit()
}

func blockInRead(n int) {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	for i := 0; i < n; i++ {
		go func() {
			b := make([]byte, 1)
			syscall.Read(fds[0], b)
		}()
	}
}

func threadCap() {
	debug.SetMaxThreads(30)
	blockInRead(50)
	time.Sleep(2 * time.Second)
}

func manyThreads() {
	blockInRead(100)
	time.Sleep(2 * time.Second)
}

// raceCache: a cache filled by a background refresher and read by requests, unlocked.
func raceCache() {
	cache := map[string]string{}
	go func() {
		cache["eu-west"] = "10.0.0.7"
	}()
	time.Sleep(50 * time.Millisecond)
	fmt.Println(cache["eu-west"])
	time.Sleep(50 * time.Millisecond)
}

// closedSend: events are published after the subscriber channel was closed on shutdown.
func closedSend() {
	events := make(chan string, 4)
	go func() {
		for e := range events {
			b, _ := json.Marshal(map[string]string{"level": "info", "event": e})
			fmt.Println(string(b))
		}
	}()
	events <- "order.created"
	events <- "order.paid"
	time.Sleep(10 * time.Millisecond)
	close(events)
	log.Printf("shutting down subscribers")
	events <- "order.shipped"
}

func unhashableKey() {
	seen := map[any]int{}
	for _, k := range []any{"a", 1, []string{"x"}} {
		seen[k]++
	}
}

func uncomparableKeys() {
	a := any(map[string]int{"a": 1})
	b := any(map[string]int{"a": 1})
	if a == b {
		fmt.Println("same")
	}
}

func makeCap() {
	want := strings.Count("", ",") - 1
	ids := make([]int, 0, want)
	fmt.Println(len(ids))
}

func mmapTruncated() {
	f, err := os.CreateTemp("", "index")
	if err != nil {
		panic(err)
	}
	defer os.Remove(f.Name())
	f.Truncate(1 << 20)
	m, err := syscall.Mmap(int(f.Fd()), 0, 1<<20, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		panic(err)
	}
	log.Printf("index mapped, %d bytes", len(m))
	f.Truncate(4096)
	var sum int
	for i := 0; i < len(m); i += 4096 {
		sum += int(m[i])
	}
	fmt.Println(sum)
}

func pinnerMisuse() {
	var p runtime.Pinner
	defer p.Unpin()
	p.Pin(42)
}

func finalizerTwice() {
	o := &order{ID: 7}
	runtime.SetFinalizer(o, func(*order) {})
	runtime.SetFinalizer(o, func(*order) {})
}

func sliceBounds() {
	parts := strings.Split("a,b", ",")
	sort.Strings(parts)
	fmt.Println(parts[1 : len(parts)-3])
}

func divide() {
	total, n := 100, len(os.Args)-2
	fmt.Println(total / n)
}

var errNotFound = errors.New("not found")

// leakChan: lookups race a timeout; the losing worker blocks for ever on an unbuffered reply.
func leakChan() {
	lookup := func() error {
		reply := make(chan error)
		go func() {
			time.Sleep(20 * time.Millisecond)
			reply <- errNotFound
		}()
		select {
		case err := <-reply:
			return err
		case <-time.After(time.Millisecond):
			return errors.New("timeout")
		}
	}
	for i := 0; i < 30; i++ {
		lookup()
	}
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 2)
}
