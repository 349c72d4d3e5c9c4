package actors

import (
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/petermattis/goid"
)

// Loop runs the actors placed on it, and the tasks posted to it, one at a time and in the
// order their messages came: it is Netty's event loop, or an Asio strand. Two actors on one
// loop never run at once, so callbacks run inside them (a netapi listener, a [Handler]) see
// each other's effects in order and need no lock between them.
//
// A loop has no goroutine of its own. A socket's reader that posts its read to an idle loop
// runs the loop itself, for a while (so a read, its callback and the write it makes happen on
// the goroutine that read, as in a plain Go server); anything else posted to an idle loop
// starts a goroutine that runs it until it is empty. A Loop is safe for concurrent use.
type Loop struct {
	mu    sync.Mutex
	queue ring[loopItem] // guarded by mu

	running atomic.Bool  // someone runs the loop, or is about to
	runner  atomic.Int64 // the goroutine running it (goid), 0 between turns of running
	runAll  func()       // l.run(0), bound once
}

// loopItem is a mailbox with messages to handle, or a task.
type loopItem struct {
	mb *mailbox
	fn func()
}

const (
	// loopThroughput is how many messages one actor handles before the loop turns to the
	// next, and how many items the loop runs before it yields its thread.
	loopThroughput = 64
	// inlineBudget is how many items a socket's reader runs on a loop it found idle before
	// it hands the loop to a goroutine of its own and goes back to reading.
	inlineBudget = 32
)

// NewLoop makes an idle loop.
func NewLoop() *Loop {
	l := &Loop{}
	l.runAll = func() { l.run(0) }
	return l
}

// Post runs fn on the loop, after everything queued there before it. A panic in fn is
// logged through slog.Default() with its stack, and the loop goes on with its next item;
// recover in fn to handle it otherwise.
func (l *Loop) Post(fn func()) {
	if l.enqueue(loopItem{fn: fn}) {
		go l.runAll()
	}
}

// Current reports whether the calling goroutine is running l: it is inside a turn of one of
// l's actors or tasks.
func (l *Loop) Current() bool { return l != nil && l.runner.Load() == goid.Get() }

// enqueue queues it and reports whether the caller must run the loop (it was idle).
func (l *Loop) enqueue(it loopItem) bool {
	l.mu.Lock()
	l.queue.push(it)
	l.mu.Unlock()
	return l.running.CompareAndSwap(false, true)
}

// run runs the loop until it is empty; with budget > 0, for at most budget items, after which
// a goroutine of its own takes over whatever is left. The caller holds l.running.
func (l *Loop) run(budget int) {
	l.runner.Store(goid.Get())
	for n := 1; ; n++ {
		l.mu.Lock()
		it, ok := l.queue.pop()
		l.mu.Unlock()
		if !ok {
			l.runner.Store(0)
			l.running.Store(false)
			l.mu.Lock()
			more := l.queue.len() > 0
			l.mu.Unlock()
			// Something came in after the pop: run on, unless a poster has started the loop.
			if !more || !l.running.CompareAndSwap(false, true) {
				return
			}
			l.runner.Store(goid.Get())
			continue
		}
		if it.fn != nil {
			l.call(it.fn)
		} else {
			it.mb.turn()
		}
		if budget > 0 && n >= budget {
			l.runner.Store(0)
			go l.runAll() // l.running stays set: the new goroutine owns the loop now
			return
		}
		if n%loopThroughput == 0 {
			runtime.Gosched()
		}
	}
}

// call runs a task; its own panic handling comes first, this keeps the loop alive and the
// panic heard.
func (l *Loop) call(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			slog.Default().Error("actornet: panic in a task posted to a loop", "panic", r,
				"stack", string(debug.Stack()))
		}
	}()
	fn()
}

// Mailbox returns a protoactor mailbox producer that runs an actor on l: give it to an
// owner actor's Props (actor.WithMailbox) to put the owner on its socket's loop, so that an
// event and the commands it answers with are handled in one run of the loop, with no
// goroutine handed over between them.
func (l *Loop) Mailbox() actor.MailboxProducer {
	return func() actor.Mailbox { return newMailbox(l) }
}

// LoopGroup is a fixed set of loops (Netty's EventLoopGroup): new actors are spread over them
// in turn, and [LoopGroup.Current] tells code running on one of them which. It is safe for
// concurrent use.
type LoopGroup struct {
	loops []*Loop
	next  atomic.Uint64
}

// NewLoopGroup makes n loops; n < 1 means runtime.GOMAXPROCS(0).
func NewLoopGroup(n int) *LoopGroup {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	g := &LoopGroup{loops: make([]*Loop, n)}
	for i := range g.loops {
		g.loops[i] = NewLoop()
	}
	return g
}

// Next returns the group's loops in turn.
func (g *LoopGroup) Next() *Loop {
	return g.loops[(g.next.Add(1)-1)%uint64(len(g.loops))]
}

// Current returns the loop of g that the calling goroutine is running, or nil.
func (g *LoopGroup) Current() *Loop {
	id := goid.Get()
	for _, l := range g.loops {
		if l.runner.Load() == id {
			return l
		}
	}
	return nil
}

// Len is the number of loops in g.
func (g *LoopGroup) Len() int { return len(g.loops) }

// All returns g's loops.
func (g *LoopGroup) All() []*Loop { return g.loops }

// ring is a FIFO: a slice read from head. It keeps its array when it empties, unless a burst
// made it large.
type ring[T any] struct {
	items []T
	head  int
}

func (q *ring[T]) push(v T) { q.items = append(q.items, v) }

func (q *ring[T]) len() int { return len(q.items) - q.head }

func (q *ring[T]) pop() (T, bool) {
	var zero T
	if q.head == len(q.items) {
		return zero, false
	}
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head++
	if q.head == len(q.items) {
		q.head = 0
		q.items = q.items[:0]
		if cap(q.items) > 64 {
			q.items = nil
		}
	}
	return v, true
}
