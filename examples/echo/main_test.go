package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the example's -demo mode on a free port, with and without ReuseReadBuffer, on
// the default loops and on one: it fails unless every echo came back as sent.
func TestDemo(t *testing.T) {
	for _, reuse := range []bool{true, false} {
		for _, loops := range []int{0, 1} {
			if err := run("127.0.0.1:0", true, 20, reuse, loops); err != nil {
				t.Fatalf("reuse=%v loops=%d: %v", reuse, loops, err)
			}
		}
	}
}
