package actors

import (
	"net"
	"os"
	"syscall"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
)

// writeKick is the outbox's message to its socket: writes are queued and no flusher runs.
type writeKick struct{}

var kick = &writeKick{}

// flushDone is the flusher's only message: how many bytes it wrote and why it stopped.
type flushDone struct {
	n   int
	err error
}

// write handles a Write message: the same path as an in-process Outbox.Write, with the
// token's answer and a refusal turned into events.
func (s *socket) write(ctx actor.Context, data []byte, token any, lease *messages.Lease) {
	_, full, done, err := s.out.write(data, token, lease, false)
	switch {
	case full:
		s.emit(ctx, &messages.FullEvent{Socket: s.self})
	case err == ErrWriteAfterEnd:
		s.refuse(ctx, []any{token})
	case err != nil:
		s.settle(ctx, token, opError("write", s, err))
	case done:
		s.settle(ctx, token, nil)
		s.timer.activity(s)
	}
}

// refuse fails writes that came after End: each token gets its WrittenEvent with the error,
// then the socket fails with it (Node's order). After the peer's end, when the socket ended
// its side by itself (not AllowHalfOpen), the error is EPIPE, as in Node; otherwise
// ErrWriteAfterEnd.
func (s *socket) refuse(ctx actor.Context, tokens []any) {
	var err error = ErrWriteAfterEnd
	if s.rd.state == readEnded && !s.cfg.AllowHalfOpen {
		err = os.NewSyscallError("write", syscall.EPIPE)
	}
	err = opError("write", s, err)
	for _, tok := range tokens {
		s.settle(ctx, tok, err)
	}
	s.fail(ctx, err)
}

// settle tells a token's owner that its write is done, or why it never will be.
func (s *socket) settle(ctx actor.Context, token any, err error) {
	if token != nil {
		s.emit(ctx, &messages.WrittenEvent{Socket: s.self, Token: token, Err: err})
	}
}

func (s *socket) end(ctx actor.Context, data []byte) {
	if s.state >= StateClosing {
		return
	}
	if len(data) > 0 {
		s.write(ctx, data, nil, nil) // fails if ended already: write after end
	}
	s.out.end()
	s.pump(ctx, 0)
}

// pump writes what the kernel takes at once, straight from the actor, after accounting for
// what a flusher wrote; the rest goes to a flusher goroutine. Once the queue is empty it sends
// DrainEvent if one is owed, and the FIN if End was received.
func (s *socket) pump(ctx actor.Context, flushed int) {
	if s.state != StateOpen {
		return
	}
	p := s.out.pump(flushed, s.conn.CloseWrite)
	for _, tok := range p.tokens {
		s.settle(ctx, tok, nil)
	}
	if len(p.refused) > 0 {
		s.refuse(ctx, p.refused)
		return
	}
	if flushed > 0 || len(p.tokens) > 0 {
		s.timer.activity(s)
	}
	switch {
	case p.err != nil:
		s.fail(ctx, opError(p.op, s, p.err))
	case p.flush:
		s.startFlusher()
	case p.drain:
		s.emit(ctx, &messages.DrainEvent{Socket: s.self})
	}
	if p.finish && s.state == StateOpen {
		s.emit(ctx, &messages.FinishEvent{Socket: s.self})
		s.bothDone(ctx)
	}
}

func (s *socket) startFlusher() {
	bufs := net.Buffers(s.out.startFlush())
	s.goroutines++
	go func(conn *net.TCPConn, sys *actor.ActorSystem, self *actor.PID) {
		n, err := bufs.WriteTo(conn)
		sys.Root.Send(self, &flushDone{n: int(n), err: err})
	}(s.conn, s.sys, s.self)
}

func (s *socket) flushed(ctx actor.Context, m *flushDone) {
	s.goroutines--
	s.out.flushEnded()
	for _, l := range s.lateLeases { // dropped while this flusher still wrote from them
		l.Release()
	}
	s.lateLeases = nil
	if s.state != StateOpen {
		s.maybeClosed(ctx)
		return
	}
	if m.err != nil {
		for _, tok := range s.out.account(m.n) {
			s.settle(ctx, tok, nil)
		}
		s.fail(ctx, opError("write", s, m.err))
		return
	}
	s.pump(ctx, m.n)
}

// dropAll closes the outbox and settles every write it held as failed; the socket is closing.
func (s *socket) dropAll(ctx actor.Context) {
	dropped, tokens, refused, flushing := s.out.close()
	for _, tok := range tokens {
		s.settle(ctx, tok, nil)
	}
	for _, tok := range refused {
		s.settle(ctx, tok, opError("write", s, ErrWriteAfterEnd))
	}
	dropErr := ErrSocketClosed
	if s.conn == nil {
		dropErr = ErrClosedBeforeConnection
	}
	for _, c := range dropped {
		if flushing && c.lease != nil {
			// The flusher may still be in a writev of this buffer: it goes back (to the
			// reader, to the seal pool) only once the flusher has returned (flushed).
			s.lateLeases = append(s.lateLeases, c.lease)
		} else {
			c.lease.Release()
		}
		s.settle(ctx, c.token, opError("write", s, dropErr))
	}
}

// writer makes non-blocking write(2)s and writev(2)s on a socket's descriptor. Its callbacks
// are bound once, so that a write allocates nothing.
type writer struct {
	raw   syscall.RawConn
	b     []byte
	iov   []iovec // what writev hands over; kept between calls
	n     int
	err   error
	call  func(fd uintptr) bool
	callv func(fd uintptr) bool
	calls int // system calls made, for tests; under the outbox's lock
}

// maxIov bounds the buffers of one writev (Linux's IOV_MAX is 1024); a longer queue goes to
// a flusher.
const maxIov = 1024

func newWriter(raw syscall.RawConn) *writer {
	w := &writer{raw: raw}
	w.call, w.callv = w.writeFD, w.writevFD
	return w
}

// writev hands as much of bufs to the kernel as it takes at once, with one system call: a
// write(2) for one buffer, a writev(2) for more. It returns 0, nil when the kernel's buffer
// is full.
func (w *writer) writev(bufs []chunk) (int, error) {
	if len(bufs) == 1 {
		return w.write(bufs[0].data)
	}
	w.setIov(bufs)
	defer w.clearIov()
	if w.iovLen() == 0 {
		return 0, nil
	}
	w.calls++
	err := w.raw.Write(w.callv)
	return w.result(err)
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
	if len(b) == 0 {
		return 0, nil
	}
	w.b = b
	w.calls++
	err := w.raw.Write(w.call)
	w.b = nil
	return w.result(err)
}

// result is what the last call's callback left.
func (w *writer) result(err error) (int, error) {
	n, werr := w.n, w.err
	w.err = nil
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
