package actors

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// mailbox is a socket actor's protoactor mailbox. It keeps the default mailbox's contract:
// system messages first, SuspendMailbox and ResumeMailbox, a yield every Throughput messages,
// and a panic that escapes the actor escalated to its supervisor. What it does differently
// is for the hot path of a socket:
//
//   - The socket's reader posts each read with postInline, which runs the mailbox on the
//     reader's own goroutine when nobody else runs it. A read then becomes a DataEvent, the
//     owner's callback and its Write's write(2) on the goroutine that read it, as in a plain
//     Go server's loop, instead of waking a second goroutine for every read.
//   - Scheduling allocates nothing (the run function is bound once), and the queues are plain
//     slices under one lock, which a socket that waits holds empty.
//
// Mailbox middlewares are not supported: socket Props have none.
type mailbox struct {
	mu        sync.Mutex
	user, sys queue // guarded by mu
	suspended bool  // guarded by mu

	running    atomic.Bool
	invoker    actor.MessageInvoker
	dispatcher actor.Dispatcher
	process    func() // m.processMessages, bound once
}

func newMailbox() *mailbox {
	m := &mailbox{}
	m.process = m.processMessages
	return m
}

func (m *mailbox) PostUserMessage(msg any) {
	m.postBatch(msg)
	m.mu.Lock()
	m.user.push(msg)
	m.mu.Unlock()
	m.schedule()
}

func (m *mailbox) PostSystemMessage(msg any) {
	m.mu.Lock()
	m.sys.push(msg)
	m.mu.Unlock()
	m.schedule()
}

// postBatch posts a batch's messages one by one before the batch itself, as protoactor's
// default mailbox does.
func (m *mailbox) postBatch(msg any) {
	if env, ok := msg.(*actor.MessageEnvelope); ok {
		msg = env.Message
	}
	if b, ok := msg.(actor.MessageBatch); ok {
		for _, each := range b.GetMessages() {
			m.PostUserMessage(each)
		}
	}
}

// postInline posts msg and, when the mailbox is idle, runs it right here.
func (m *mailbox) postInline(msg any) {
	m.mu.Lock()
	m.user.push(msg)
	m.mu.Unlock()
	if m.running.CompareAndSwap(false, true) {
		m.processMessages()
	}
}

func (m *mailbox) RegisterHandlers(invoker actor.MessageInvoker, dispatcher actor.Dispatcher) {
	m.invoker, m.dispatcher = invoker, dispatcher
}

func (m *mailbox) Start() {}

func (m *mailbox) UserMessageCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.user.len()
}

func (m *mailbox) schedule() {
	if m.running.CompareAndSwap(false, true) {
		m.dispatcher.Schedule(m.process)
	}
}

// processMessages runs until both queues are empty (or the mailbox is suspended), then hands
// the mailbox back, and runs again if a message came in between.
func (m *mailbox) processMessages() {
	for {
		m.run()
		m.running.Store(false)
		m.mu.Lock()
		more := m.sys.len() > 0 || !m.suspended && m.user.len() > 0
		m.mu.Unlock()
		if !more || !m.running.CompareAndSwap(false, true) {
			return
		}
	}
}

func (m *mailbox) run() {
	var msg any
	defer func() {
		if r := recover(); r != nil {
			m.invoker.EscalateFailure(r, msg)
		}
	}()
	n, limit := 0, m.dispatcher.Throughput()
	for {
		if n >= limit {
			n = 0
			runtime.Gosched()
		}
		n++
		m.mu.Lock()
		if msg = m.sys.pop(); msg != nil {
			switch msg.(type) {
			case *actor.SuspendMailbox:
				m.suspended = true
				m.mu.Unlock()
			case *actor.ResumeMailbox:
				m.suspended = false
				m.mu.Unlock()
			default:
				m.mu.Unlock()
				m.invoker.InvokeSystemMessage(msg)
			}
			continue
		}
		if m.suspended {
			m.mu.Unlock()
			return
		}
		msg = m.user.pop()
		m.mu.Unlock()
		if msg == nil {
			return
		}
		m.invoker.InvokeUserMessage(msg)
	}
}

// queue is a FIFO of messages: a slice read from head. It keeps its array when it empties,
// unless a burst made it large.
type queue struct {
	items []any
	head  int
}

func (q *queue) push(msg any) { q.items = append(q.items, msg) }

func (q *queue) len() int { return len(q.items) - q.head }

func (q *queue) pop() any {
	if q.head == len(q.items) {
		return nil
	}
	msg := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head == len(q.items) {
		q.head = 0
		q.items = q.items[:0]
		if cap(q.items) > 64 {
			q.items = nil
		}
	}
	return msg
}
