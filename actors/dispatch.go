package actors

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// readerDispatcher is a socket's protoactor dispatcher. Like protoactor's default it runs the
// mailbox on a new goroutine, except while the socket's reader is posting a read: then the
// reader runs the mailbox itself, right after posting. A read then becomes a DataEvent, the
// owner's callback and its Write, on the goroutine that read it, as a plain Go server's loop
// does, without waking a second goroutine for every read. It is safe for concurrent use; its
// lock guards only the two fields below.
type readerDispatcher struct {
	mu      sync.Mutex
	posting bool   // the reader is inside post
	pending func() // the mailbox run scheduled meanwhile, for the reader to run
}

// throughput is how many messages a mailbox run handles before it yields (protoactor's
// default).
const throughput = 300

func (d *readerDispatcher) Schedule(fn func()) {
	d.mu.Lock()
	if d.posting && d.pending == nil {
		d.pending = fn
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	go fn()
}

func (d *readerDispatcher) Throughput() int { return throughput }

// post sends msg to the socket, and then runs the mailbox run that scheduled, if any; whoever
// scheduled it while the reader was posting, the run is the reader's.
func (d *readerDispatcher) post(sys *actor.ActorSystem, self *actor.PID, msg any) {
	d.mu.Lock()
	d.posting = true
	d.mu.Unlock()
	sys.Root.Send(self, msg)
	d.mu.Lock()
	d.posting = false
	run := d.pending
	d.pending = nil
	d.mu.Unlock()
	if run != nil {
		run()
	}
}
