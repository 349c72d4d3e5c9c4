package actors

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
)

// flowMode is Node's readableFlowing: whether data events flow to the owner.
//
//	null -> on   (Flow: a consumer came; Resume)
//	null -> off  (Pause)
//	on  <-> off  (Pause, Resume)
//
// While it is off, the socket reads nothing more: what it read waits (one read at most, the
// kernel holding the rest), and so does the peer's end. Null, it reads on until it holds
// NullModeHighWaterMark bytes, as Node does below its readableHighWaterMark.
type flowMode int8

const (
	flowOn   flowMode = iota // data events flow (an owner actor's default)
	flowNull                 // no consumer yet (SocketConfig.AwaitConsumer): hold everything
	flowOff                  // paused
)

func (f flowMode) String() string { return [...]string{"on", "null", "off"}[f] }

// readState is the read half of the connection:
//
//	open -> eof (the peer's FIN was read) -> ended (EndEvent was sent)
//
// A socket in eof holds its EndEvent until the data before it has flowed.
type readState int8

const (
	readOpen readState = iota
	readEOF
	readEnded
)

func (r readState) String() string { return [...]string{"open", "eof", "ended"}[r] }

// readSide is the socket's reading state, owned by the actor.
type readSide struct {
	flow     flowMode
	state    readState
	reading  bool         // a reader goroutine runs
	stop     *atomic.Bool // tells that reader to stop before its next read
	credit   *credit      // lets the reader take its next read; closed with the socket
	waiting  bool         // the reader's last read was handled, and it waits for credit
	pending  [][]byte     // what arrived while not flowing: see active
	held     int          // bytes in pending
	lent     *[]byte      // with LendReads: the buffer on loan (or pending is in)
	pool     *sync.Pool   // where lent goes back
	readSize atomic.Int64 // the adapted read size, kept across readers (see reader.adapt)
	// turn is the lent buffer's state while its DataEvent is handled (turnIdle otherwise): a
	// release then only marks it back (turnBack), and readDone takes the buffer back itself,
	// with no message. One word, so that the release and readDone agree whatever the order.
	turn   atomic.Int32
	ev     messages.DataEvent // given to a Handler for each read: see dataEvent
	lease  *messages.Lease    // lent's lease, made once and lent again for each read
	pk     parked             // the descriptor's registration with idleReaders
	lg     linger             // how long its readers wait before they park
	frames *framer            // with SocketConfig.Framing; nil delivers reads
}

// The states of readSide.turn.
const (
	turnIdle int32 = iota // no DataEvent of a lent buffer being handled
	turnIn                // being handled: a release marks it back
	turnBack              // released while handled: readDone takes the buffer back
)

// readDone is sent by the reader for each read; last marks its final message. With
// LendReads, buf is the pooled buffer data is in.
type readDone struct {
	data []byte
	buf  *[]byte
	pool *sync.Pool // where buf goes back
	err  error
	last bool
}

// autoEnd tells a socket that does not allow half-open connections to end its side now: its
// Handler has handled EndEvent, so what it wrote meanwhile was written first, as in Node,
// where the socket is still writable in 'end' handlers.
type autoEnd struct{}

var theAutoEnd = &autoEnd{}

// startReader starts the reader unless one runs or reading makes no sense now.
func (s *socket) startReader() {
	r := &s.rd
	// Awaiting a consumer, it reads and holds up to NullModeHighWaterMark; paused, nothing.
	if r.reading || r.flow == flowOff || r.state != readOpen || s.held || s.state != StateOpen ||
		r.lent != nil || len(r.pending) > 0 || s.secure != nil && !s.secure.ready {
		return
	}
	r.reading, r.waiting = true, false
	s.goroutines++
	rd := newReader(s.raw, s.cfg.ReadBufferSize, &r.readSize)
	r.stop, r.credit = &rd.stop, &rd.credit
	rd.lend, rd.conn, rd.pk, rd.lg = s.cfg.LendReads, s.conn, &r.pk, &r.lg
	if s.secure != nil {
		rd.tls = s.secure.conn
	}
	rd.wake = func() { readLoop(s.sys, s.self, s.mb, rd, r.credit, true) }
	// A connection with data as it opens (a client that sends as it connects, a request per
	// connection) has its first reader started at once, and that reader lingers after its
	// first read (minLinger), so that the connection's next message or its close come through
	// Go's netpoller alone, as a plain Go server's do, without a registration with the
	// poller. Any other reader is parked from the start: a socket whose peer sends nothing
	// holds no goroutine, and thousands opened at once never take thousands of goroutines
	// (and their stacks); the poller starts the reader once there is data. A TLS socket's
	// always starts: crypto/tls may hold what arrived with the handshake, which the
	// descriptor no longer shows.
	first := !r.lg.begun
	r.lg.begun = true
	if first && canPark && s.secure == nil && peekReadable(s.raw) {
		rd.fresh = true
		workers.Go(func() { readLoop(s.sys, s.self, s.mb, rd, r.credit, false) })
		return
	}
	if s.secure != nil || !idleReaders.park(s.raw, rd.pk, rd.wake) {
		workers.Go(func() { readLoop(s.sys, s.self, s.mb, rd, r.credit, false) })
	}
}

// linger is how long a socket's reader waits for data on its own goroutine: a reader that
// read nothing for that long parks its descriptor with idleReaders and exits (see poller), so
// an idle socket holds no goroutine and no stack. A busy one only moves its read deadline
// once per linger. It adapts to the connection: a reader woken within maxLinger of parking
// had parked too early (a connection that talks every 12 ms, as 500 connections of
// ping-pong do here, restarted its reader for every message with a fixed 10 ms: 0.79x plain
// Go), so the next lingers twice as long, from minLinger up to maxLinger. A reader woken
// from its first park, or after a longer sleep, does not linger at all: it reads what is
// there and parks again. A burst of one message on thousands of idle connections then never
// holds thousands of goroutines (and their stacks) at once; only the chatty ones linger. A
// new connection's first reader lingers only after a first read that found data (see
// startReader); if nothing was there, it parks as if it had from the start (parking).
// Only the socket's readers use it, one after another.
type linger struct {
	d        time.Duration
	parkedAt time.Time // when the last reader parked after lingering; zero otherwise
	begun    bool      // the socket's first reader has started
}

const (
	minLinger = 10 * time.Millisecond
	maxLinger = time.Second
)

// parking records that a reader parks now. quiet says it was a new connection's first
// reader and nothing came: that parks as if it had from the start, so that its first wake
// does not linger (a burst on thousands of connections that said nothing since they opened).
func (l *linger) parking(quiet bool) {
	if quiet {
		l.parkedAt = time.Time{}
		return
	}
	l.parkedAt = time.Now()
}

// woke adapts the linger to how long the reader was parked, and returns it; 0 means none.
// A reader started without a park (the first, or one after Resume) keeps the last linger.
func (l *linger) woke() time.Duration {
	switch {
	case l.parkedAt.IsZero():
	case time.Since(l.parkedAt) < maxLinger:
		l.d = min(max(2*l.d, minLinger), maxLinger)
	default:
		l.d = 0
	}
	l.parkedAt = time.Time{}
	return l.d
}

// unpark takes the reader back from the poller when the socket closes (after its
// descriptor is closed, so that it cannot park again): a parked reader has no goroutine to
// report its end.
func (s *socket) unpark() {
	if s.rd.reading && idleReaders.cancel(&s.rd.pk) {
		s.rd.reading = false
		s.goroutines--
	}
}

// readLoop reads until an error, EOF, a stop request or the socket's close, and sends every result to the
// actor; its last message has last set. It holds no buffer while it waits for data, and it
// reads the next chunk only once the actor has taken the previous one (credit), so that it is
// never more than one read ahead of the actor: a paused socket holds one buffer at most.
// woken tells that the poller started it: it tells the poller when it parks, lingers or ends.
func readLoop(sys *actor.ActorSystem, self *actor.PID, mb *mailbox, rd *reader,
	credit *credit, woken bool) {
	var wait time.Duration
	first := rd.fresh // a new connection's first reader (see startReader)
	rd.fresh = false
	if canPark {
		wait = rd.lg.woke()
		if wait > 0 {
			_ = rd.conn.SetReadDeadline(time.Now().Add(wait))
		}
	}
	// A woken reader that does not linger holds one of the poller's waking slots until it
	// parks or ends, or until its actor withholds credit (paused, a lent buffer out): a wait
	// that can last, and 64 of them would hold back every other wake. Waiting for a busy
	// loop to take its read, it keeps the slot: that is what bounds a burst on one loop.
	slot := woken && wait == 0
	if woken && !slot {
		idleReaders.woken()
	}
	release := func() {
		if slot {
			slot = false
			idleReaders.woken()
		}
	}
	defer release()
	rd.try = canPark && wait == 0
	if rd.try && rd.tls != nil {
		// crypto/tls reads through the connection, so a read that must not wait has a
		// deadline: one past when nothing is there (Go then fails it before any system call),
		// a short one when a record is on its way, so that it is read now rather than after a
		// park and a wake.
		deadline := aLongTimeAgo
		if peekReadable(rd.raw) {
			deadline = time.Now().Add(minLinger)
		}
		_ = rd.conn.SetReadDeadline(deadline)
	}
	mark := rd.reads
	counted := false // among freshLingerers
	uncount := func() {
		if counted {
			counted = false
			freshLingerers.Add(-1)
		}
	}
	defer uncount()
	for {
		data, buf, pool, stopped, err := rd.read()
		if errors.Is(err, os.ErrDeadlineExceeded) || err == errNothingToRead {
			uncount()                        // its first linger is over: it talks on, or it parks
			if !rd.try && rd.reads != mark { // it read meanwhile: wait on
				mark = rd.reads
				_ = rd.conn.SetReadDeadline(time.Now().Add(wait))
				continue
			}
			// Idle for the linger (or nothing there, not lingering): park, and exit.
			if !rd.try {
				_ = rd.conn.SetReadDeadline(time.Time{})
			}
			rd.lg.parking(first && rd.reads == 0)
			if idleReaders.park(rd.raw, rd.pk, rd.wake) {
				return
			}
			rd.lg.parkedAt = time.Time{}
			rd.try = false
			_ = rd.conn.SetReadDeadline(time.Time{})
			continue // the descriptor is closed or cannot be parked: wait here
		}
		last := stopped || err != nil
		rd.done = readDone{data: data, buf: buf, pool: pool, err: err, last: last}
		mb.postInline(&rd.done) // the actor reads it before it grants the next read

		if last {
			return
		}
		if !credit.take(release) {
			sys.Root.Send(self, &readDone{last: true})
			return
		}
		if first && rd.try { // the connection sent as it opened: linger from now on
			first = false
			if counted = freshLingerers.Add(1) <= maxFreshLingerers; counted {
				rd.try = false
				wait, mark = minLinger, rd.reads
				_ = rd.conn.SetReadDeadline(time.Now().Add(wait))
			} else {
				freshLingerers.Add(-1)
			}
		}
	}
}

// freshLingerers counts the new connections' first readers lingering after their first read
// (see startReader), at most maxFreshLingerers at once: a flood of new connections that all
// send at once (a burst on connections still being accepted) then does not hold a lingering
// goroutine, and its stack, for each of them; past the bound, a first reader parks after its
// read, as any other that found nothing more.
var freshLingerers atomic.Int32

const maxFreshLingerers = 64

// reader makes a socket's reads. Its callback is bound once, so that waiting for data and
// reading allocate nothing but the slice handed to the owner.
type reader struct {
	raw syscall.RawConn
	// stop and credit are the reader's, in one allocation with it; the socket keeps pointers
	// to them (readSide.stop, readSide.credit) while the reader runs.
	stop    atomic.Bool
	credit  credit
	lend    bool // hand the pooled buffer itself over: LendReads
	conn    *net.TCPConn
	pk      *parked       // the socket's registration with idleReaders, see linger
	lg      *linger       // the socket's linger
	wake    func()        // readLoop with this reader, woken: what the poller starts
	reads   uint64        // reads that got data or an end
	done    readDone      // the message of each read, sent again for the next one
	size    int           // of the next read: adapts between minReadSize and max (see adapt)
	max     int           // SocketConfig.ReadBufferSize
	small   int           // reads in a row that used under a quarter of size
	hint    *atomic.Int64 // the socket\'s readSize: where size is kept for its next reader
	n       int
	err     error
	buf     *[]byte
	pool    *sync.Pool // of buffers of size: looked up once
	stopped bool
	call    func(fd uintptr) bool
	// try makes a read take only what is there (errNothingToRead otherwise) instead of
	// waiting: a reader that does not linger.
	try bool
	// fresh marks the connection's first reader, which lingers after a first read that
	// found data (see startReader).
	fresh bool
	got   bool
	tryFD func(fd uintptr)
	tls   *tls.Conn // a TLS socket's: reads decrypt through it (see tls.go)
}

// aLongTimeAgo is a read deadline that has passed: a read takes only what is there.
var aLongTimeAgo = time.Unix(1, 0)

// errNothingToRead is what a read that does not wait returns when there is nothing to read.
var errNothingToRead = errors.New("nothing to read")

// newReader makes a reader whose reads take at most limit bytes; sizeHint keeps the adapted
// size across the socket's readers (one per Resume), 0 meaning none yet.
func newReader(raw syscall.RawConn, limit int, sizeHint *atomic.Int64) *reader {
	size := min(minReadSize, limit)
	if h := int(sizeHint.Load()); h > 0 {
		size = min(h, limit)
	}
	r := &reader{raw: raw, size: size, max: limit, pool: bufferPool(size), hint: sizeHint}
	r.call = r.readFD
	r.tryFD = func(fd uintptr) { r.got = r.readFD(fd) }
	return r
}

// minReadSize is the size of a reader's first read. Reads then adapt, as Netty's
// AdaptiveRecvByteBufAllocator does: a read that fills its buffer doubles the next one, up
// to SocketConfig.ReadBufferSize; two in a row that use under a quarter of it halve it. A
// burst on thousands of sockets then takes small buffers, and a stream grows to full ones
// within a few reads.
const minReadSize = 4 << 10

// adapt sizes the next read after one of n bytes.
func (r *reader) adapt(n int) {
	switch {
	case n == r.size && r.size < r.max:
		r.small = 0
		r.resize(min(r.size*2, r.max))
	case n < r.size/4 && r.size > minReadSize:
		if r.small++; r.small >= 2 {
			r.small = 0
			r.resize(max(r.size/2, minReadSize))
		}
	default:
		r.small = 0
	}
}

func (r *reader) resize(size int) {
	r.size, r.pool = size, bufferPool(size)
	r.hint.Store(int64(size))
}

// readFD is called by the runtime when the descriptor may be readable: it takes a pooled
// buffer only then, and gives it back when there was nothing to read after all.
func (r *reader) readFD(fd uintptr) bool {
	if r.stop.Load() {
		r.stopped = true
		return true
	}
	b := r.pool.Get().(*[]byte)
	for {
		r.n, r.err = syscall.Read(int(fd), *b)
		if r.err != syscall.EINTR {
			break
		}
	}
	if r.err == syscall.EAGAIN {
		r.pool.Put(b)
		return false
	}
	r.buf = b
	r.reads++
	return true
}

// read waits for data and reads once. It returns stopped when a stop was requested first.
// When lending, buf is the pooled buffer data is in, for the actor to take back to pool.
func (r *reader) read() (data []byte, buf *[]byte, pool *sync.Pool, stopped bool, err error) {
	r.stopped, r.buf, r.n, r.err = false, nil, 0, nil
	if r.tls != nil {
		return r.readTLS()
	}
	if r.try {
		r.got = false
		if err := r.raw.Control(r.tryFD); err != nil || r.stopped {
			return nil, nil, nil, r.stopped, err
		}
		if !r.got {
			return nil, nil, nil, false, errNothingToRead
		}
	} else if err := r.raw.Read(r.call); err != nil || r.stopped {
		return nil, nil, nil, r.stopped, err
	}
	pool, size := r.pool, r.size // what the buffer came from: adapt may change them
	switch {
	case r.err != nil:
		pool.Put(r.buf)
		return nil, nil, nil, false, os.NewSyscallError("read", r.err)
	case r.n == 0:
		pool.Put(r.buf)
		return nil, nil, nil, false, io.EOF
	}
	r.adapt(r.n)
	switch {
	case r.lend:
		return (*r.buf)[:r.n:r.n], r.buf, pool, false, nil
	case r.n >= size*3/4:
		// A nearly full buffer is handed over as it is: copying it would cost as much as a
		// new one, and the owner keeps at most a quarter more than the data.
		return (*r.buf)[:r.n:r.n], nil, nil, false, nil
	}
	data = make([]byte, r.n)
	copy(data, (*r.buf)[:r.n])
	pool.Put(r.buf)
	return data, nil, nil, false, nil
}

// readTLS is read for a TLS socket: one read of decrypted data through crypto/tls, which
// reads the connection itself (and honours its deadline: a read that times out leaves a half
// read record in crypto/tls for the next).
func (r *reader) readTLS() (data []byte, buf *[]byte, pool *sync.Pool, stopped bool, err error) {
	if r.stop.Load() {
		return nil, nil, nil, true, nil
	}
	pool, size := r.pool, r.size
	b := pool.Get().(*[]byte)
	n, err := r.tls.Read(*b)
	if n > 0 {
		r.reads++
		r.adapt(n)
		if r.lend {
			return (*b)[:n:n], b, pool, false, nil
		}
		if n >= size*3/4 {
			return (*b)[:n:n], nil, nil, false, nil
		}
		data = make([]byte, n)
		copy(data, (*b)[:n])
		pool.Put(b)
		return data, nil, nil, false, nil
	}
	pool.Put(b)
	switch {
	case err == nil:
		return nil, nil, nil, false, errNothingToRead
	case errors.Is(err, io.EOF):
		r.reads++
		return nil, nil, nil, false, io.EOF
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, nil, nil, false, err
	}
	r.reads++
	return nil, nil, nil, false, tlsError(err)
}

var buffers sync.Map // size -> *sync.Pool of *[]byte

// bufferPool is the pool of read buffers of size bytes.
func bufferPool(size int) *sync.Pool {
	p, ok := buffers.Load(size)
	if !ok {
		p, _ = buffers.LoadOrStore(size, &sync.Pool{New: func() any {
			b := make([]byte, size)
			return &b
		}})
	}
	return p.(*sync.Pool)
}

// readDone handles a read. m is the reader's own message, used again for its next read once
// it has credit: it is read here before anything grants one.
func (s *socket) readDone(ctx actor.Context, m *readDone) {
	data, buf, pool, err, last := m.data, m.buf, m.pool, m.err, m.last
	r := &s.rd
	if last {
		r.reading = false
		s.goroutines--
	} else {
		r.waiting = true // until grant
	}
	if s.state != StateOpen {
		s.maybeClosed(ctx)
		return
	}
	if len(data) > 0 {
		s.bytesRead += int64(len(data))
		s.timer.activity(s)
		if buf != nil {
			r.lent, r.pool = buf, pool // no more reads until it comes back (grant checks)
			if r.lease == nil {
				sys, self, turn := s.sys, s.self, &r.turn
				r.lease = messages.NewLease(func() {
					if turn.CompareAndSwap(turnIn, turnBack) { // readDone takes it back itself
						return
					}
					sys.Root.Send(self, theBufferBack)
				})
			}
			r.lease.Lend()
		}
		if r.flow != flowOn {
			r.pending = append(r.pending, data)
			r.held += len(data)
			if r.flow == flowNull && !last && r.active() {
				r.grant() // awaiting a consumer, it reads on up to NullModeHighWaterMark
			}
		} else {
			lent := buf != nil
			if lent {
				r.turn.Store(turnIn)
			}
			s.deliver(ctx, data) // a Handler's writes go out as it returns
			// Released while its DataEvent was handled (an echo's write went straight to
			// the kernel): the buffer comes back now, with no message.
			if lent && r.turn.Swap(turnIdle) == turnBack {
				s.returnBuffer()
			}
			if !last && s.state == StateOpen {
				r.grant()
			}
		}
	}
	switch {
	case errors.Is(err, io.EOF):
		r.state = readEOF
		// Node: an end with no data before it comes even before a consumer did.
		if r.flow == flowOn || r.flow == flowNull && len(r.pending) == 0 {
			s.deliverEnd(ctx)
		}
	case err != nil:
		s.fail(ctx, opError("read", s, err))
	case last:
		s.startReader() // a Resume came after the reader saw its stop flag
	}
	if r.waiting && r.reading && r.credit != nil {
		r.credit.withhold() // handled, and no grant for now
	}
}

// deliverEnd sends EndEvent, ends our side too unless half-open is allowed, and closes the
// socket if our side had already finished.
func (s *socket) deliverEnd(ctx actor.Context) {
	if s.rd.state != readEOF || s.state != StateOpen || !s.flushFrames(ctx) {
		return
	}
	s.rd.state = readEnded
	ev := &messages.EndEvent{Socket: s.self}
	autoEnd := !s.cfg.AllowHalfOpen && s.out.stateNow() == writeOpen
	if autoEnd && s.handler == nil && s.owner != nil && !s.held {
		// The owner actor answers by itself once it has handled the event (see EndEvent):
		// the Writes it sent meanwhile reach the socket before the answer, which ends our
		// side after them.
		ctx.Request(s.owner, ev)
	} else {
		s.emit(ctx, ev)
		if autoEnd {
			ctx.Send(s.self, theAutoEnd) // a Handler's writes are queued already
		}
	}
	s.bothDone(ctx)
}

func (s *socket) pause() {
	s.rd.flow = flowOff
	if s.rd.reading {
		s.rd.stop.Store(true)
	}
}

// flow starts the flow of data for a consumer that came (Node's on('data')), unless the
// socket was paused.
func (s *socket) flow(ctx actor.Context) {
	if s.rd.flow == flowNull {
		s.resume(ctx)
	}
}

// resume makes data flow: what the socket holds is delivered, then the peer's end if it came,
// and the reader reads again.
func (s *socket) resume(ctx actor.Context) {
	r := &s.rd
	if r.flow == flowOn {
		return
	}
	r.flow = flowOn
	if s.state != StateOpen || s.held {
		return
	}
	if r.frames != nil && len(r.frames.buf) > 0 { // frames a pause held back, first
		if err := s.deliverFrames(ctx, nil, nil, false); err != nil {
			s.fail(ctx, opError("read", s, err))
			return
		}
	}
	held := r.pending
	r.pending, r.held = nil, 0
	for _, data := range held {
		s.deliver(ctx, data)
	}
	if s.state != StateOpen {
		return
	}
	if r.state == readEOF {
		s.deliverEnd(ctx)
		return
	}
	if r.reading {
		r.stop.Store(false)
		r.grant()
		return
	}
	s.startReader()
}

// dataEvent is the event of a read: with the lease of the read buffer when it is lent.
func (s *socket) dataEvent(data []byte) *messages.DataEvent {
	ev := &s.rd.ev // a Handler is called with it and done with it before the next
	if s.handler == nil || s.held {
		ev = new(messages.DataEvent) // a message: its receiver's to keep
	}
	*ev = messages.DataEvent{Socket: s.self, Data: data}
	if s.rd.lent != nil {
		ev.Lease = s.rd.lease
	}
	return ev
}

// bufferBack is sent by a read buffer's lease once its last reference was released.
type bufferBack struct{}

var theBufferBack = &bufferBack{}

// returnBuffer takes a lent buffer back once nobody holds it: every write of its data, to
// any socket, reached the kernel or was dropped. The reader may then read again.
func (s *socket) returnBuffer() {
	r := &s.rd
	if r.lent == nil {
		return
	}
	r.pool.Put(r.lent)
	r.lent = nil
	if s.state != StateOpen {
		return
	}
	if r.reading {
		r.grant()
	} else {
		s.startReader()
	}
}

// active is whether the socket reads, or will as soon as a read buffer comes back: its peer
// has not ended, and data flows, or it awaits a consumer holding less than
// NullModeHighWaterMark (Node reads on until its readableHighWaterMark; paused, not at all).
func (r *readSide) active() bool {
	// A lent buffer held for a consumer cannot come back before one comes: no more reads.
	return r.state == readOpen &&
		(r.flow == flowOn || r.flow == flowNull && r.lent == nil && r.held < NullModeHighWaterMark)
}

// grant lets the reader take its next read, unless a lent buffer is still out. Only a
// reader whose read was handled gets credit: its message is then free to use again.
func (r *readSide) grant() {
	if r.lent != nil || !r.waiting {
		return
	}
	r.waiting = false
	r.credit.grant()
}

// credit is a reader's permission to read again, one read at a time. When the actor ran on
// the reader's own goroutine (postInline) the grant is there before the reader looks, and it
// takes it with no channel operation; a reader that must wait sleeps on ch, which the first
// such wait makes (most sockets never need one: 96 bytes less per connection). The socket's
// close ends the wait (quit).
type credit struct {
	granted atomic.Bool
	// withheld says the actor handled the last read and grants nothing for now (paused, a
	// lent buffer out, a consumer awaited): a wait that can last (see readLoop's slot).
	withheld atomic.Bool
	asleep   atomic.Bool // set only once ch exists
	quit     atomic.Bool // the socket closed: no more reads
	// ch wakes a sleeping reader; it may hold a stale token, which take skips.
	ch atomic.Pointer[chan struct{}]
}

func (c *credit) grant() {
	c.granted.Store(true)
	if c.asleep.Load() {
		c.wake()
	}
}

// withhold tells the reader that its last read was handled and no grant follows for now.
func (c *credit) withhold() {
	c.withheld.Store(true)
	if c.asleep.Load() {
		c.wake()
	}
}

// close tells the reader that the socket closed: take returns false from now on.
func (c *credit) close() {
	c.quit.Store(true)
	c.wake()
}

// wake sends the sleeper its token, if it can sleep at all yet.
func (c *credit) wake() {
	if ch := c.ch.Load(); ch != nil {
		select {
		case *ch <- struct{}{}:
		default:
		}
	}
}

// take waits for a grant; it reports false once the socket closed. It calls withheld when it
// sleeps on a grant the actor withholds.
func (c *credit) take(withheld func()) bool {
	for {
		if c.granted.CompareAndSwap(true, false) {
			c.withheld.Store(false)
			return true
		}
		if c.quit.Load() {
			return false
		}
		ch := c.ch.Load()
		if ch == nil {
			made := make(chan struct{}, 1)
			c.ch.Store(&made) // only the reader takes: nobody else makes it
			ch = &made
		}
		c.asleep.Store(true)
		// A grant or close between the checks above and asleep being set has seen asleep
		// false: look again before sleeping (each sets its flag before it looks at asleep).
		if c.granted.CompareAndSwap(true, false) {
			c.asleep.Store(false)
			return true
		}
		if c.quit.Load() {
			c.asleep.Store(false)
			return false
		}
		if c.withheld.Load() {
			withheld()
		}
		<-*ch
		c.asleep.Store(false)
	}
}
