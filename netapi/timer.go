package netapi

import (
	"sync"
	"time"
)

// Timer is a callback scheduled with [Runtime.AfterFunc]. It is safe for concurrent use.
type Timer struct {
	rt    *Runtime
	t     *time.Timer
	unref sync.Once
}

// AfterFunc runs fn after d where the runtime's callbacks run (on the event loop with
// WithEventLoop, else on a goroutine of its own), like Node's setTimeout: until it has run or
// been stopped it keeps Wait from returning. It is a no-op on a runtime that was shut down.
func (rt *Runtime) AfterFunc(d time.Duration, fn func()) *Timer {
	t := &Timer{rt: rt}
	if rt.isClosed() || fn == nil {
		t.unref.Do(func() {})
		return t
	}
	rt.ref()
	rt.mu.Lock()
	rt.timers[t] = struct{}{}
	rt.mu.Unlock()
	loop := rt.loopForNew()
	t.t = time.AfterFunc(d, func() {
		rt.post(loop, func() {
			defer t.release()
			fn()
		})
	})
	return t
}

// Stop cancels the timer; it reports whether that kept fn from running.
func (t *Timer) Stop() bool {
	if t.t == nil || !t.t.Stop() {
		return false
	}
	t.release()
	return true
}

func (t *Timer) release() {
	t.unref.Do(func() {
		t.rt.mu.Lock()
		delete(t.rt.timers, t)
		t.rt.mu.Unlock()
		t.rt.unref()
	})
}
