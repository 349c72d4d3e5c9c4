package actors

import (
	"errors"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/actornet/actornet/messages"
)

// Outbox is a socket's write queue. It is the one part of a socket's state that is reached
// other than through its mailbox, and this file is the whole of that contract: an in-process
// caller (netapi) writes with [Outbox.Write] and ends with [Outbox.End] on its own goroutine,
// so that a write is tried on the descriptor before Write returns and Write's result is
// Node's; everything else (flushing what the kernel did not take, the FIN, WrittenEvent,
// DrainEvent and FinishEvent, dropping the queue on close) is the socket actor's, which takes
// the same lock. The lock is held only around the queue and one non-blocking write(2), never
// while an event is delivered. An Outbox is safe for concurrent use.
//
// A socket makes its own Outbox unless SocketConfig.Outbox gives it one; give each socket its
// own.
type Outbox struct {
	hwm int

	mu        sync.Mutex
	state     writeState
	w         *writer // nil until the socket is connected
	kick      func()  // tells the actor the queue needs it; set with w
	queue     []chunk // queue[head:] waits; the slice is kept when it empties, unless large
	head      int
	queued    int   // bytes in queue[head:]
	flushing  bool  // a flusher goroutine owns the head of the queue
	kicked    bool  // a kick is on its way to the actor
	needDrain bool  // a Write returned false: DrainEvent is owed once the queue is empty
	submitted int64 // bytes accepted by Write, written or not (Node's bytesWritten)
	written   int64 // bytes handed to the kernel
	done      []any // tokens of chunks written since the actor last looked
	refused   []any // tokens of writes after End, for the actor to fail (nil tokens too)
	corked    int   // Cork calls not undone: writes wait in the queue
	gatherer  *Loop // the loop whose turn gathers writes here, flushed when the turn ends
	// A TLS socket's outbox seals each write into records as it accepts it, and sends
	// close_notify before the FIN (see tls.go); nil for a plain socket.
	seal        func([]byte) ([]byte, *messages.Lease, error)
	closeNotify func() ([]byte, error)
	notified    bool  // close_notify is queued
	sealErr     error // sealing failed: the TLS connection is broken, the pump fails the socket

	timed     atomic.Bool  // the socket has an idle timer: stamp lastWrite
	lastWrite atomic.Int64 // UnixNano of the last write that went straight to the kernel
	timedOut  atomic.Bool  // the idle timer fired: the next write must wake the actor to re-arm it
	// timedOutWrite: a flush outside the actor's turn took timedOut; the actor must hear.
	timedOutWrite bool

	act activity
}

// activity reports the socket's activity (SocketConfig.Activity) when it changes: the actor
// settles it after each message. A command sent through [Outbox.Command] keeps it active from
// the call until the turn that handled it, and a kick (data queued, the FIN owed) until the
// actor's pump has taken it (Outbox.busy), so that Activity never says idle while something
// that can make the socket busy is on its way to it.
type activity struct {
	fn      func(bool)
	mu      sync.Mutex
	on      bool
	pending int // commands sent and not handled yet
}

// raise reports the socket active; with command, one more command is on its way.
func (a *activity) raise(command bool) {
	if a.fn == nil {
		return
	}
	a.mu.Lock()
	if command {
		a.pending++
	}
	if !a.on {
		a.on = true
		a.fn(true)
	}
	a.mu.Unlock()
}

// settle reports the socket's activity at the end of a turn; handled says the turn handled
// a command sent through Outbox.Command.
func (a *activity) settle(s *socket, handled bool) {
	if a.fn == nil {
		return
	}
	on := s.active()
	a.mu.Lock()
	if handled && a.pending > 0 {
		a.pending--
	}
	on = on || a.pending > 0
	if a.on != on {
		a.on = on
		a.fn(on)
	}
	a.mu.Unlock()
}

// command is a message sent through Outbox.Command.
type command struct{ msg any }

// Command wraps msg, a command for this outbox's socket (Resume, Destroy, ...), to be sent to
// it: with SocketConfig.Activity set, the socket counts as active from this call until it has
// handled msg, so that a caller waiting for every socket to go idle cannot miss the command's
// effect (netapi's Wait). Send the result to the socket, and nothing else with it.
func (o *Outbox) Command(msg any) any {
	o.act.raise(true)
	return &command{msg: msg}
}

// writeState is the write half of the connection:
//
//	open -> ending (End: nothing more is accepted) -> finished (the FIN was handed to the kernel)
//	open, ending, finished -> closed (the socket is closing: nothing more is written)
type writeState int8

const (
	writeOpen writeState = iota
	writeEnding
	writeFinished
	writeClosed
)

func (w writeState) String() string {
	return [...]string{"open", "ending", "finished", "closed"}[w]
}

type chunk struct {
	data  []byte
	token any
	lease *messages.Lease // released once data is written or dropped
}

// NewOutbox makes an outbox whose Write reports false from highWaterMark queued bytes on
// (0 means DefaultHighWaterMark).
func NewOutbox(highWaterMark int) *Outbox {
	if highWaterMark <= 0 {
		highWaterMark = DefaultHighWaterMark
	}
	return &Outbox{hwm: highWaterMark}
}

// Write accepts data for sending, in order after everything accepted before. When nothing is
// queued and the socket is connected, data is handed to the kernel without blocking: at once
// when Write is called outside a loop; called in a turn of a loop (a callback, an actor's
// turn), the writes of that turn to this socket are gathered and handed over together, with
// one writev(2), when the turn ends, or as soon as they reach the high-water mark. What the
// kernel does not take is queued. For a non-nil token the socket sends one WrittenEvent once data is
// written or dropped, in order with its other events. ok is Node's write() result: false
// once the queued bytes reach the high-water mark, and then a DrainEvent follows once the
// queue is empty. err is ErrWriteAfterEnd or ErrSocketClosed when the socket accepts nothing
// more: nothing was queued. After End, the socket then reports the token's WrittenEvent
// with the error, an ErrorEvent and its close, in that order (Node's); on a closed socket no
// WrittenEvent comes. The outbox owns data from then on: the caller must not modify it.
//
// When data lies in a buffer lent by a socket (a DataEvent with a Lease), lease is that
// lease with a reference for this write, which the outbox releases once data is written or
// dropped, or at once when the write is refused.
func (o *Outbox) Write(data []byte, token any, lease *messages.Lease) (ok bool, err error) {
	ok, _, _, err = o.write(data, token, lease, true)
	return ok, err
}

// tellLocked adds token to one of the lists the actor reports (the socket reports it, in
// order with its events), under the same lock as the write, so that the list cannot be
// taken by a close in between; it reports whether the actor must be woken. o.mu is held.
func (o *Outbox) tellLocked(list *[]any, token any) (kick bool) {
	*list = append(*list, token)
	kick = !o.kicked && o.kick != nil // not connected yet: the actor pumps once it is
	o.kicked = o.kicked || kick
	return kick
}

// write is Write, telling the actor (which reports a token itself) whether all went at once,
// and whether this write is the one that made the queue full. With tell (an in-process
// caller), a token written at once, or a write refused after End, is handed to the actor to
// report.
func (o *Outbox) write(data []byte, token any, lease *messages.Lease, tell bool) (ok, full, done bool, err error) {
	o.mu.Lock()
	switch o.state {
	case writeEnding, writeFinished:
		kick := tell && o.tellLocked(&o.refused, token)
		o.mu.Unlock()
		lease.Release()
		if kick {
			o.wake()
		}
		return false, false, false, ErrWriteAfterEnd
	case writeClosed:
		o.mu.Unlock()
		lease.Release()
		return false, false, false, ErrSocketClosed
	}
	o.submitted += int64(len(data))
	if o.seal != nil {
		sealed, sealedLease, err := o.seal(data)
		lease.Release() // the records are a copy
		if err != nil { // the TLS state is broken: nothing was queued, the pump fails the socket
			o.submitted -= int64(len(data))
			o.sealErr = err
			kick := o.kick != nil && !o.kicked
			o.kicked = o.kicked || kick
			o.mu.Unlock()
			if kick {
				o.wake()
			}
			return false, false, false, err
		}
		data, lease = sealed, sealedLease
	}
	gather := o.corked > 0 || o.gathering()
	if !gather && o.head == len(o.queue) && !o.flushing && o.w != nil {
		n, werr := o.w.write(data)
		// A failed write is queued as it is: the actor meets the error again and fails.
		if werr == nil {
			o.written += int64(n)
			data = data[n:]
			if o.timed.Load() {
				o.lastWrite.Store(time.Now().UnixNano())
			}
			if len(data) == 0 {
				wake := o.timedOut.CompareAndSwap(true, false) && !o.kicked
				o.kicked = o.kicked || wake
				if tell && token != nil && o.tellLocked(&o.done, token) {
					wake = true
				}
				o.mu.Unlock()
				lease.Release()
				if wake {
					o.wake()
				}
				return true, false, true, nil
			}
		}
	}
	o.queue = append(o.queue, chunk{data: data, token: token, lease: lease})
	o.queued += len(data)
	if gather && o.queued >= o.hwm && o.corked == 0 {
		o.flushLocked() // Node would have written them by now: Write's result stays Node's
	}
	ok = o.queued < o.hwm
	if !ok {
		full = !o.needDrain
		o.needDrain = true
	}
	// Gathered writes are the turn's to flush, corked ones Uncork's.
	kick := !gather && o.w != nil && !o.flushing && !o.kicked
	if kick {
		o.kicked = true
	}
	o.mu.Unlock()
	if kick {
		o.wake()
	}
	return ok, full, false, nil
}

// gathering reports whether this write is gathered for the end of the caller's turn, and
// registers the outbox with that turn's loop if it is the first: the socket is connected, no
// flusher or earlier queue is ahead of it, and the caller runs a loop that no other loop's
// turn is gathering here for. o.mu is held.
func (o *Outbox) gathering() bool {
	if o.w == nil || o.flushing {
		return false
	}
	l := CurrentLoop()
	switch {
	case l == nil:
		return false
	case o.gatherer == l:
		return true
	case o.gatherer != nil || o.head < len(o.queue):
		return false
	}
	o.gatherer = l
	l.gathered = append(l.gathered, o)
	return true
}

// flushGathered hands the writes a turn gathered to the kernel; the turn's loop calls it when
// the turn ends. The actor hears of what is left to do: a rest for a flusher, tokens to
// report, a drain owed.
func (o *Outbox) flushGathered() {
	o.mu.Lock()
	o.gatherer = nil
	o.flushLocked()
	kick := o.owedLocked()
	o.mu.Unlock()
	if kick {
		o.wake()
	}
}

// flushLocked hands what is queued to the kernel with one system call, as far as it takes
// it, unless a flusher has the queue or the outbox is corked. A failed write leaves the queue
// as it is: the actor's pump meets the error again and fails the socket. o.mu is held.
func (o *Outbox) flushLocked() {
	if o.w == nil || o.flushing || o.corked > 0 || o.state == writeClosed || o.head == len(o.queue) {
		return
	}
	if n, err := o.w.writev(o.queue[o.head:]); err == nil {
		o.advance(n)
		if n > 0 && o.timedOut.CompareAndSwap(true, false) {
			o.timedOutWrite = true
		}
	}
}

// owedLocked reports whether the actor must be kicked after a flush outside its turn: data is
// left for a flusher, written tokens wait to be reported, a drain is owed, or the idle timer
// must be armed again; it marks the kick sent. o.mu is held.
func (o *Outbox) owedLocked() bool {
	if o.kick == nil || o.kicked || o.state == writeClosed {
		return false
	}
	owed := o.head < len(o.queue) && o.corked == 0 && !o.flushing || len(o.done) > 0 ||
		len(o.refused) > 0 || o.needDrain && o.head == len(o.queue) || o.timedOutWrite ||
		o.state == writeEnding
	o.timedOutWrite = false
	o.kicked = owed
	return owed
}

// Cork holds every later write in the queue until as many Uncork calls (Node's cork()), or
// End, so that they go out together. Write's result counts them, as Node's does.
func (o *Outbox) Cork() {
	o.mu.Lock()
	if o.state != writeOpen { // Node's cork() after end() holds nothing back
		o.mu.Unlock()
		return
	}
	kick := false
	if o.corked == 0 && o.gatherer != nil {
		o.flushLocked() // written before the Cork: Node had sent them
		kick = o.owedLocked()
	}
	o.corked++
	o.mu.Unlock()
	if kick {
		o.wake()
	}
}

// Uncork undoes one Cork; the last hands everything held to the kernel with one system call.
// It reports false when the outbox was not corked.
func (o *Outbox) Uncork() bool {
	o.mu.Lock()
	if o.corked == 0 {
		o.mu.Unlock()
		return false
	}
	o.corked--
	o.flushLocked()
	kick := o.owedLocked()
	o.mu.Unlock()
	if kick {
		o.wake()
	}
	return true
}

// Corked is the number of Cork calls not undone yet (Node's writableCorked).
func (o *Outbox) Corked() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.corked
}

// wake sends the actor its kick: queued data, a token to report, or the FIN to send.
func (o *Outbox) wake() {
	o.act.raise(false) // busy until the actor's pump clears kicked
	o.kick()
}

// End stops accepting writes: the socket sends its FIN once the queue is empty. It reports
// false when the outbox was ended or closed already.
func (o *Outbox) End() bool {
	o.mu.Lock()
	if o.state != writeOpen {
		o.mu.Unlock()
		return false
	}
	o.state = writeEnding
	o.corked = 0                       // Node's end() uncorks
	kick := o.kick != nil && !o.kicked // not connected yet: the actor pumps once it is
	o.kicked = o.kicked || kick
	o.mu.Unlock()
	if kick {
		o.wake()
	}
	return true
}

// end is End for the actor itself, which pumps next.
func (o *Outbox) end() {
	o.mu.Lock()
	if o.state == writeOpen {
		o.state = writeEnding
		o.corked = 0
	}
	o.mu.Unlock()
}

// Refuse makes every later Write fail with ErrSocketClosed and stops writing, at once: the
// caller is destroying the socket (and sends it a messages.Destroy, which drops the queue).
func (o *Outbox) Refuse() {
	o.mu.Lock()
	o.flushLocked() // what this turn gathered: Node had written it before destroy()
	o.state = writeClosed
	o.mu.Unlock()
}

// Buffered is the number of bytes queued and not yet handed to the kernel (Node's
// writableLength, bufferSize).
func (o *Outbox) Buffered() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.gatherer != nil && o.corked == 0 {
		o.flushLocked() // gathered writes: Node had written them by now
	}
	return o.queued
}

// flushGatheredNow hands gathered writes to the kernel before the turn ends: the socket is
// being destroyed.
func (o *Outbox) flushGatheredNow() {
	o.mu.Lock()
	if o.gatherer != nil {
		o.flushLocked()
	}
	o.mu.Unlock()
}

// queuedNow is Buffered, without a flush.
func (o *Outbox) queuedNow() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queued
}

// Submitted is the number of bytes Write accepted, written or not (Node's bytesWritten).
func (o *Outbox) Submitted() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.submitted
}

// The rest is the socket actor's side.

// connect gives the outbox its descriptor; queued writes then go out.
func (o *Outbox) connect(w *writer, kick func()) {
	o.mu.Lock()
	o.w, o.kick = w, kick
	o.mu.Unlock()
}

// connectTLS is connect for a TLS socket whose handshake completed: what was written before
// is sealed now, in order, and every later write as it comes.
func (o *Outbox) connectTLS(w *writer, kick func(), seal func([]byte) ([]byte, *messages.Lease, error),
	closeNotify func() ([]byte, error)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.w, o.kick, o.seal, o.closeNotify = w, kick, seal, closeNotify
	o.queued = 0
	for i := o.head; i < len(o.queue); i++ {
		c := &o.queue[i]
		sealed, lease, err := seal(c.data)
		if err != nil { // the pump fails the socket; the chunk is dropped with it
			o.sealErr = err
			o.queued += len(c.data)
			continue
		}
		c.lease.Release()
		c.data, c.lease = sealed, lease
		o.queued += len(sealed)
	}
}

// written reports the bytes handed to the kernel.
func (o *Outbox) writtenBytes() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.written
}

// stateNow is the write state.
func (o *Outbox) stateNow() writeState {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.state
}

// busy reports whether writes or the FIN wait to be handed to the kernel, and the state.
func (o *Outbox) busy() (bool, writeState) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queued > 0 || o.flushing || o.kicked || o.state == writeEnding, o.state
}

// pumped is what a pump found: the tokens written, and what the actor must do next.
type pumped struct {
	tokens  []any
	refused []any // writes after End: fail the socket
	drain   bool  // send DrainEvent
	finish  bool  // the FIN was sent: send FinishEvent
	flush   bool  // start a flusher for the rest
	err     error // the descriptor failed: fail the socket
	op      string
}

// pump writes what it can without blocking. n bytes that a flusher wrote are accounted first.
// The caller emits what the result says, outside the lock.
func (o *Outbox) pump(flushed int, shutdown func() error) pumped {
	o.mu.Lock()
	defer o.mu.Unlock()
	var p pumped
	o.kicked = false
	if flushed > 0 {
		o.advance(flushed)
	}
	if len(o.refused) > 0 {
		o.flushLocked() // accepted before End: sent before the socket fails, as Node had
		p.refused, o.refused = o.refused, nil
		p.tokens = o.takeDone()
		return p
	}
	if o.state == writeClosed || o.w == nil || o.flushing || o.corked > 0 {
		p.tokens = o.takeDone()
		return p
	}
	if o.sealErr != nil {
		p.tokens, p.err, p.op = o.takeDone(), o.sealErr, "write"
		return p
	}
	for {
		if o.head < len(o.queue) {
			n, err := o.w.writev(o.queue[o.head:])
			if err != nil {
				p.tokens, p.err, p.op = o.takeDone(), err, "write"
				return p
			}
			o.advance(n) // empty writes complete here too
			if o.head < len(o.queue) {
				p.flush = true
				p.tokens = o.takeDone()
				return p
			}
		}
		if o.state != writeEnding || o.closeNotify == nil || o.notified {
			break
		}
		// A TLS socket's close_notify goes after everything written before End, then the FIN.
		o.notified = true
		if alert, err := o.closeNotify(); err == nil && len(alert) > 0 {
			o.queue = append(o.queue, chunk{data: alert})
			o.queued += len(alert)
		}
	}
	// Empty: drain if owed, and the FIN if ending.
	if o.needDrain && o.state == writeOpen {
		o.needDrain = false
		p.drain = true
	}
	if o.state == writeEnding {
		// ENOTCONN: the peer is gone already, and there is nobody to send a FIN to (Node too
		// lets it pass).
		if err := shutdown(); err != nil && !errors.Is(err, syscall.ENOTCONN) {
			p.err, p.op = err, "shutdown"
		} else {
			o.state = writeFinished
			p.finish = true
		}
	}
	p.tokens = o.takeDone()
	return p
}

// advance accounts for n bytes handed to the kernel from the head of the queue. o.mu is held.
func (o *Outbox) advance(n int) {
	o.written += int64(n)
	o.queued -= n
	if o.timed.Load() {
		o.lastWrite.Store(time.Now().UnixNano())
	}
	for n > 0 || o.head < len(o.queue) && len(o.queue[o.head].data) == 0 {
		head := &o.queue[o.head]
		take := min(n, len(head.data))
		head.data = head.data[take:]
		n -= take
		if len(head.data) > 0 {
			break
		}
		if head.token != nil {
			o.done = append(o.done, head.token)
		}
		head.lease.Release()
		*head = chunk{}
		o.head++
	}
	if o.head == len(o.queue) {
		o.head = 0
		o.queue = o.queue[:0]
		if cap(o.queue) > 64 { // after a burst, do not keep a large array for an idle socket
			o.queue = nil
		}
	}
}

func (o *Outbox) takeDone() []any {
	if len(o.done) == 0 {
		return nil
	}
	d := o.done
	o.done = nil
	return d
}

// account accounts for n bytes a flusher wrote before it failed and returns the tokens
// written.
func (o *Outbox) account(n int) []any {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.advance(n)
	return o.takeDone()
}

// startFlush hands the queue's head to a flusher: the buffers to write.
func (o *Outbox) startFlush() [][]byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	bufs := make([][]byte, 0, len(o.queue)-o.head)
	for _, c := range o.queue[o.head:] {
		bufs = append(bufs, c.data)
	}
	o.flushing = true
	return bufs
}

// flushEnded clears the flusher's hold; the caller pumps next.
func (o *Outbox) flushEnded() {
	o.mu.Lock()
	o.flushing = false
	o.mu.Unlock()
}

// close stops the outbox for good and returns what it still held, with the tokens written
// and those refused, not yet reported.
// flushing reports whether a flusher still writes from the queue's buffers.
func (o *Outbox) close() (dropped []chunk, tokens, refused []any, flushing bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	flushing = o.flushing
	o.state = writeClosed
	dropped = o.queue[o.head:]
	o.queue, o.head, o.queued = nil, 0, 0
	refused, o.refused = o.refused, nil
	return dropped, o.takeDone(), refused, flushing
}
