package actors

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"weak"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// socket is the actor behind one TCP connection. All its fields are owned by the actor: the
// goroutines it starts (dialer, reader, flusher) talk to it only through its mailbox.
type socket struct {
	cfg     SocketConfig
	mb      *mailbox
	self    *actor.PID
	sys     *actor.ActorSystem
	owner   *actor.PID
	handler Handler
	state   State

	conn          *net.TCPConn
	raw           syscall.RawConn
	out           *Outbox
	local, remote messages.Addr

	held       bool  // accepted socket waiting for Register or Attach
	heldEvents []any // events raised while held, delivered on release

	rd readSide

	keepAlive *messages.SetKeepAlive
	noDelay   *bool
	timer     idleTimer

	secure *tlsSide // nil for a plain socket
	// lateLeases are the leases of writes dropped while a flusher still wrote from them.
	lateLeases []*messages.Lease

	cancelDial context.CancelFunc
	goroutines int // dialer, reader and flusher still running
	hadError   bool
	closeSent  bool

	bytesRead int64
}

// active is whether the socket is busy in Node's sense of an active handle (see
// SocketConfig.Activity).
func (s *socket) active() bool {
	switch s.state {
	case StateConnecting, StateClosing:
		return true
	case StateOpen:
		if s.held || s.rd.active() {
			return true
		}
		busy, w := s.out.busy()
		// After the peer's end, a socket that does not allow half-open ends its side next.
		return busy || w == writeOpen && s.rd.state == readEnded && !s.cfg.AllowHalfOpen
	}
	return false
}

func newSocket(cfg SocketConfig, conn *net.TCPConn, held bool) *socket {
	out := cfg.Outbox
	if out == nil {
		out = NewOutbox(cfg.HighWaterMark)
	}
	out.act.fn = cfg.Activity
	s := &socket{cfg: cfg, owner: cfg.Owner, handler: cfg.Handler, conn: conn, held: held, out: out}
	if cfg.Framing != nil {
		s.rd.frames = &framer{Framing: *cfg.Framing}
	}
	return s
}

// Receive handles one message. A panic anywhere in it, the owner's Handler included, closes
// the socket with a *supervisor.PanicError: a connection is never restarted.
func (s *socket) Receive(ctx actor.Context) {
	msg := ctx.Message()
	cmd, handled := msg.(*command)
	if handled {
		msg = cmd.msg
	}
	defer func() {
		if r := recover(); r != nil {
			s.recovered(ctx, supervisor.NewPanicError(r))
		}
		if s.out.act.fn != nil {
			s.mb.loop.flushGathered() // what this turn gathered is not activity to come
		}
		s.out.act.settle(s, handled)
	}()
	switch m := byPointer(msg).(type) {
	case *actor.Started:
		s.started(ctx)
	case *actor.Stopping:
		s.abort(ctx)
	case *actor.Terminated:
		if s.owner != nil && m.Who.Equal(s.owner) {
			s.fail(ctx, opError("owner", s, ErrOwnerStopped))
		}
	case *messages.Connect:
		s.connect(ctx, m)
	case *messages.CancelConnect:
		s.cancelConnect(ctx, m)
	case *messages.Write:
		s.write(ctx, m.Data, m.Token, m.Lease)
	case *messages.End:
		s.end(ctx, m.Data)
	case *messages.Destroy:
		if m.Err != nil {
			s.fail(ctx, m.Err)
		} else {
			s.destroy(ctx)
		}
	case *messages.Pause:
		s.pause()
	case *messages.Resume:
		s.resume(ctx)
	case *messages.Flow:
		s.flow(ctx)
	case *messages.Cork:
		s.out.Cork()
	case *messages.Uncork:
		if s.out.Uncork() {
			s.pump(ctx, 0)
		}
	case *bufferBack:
		s.returnBuffer()
	case *messages.SetTimeout:
		s.timer.set(s, m.Timeout)
	case *messages.SetKeepAlive:
		s.keepAlive = m
		s.applyOptions()
	case *messages.SetNoDelay:
		s.noDelay = &m.NoDelay
		s.applyOptions()
	case *messages.Register:
		s.register(ctx, m.Owner)
	case *release, *messages.Start:
		s.release(ctx)
	case *writeKick:
		s.timer.activity(s)
		s.pump(ctx, 0)
	case *messages.Inspect:
		ctx.Respond(s.info())
	case *lookupDone:
		s.lookedUp(ctx, m)
	case *dialDone:
		s.dialled(ctx, m)
	case *handshakeDone:
		s.handshaken(ctx, m)
	case *handshakeTimedOut:
		s.handshakeTimeout(ctx)
	case *readDone:
		s.readDone(ctx, m)
	case *flushDone:
		s.flushed(ctx, m)
	case *idleTick:
		s.timer.tick(ctx, s)
	case *autoEnd:
		s.end(ctx, nil)
	case *messages.EndEvent: // the owner's automatic answer to our EndEvent: it handled it
		if m.Socket.Equal(s.self) {
			s.end(ctx, nil)
		}
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		s.cfg.Logger.Warn("actornet: a socket got a message it does not handle", "socket", s.self,
			"type", fmt.Sprintf("%T", m))
	}
}

func (s *socket) started(ctx actor.Context) {
	s.self, s.sys = ctx.Self(), ctx.ActorSystem()
	releaseDeadLeases(s.sys)
	if s.owner != nil {
		ctx.Watch(s.owner)
	}
	switch {
	case s.cfg.Paused:
		s.rd.flow = flowOff
	case s.cfg.AwaitConsumer:
		s.rd.flow = flowNull
	}
	if s.conn != nil { // accepted
		s.opened(ctx, s.conn)
		if s.secure == nil { // a TLS socket's handshake waits for its release, as reads do
			s.secured(ctx)
		}
	}
}

// emit delivers an event to the handler or the owner, or keeps it while the socket is held.
func (s *socket) emit(ctx actor.Context, ev any) {
	switch {
	case s.held:
		s.heldEvents = append(s.heldEvents, ev)
	case s.handler != nil:
		s.handler(ev)
		// The callback's writes go out as it returns (a later callback of this turn may
		// block), and before the turn settles the socket's activity.
		s.mb.loop.flushGathered()
	case s.owner != nil:
		ctx.Send(s.owner, ev)
	}
}

func (s *socket) register(ctx actor.Context, owner *actor.PID) {
	if s.owner != nil {
		ctx.Unwatch(s.owner)
	}
	s.owner, s.handler = owner, nil
	if owner != nil {
		ctx.Watch(owner)
	}
	s.release(ctx)
}

// release ends the held state of an accepted socket: what it kept is delivered, then it reads
// (a TLS socket shakes hands first).
func (s *socket) release(ctx actor.Context) {
	if !s.held {
		return
	}
	s.held = false
	evs := s.heldEvents
	s.heldEvents = nil
	for _, ev := range evs {
		s.emit(ctx, ev)
	}
	// A TLS socket's handshake starts only now, after its ConnectionEvent: one that failed at
	// once (a plain client on a TLS port) would otherwise close the socket, and tell its owner,
	// before the owner had heard of it.
	if s.secure != nil && s.secure.conn == nil && s.state == StateOpen {
		s.secured(ctx)
		return
	}
	s.startReader()
}

// fail reports err and closes the socket: ErrorEvent, then CloseEvent{HadError: true}.
func (s *socket) fail(ctx actor.Context, err error) {
	if s.state >= StateClosing {
		return
	}
	s.hadError = true
	s.emit(ctx, &messages.ErrorEvent{Socket: s.self, Err: err})
	s.closeNow(ctx, true)
}

// destroy closes the socket at once, dropping queued writes: CloseEvent{HadError: false}.
func (s *socket) destroy(ctx actor.Context) {
	if s.state >= StateClosing {
		return
	}
	s.closeNow(ctx, false)
}

// closeNow closes the descriptor and everything that waits on it. CloseEvent follows once the
// goroutines that used the descriptor have exited. An abortive close (a failure, or the tree
// stopping the socket) of a socket that still had writes queued resets the connection, so
// that its peer cannot mistake the cut stream for a whole one; a Destroy closes it with a
// FIN, as Node's destroy() does.
func (s *socket) closeNow(ctx actor.Context, abortive bool) {
	s.state.to(StateClosing)
	s.timer.stop()
	if s.cancelDial != nil {
		s.cancelDial()
	}
	if s.conn != nil {
		// Writes gathered in this turn, before the close: Node had handed them over already.
		s.out.flushGatheredNow()
		if abortive && s.out.queuedNow() > 0 {
			_ = s.conn.SetLinger(0)
		}
		_ = s.conn.Close()
	}
	s.unpark()
	if s.rd.credit != nil {
		s.rd.credit.close()
	}
	s.dropAll(ctx)
	s.rd.pending = nil
	s.maybeClosed(ctx)
}

func (s *socket) maybeClosed(ctx actor.Context) {
	if s.state != StateClosing || s.goroutines > 0 {
		return
	}
	s.state.to(StateClosed)
	// The commands waiting in the mailbox come before CloseEvent: their Writes get their
	// WrittenEvent (failed) first. One that comes later reaches no one (protoactor drops
	// what a stopped actor's mailbox holds, and a dead PID's messages are dead letters): at
	// CloseEvent, a Write not settled yet never will be. Its lease is released all the same.
	if s.mb != nil {
		for _, msg := range s.mb.closeUser(s.lateCommand) {
			s.closingCommand(ctx, msg)
		}
	}
	s.sendClose(ctx)
	ctx.Stop(s.self)
}

// closingCommand handles a command found waiting as the socket closes: a Write fails, with
// its WrittenEvent, an Inspect is answered, and nothing else has anything to do.
func (s *socket) closingCommand(ctx actor.Context, raw any) {
	_, msg, sender := actor.UnwrapEnvelope(raw)
	cmd, wrapped := msg.(*command)
	if wrapped {
		msg = cmd.msg
	}
	switch m := msg.(type) {
	case *messages.Write:
		s.write(ctx, m.Data, m.Token, m.Lease)
	case *messages.Inspect:
		if sender != nil {
			ctx.Send(sender, s.info())
		}
	}
	if wrapped {
		s.out.act.settle(s, true)
	}
}

// deadLeases has the actor systems whose dead letters give back the leases of Writes.
var deadLeases sync.Map // weak.Pointer[actor.ActorSystem] -> struct{}

// lastDeadLeases is the system releaseDeadLeases saw last, weakly: a system that was shut
// down and dropped is not kept.
var lastDeadLeases atomic.Pointer[weak.Pointer[actor.ActorSystem]]

// releaseDeadLeases makes sys's dead letters (Writes sent to a socket that closed, after its
// actor was gone) give back the leases they carry, once per system: the lent buffer of the
// socket that read the data can then be read into again.
func releaseDeadLeases(sys *actor.ActorSystem) {
	if last := lastDeadLeases.Load(); last != nil && last.Value() == sys { // the common case
		return
	}
	w := weak.Make(sys)
	defer lastDeadLeases.Store(&w)
	if _, done := deadLeases.LoadOrStore(w, struct{}{}); done {
		return
	}
	runtime.AddCleanup(sys, func(w weak.Pointer[actor.ActorSystem]) { deadLeases.Delete(w) }, w)
	sys.EventStream.Subscribe(func(ev any) {
		if dl, ok := ev.(*actor.DeadLetterEvent); ok {
			if w, ok := dl.Message.(*messages.Write); ok {
				w.Lease.Release()
			}
		}
	})
}

// lateCommand takes a command that came after CloseEvent: a Write's lease is released, an
// Inspect is answered (the closed socket's last state), and a wrapped command no longer
// counts as activity to come. It runs on the socket's loop, after the actor's last turn.
func (s *socket) lateCommand(raw any) {
	_, msg, sender := actor.UnwrapEnvelope(raw)
	cmd, wrapped := msg.(*command)
	if wrapped {
		msg = cmd.msg
	}
	switch m := msg.(type) {
	case *messages.Write:
		m.Lease.Release()
	case *messages.Inspect:
		if sender != nil {
			s.sys.Root.Send(sender, s.info())
		}
	}
	if wrapped {
		s.out.act.settle(s, true)
	}
}

func (s *socket) sendClose(ctx actor.Context) {
	if s.closeSent {
		return
	}
	s.closeSent = true
	if s.held { // a held socket's end still reaches its owner, and what it kept before
		s.held = false
		for _, ev := range s.heldEvents {
			s.emit(ctx, ev)
		}
		s.heldEvents = nil
	}
	s.emit(ctx, &messages.CloseEvent{Socket: s.self, HadError: s.hadError})
}

// abort runs when the tree stops the socket from outside (its server or the tree stopping).
func (s *socket) abort(ctx actor.Context) {
	if s.state < StateClosing {
		s.closeNow(ctx, true)
	}
	if s.state == StateClosing { // goroutines still running: they will find a closed descriptor
		s.state.to(StateClosed)
		s.sendClose(ctx)
	}
}

// recovered turns a panic into ErrorEvent and CloseEvent. A panic raised while closing, in the
// owner's close handler say, only makes sure the actor stops.
func (s *socket) recovered(ctx actor.Context, pe *supervisor.PanicError) {
	s.cfg.Logger.Warn("actornet: panic in socket", "socket", s.self, "panic", pe.Value)
	if s.state >= StateClosing || s.closeSent {
		s.closeSent = true
		if s.state == StateClosing {
			s.state.to(StateClosed)
		}
		ctx.Stop(s.self)
		return
	}
	defer func() {
		if r := recover(); r != nil { // the handler panicked again while told of the first
			s.closeSent = true
			ctx.Stop(s.self)
		}
	}()
	s.fail(ctx, pe)
}

// bothDone closes the socket once our FIN is out and the peer's end was delivered.
func (s *socket) bothDone(ctx actor.Context) {
	if s.rd.state == readEnded && s.state == StateOpen && s.out.stateNow() == writeFinished {
		s.pump(ctx, 0) // a write refused meanwhile (in an 'end' listener) fails the socket first
		if s.state == StateOpen {
			s.closeNow(ctx, false)
		}
	}
}

func (s *socket) info() *messages.SocketInfo {
	st := s.state.String()
	if s.state == StateOpen {
		writing := s.out.stateNow() == writeOpen
		switch {
		case s.rd.flow == flowOff:
			st = "paused"
		case !writing && s.rd.state != readEnded:
			st = "half-closed"
		case s.rd.state == readEnded && writing:
			st = "read-ended"
		}
	}
	info := &messages.SocketInfo{PID: s.self, State: st, Local: s.local, Remote: s.remote,
		BytesRead: s.bytesRead, BytesWritten: s.out.writtenBytes()}
	s.exactState(info) // observe.go
	if s.state == StateOpen {
		_ = s.raw.Control(func(fd uintptr) {
			ka, _ := syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
			idle := 0
			if tcpKeepIdle >= 0 {
				idle, _ = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpKeepIdle)
			}
			nd, _ := syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
			info.KeepAlive, info.KeepAliveIdle, info.NoDelay = ka != 0, time.Duration(idle)*time.Second, nd != 0
		})
	}
	return info
}

// opError wraps err the way package net does, naming the operation and the socket's addresses.
func opError(op string, s *socket, err error) error {
	oe := &net.OpError{Op: op, Net: "tcp", Err: err}
	if s.conn != nil { // its addresses as package net keeps them
		oe.Source, oe.Addr = s.conn.LocalAddr(), s.conn.RemoteAddr()
		return oe
	}
	if !s.remote.IsZero() {
		oe.Addr = &net.TCPAddr{IP: net.ParseIP(s.remote.Address), Port: s.remote.Port}
	}
	if !s.local.IsZero() {
		oe.Source = &net.TCPAddr{IP: net.ParseIP(s.local.Address), Port: s.local.Port}
	}
	return oe
}
