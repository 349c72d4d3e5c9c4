package actors

import (
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// mailbox is the protoactor mailbox of actornet's socket and server actors. It keeps the
// default mailbox's contract: system messages first, SuspendMailbox and ResumeMailbox, and a
// panic that escapes the actor escalated to its supervisor. What it does differently:
//
//   - It runs on a [Loop]: the actors of one loop take turns, one at a time, so that callbacks
//     run inside them never overlap.
//   - The socket's reader posts each read with postInline, which runs an idle loop on the
//     reader's own goroutine. A read then becomes a DataEvent, the owner's callback and its
//     Write's write(2) on the goroutine that read it, as in a plain Go server's loop,
//     instead of waking a second goroutine for every read.
//   - Scheduling allocates nothing, and the queues are plain slices under one lock, which a
//     socket that waits holds empty.
//
// Mailbox middlewares are not supported: actornet's Props have none.
type mailbox struct {
	loop *Loop

	mu        sync.Mutex
	user, sys ring[any] // guarded by mu
	suspended bool      // guarded by mu
	// late, once set (closeUser), gets the user messages instead of the actor: its actor
	// closed, and protoactor would drop them without a word. Guarded by mu.
	late func(msg any)

	scheduled atomic.Bool // queued on the loop, or being handled there
	invoker   actor.MessageInvoker
}

// newMailbox makes a mailbox on loop; nil gives it a loop of its own.
func newMailbox(loop *Loop) *mailbox {
	if loop == nil {
		loop = NewLoop()
	}
	return &mailbox{loop: loop}
}

func (m *mailbox) PostUserMessage(msg any) {
	m.postBatch(msg)
	m.mu.Lock()
	m.user.push(msg)
	m.mu.Unlock()
	m.schedule(false)
}

func (m *mailbox) PostSystemMessage(msg any) {
	m.mu.Lock()
	m.sys.push(msg)
	m.mu.Unlock()
	m.schedule(false)
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

// postInline posts msg and, when the loop is idle, runs it right here for a while.
func (m *mailbox) postInline(msg any) {
	m.mu.Lock()
	m.user.push(msg)
	m.mu.Unlock()
	m.schedule(true)
}

// schedule queues the mailbox on its loop unless it is there already, and starts the loop if
// it was idle: inline on this goroutine, or on a worker (a Props' dispatcher is not used: the
// loop decides where its actors run).
func (m *mailbox) schedule(inline bool) {
	if !m.scheduled.CompareAndSwap(false, true) {
		return
	}
	if !m.loop.enqueue(loopItem{mb: m}) {
		return
	}
	if inline {
		m.loop.run(inlineBudget)
	} else {
		workers.Go(m.loop.runAll)
	}
}

func (m *mailbox) RegisterHandlers(invoker actor.MessageInvoker, _ actor.Dispatcher) {
	m.invoker = invoker
	// The actor exists by now (protoactor makes it first): a socket's reader posts here, and
	// a socket or client settles what waits here as it closes (closeUser).
	if c, ok := invoker.(interface{ Actor() actor.Actor }); ok {
		switch a := c.Actor().(type) {
		case *socket:
			a.mb = m
		case *client:
			a.mb = m
		}
	}
}

func (m *mailbox) Start() {}

// closeUser takes the user messages waiting, for the actor to settle as it closes, and hands
// every later one to late. Both get them as posted: a request is still in its envelope, with
// the sender to answer.
func (m *mailbox) closeUser(late func(msg any)) []any {
	m.mu.Lock()
	defer m.mu.Unlock()
	var msgs []any
	for {
		msg, ok := m.user.pop()
		if !ok {
			break
		}
		msgs = append(msgs, msg)
	}
	m.late = late
	return msgs
}

func (m *mailbox) UserMessageCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.user.len()
}

// turn is the mailbox's turn on its loop: up to loopThroughput messages. It queues the
// mailbox on the loop again when messages are left.
func (m *mailbox) turn() {
	m.handle()
	m.scheduled.Store(false)
	m.mu.Lock()
	more := m.sys.len() > 0 || !m.suspended && m.user.len() > 0
	m.mu.Unlock()
	if more && m.scheduled.CompareAndSwap(false, true) {
		m.loop.enqueue(loopItem{mb: m}) // the loop is running: this goroutine runs it
	}
}

func (m *mailbox) handle() {
	var msg any
	defer func() {
		if r := recover(); r != nil {
			m.invoker.EscalateFailure(r, msg)
		}
	}()
	for range loopThroughput {
		m.mu.Lock()
		var ok bool
		if msg, ok = m.sys.pop(); ok {
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
		msg, ok = m.user.pop()
		late := m.late
		m.mu.Unlock()
		if !ok {
			return
		}
		if late != nil {
			late(msg)
			continue
		}
		m.invoker.InvokeUserMessage(msg)
	}
}
