package actors

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// ServerState is where a server is in its life:
//
//	Idle -> [Resolving ->] Listening -> Closing -> Idle
//
// A Listen on a host name resolves it first (off the actor), an IP literal binds at once. A
// failed Listen, or a Close while resolving, leaves it Idle. A Listen while Closing makes it
// Listening again (Node's listen() after close()); the Close is then answered by the next
// ServerCloseEvent.
type ServerState int

const (
	ServerIdle      ServerState = iota // not listening (new, or closed)
	ServerResolving                    // looking up the host to listen on
	ServerListening                    // accepting
	ServerClosing                      // not accepting; waiting for its sockets to close
)

func (s ServerState) String() string {
	switch s {
	case ServerIdle:
		return "idle"
	case ServerResolving:
		return "resolving"
	case ServerListening:
		return "listening"
	case ServerClosing:
		return "closing"
	}
	return fmt.Sprintf("ServerState(%d)", int(s))
}

// release is sent by a server to a socket it holds once ConnectionEvent is out, when its
// owner does not decide where the events go (ServerConfig.HoldAccepted false).
type release struct{}

// server is the actor behind one listening TCP server. Its children are its accepted
// sockets; its listening socket and accept loop are its own ([acceptor]).
type server struct {
	cfg          ServerConfig
	self         *actor.PID
	state        ServerState
	acc          *acceptor          // nil while not listening, or while waiting to bind again
	address      string             // what a new listener binds: the host asked for, the port first bound
	gen          int                // bumped by every Listen and Close: a stale rebind or failure is ignored
	answers      []any              // tokens of the Close messages the next ServerCloseEvent answers
	closePending bool               // a Close came that no ServerCloseEvent has answered yet
	lookup       context.CancelFunc // cancels the host lookup of a Listen (Resolving)
	failures     []time.Time
	addr         messages.Addr
	conns        map[string]*actor.PID

	delivering *actor.PID // the socket whose ConnectionEvent is being handled

	// Accepted sockets are spawned from one Props, made once: its producers hand over the
	// socket made for the spawn at hand (ctx.Spawn calls them before it returns), so a
	// connection costs no Props and no closures of its own (450 bytes each). A socket is never
	// restarted, so nothing calls them later.
	acceptedProps *actor.Props
	spawning      *socket

	stats serverStats // for Inspect: observe.go
}

// spawnAccepted spawns the actor of an accepted connection under the server; each spawn gets
// its own mailbox, which the socket learns when protoactor registers it.
func (s *server) spawnAccepted(ctx actor.Context, cfg SocketConfig, conn *net.TCPConn) *actor.PID {
	if s.acceptedProps == nil {
		s.acceptedProps = actor.PropsFromProducer(func() actor.Actor { return s.spawning },
			actor.WithMailbox(func() actor.Mailbox { return newMailbox(s.spawning.cfg.Loop) }))
	}
	s.spawning = newSocket(cfg, conn, true)
	defer func() { s.spawning = nil }()
	return ctx.Spawn(s.acceptedProps)
}

func (s *server) recovered(ctx actor.Context, pe *supervisor.PanicError) {
	s.cfg.Logger.Warn("actornet: panic in server", "server", s.self, "panic", pe.Value)
	if s.delivering != nil {
		ctx.Send(s.delivering, &messages.Destroy{Err: pe})
		if !s.cfg.HoldAccepted {
			ctx.Send(s.delivering, &release{})
		}
		return
	}
	defer func() { _ = recover() }() // the handler panicked again while told of the first panic
	s.emit(ctx, &messages.ServerErrorEvent{Server: s.self, Err: pe})
}

// Receive handles one message. A panic in the server's Handler does not stop the server: when
// it happened while a connection was delivered, that socket is destroyed with the
// *supervisor.PanicError; otherwise the error is reported as a ServerErrorEvent.
func (s *server) Receive(ctx actor.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.recovered(ctx, supervisor.NewPanicError(r))
		}
	}()
	s.delivering = nil
	switch m := byPointer(ctx.Message()).(type) {
	case *actor.Started:
		s.self = ctx.Self()
		s.conns = map[string]*actor.PID{}
		if s.cfg.Owner != nil {
			ctx.Watch(s.cfg.Owner)
		}
	case *actor.Stopping:
		s.stopAccepting()
		s.cancelLookup()
	case *messages.Listen:
		s.listen(ctx, m)
	case *resolved:
		if m.gen == s.gen && s.state == ServerResolving {
			s.lookup = nil
			if m.err != nil {
				s.notListening(ctx)
				s.emit(ctx, &messages.ServerErrorEvent{Server: s.self, Err: m.err})
				return
			}
			s.bind(ctx, m.ip, m.port)
		}
	case *announce:
		if m.gen == s.gen && s.state == ServerListening {
			s.emit(ctx, &messages.ListeningEvent{Server: s.self, Addr: s.addr})
		}
	case *messages.Close:
		s.close(ctx, m.Token)
	case *accepted:
		if m.from.take(m.conn) {
			s.accept(ctx, m.conn)
		}
	case *acceptError:
		s.emit(ctx, &messages.ServerErrorEvent{Server: s.self, Err: &net.OpError{Op: "accept", Net: "tcp", Err: m.err}})
	case *acceptFailed:
		if m.gen == s.gen && s.state == ServerListening {
			s.listenerFailed(ctx, m.err)
		}
	case *closeCheck:
		s.maybeClosed(ctx)
	case *rebind:
		if m.gen == s.gen && s.state == ServerListening {
			s.bindAgain(ctx)
		}
	case *actor.Terminated:
		s.terminated(ctx, m.Who)
	case *messages.Inspect:
		s.inspect(ctx)
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		s.cfg.Logger.Warn("actornet: a server got a message it does not handle", "server", s.self,
			"type", fmt.Sprintf("%T", m))
	}
}

func (s *server) emit(ctx actor.Context, ev any) {
	if s.cfg.Handler != nil {
		s.cfg.Handler(ev)
	} else if s.cfg.Owner != nil {
		ctx.Send(s.cfg.Owner, ev)
	}
}

func (s *server) fail(ctx actor.Context, op string, addr string, err error) {
	oe := &net.OpError{Op: op, Net: "tcp", Err: err}
	// Only an IP literal names the address: resolving a host name here would block the actor.
	if host, port, serr := net.SplitHostPort(addr); serr == nil {
		if ip := net.ParseIP(host); ip != nil {
			p, _ := strconv.Atoi(port)
			oe.Addr = &net.TCPAddr{IP: ip, Port: p}
		}
	}
	s.emit(ctx, &messages.ServerErrorEvent{Server: s.self, Err: oe})
}

func (s *server) listen(ctx actor.Context, m *messages.Listen) {
	address := net.JoinHostPort(m.Host, strconv.Itoa(m.Port))
	if s.state == ServerListening || s.state == ServerResolving {
		s.fail(ctx, "listen", address, ErrServerAlreadyListening)
		return
	}
	if m.Port < 0 || m.Port > 65535 {
		s.fail(ctx, "listen", "", ErrInvalidPort)
		return
	}
	s.gen++ // a Listen while Closing: the old listener's rebinds and failures are stale
	if m.Host == "" || net.ParseIP(m.Host) != nil {
		s.bind(ctx, m.Host, m.Port)
		return
	}
	// A host name is looked up off the actor, as Node's dns.lookup; a Close meanwhile cancels
	// the Listen, which then never binds.
	s.state = ServerResolving
	lctx, cancel := context.WithCancel(context.Background())
	s.lookup = cancel
	sys, self, gen, res := ctx.ActorSystem(), s.self, s.gen, s.cfg.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	go func() {
		addrs, err := res.LookupIPAddr(lctx, m.Host)
		cancel()
		r := &resolved{gen: gen, port: m.Port, err: err}
		if err == nil && len(addrs) == 0 {
			r.err = &net.DNSError{Err: "no such host", Name: m.Host, IsNotFound: true}
		}
		if r.err == nil {
			r.ip = addrs[0].IP.String()
		} else {
			r.err = &net.OpError{Op: "listen", Net: "tcp", Err: r.err}
		}
		sys.Root.Send(self, r)
	}()
}

// resolved is a Listen's host lookup done: the first address (Node's dns.lookup), or err.
type resolved struct {
	gen  int
	ip   string
	port int
	err  error
}

// announce is sent by a server to itself once bound: ListeningEvent comes only if no Close
// (or Listen) came first, as Node emits 'listening' on the next tick only if still listening.
type announce struct{ gen int }

// bind listens on ip (empty: every address) and port.
func (s *server) bind(ctx actor.Context, ip string, port int) {
	ln, err := listenTCP(net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		s.notListening(ctx)
		s.emit(ctx, &messages.ServerErrorEvent{Server: s.self, Err: err})
		return
	}
	s.addr = messages.AddrOf(ln.Addr())
	// A listener bound again binds the port it got the first time, on the same address.
	s.address = net.JoinHostPort(ip, strconv.Itoa(s.addr.Port))
	s.failures = nil
	s.acc = startAcceptor(ctx.ActorSystem(), s.self, ln, s.gen)
	s.state = ServerListening
	ctx.Send(s.self, &announce{gen: s.gen})
}

func (s *server) cancelLookup() {
	if s.lookup != nil {
		s.lookup()
		s.lookup = nil
	}
}

// listenerFailed handles a listener that cannot accept any more: it is closed, and bound
// again on the same address after a backoff, within the restart budget; past it, the server
// closes (ErrListenerFailed). Accepted sockets go on either way.
func (s *server) listenerFailed(ctx actor.Context, cause error) {
	s.stopAccepting()
	budget := s.cfg.Restart.WithDefaults()
	now := time.Now()
	kept := s.failures[:0]
	for _, t := range s.failures {
		if now.Sub(t) < budget.Window {
			kept = append(kept, t)
		}
	}
	s.failures = append(kept, now)
	attempt := len(s.failures)
	if budget.MaxRestarts <= 0 || attempt > budget.MaxRestarts {
		s.cfg.Logger.Warn("actornet: listener failed, restart budget spent", "server", s.self, "err", cause)
		s.emit(ctx, &messages.ServerErrorEvent{Server: s.self, Err: fmt.Errorf("%w: %v", ErrListenerFailed, cause)})
		s.gen++
		s.state = ServerClosing
		s.maybeClosed(ctx)
		return
	}
	wait := budget.Backoff(attempt)
	s.stats.restarts++
	s.cfg.Logger.Warn("actornet: listener failed, binding again", "server", s.self, "err", cause,
		"attempt", attempt, "backoff", wait)
	s.emit(ctx, &messages.ServerErrorEvent{Server: s.self,
		Err: fmt.Errorf("actornet: listener failed (attempt %d): %w", attempt, cause)})
	sys, self, gen := ctx.ActorSystem(), s.self, s.gen
	time.AfterFunc(wait, func() { sys.Root.Send(self, &rebind{gen: gen}) })
}

// bindAgain binds the server's address after a listener failure; failing to counts as another.
func (s *server) bindAgain(ctx actor.Context) {
	ln, err := listenTCP(s.address)
	if err != nil {
		s.listenerFailed(ctx, err)
		return
	}
	s.acc = startAcceptor(ctx.ActorSystem(), s.self, ln, s.gen)
}

// stopAccepting closes the listening socket, if there is one, and waits for its loop.
func (s *server) stopAccepting() {
	if s.acc != nil {
		s.stats.refused += int64(s.acc.stop()) // accepted, and closed before the server took them
		s.acc = nil
	}
}

func (s *server) accept(ctx actor.Context, conn *net.TCPConn) {
	if s.state != ServerListening ||
		s.cfg.MaxConnections > 0 && len(s.conns) >= s.cfg.MaxConnections {
		_ = conn.Close()
		s.stats.refused++
		return
	}
	cfg := s.cfg.Socket
	if cfg.Owner == nil && cfg.Handler == nil {
		cfg.Owner = s.cfg.Owner
	}
	if s.cfg.PrepareSocket != nil {
		var err error
		if cfg, err = s.cfg.PrepareSocket(cfg).withDefaults(); err != nil {
			_ = conn.Close()
			s.emit(ctx, &messages.ServerErrorEvent{Server: s.self, Err: err})
			return
		}
	}
	pid := s.spawnAccepted(ctx, cfg, conn)
	s.stats.accepted++
	s.conns[pid.Id] = pid
	ev := &messages.ConnectionEvent{Server: s.self, Socket: pid,
		Remote: messages.AddrOf(conn.RemoteAddr()), Local: messages.AddrOf(conn.LocalAddr())}
	s.delivering = pid
	s.emit(ctx, ev)
	s.delivering = nil
	if !s.cfg.HoldAccepted {
		ctx.Send(pid, &release{})
	}
}

func (s *server) close(ctx actor.Context, token any) {
	if token != nil {
		s.answers = append(s.answers, token)
	}
	s.closePending = true
	if s.state == ServerResolving { // the Listen never binds; the server was not running
		s.cancelLookup()
		s.gen++
		s.notListening(ctx)
	}
	if s.state != ServerListening {
		s.emit(ctx, &messages.ServerErrorEvent{Server: s.self, Token: token,
			Err: &net.OpError{Op: "close", Net: "tcp", Err: ErrServerNotRunning}})
		if s.state == ServerIdle {
			s.emitClose(ctx)
		}
		return
	}
	s.stopAccepting() // refuse new connections now
	s.gen++
	s.state = ServerClosing
	// The close event comes after what was sent before it was (a second Close gets its
	// error first, as in Node), even with no socket left.
	ctx.Send(s.self, &closeCheck{})
}

// closeCheck is sent by a closing server to itself to send its close event, once nothing
// queued before can change it.
type closeCheck struct{}

func (s *server) terminated(ctx actor.Context, who *actor.PID) {
	if s.cfg.Owner != nil && who.Equal(s.cfg.Owner) {
		ctx.Stop(s.self) // no server outlives its owner
		return
	}
	delete(s.conns, who.Id)
	s.maybeClosed(ctx)
}

// notListening settles a server whose Listen failed or was cancelled: Idle, or, when a Close is
// still to be answered or sockets are open (a Listen after Close), Closing again, so that
// ServerCloseEvent comes once they closed.
func (s *server) notListening(ctx actor.Context) {
	if !s.closePending && len(s.conns) == 0 {
		s.state = ServerIdle
		return
	}
	s.state = ServerClosing
	ctx.Send(s.self, &closeCheck{})
}

// maybeClosed sends ServerCloseEvent once a closing server has no socket left.
func (s *server) maybeClosed(ctx actor.Context) {
	if s.state == ServerClosing && len(s.conns) == 0 {
		s.state = ServerIdle
		s.addr = messages.Addr{}
		s.emitClose(ctx)
	}
}

// emitClose sends ServerCloseEvent, answering every Close received since the last one.
func (s *server) emitClose(ctx actor.Context) {
	s.closePending = false
	ev := &messages.ServerCloseEvent{Server: s.self, Tokens: s.answers}
	s.answers = nil
	s.emit(ctx, ev)
}

func (s *server) inspect(ctx actor.Context) {
	info := &messages.ServerInfo{PID: s.self, State: s.state.String(), Addr: s.addr}
	s.stats.fill(info)
	for _, pid := range s.conns {
		info.Connections = append(info.Connections, pid)
	}
	ctx.Respond(info)
}
