package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
)

// idleTimer is a socket's setTimeout: it fires once per idle period and is armed again by the
// next read or write. Activity only records the time; the timer, when it fires early, waits
// for the rest of the period, so a busy socket costs no timer reset per read.
type idleTimer struct {
	d     time.Duration
	last  time.Time
	t     *time.Timer
	armed bool
}

// idleTick is sent by the timer's goroutine to the socket.
type idleTick struct{}

func (it *idleTimer) set(s *socket, d time.Duration) {
	if s.state >= StateClosing {
		return
	}
	it.d = max(d, 0)
	s.out.timed.Store(it.d > 0)
	s.out.timedOut.Store(false)
	if it.d == 0 {
		it.stop()
		return
	}
	it.last = time.Now()
	it.arm(s, it.d)
}

func (it *idleTimer) activity(s *socket) {
	if it.d == 0 {
		return
	}
	it.last = time.Now()
	if !it.armed {
		it.arm(s, it.d)
	}
}

func (it *idleTimer) arm(s *socket, wait time.Duration) {
	it.armed = true
	if it.t == nil {
		sys, self := s.sys, s.self
		it.t = time.AfterFunc(wait, func() { sys.Root.Send(self, &idleTick{}) })
		return
	}
	it.t.Reset(wait)
}

func (it *idleTimer) stop() {
	it.armed = false
	if it.t != nil {
		it.t.Stop()
	}
}

func (it *idleTimer) tick(ctx actor.Context, s *socket) {
	if !it.armed || s.state >= StateClosing {
		return
	}
	if w := time.Unix(0, s.out.lastWrite.Load()); w.After(it.last) { // written to directly
		it.last = w
	}
	if idle := time.Since(it.last); idle < it.d {
		it.arm(s, it.d-idle)
		return
	}
	it.armed = false
	s.out.timedOut.Store(true)
	s.emit(ctx, &messages.TimeoutEvent{Socket: s.self})
}
