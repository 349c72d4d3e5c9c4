package actors

import (
	"testing"
	"time"

	"github.com/petermattis/goid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A function handed to the pool after another finished runs on the same goroutine, whose
// stack has grown already; an idle worker leaves after workerLinger, so none is kept.
func TestWorkersReuseGoroutinesAndLeave(t *testing.T) {
	var p workerPool
	idle := func() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.idle) }
	ran := make(chan int64, 1)
	p.Go(func() { ran <- goid.Get() })
	first := <-ran
	require.Eventually(t, func() bool { return idle() == 1 }, 10*time.Second, time.Millisecond)
	p.Go(func() { ran <- goid.Get() })
	assert.Equal(t, first, <-ran, "the idle worker ran it")

	// Two at once: one on the worker, one on a new goroutine.
	require.Eventually(t, func() bool { return idle() == 1 }, 10*time.Second, time.Millisecond)
	release := make(chan struct{})
	both := make(chan int64, 2)
	for range 2 {
		p.Go(func() { both <- goid.Get(); <-release })
	}
	a, b := <-both, <-both
	assert.NotEqual(t, a, b)
	close(release)
	require.Eventually(t, func() bool { return idle() == 2 }, 10*time.Second, time.Millisecond)
	assert.Eventually(t, func() bool { return idle() == 0 }, 10*time.Second, 5*time.Millisecond,
		"idle workers leave after the linger")
}
