package actors

import (
	"net"
	"os"
	"syscall"
	"unsafe"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
)

// writeSide is the socket's write queue, owned by the actor. At most one flusher goroutine
// writes at a time; it owns the chunks it was given until it reports back.
type writeSide struct {
	queue     []chunk // queue[head:] waits; the slice is kept when it empties, unless large
	head      int
	queued    int  // bytes in queue
	flushing  bool // a flusher holds the head of the queue
	needDrain bool // the queue passed the high-water mark (used without a gauge)
	ending    bool // End was received
	finished  bool // our FIN was handed to the kernel
}

type chunk struct {
	data   []byte
	token  any
	pooled *[]byte // data is a copy in this pooled buffer (see unlend), put back once written
}

// flushDone is the flusher's only message: how many bytes it wrote and why it stopped.
type flushDone struct {
	n   int
	err error
}

func (s *socket) write(ctx actor.Context, data []byte, token any) {
	w := &s.wr
	if s.state >= StateClosing {
		s.settle(ctx, len(data), token, opError("write", s, ErrSocketClosed))
		return
	}
	if w.ending {
		err := opError("write", s, ErrWriteAfterEnd)
		s.settle(ctx, len(data), token, err)
		s.fail(ctx, err)
		return
	}
	w.queue = append(w.queue, chunk{data: data, token: token})
	w.queued += len(data)
	if w.queued >= s.cfg.HighWaterMark {
		w.needDrain = true
	}
	w.pump(ctx, s)
}

// settle accounts for bytes that will never be written and tells a token's owner why.
func (s *socket) settle(ctx actor.Context, n int, token any, err error) {
	s.settled += int64(n)
	if s.cfg.Gauge != nil {
		s.cfg.Gauge.settle(n)
	}
	if token != nil {
		s.emit(ctx, &messages.WrittenEvent{Socket: s.self, Token: token, Err: err})
	}
}

func (s *socket) end(ctx actor.Context, data []byte) {
	w := &s.wr
	if s.state >= StateClosing {
		return
	}
	if w.ending {
		if len(data) > 0 {
			s.write(ctx, data, nil) // fails: write after end
		}
		return
	}
	if len(data) > 0 {
		s.write(ctx, data, nil)
	}
	w.ending = true
	w.pump(ctx, s)
}

// pump writes what it can without blocking, straight from the actor; what the kernel does not
// take at once goes to a flusher goroutine. Once the queue is empty it sends DrainEvent if one
// is owed, and the FIN if End was received.
func (w *writeSide) pump(ctx actor.Context, s *socket) {
	if w.flushing || s.state != StateOpen {
		return
	}
	drain := false
	for w.head < len(w.queue) {
		head := w.queue[w.head].data
		if len(head) == 0 { // an empty write completes at once
			drain = w.advance(ctx, s, 0) || drain
			continue
		}
		n, err := s.wio.write(head)
		if n > 0 {
			drain = w.advance(ctx, s, n) || drain
		}
		if err != nil {
			s.fail(ctx, opError("write", s, err))
			return
		}
		if n < len(head) {
			w.startFlusher(s)
			return
		}
	}
	w.emptied(ctx, s, drain)
}

// advance accounts for n bytes handed to the kernel from the head of the queue. It reports
// whether the gauge now owes a DrainEvent.
func (w *writeSide) advance(ctx actor.Context, s *socket, n int) bool {
	s.bytesWritten += int64(n)
	s.settled += int64(n)
	w.queued -= n
	drain := false
	if s.cfg.Gauge != nil {
		drain = s.cfg.Gauge.settle(n)
	}
	for n > 0 || w.head < len(w.queue) && len(w.queue[w.head].data) == 0 {
		head := &w.queue[w.head]
		take := min(n, len(head.data))
		head.data = head.data[take:]
		n -= take
		if len(head.data) > 0 {
			break
		}
		if head.token != nil {
			s.emit(ctx, &messages.WrittenEvent{Socket: s.self, Token: head.token})
		}
		if head.pooled != nil {
			putBuffer(head.pooled)
		}
		*head = chunk{}
		w.head++
	}
	if w.head == len(w.queue) {
		w.head = 0
		w.queue = w.queue[:0]
		if cap(w.queue) > 64 { // after a burst, do not keep a large array for an idle socket
			w.queue = nil
		}
	}
	return drain
}

// emptied runs when nothing is queued or in flight.
func (w *writeSide) emptied(ctx actor.Context, s *socket, gaugeDrain bool) {
	s.timer.activity(s)
	if !w.ending && (gaugeDrain || s.cfg.Gauge == nil && w.needDrain) {
		w.needDrain = false
		s.emit(ctx, &messages.DrainEvent{Socket: s.self})
	}
	if w.ending && !w.finished && s.state == StateOpen {
		if err := s.conn.CloseWrite(); err != nil {
			s.fail(ctx, opError("shutdown", s, err))
			return
		}
		w.finished = true
		s.emit(ctx, &messages.FinishEvent{Socket: s.self})
		s.bothDone(ctx)
	}
}

func (w *writeSide) startFlusher(s *socket) {
	if s.rd.lent != nil { // the flusher may outlive the loan
		w.unlend(*s.rd.lent, s.cfg.ReadBufferSize)
	}
	bufs := make(net.Buffers, 0, len(w.queue)-w.head)
	for _, c := range w.queue[w.head:] {
		bufs = append(bufs, c.data)
	}
	w.flushing = true
	s.goroutines++
	go func(conn *net.TCPConn, sys *actor.ActorSystem, self *actor.PID) {
		n, err := bufs.WriteTo(conn)
		sys.Root.Send(self, &flushDone{n: int(n), err: err})
	}(s.conn, s.sys, s.self)
}

func (s *socket) flushed(ctx actor.Context, m *flushDone) {
	w := &s.wr
	s.goroutines--
	w.flushing = false
	if s.state != StateOpen {
		s.maybeClosed(ctx)
		return
	}
	drain := false
	if m.n > 0 {
		drain = w.advance(ctx, s, m.n)
	}
	if m.err != nil {
		s.fail(ctx, opError("write", s, m.err))
		return
	}
	if w.head < len(w.queue) {
		w.pump(ctx, s) // written meanwhile
		return
	}
	w.emptied(ctx, s, drain)
}

// unlend copies the queued data that points into lent, a read buffer about to be reused, to
// pooled buffers of the read size (a lent buffer's data fits in one).
func (w *writeSide) unlend(lent []byte, size int) {
	for i := w.head; i < len(w.queue); i++ {
		c := &w.queue[i]
		if c.pooled != nil || !within(c.data, lent) {
			continue
		}
		b := getBuffer(size)
		c.data = (*b)[:copy(*b, c.data)]
		c.pooled = b
	}
}

// within reports whether b starts inside buf's array.
func within(b, buf []byte) bool {
	if len(b) == 0 || cap(buf) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	return p >= lo && p < lo+uintptr(cap(buf))
}

// dropAll settles every queued write as failed; the socket is closing.
func (w *writeSide) dropAll(ctx actor.Context, s *socket) {
	q := w.queue[w.head:]
	w.queue, w.head, w.queued = nil, 0, 0
	for _, c := range q {
		s.settle(ctx, len(c.data), c.token, opError("write", s, ErrSocketClosed))
	}
}

// writer makes non-blocking write(2)s on a socket's descriptor. Its callback is bound once,
// so that a write allocates nothing.
type writer struct {
	raw  syscall.RawConn
	b    []byte
	n    int
	err  error
	call func(fd uintptr) bool
}

func newWriter(raw syscall.RawConn) *writer {
	w := &writer{raw: raw}
	w.call = w.writeFD
	return w
}

func (w *writer) writeFD(fd uintptr) bool {
	for {
		w.n, w.err = syscall.Write(int(fd), w.b)
		if w.err != syscall.EINTR {
			return true
		}
	}
}

// write makes one write(2) of b. It returns 0, nil when the kernel's buffer is full.
func (w *writer) write(b []byte) (int, error) {
	w.b = b
	err := w.raw.Write(w.call)
	n, werr := w.n, w.err
	w.b, w.err = nil, nil
	if err != nil {
		return 0, err
	}
	if werr == syscall.EAGAIN {
		return 0, nil
	}
	if werr != nil {
		return 0, os.NewSyscallError("write", werr)
	}
	return max(n, 0), nil
}
