package netapi

import "sync"

// eventLoop runs callbacks one at a time, in the order they were posted, on one goroutine
// (Node's model, for WithEventLoop). It is safe for concurrent use.
type eventLoop struct {
	mu      sync.Mutex
	queue   []func()
	closed  bool
	wake    chan struct{} // one slot: a post never blocks
	done    chan struct{} // closed when run returns
	onPanic func(any)
}

func newEventLoop(onPanic func(any)) *eventLoop {
	l := &eventLoop{wake: make(chan struct{}, 1), done: make(chan struct{}), onPanic: onPanic}
	go l.run()
	return l
}

// post queues fn; it reports false once the loop is closed.
func (l *eventLoop) post(fn func()) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, fn)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return true
}

func (l *eventLoop) run() {
	defer close(l.done)
	for {
		l.mu.Lock()
		batch, closed := l.queue, l.closed
		l.queue = nil
		l.mu.Unlock()
		for _, fn := range batch {
			l.call(fn)
		}
		if closed && len(batch) == 0 {
			return
		}
		if len(batch) == 0 {
			<-l.wake
		}
	}
}

func (l *eventLoop) call(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			l.onPanic(r)
		}
	}()
	fn()
}

// close runs what is queued, then stops the loop and waits for it.
func (l *eventLoop) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	<-l.done
}
