package netapi

import (
	"crypto/tls"
	"errors"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// ServerOptions configures a server made by [Runtime.CreateServer]. The zero value is Node's
// default.
type ServerOptions struct {
	// AllowHalfOpen is given to every accepted socket (see SocketOptions).
	AllowHalfOpen bool
	// MaxConnections closes connections accepted beyond this many open ones at once
	// (Node's server.maxConnections). 0 means no limit.
	MaxConnections int
	// HighWaterMark is given to every accepted socket (see SocketOptions).
	HighWaterMark int
	// ReuseReadBuffer is given to every accepted socket (see SocketOptions): an echo or a
	// proxy that writes what it reads from its 'data' listener then allocates nothing per read.
	ReuseReadBuffer bool
	// Framing is given to every accepted socket (see SocketOptions): a request/response
	// server's 'data' listener then gets one request at a time.
	Framing *Framing
}

// ListenOptions says where to listen. Port 0 picks a free port; Host "" means every address;
// Backlog is accepted for Node's sake and ignored: Go's listen(2) uses the system's maximum.
type ListenOptions struct {
	Port    int
	Host    string
	Backlog int
}

// Server is a TCP server with Node's net.Server API. Its methods are safe for concurrent use
// and never block on the network. Its callbacks run one at a time, in event order; an
// accepted socket delivers nothing before the 'connection' listeners have returned.
type Server struct {
	rt   *Runtime
	opts ServerOptions
	pid  *actor.PID
	loop *actors.Loop // where the server's actor, and so its callbacks, run

	accepting *Socket // the socket being accepted; used inside the actor only
	tls       bool    // a TLS server (CreateTLSServer)
	tlsErr    error   // its TLSOptions could not be used: Listen fails with it

	mu        sync.Mutex    // guards what follows; never held while a callback runs
	closedSig chan struct{} // closed once the server is closed, for Runtime.Shutdown
	addr      Addr
	listening bool
	armed     bool // between Listen and 'close' (or a failed Listen)
	unref     bool
	closing   bool                  // Close was called and 'close' has not come yet
	conns     int                   // accepted sockets not closed yet
	busyConns int                   // those of them that are active (see Socket.activity)
	held      bool                  // the Runtime.Wait count this server holds: see syncRefLocked
	listens   int                   // Listen calls: a 'close' listener that listens again keeps it open
	closes    map[uint64]*closeCall // Close calls not answered by 'close' yet, by Token
	nextToken uint64
	ls        serverListeners
}

// closeCall is one Close call: its callback runs at the 'close' event that answers it (Node's
// once('close', cb)), with err set if the server was not running.
type closeCall struct {
	err error
	cb  func(error)
}

type serverListeners struct {
	listening, close listeners[func()]
	connection       listeners[func(*Socket)]
	err              listeners[func(error)]
	secureConnection listeners[func(*Socket)]
	tlsClientError   listeners[func(error, *Socket)]
}

// CreateServer makes a server; onConnection, if not nil, is added as a 'connection' listener.
// Call Listen to start it.
func (rt *Runtime) CreateServer(opts ServerOptions, onConnection func(*Socket)) *Server {
	return rt.createServer(opts, onConnection, nil, 0)
}

// createServer makes a server whose accepted sockets speak TLS with tlsCfg, if not nil, each
// handshake bounded by handshake (0: none).
func (rt *Runtime) createServer(opts ServerOptions, onConnection func(*Socket), tlsCfg *tls.Config,
	handshake time.Duration) *Server {
	s := &Server{rt: rt, opts: opts, loop: rt.loopForNew(), closedSig: make(chan struct{}), tls: tlsCfg != nil}
	close(s.closedSig) // not listening
	s.OnConnection(onConnection)
	if rt.isClosed() {
		return s
	}
	pid, err := actors.SpawnServer(rt.tree, actors.ServerConfig{
		Handler:        s.handle,
		HoldAccepted:   true, // until its 'connection' listeners ran, on its own loop
		MaxConnections: max(opts.MaxConnections, 0),
		Socket: actors.SocketConfig{AllowHalfOpen: opts.AllowHalfOpen, AwaitConsumer: true,
			LendReads: opts.ReuseReadBuffer, Logger: rt.logger, TLS: tlsCfg, Framing: opts.Framing,
			HandshakeTimeout: handshake},
		Loop:          s.loop,
		PrepareSocket: s.prepare,
		Logger:        rt.logger,
		Resolver:      rt.resolver,
	})
	if err != nil {
		return s
	}
	s.pid = pid
	return s
}

// Listen starts accepting connections; onListening, if not nil, is added as a once
// 'listening' listener. A failure (EADDRINUSE, a port outside 0..65535 wrapping
// ErrInvalidPort, ErrServerAlreadyListening ...) is an 'error' event and leaves the server
// free to Listen again.
func (s *Server) Listen(opts ListenOptions, onListening func()) *Server {
	if s.pid == nil || !s.rt.trackServer(s, true) { // the runtime is shut down
		s.rt.post(s.loop, func() {
			s.process(&messages.ServerErrorEvent{Server: s.pid, Err: ErrRuntimeClosed})
		})
		return s
	}
	if s.tlsErr != nil { // nothing to serve TLS with
		s.rt.trackServer(s, false)
		s.rt.post(s.loop, func() { s.process(&messages.ServerErrorEvent{Server: s.pid, Err: s.tlsErr}) })
		return s
	}
	s.mu.Lock()
	if onListening != nil {
		s.ls.listening.add(onListening, true)
	}
	s.listens++
	if isClosed(s.closedSig) { // Shutdown waits for this listen to end
		s.closedSig = make(chan struct{})
	}
	s.armed, s.closing = true, false
	s.syncRefLocked()
	s.mu.Unlock()
	s.send(&messages.Listen{Port: opts.Port, Host: opts.Host, Backlog: opts.Backlog})
	return s
}

// ListenPort is Listen(ListenOptions{Port: port, Host: host, Backlog: backlog}, onListening).
func (s *Server) ListenPort(port int, host string, backlog int, onListening func()) *Server {
	return s.Listen(ListenOptions{Port: port, Host: host, Backlog: backlog}, onListening)
}

// Close stops accepting at once; 'close' follows once every accepted socket has closed.
// onClose, if not nil, is added as a once 'close' listener and gets nil, or an error wrapping
// ErrServerNotRunning if the server was not listening when Close was called ('close' is
// emitted all the same, as in Node).
func (s *Server) Close(onClose func(err error)) *Server {
	if s.pid == nil || s.rt.isClosed() { // the runtime was shut down: nothing listens
		if onClose != nil {
			s.rt.post(s.loop, func() { onClose(ErrServerNotRunning) })
		}
		return s
	}
	s.mu.Lock()
	s.nextToken++
	token := s.nextToken
	if s.closes == nil {
		s.closes = map[uint64]*closeCall{}
	}
	s.closes[token] = &closeCall{cb: onClose}
	s.closing = true
	s.syncRefLocked() // a Close is answered by a 'close' event, and Wait waits for it
	s.mu.Unlock()
	s.send(&messages.Close{Token: token})
	return s
}

// shutdown closes the server for Runtime.Shutdown: its actor answers with 'close' once it
// stopped listening (after a Listen still in flight) and its sockets closed, or at once.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.closing = true
	s.syncRefLocked()
	s.mu.Unlock()
	s.send(&messages.Close{})
}

// Address is where the server listens; zero until 'listening' and after 'close'.
func (s *Server) Address() Addr { s.mu.Lock(); defer s.mu.Unlock(); return s.addr }

// Listening reports whether the server accepts connections.
func (s *Server) Listening() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.listening }

// PID is the server actor.
func (s *Server) PID() *actor.PID { return s.pid }

// Ref makes the server count for Runtime.Wait again after Unref.
func (s *Server) Ref() *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unref = false
	s.syncRefLocked()
	return s
}

// Unref lets Runtime.Wait return while this server listens.
func (s *Server) Unref() *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unref = true
	s.syncRefLocked()
	return s
}

// syncRefLocked makes the server count for Runtime.Wait as Node's loop counts its handle:
// from Listen until it stopped (unless Unref), and while a Close waits for its 'close'.
// A closing server whose open connections are all idle (see Socket.activity) counts for
// nothing: its 'close' may never come, and Node's process exits without it.
func (s *Server) syncRefLocked() {
	hold := s.armed && !s.unref || len(s.closes) > 0
	idle := s.closing && s.conns > 0 && s.busyConns == 0
	if want := hold && !idle; want != s.held {
		s.held = want
		if want {
			s.rt.ref()
		} else {
			s.rt.unref()
		}
	}
}

// connChanged accounts for an accepted socket: opened (+1 conns), closed (-1), and its
// activity (busy ±1).
func (s *Server) connChanged(conns, busy int) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.conns += conns
	s.busyConns += busy
	s.syncRefLocked()
	s.mu.Unlock()
}

// OnListening adds a listener for 'listening'.
func (s *Server) OnListening(fn func()) {
	s.add(fn != nil, func() { s.ls.listening.add(fn, false) })
}

// OnConnection adds a listener for 'connection', given each accepted socket.
func (s *Server) OnConnection(fn func(*Socket)) {
	s.add(fn != nil, func() { s.ls.connection.add(fn, false) })
}

// OnError adds a listener for 'error': Listen failed, or accepting did (EMFILE ...); the
// server is not closed by it.
func (s *Server) OnError(fn func(error)) {
	s.add(fn != nil, func() { s.ls.err.add(fn, false) })
}

// OnClose adds a listener for 'close': the server stopped and its last socket closed.
func (s *Server) OnClose(fn func()) { s.add(fn != nil, func() { s.ls.close.add(fn, false) }) }

func (s *Server) add(ok bool, fn func()) {
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

func (s *Server) send(msg any) {
	if s.pid != nil {
		s.rt.sys.Root.Send(s.pid, msg)
	}
}

func (s *Server) closedCh() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closedSig
}

// stopped ends what a Listen started once the server does not listen any more: Wait and
// Shutdown stop counting it. listens is the Listen count before the listeners ran: one
// of them that listened again keeps it counted.
func (s *Server) stopped(listens int) {
	s.mu.Lock()
	if s.listens != listens || s.listening {
		s.mu.Unlock()
		return
	}
	s.rt.trackServer(s, false) // first: once Wait returns, Shutdown has nothing to close here
	s.armed = false
	s.syncRefLocked()
	if !isClosed(s.closedSig) {
		close(s.closedSig)
	}
	s.mu.Unlock()
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// handle is the server actor's Handler: it runs inside the actor, on the server's loop.
func (s *Server) handle(ev any) {
	if ce, ok := ev.(*messages.ConnectionEvent); ok {
		sock := s.accepting
		s.accepting = nil
		sock.accepted(ce)
		s.rt.post(sock.loop, func() { s.connection(sock) })
		return
	}
	s.process(ev)
}

// prepare makes the Socket of a connection being accepted, on the next loop, and gives its
// actor this Socket's handler and write queue. It runs inside the server actor, right before
// the connection's ConnectionEvent.
func (s *Server) prepare(cfg actors.SocketConfig) actors.SocketConfig {
	sock := newSocket(s.rt, SocketOptions{AllowHalfOpen: s.opts.AllowHalfOpen,
		HighWaterMark: s.opts.HighWaterMark, ReuseReadBuffer: s.opts.ReuseReadBuffer}, s.rt.loops.Next())
	sock.out = actors.NewOutbox(int(sock.hwm))
	sock.srv = s
	if s.tls {
		sock.secure = &secureState{server: true}
	}
	s.accepting = sock
	cfg.Handler, cfg.Loop, cfg.Outbox = sock.handle, sock.loop, sock.out
	cfg.Activity = sock.activity(sock.out)
	return cfg
}

// connection runs the 'connection' listeners on the new socket's loop, as its first
// callback: a socket made in them joins that loop, so the two take turns (a proxy's sides).
// The socket delivers nothing before they have returned; a panic in one destroys it with a
// *supervisor.PanicError.
func (s *Server) connection(sock *Socket) {
	defer sock.send(sock.pid, start)
	defer func() {
		if r := recover(); r != nil {
			sock.destroyWith(supervisor.NewPanicError(r))
		}
	}()
	s.mu.Lock()
	fns := s.ls.connection.take()
	s.mu.Unlock()
	for _, fn := range fns {
		fn(sock)
	}
}

var start = &messages.Start{}

func (s *Server) process(ev any) {
	switch e := ev.(type) {
	case *messages.ListeningEvent:
		s.mu.Lock()
		s.listening, s.addr = true, e.Addr
		fns := s.ls.listening.take()
		s.mu.Unlock()
		run(fns)
	case *messages.ServerErrorEvent:
		s.mu.Lock()
		if errors.Is(e.Err, ErrServerNotRunning) { // Close's answer, not an 'error' (Node)
			tok, _ := e.Token.(uint64)
			if call := s.closes[tok]; call != nil {
				call.err = e.Err // its callback gets it at the 'close' event
			}
			s.mu.Unlock()
			return
		}
		listenFailed := !s.listening
		fns := s.ls.err.take()
		s.rt.metrics.countError(e.Err)
		addr, listens := s.addr, s.listens
		s.mu.Unlock()
		if len(fns) == 0 {
			s.rt.unheard("server error", e.Err, "address", addr.String())
		}
		for _, fn := range fns {
			fn(e.Err)
		}
		if listenFailed { // nothing keeps Wait blocked any more
			s.stopped(listens)
		}
	case *messages.ServerCloseEvent:
		s.mu.Lock()
		s.listening, s.addr = false, Addr{}
		var answered []*closeCall
		for _, t := range e.Tokens {
			tok, _ := t.(uint64)
			if call := s.closes[tok]; call != nil {
				answered = append(answered, call)
				delete(s.closes, tok)
			}
		}
		s.closing = len(s.closes) > 0
		fns := s.ls.close.take()
		listens := s.listens
		s.mu.Unlock()
		defer func() { // only now may Wait return, even if a callback panicked
			s.mu.Lock()
			s.syncRefLocked()
			s.mu.Unlock()
			s.stopped(listens)
		}()
		run(fns)
		for _, call := range answered {
			if call.cb != nil {
				call.cb(call.err)
			}
		}
	}
}

// GetConnections calls cb with the number of connections the server has open (Node's
// getConnections); it counts those still open after Close too. cb runs where callbacks run.
func (s *Server) GetConnections(cb func(err error, count int)) {
	if cb == nil {
		return
	}
	if s.pid == nil {
		s.rt.post(s.loop, func() { cb(ErrServerNotRunning, 0) })
		return
	}
	future := s.rt.sys.Root.RequestFuture(s.pid, &messages.Inspect{}, requestTimeout)
	// The answer is a pending callback: it keeps Wait waiting, as in Node.
	s.rt.hold()
	go func() {
		defer s.rt.release()
		count, err := 0, error(nil)
		res, ferr := future.Result()
		if info, ok := res.(*messages.ServerInfo); ok && ferr == nil {
			count = len(info.Connections)
		} else {
			err = ErrServerNotRunning
		}
		s.rt.post(s.loop, func() { cb(err, count) })
	}()
}

// requestTimeout bounds a question to an actor; an answer takes microseconds.
const requestTimeout = 5 * time.Second
