package main

import (
	"sync"
	"testing"
)

// TestCounter runs the same unsynchronised counter update under `go test -race`,
// which is how most races are found: the test fails with
// "race detected during execution of test".
func TestCounter(t *testing.T) {
	var st stats
	var wg sync.WaitGroup
	for _, job := range [][]byte{[]byte("alpha"), []byte("beta")} {
		wg.Add(1)
		go func(b []byte) {
			defer wg.Done()
			st.processed += len(b)
		}(job)
	}
	wg.Wait()
	if st.processed != 9 {
		t.Errorf("processed %d bytes, want 9", st.processed)
	}
}
