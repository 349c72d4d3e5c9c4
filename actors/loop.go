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
	group   *LoopGroup   // the group that made it, if any
	local   any          // see Local; only the loop's turns touch it
	// gathered are the outboxes the current item wrote to: flushed when it ends (see
	// Outbox.Write). Only the loop's turns touch it.
	gathered []*Outbox
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
		workers.Go(l.runAll)
	}
}

// Current reports whether the calling goroutine is running l: it is inside a turn of one of
// l's actors or tasks.
func (l *Loop) Current() bool { return l != nil && l.runner.Load() == goid.Get() }

// CurrentLoop returns the loop the calling goroutine is running, or nil: code in an actor's
// turn or a task finds its own loop, to place the sockets it makes beside it.
func CurrentLoop() *Loop { return runners.get(goid.Get()) }

// Local returns the value code running on l keeps there (SetLocal); nil when none. Only l's
// turns may call it. netapi keeps there the socket whose data listeners run.
func (l *Loop) Local() any { return l.local }

// SetLocal keeps v with l, for code running on l; only l's turns may call it.
func (l *Loop) SetLocal(v any) { l.local = v }

// setRunner records that goroutine id runs l, and holds l.running; id 0 records that
// nobody runs it now.
func (l *Loop) setRunner(id int64) {
	if old := l.runner.Swap(id); old != 0 {
		runners.set(old, nil)
	}
	if id != 0 {
		runners.set(id, l)
	}
}

// runners maps each goroutine running a loop to that loop, for CurrentLoop. Each goroutine
// sets, clears and reads only its own entry, so an entry of the direct-mapped table needs no
// lock: its key is claimed with a CAS, and read back by its own goroutine alone. Goroutines
// whose slot is taken go to a map under a lock, rare as it is for two loops' runners to share
// one of the slots at once.
var runners runnerTable

type runnerTable struct {
	slots   [1024]runnerSlot
	spilled atomic.Int32 // entries in spill
	mu      sync.Mutex
	spill   map[int64]*Loop // guarded by mu
}

type runnerSlot struct {
	id   atomic.Int64 // the goroutine that owns the slot, 0 when free
	loop *Loop        // only the owner touches it
}

func (t *runnerTable) slot(id int64) *runnerSlot { return &t.slots[uint64(id)%uint64(len(t.slots))] }

// set records that goroutine id, the caller, runs l; nil, that it runs no loop.
func (t *runnerTable) set(id int64, l *Loop) {
	s := t.slot(id)
	if s.id.Load() == id {
		if s.loop = l; l == nil {
			s.id.Store(0)
		}
		return
	}
	if l != nil && s.id.CompareAndSwap(0, id) {
		s.loop = l
		return
	}
	t.mu.Lock()
	if l == nil {
		if _, ok := t.spill[id]; ok {
			delete(t.spill, id)
			t.spilled.Add(-1)
		}
	} else {
		if t.spill == nil {
			t.spill = map[int64]*Loop{}
		}
		if _, ok := t.spill[id]; !ok {
			t.spilled.Add(1)
		}
		t.spill[id] = l
	}
	t.mu.Unlock()
}

// get returns the loop goroutine id, the caller, runs.
func (t *runnerTable) get(id int64) *Loop {
	if s := t.slot(id); s.id.Load() == id {
		return s.loop
	}
	if t.spilled.Load() == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.spill[id]
}

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
	id := goid.Get()
	l.setRunner(id)
	for n := 1; ; n++ {
		l.mu.Lock()
		it, ok := l.queue.pop()
		l.mu.Unlock()
		if !ok {
			l.setRunner(0)
			l.running.Store(false)
			l.mu.Lock()
			more := l.queue.len() > 0
			l.mu.Unlock()
			// Something came in after the pop: run on, unless a poster has started the loop.
			if !more || !l.running.CompareAndSwap(false, true) {
				return
			}
			l.setRunner(id)
			continue
		}
		if it.fn != nil {
			l.call(it.fn)
		} else {
			it.mb.turn()
		}
		l.flushGathered()
		if budget > 0 && n >= budget {
			l.setRunner(0)
			workers.Go(l.runAll) // l.running stays set: that goroutine owns the loop now
			return
		}
		if n%loopThroughput == 0 {
			runtime.Gosched()
		}
	}
}

// flushGathered hands the writes gathered in the item that just ended to the kernel.
func (l *Loop) flushGathered() {
	for len(l.gathered) > 0 {
		g := l.gathered
		l.gathered = nil
		for i, o := range g {
			o.flushGathered()
			g[i] = nil
		}
		if l.gathered == nil {
			l.gathered = g[:0]
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

// LoopGroup places new actors on loops (Netty's EventLoopGroup), and [LoopGroup.Current]
// tells code running on one of its loops which. A group of n loops spreads actors over them
// in turn; an elastic group gives each its own loop, as a plain Go server gives each
// connection its own goroutine. It is safe for concurrent use.
type LoopGroup struct {
	loops []*Loop // none when elastic
	next  atomic.Uint64
}

// NewLoopGroup makes a group of n loops; n < 1 makes an elastic group, whose Next makes a
// new loop each time. With loops of their own, connections never wait for each other's
// callbacks, and an idle loop costs nothing but its few words of memory; a fixed group bounds
// how many callbacks run at once (1 is Node's single loop).
func NewLoopGroup(n int) *LoopGroup {
	g := &LoopGroup{}
	if n > 0 {
		g.loops = make([]*Loop, n)
		for i := range g.loops {
			g.loops[i] = g.newLoop()
		}
	}
	return g
}

func (g *LoopGroup) newLoop() *Loop {
	l := NewLoop()
	l.group = g
	return l
}

// Next returns the group's loops in turn, or a new one when the group is elastic.
func (g *LoopGroup) Next() *Loop {
	if len(g.loops) == 0 {
		return g.newLoop()
	}
	return g.loops[(g.next.Add(1)-1)%uint64(len(g.loops))]
}

// Current returns the loop of g that the calling goroutine is running, or nil.
func (g *LoopGroup) Current() *Loop {
	if l := CurrentLoop(); l != nil && l.group == g {
		return l
	}
	return nil
}

// Len is the number of loops of a fixed group; 0 for an elastic one.
func (g *LoopGroup) Len() int { return len(g.loops) }

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
