package actors

import (
	"sync"
	"time"
)

// workers runs the goroutines that loops and readers need (a loop started by a message, a
// reader started for a new connection or woken from the poller) on goroutines kept from
// earlier ones, as fasthttp's worker pool does: their stacks have grown already, where a new
// goroutine grows its stack anew through the deep path of a read, its actor and its callback
// (under connection churn that copying was 9% of the server's time). A worker idle for
// workerLinger exits, so a quiet process keeps none.
var workers workerPool

const (
	workerLinger  = 100 * time.Millisecond
	maxIdleWorker = 256 // idle workers kept at once; a busier moment starts new goroutines
)

type workerPool struct {
	mu   sync.Mutex
	idle []*worker // the most recently idle last
}

type worker struct {
	fn    chan func()
	timer *time.Timer
}

// Go runs fn on an idle worker, or on a new goroutine when none is idle.
func (p *workerPool) Go(fn func()) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		w.fn <- fn // buffered: the worker takes it when it wakes
		return
	}
	p.mu.Unlock()
	go p.work(fn)
}

// work runs fn, then whatever the pool hands it, until it has been idle for workerLinger.
func (p *workerPool) work(fn func()) {
	w := &worker{fn: make(chan func(), 1)}
	for {
		fn()
		fn = nil
		if !p.park(w) {
			return
		}
		if w.timer == nil {
			w.timer = time.NewTimer(workerLinger)
		} else {
			w.timer.Reset(workerLinger)
		}
		select {
		case fn = <-w.fn:
			w.timer.Stop()
		case <-w.timer.C:
			if !p.leave(w) {
				fn = <-w.fn // handed a function as the timer fired: run it
				continue
			}
			return
		}
	}
}

// park puts w among the idle workers, unless enough are idle.
func (p *workerPool) park(w *worker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) >= maxIdleWorker {
		return false
	}
	p.idle = append(p.idle, w)
	return true
}

// leave takes w out of the idle workers; false means Go took it first and a function is on
// its way.
func (p *workerPool) leave(w *worker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, idle := range p.idle {
		if idle == w {
			copy(p.idle[i:], p.idle[i+1:])
			p.idle[len(p.idle)-1] = nil
			p.idle = p.idle[:len(p.idle)-1]
			return true
		}
	}
	return false
}
