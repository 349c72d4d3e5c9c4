package netapi

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// Addr is a TCP endpoint: Address, Family ("IPv4" or "IPv6") and Port.
type Addr = messages.Addr

// SocketOptions configures a socket made by [Runtime.NewSocket]. The zero value is Node's
// default.
type SocketOptions struct {
	// AllowHalfOpen keeps the socket writable after the peer's end until End is called; when
	// false it ends by itself once the 'end' listeners have run.
	AllowHalfOpen bool
	// HighWaterMark is the queued byte count at which Write starts returning false (Node's
	// writableHighWaterMark). 0 means 16 KiB, Node 20's default; IoT.js used 128.
	HighWaterMark int
	// ReuseReadBuffer makes the slice a 'data' listener gets valid only until the 'data'
	// listeners return: the socket reads into the same buffer again afterwards, so a read
	// allocates nothing. Passing that slice (or a part of it) to Write of any socket from the
	// listener is safe: the buffer is read into again only once every such write reached the
	// kernel. Keeping the slice, or writing it later, is not: copy it. When false (the
	// default, as in Node) each slice is the listener's to keep.
	ReuseReadBuffer bool
	// Framing, when set, makes each 'data' event one frame (a token of its bufio.SplitFunc:
	// bufio.ScanLines, SplitLengthPrefixed ...) instead of one read; see actors.Framing.
	// With ReuseReadBuffer, a frame inside one read is a slice of the read buffer.
	Framing *Framing
}

// Framing makes a socket deliver frames (see actors.Framing).
type Framing = actors.Framing

// SplitLengthPrefixed is a bufio.SplitFunc for frames that start with their length,
// big-endian in size bytes (1, 2 or 4).
func SplitLengthPrefixed(size int) bufio.SplitFunc { return actors.SplitLengthPrefixed(size) }

// ConnectOptions says where to connect. Host "" means "localhost".
type ConnectOptions struct {
	Port int
	Host string
	// Timeout, when positive, bounds the connect, host lookup included: past it the socket
	// gets an 'error' matching ErrConnectTimeout (Code "ETIMEDOUT"), then 'close' with
	// hadError. It does not limit the connection once it is up (that is SetTimeout). 0 means
	// no limit but the system's; a negative Timeout gives an 'error' matching
	// ErrInvalidTimeout. Unlike Node's timeout option, which only arms setTimeout, it ends
	// the connect: a timeout that ended nothing would leave every caller to Destroy.
	Timeout time.Duration
	// AllowHalfOpen and HighWaterMark are used by Runtime.Connect and CreateConnection for
	// the socket they make (Node passes connect options to the Socket); Socket.Connect
	// ignores them.
	AllowHalfOpen bool
	HighWaterMark int
}

// socketState is where a Socket is between its connections:
//
//	idle -> connecting -> open -> closed -> (Connect again) connecting ...
//	idle -> closed (Destroy before any Connect)
//
// Accepted sockets start open.
type socketState int

const (
	socketIdle socketState = iota
	socketConnecting
	socketOpen
	socketClosed
)

// Socket is a TCP connection with Node's net.Socket API. Its methods are safe for concurrent
// use and never block on the network: each sends a message to the socket's actor. Its
// callbacks run one at a time, in the order the events happened (see [Runtime]); calling any
// method from a callback is fine. Methods on a closed socket are harmless no-ops unless they
// say otherwise.
type Socket struct {
	rt            *Runtime
	allowHalfOpen bool
	reuse         bool // ReuseReadBuffer
	hwm           int64
	loop          *actors.Loop // where the socket's actor, and so its callbacks, run
	bytesRead     atomic.Int64

	mu            sync.Mutex // guards what follows; never held while a callback runs
	pid           *actor.PID
	closedSig     chan struct{}                 // see closedCh; nil until asked for
	closeRan      bool                          // the current connection's close listeners ran
	out           *actors.Outbox                // the actor's write queue, written to directly
	outNow        atomic.Pointer[actors.Outbox] // out, for a Write with no callback: no lock
	state         socketState
	active        bool    // the actor reports it busy (SocketConfig.Activity): Wait counts it
	srv           *Server // the server that accepted this connection, until 'close'
	refd          bool    // counted by Runtime.Wait: active and not unref'd
	unref         bool    // Unref was called
	closed        *bool   // hadError of the last close, for close listeners added after it
	remote, local Addr
	writeCbs      map[uint64]func(error) // nil until a Write with a callback
	nextToken     uint64
	endCbs        []func(error)  // End's callbacks: before the 'finish' listeners, as in Node, or at close
	afterClose    []func()       // write callbacks that run after the 'close' listeners
	dataFns       []func([]byte) // the 'data' listeners of the event being handled
	lent          lent           // what its data listeners borrow, while they run (see leaseOf)
	secure        *secureState   // a TLS socket's (see tls.go); nil for a plain one
	framing       *Framing       // SocketOptions.Framing
	stopConnect   func() bool    // ends ConnectContext's watch of its context; nil when none
	counts        *socketCounts  // for WithMeterProvider: see metrics.collect
	ls            socketListeners
}

type socketListeners struct {
	data  listeners[func([]byte)]
	drain listeners[func()]
	close listeners[func(bool)]
	err   listeners[func(error)]
	more  *moreListeners // made with the first of them: most sockets have none (memory per socket)
}

// moreListeners are the listeners of a socket's less common events.
type moreListeners struct {
	connect, end, finish, timeout listeners[func()]
	secureConnect                 listeners[func()]
	lookup                        listeners[func(err error, address, family string)]
}

// others returns the listeners of the less common events, made on first use.
func (l *socketListeners) others() *moreListeners {
	if l.more == nil {
		l.more = new(moreListeners)
	}
	return l.more
}

// NewSocket makes a socket that is not connected; call Connect.
func (rt *Runtime) NewSocket(opts SocketOptions) *Socket {
	return newSocket(rt, opts, rt.loopForNew())
}

func newSocket(rt *Runtime, opts SocketOptions, loop *actors.Loop) *Socket {
	hwm := int64(opts.HighWaterMark)
	if hwm <= 0 {
		hwm = actors.DefaultHighWaterMark
	}
	if opts.ReuseReadBuffer {
		rt.lends.Store(true)
	}
	return &Socket{rt: rt, allowHalfOpen: opts.AllowHalfOpen, reuse: opts.ReuseReadBuffer, hwm: hwm,
		loop: loop, framing: opts.Framing}
}

// accepted binds the Socket made for an accepted connection (Server.prepare) to its actor.
func (s *Socket) accepted(ev *messages.ConnectionEvent) {
	s.mu.Lock()
	s.pid, s.state = ev.Socket, socketOpen
	s.remote, s.local = ev.Remote, ev.Local
	busy := 1
	if s.active { // the actor said so already (its first turn runs beside the server's)
		busy = 0
	}
	s.active = true // it reads; the actor says when that changes
	s.refLocked()
	srv := s.srv
	s.mu.Unlock()
	srv.connChanged(1, busy)
	s.rt.metrics.countAccepted()
	if !s.rt.trackSocket(s, true) { // accepted while the runtime shuts down: nobody will end it
		s.Destroy()
	}
}

// Connect opens the connection; onConnect, if not nil, is added as a once 'connect' listener.
// A port outside 0..65535 gives an 'error' wrapping ErrInvalidPort and then 'close'. Connect
// while connecting or connected does nothing (as in IoT.js); after 'close' it connects the
// socket again, with fresh byte counts.
func (s *Socket) Connect(opts ConnectOptions, onConnect func()) *Socket {
	return s.connect(nil, opts, onConnect)
}

// ConnectContext is Connect bounded by ctx as well: if ctx ends before the connection is up,
// the connect is abandoned and the socket gets an 'error' wrapping ctx.Err() (errors.Is
// context.Canceled or context.DeadlineExceeded holds; Code gives "ABORT_ERR" and
// "ETIMEDOUT"), then 'close' with hadError, as for any failed connect. Once connected, ctx no
// longer matters (as with net.Dialer.DialContext). opts.Timeout applies too.
func (s *Socket) ConnectContext(ctx context.Context, opts ConnectOptions, onConnect func()) *Socket {
	return s.connect(ctx, opts, onConnect)
}

// connect is Connect, watching ctx when it is not nil.
func (s *Socket) connect(ctx context.Context, opts ConnectOptions, onConnect func()) *Socket {
	s.mu.Lock()
	if s.state == socketConnecting || s.state == socketOpen {
		s.mu.Unlock()
		return s
	}
	if s.state == socketClosed { // connect again: a new actor, fresh state
		if s.rt.isClosed() { // nothing new once the runtime shuts down
			s.mu.Unlock()
			return s
		}
		s.pid, s.closed, s.endCbs = nil, nil, nil
		s.remote, s.local = Addr{}, Addr{}
		if s.rt.metrics != nil { // the metrics' counters go on from here
			if s.counts == nil {
				s.counts = new(socketCounts)
			}
			s.counts.earlier.read += s.bytesRead.Load()
			if s.out != nil {
				s.counts.earlier.written += s.out.Submitted()
			}
		}
		s.bytesRead.Store(0)
		s.closedSig, s.closeRan = nil, false
		if s.secure != nil { // a new handshake
			s.secure = &secureState{cfg: s.secure.cfg}
		}
	}
	pid := s.actorLocked()
	if pid == nil { // the runtime shut down meanwhile: still closed
		s.closeRanLocked()
		s.mu.Unlock()
		return s
	}
	s.state = socketConnecting
	if onConnect != nil {
		s.ls.others().connect.add(onConnect, true)
	}
	s.active = true // connecting; the actor says when that changes
	s.refLocked()
	consumer := s.ls.data.len() > 0 // a data listener from before a reconnect
	out := s.out
	s.mu.Unlock()
	if consumer {
		s.send(pid, flow)
	}
	if ctx != nil && ctx.Err() != nil {
		// Done already: the connect fails at once and never dials (Node's connect with an
		// aborted signal). Sent after the Connect, the cancel could come after a loopback
		// dial had completed.
		s.send(pid, &messages.CancelConnect{Err: ctx.Err()})
		return s
	}
	// Active until the actor has handled it, whatever it handles first.
	s.send(pid, out.Command(&messages.Connect{Port: opts.Port, Host: opts.Host, Timeout: opts.Timeout}))
	if ctx != nil && ctx.Done() != nil {
		// The actor decides: a CancelConnect that finds the socket connected does nothing.
		stop := context.AfterFunc(ctx, func() { s.send(pid, &messages.CancelConnect{Err: ctx.Err()}) })
		s.mu.Lock()
		if s.pid == pid && s.state == socketConnecting {
			s.stopConnect = stop
			stop = nil
		}
		s.mu.Unlock()
		if stop != nil { // connected or closed already
			stop()
		}
	}
	return s
}

// stopConnectLocked ends ConnectContext's watch: the connect is over.
func (s *Socket) stopConnectLocked() {
	if s.stopConnect != nil {
		s.stopConnect()
		s.stopConnect = nil
	}
}

// ConnectPort is Connect(ConnectOptions{Port: port, Host: host}, onConnect).
func (s *Socket) ConnectPort(port int, host string, onConnect func()) *Socket {
	return s.Connect(ConnectOptions{Port: port, Host: host}, onConnect)
}

// actorLocked returns the socket's actor, spawning it on first use; nil once the runtime is
// shut down.
func (s *Socket) actorLocked() *actor.PID {
	if s.pid != nil {
		return s.pid
	}
	if !s.rt.trackSocket(s, true) {
		return nil
	}
	s.out = actors.NewOutbox(int(s.hwm))
	var tlsCfg *tls.Config
	if s.secure != nil {
		tlsCfg = s.secure.cfg
	}
	pid, err := actors.SpawnSocket(s.rt.tree, actors.SocketConfig{
		TLS:           tlsCfg,
		Framing:       s.framing,
		Activity:      s.activity(s.out),
		Handler:       s.handle,
		AllowHalfOpen: s.allowHalfOpen,
		AwaitConsumer: true,
		LendReads:     s.reuse,
		Outbox:        s.out,
		Loop:          s.loop,
		Logger:        s.rt.logger,
		Resolver:      s.rt.resolver,
	})
	if err != nil {
		s.rt.trackSocket(s, false)
		s.outNow.Store(nil)
		return nil
	}
	s.pid = pid
	s.outNow.Store(s.out) // only an outbox with an actor behind it
	return pid
}

func (s *Socket) send(pid *actor.PID, msg any) {
	if pid != nil {
		s.rt.sys.Root.Send(pid, msg)
	}
}

// command sends msg, a command that can make the socket active (Node's resume(), destroy()):
// the socket counts as active for Wait from now until its actor has handled msg.
func (s *Socket) command(msg any) {
	s.mu.Lock()
	if s.state == socketClosed {
		s.mu.Unlock()
		return
	}
	pid, out := s.actorLocked(), s.out
	s.mu.Unlock()
	if pid != nil && out != nil {
		msg = out.Command(msg) // active until the actor has handled it
	}
	s.send(pid, msg)
}

// current returns the actor to send a command to, spawning it for a socket never connected.
func (s *Socket) current() *actor.PID {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == socketClosed {
		return nil
	}
	return s.actorLocked()
}

// Write sends data, after what was written before, and reports whether the caller may go on
// writing (Node's write() result): false means that what the kernel has not taken yet has
// reached the high-water mark (16 KiB by default), and a 'drain' will follow once it is all
// sent (the data is queued all the same). When nothing is queued, data is handed to the
// kernel as far as it takes it: before Write returns when called outside a callback; called
// in a callback, together with the callback's other writes to this socket, with one system
// call, when the callback returns (or once they reach the high-water mark), so that a reply
// per request costs one writev per read, not one write each (a callback that blocks after
// writing holds its writes until it returns, as a bufio.Writer would). BufferSize hands
// them over first, so it reads as Node's. The socket owns data from now on: do
// not modify it until onFlushed has run (it runs with nil once data reached the kernel, or
// with the error, never before Write returns). A write after End gives onFlushed and then
// 'error' ErrWriteAfterEnd, and destroys the socket; on a destroyed socket onFlushed gets
// ErrSocketClosed and nothing else happens.
func (s *Socket) Write(data []byte, onFlushed func(err error)) bool {
	if onFlushed == nil {
		// The outbox refuses writes itself once closed, and answers a write after End
		// through the actor: with no callback, nothing here needs the lock.
		if out := s.outNow.Load(); out != nil {
			ok, _ := out.Write(data, nil, s.rt.leaseOf(data))
			return ok
		}
	}
	s.mu.Lock()
	if s.state == socketClosed || s.pid == nil && s.rt.isClosed() { // the runtime lock only before first use
		s.mu.Unlock()
		s.failWrite(onFlushed, ErrSocketClosed)
		return false
	}
	s.actorLocked()
	out := s.out
	var token any
	if onFlushed != nil { // before the write: its WrittenEvent may come at once
		s.nextToken++
		if s.writeCbs == nil {
			s.writeCbs = map[uint64]func(error){}
		}
		s.writeCbs[s.nextToken] = onFlushed
		token = s.nextToken
	}
	s.mu.Unlock()
	ok, err := out.Write(data, token, s.rt.leaseOf(data))
	if err == ErrSocketClosed { // no WrittenEvent comes (after End, the actor answers)
		if token != nil {
			s.mu.Lock()
			delete(s.writeCbs, token.(uint64))
			s.mu.Unlock()
		}
		s.failWrite(onFlushed, err)
	}
	return ok
}

// failWrite runs the callback of a write on a destroyed socket where callbacks run.
func (s *Socket) failWrite(onFlushed func(error), err error) {
	if onFlushed != nil {
		err = &net.OpError{Op: "write", Net: "tcp", Err: err}
		s.rt.post(s.loop, func() { onFlushed(err) })
	}
}

// Cork holds every later Write in memory until as many Uncork calls, or End, so that they go
// out together with one system call (Node's cork()). Write's result counts what is held, as
// Node's does; Destroy drops it (the callbacks get ErrSocketClosed).
func (s *Socket) Cork() {
	if out := s.outbox(); out != nil {
		out.Cork()
	}
}

// Uncork undoes one Cork; the last hands everything held to the kernel (Node's uncork()). An
// Uncork with no Cork does nothing.
func (s *Socket) Uncork() {
	if out := s.outbox(); out != nil {
		out.Uncork()
	}
}

// WritableCorked is the number of Cork calls not undone yet (Node's writableCorked); End
// clears it.
func (s *Socket) WritableCorked() int {
	s.mu.Lock()
	out := s.out
	s.mu.Unlock()
	if out == nil {
		return 0
	}
	return out.Corked()
}

// outbox is the socket's outbox, its actor made if need be; nil once closed.
func (s *Socket) outbox() *actors.Outbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == socketClosed || s.pid == nil && s.rt.isClosed() {
		return nil
	}
	s.actorLocked()
	return s.out
}

// WriteString is Write([]byte(data), onFlushed).
func (s *Socket) WriteString(data string, onFlushed func(err error)) bool {
	return s.Write([]byte(data), onFlushed)
}

// End writes data (which may be nil), then half-closes the socket once everything queued is
// sent; onFinish, if not nil, runs once: with nil then, just before the 'finish' listeners,
// or with an error wrapping ErrSocketClosed if the socket closes first, or was closed
// (Node's end(cb)). Reading goes on until the peer ends. A second End does nothing more
// (with data, it is a write after end).
func (s *Socket) End(data []byte, onFinish func(err error)) *Socket {
	if len(data) > 0 {
		s.Write(data, nil)
	}
	s.mu.Lock()
	if s.state == socketClosed || s.pid == nil && s.rt.isClosed() {
		s.mu.Unlock()
		if onFinish != nil { // it will never finish
			err := &net.OpError{Op: "end", Net: "tcp", Err: ErrSocketClosed}
			s.rt.post(s.loop, func() { onFinish(err) })
		}
		return s
	}
	s.actorLocked()
	if onFinish != nil {
		s.endCbs = append(s.endCbs, onFinish)
	}
	out := s.out
	s.mu.Unlock()
	out.End() // the outbox wakes the actor, which sends the FIN once the queue is empty
	return s
}

// Destroy closes the socket at once: queued writes are dropped (their callbacks get
// ErrSocketClosed) and 'close' follows with hadError false. It is idempotent.
func (s *Socket) Destroy() {
	s.mu.Lock()
	if s.state == socketClosed {
		s.mu.Unlock()
		return
	}
	pid := s.actorLocked()
	out := s.out
	s.mu.Unlock()
	var msg any = &messages.Destroy{}
	if out != nil {
		out.Refuse() // no write is accepted from now on
		if pid != nil {
			msg = out.Command(msg) // active until it closed
		}
	}
	s.send(pid, msg)
}

// shutdown ends the socket for Runtime.Shutdown: gracefully when open, at once otherwise. It
// resumes a paused socket too, so that the peer's end can come through (data nobody reads is
// dropped, as Node's resume() does without a data listener).
//
// It runs on the socket's loop, after the callback running there now: a callback that is
// writing a stream when Shutdown comes finishes it before the socket ends, as it would if
// its own code had called End last.
func (s *Socket) shutdown() {
	s.rt.post(s.loop, func() {
		s.mu.Lock()
		open := s.state == socketOpen
		s.mu.Unlock()
		if open {
			s.Resume()
			s.End(nil, nil)
		} else {
			s.Destroy()
		}
	})
}

// destroyWith closes the socket with err: 'error', then 'close' with hadError true.
func (s *Socket) destroyWith(err error) {
	s.command(&messages.Destroy{Err: err})
}

// Pause stops 'data' events, and reading from the network, until Resume.
func (s *Socket) Pause() *Socket {
	s.send(s.current(), &messages.Pause{})
	return s
}

// Resume delivers what arrived while paused and reads again. Without a 'data' listener, what
// arrives is dropped, as in Node.
func (s *Socket) Resume() *Socket {
	s.command(&messages.Resume{})
	return s
}

var flow = &messages.Flow{}

// SetTimeout arms the idle timer: after d without reads or writes, 'timeout' is emitted
// (once per idle period; the socket stays open). onTimeout, if not nil, is added as a once
// 'timeout' listener. d <= 0 turns the timer off and removes the once listeners added by
// earlier SetTimeout calls. It works before Connect too.
func (s *Socket) SetTimeout(d time.Duration, onTimeout func()) *Socket {
	s.mu.Lock()
	if s.state == socketClosed {
		s.mu.Unlock()
		return s
	}
	d = max(d, 0)
	if d == 0 {
		if m := s.ls.more; m != nil {
			m.timeout.dropOnce()
		}
	} else if onTimeout != nil {
		s.ls.others().timeout.add(onTimeout, true)
	}
	pid := s.actorLocked()
	s.mu.Unlock()
	s.send(pid, &messages.SetTimeout{Timeout: d})
	return s
}

// SetKeepAlive switches TCP keepalive on or off; initialDelay is the idle time before the
// first probe, in whole seconds (0 keeps the system default). Set before Connect, it applies
// once connected.
func (s *Socket) SetKeepAlive(enable bool, initialDelay time.Duration) *Socket {
	s.send(s.current(), &messages.SetKeepAlive{Enable: enable, InitialDelay: max(initialDelay, 0)})
	return s
}

// SetNoDelay switches Nagle's algorithm off (true, Go's and Node's default) or on.
func (s *Socket) SetNoDelay(noDelay bool) *Socket {
	s.send(s.current(), &messages.SetNoDelay{NoDelay: noDelay})
	return s
}

// Ref makes the socket count for Runtime.Wait again after Unref.
func (s *Socket) Ref() *Socket {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unref = false
	if s.state == socketConnecting || s.state == socketOpen {
		s.refLocked()
	}
	return s
}

// Unref lets Runtime.Wait return while this socket is still open.
func (s *Socket) Unref() *Socket {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unref = true
	s.unrefLocked()
	return s
}

// activity is the socket actor's SocketConfig.Activity for the connection whose outbox is
// out: a socket counts for Wait while its actor reports it active (Node's active handle:
// connecting, reading, writing), so a paused idle socket, or one whose peer ended and whose
// own side finished, lets Wait return as Node's process exits.
func (s *Socket) activity(out *actors.Outbox) func(bool) {
	return func(active bool) {
		s.mu.Lock()
		if s.out != out || s.state == socketClosed || s.active == active { // an earlier connection's
			s.mu.Unlock()
			return
		}
		s.active = active
		busy := -1
		if active {
			busy = 1
			s.refLocked()
		} else {
			s.unrefLocked()
		}
		srv := s.srv
		s.mu.Unlock()
		if srv != nil {
			srv.connChanged(0, busy)
		}
	}
}

func (s *Socket) refLocked() {
	if !s.refd && !s.unref && s.active {
		s.refd = true
		s.rt.ref()
	}
}

func (s *Socket) unrefLocked() {
	if s.refd {
		s.refd = false
		s.rt.unref()
	}
}

// RemoteAddress is the peer's address; zero before connect. It is kept after close.
func (s *Socket) RemoteAddress() Addr { s.mu.Lock(); defer s.mu.Unlock(); return s.remote }

// LocalAddress is this end's address; zero before connect. It is kept after close.
func (s *Socket) LocalAddress() Addr { s.mu.Lock(); defer s.mu.Unlock(); return s.local }

// BytesRead is the number of bytes received on the current connection.
func (s *Socket) BytesRead() int64 { return s.bytesRead.Load() }

// BytesWritten is the number of bytes given to Write on the current connection, those still
// queued included (as in Node).
func (s *Socket) BytesWritten() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out == nil {
		return 0
	}
	return s.out.Submitted()
}

// BufferSize is the number of bytes queued and not yet handed to the kernel.
func (s *Socket) BufferSize() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out == nil {
		return 0
	}
	return int64(s.out.Buffered())
}

// Destroyed reports whether the socket has closed (Node's socket.destroyed, once 'close'
// came).
func (s *Socket) Destroyed() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.state == socketClosed }

// PID is the socket actor, for code that drives it with messages; nil before the socket is
// used. Events still go to this Socket's listeners.
func (s *Socket) PID() *actor.PID { s.mu.Lock(); defer s.mu.Unlock(); return s.pid }

// closedCh is closed once the current connection's 'close' listeners have run. It is made
// when first asked for (by Shutdown): most sockets never need one.
func (s *Socket) closedCh() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closedSig == nil {
		s.closedSig = make(chan struct{})
		if s.closeRan {
			close(s.closedSig)
		}
	}
	return s.closedSig
}

// closeRanLocked records that the current connection's 'close' listeners have run.
func (s *Socket) closeRanLocked() {
	s.closeRan = true
	if s.closedSig != nil && !isClosed(s.closedSig) {
		close(s.closedSig)
	}
}

func (rt *Runtime) isClosed() bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.closed
}
