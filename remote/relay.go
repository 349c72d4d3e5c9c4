package remote

import (
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/remote/wire"
	"github.com/actornet/actornet/supervisor"
)

// socketRelay owns a socket on the socket's node for an owner's proxy on another node: it
// turns the socket's events into wire messages to the proxy and the proxy's wire commands
// into the socket's, and it is where flow control across the wire lives.
//
// Reads: at most window DataEvents are on their way to the owner, not yet credited (the
// proxy sends Credit once its owner consumed them); with the window full the relay pauses
// its socket, so TCP holds the peer back. The owner's own Pause/Resume combine with it: the
// socket reads only while neither holds it. Writes: each Write carries an id and its
// WrittenEvent goes back, so the proxy knows what is in flight (see socketProxy).
//
// Everything the relay says to its proxy goes over a link (see link.go), once the proxy's
// first frame arrived on it (bound); what the socket says before waits for that.
//
// The relay watches the proxy: when it stops, or its node or the link is lost, the relay
// stops and the socket, whose owner it is, is destroyed. It stops itself after the socket's
// CloseEvent.
type socketRelay struct {
	tree     *supervisor.Tree
	opts     *wire.SocketOptions
	owner    *actor.PID // the proxy; nil for an accepted socket not yet registered
	socket   *actor.PID
	loop     *actors.Loop // the socket's and the relay's
	accepted bool
	linkAddr string      // where this node takes links, for Attached
	profile  Profile     // the socket's TLS and framing
	link     *link       // to the proxy, once bound
	peer     string      // the proxy's id on its node
	early    []heldEvent // what the socket said before the link was bound

	window       int
	inflight     int  // DataEvents sent and not credited
	userPaused   bool // the owner's Pause, until its Resume
	socketPaused bool // what the socket was last told
	inspects     []uint64
	closed       bool
	logger       *slog.Logger
}

func newSocketRelay(tree *supervisor.Tree, owner *actor.PID, o *wire.SocketOptions, accepted bool) *socketRelay {
	r := &socketRelay{tree: tree, opts: o, owner: owner, accepted: accepted, window: DefaultWindow,
		logger: slog.Default()}
	if o != nil {
		if o.Window > 0 {
			r.window = int(o.Window)
		}
		r.userPaused, r.socketPaused = o.Paused, o.Paused
	}
	return r
}

func (r *socketRelay) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		r.logger = ctx.Logger()
		if r.accepted {
			return // the server relay's bind, then the proxy's Register come next
		}
		ctx.Watch(r.owner)
		pid, err := actors.SpawnSocket(r.tree, socketConfig(r.opts, r.profile, ctx.Self(), r.loop, nil))
		if err != nil {
			ctx.Send(r.owner, &wire.Attached{Err: encodeErr(fmt.Errorf("%w: %v", ErrSpawnFailed, err))})
			ctx.Stop(ctx.Self())
			return
		}
		r.socket = pid
		ctx.Send(r.owner, &wire.Attached{Relay: pidToWire(ctx.Self()), Link: r.linkAddr})
	case *actor.Stopped:
		if r.link != nil {
			if !r.closed { // stopped before its socket closed: its node stops, or it failed
				r.send(ctx, &wire.ErrorEvent{Err: encodeErr(ErrNodeLost)})
				r.send(ctx, &wire.CloseEvent{HadError: true})
			}
			r.link.done(ctx.Self())
		}
		for _, e := range r.early {
			e.lease.Release()
		}
	case *actor.Terminated:
		if r.owner != nil && m.Who.Equal(r.owner) {
			ctx.Stop(ctx.Self()) // the socket sees its owner stop and is destroyed
		}
	case bound:
		if r.link != nil || !m.l.use(ctx.Self()) {
			return
		}
		r.link, r.peer = m.l, m.peer
		early := r.early
		r.early = nil
		for _, e := range early {
			if e.m != nil {
				r.send(ctx, e.m)
			} else {
				r.sendData(e.data, e.lease)
			}
		}
		if r.closed {
			ctx.Stop(ctx.Self())
		}
	case linkLost:
		if m.l == r.link {
			ctx.Stop(ctx.Self())
		}
	case bind:
		r.socket = m.socket
	case *wire.Register:
		if r.owner == nil && m.Owner != nil { // an accepted socket's proxy is ready
			r.owner = pidFromWire(m.Owner)
			ctx.Watch(r.owner)
			ctx.Send(r.socket, &messages.Start{})
		}
	case *wire.Credit:
		r.inflight -= int(m.N)
		r.apply(ctx)
	case *wire.Pause:
		r.userPaused = true
		r.apply(ctx)
	case *wire.Resume:
		r.userPaused = false
		r.socketPaused = false // Resume also ends the wait for a consumer
		ctx.Send(r.socket, &messages.Resume{})
		r.apply(ctx)
	case *wire.Inspect:
		r.inspects = append(r.inspects, m.Id)
		ctx.Request(r.socket, &messages.Inspect{})
	case *messages.SocketInfo:
		if len(r.inspects) > 0 {
			w, _ := encodeEvent(m)
			w.(*wire.SocketInfo).Id = r.inspects[0]
			r.inspects = r.inspects[1:]
			r.send(ctx, w)
		}
	case *messages.DataEvent:
		r.sendData(m.Data, m.Lease)
		r.inflight++
		r.apply(ctx)
	case linkWrite:
		buf := m.buf
		ctx.Send(r.socket, &messages.Write{Data: m.data, Token: idToken(m.id),
			Lease: messages.NewLease(func() { putFrameBuffer(buf) }).Lend()})
	case *messages.FullEvent, *messages.DrainEvent:
		// The proxy says Full and Drain from what it has in flight, this queue included.
	case *messages.CloseEvent:
		w, _ := encodeEvent(m)
		r.send(ctx, w)
		r.closed = true
		if r.link != nil || r.owner == nil {
			ctx.Stop(ctx.Self())
		} // else it stops once bound, having said it all
	case proto.Message:
		if c, ok := decodeCommand(m); ok {
			ctx.Send(r.socket, c)
			return
		}
		r.logger.Warn("remote: relay got a message it does not know", slog.String("type", typeName(m)))
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		if w, ok := encodeEvent(m); ok {
			r.send(ctx, w)
		}
	}
}

// heldEvent is an event the socket said before the link was bound: a message, or data and
// its lease.
type heldEvent struct {
	m     proto.Message
	data  []byte
	lease *messages.Lease
}

// send sends an event to the proxy over the link, or keeps it until the link is bound.
func (r *socketRelay) send(_ actor.Context, m proto.Message) {
	if r.link == nil {
		r.early = append(r.early, heldEvent{m: m})
		return
	}
	sendFailed(r.logger, "relay", r.link.send(r.peer, m))
}

// sendData sends a DataEvent's data, which lies in the socket's lent read buffer: the link
// releases lease once it wrote it, and the socket reads again.
func (r *socketRelay) sendData(data []byte, lease *messages.Lease) {
	if r.link == nil {
		r.early = append(r.early, heldEvent{data: data, lease: lease})
		return
	}
	sendFailed(r.logger, "relay", r.link.sendData(r.peer, data, lease))
}

// apply tells the socket to pause or resume when the reasons to hold it changed.
func (r *socketRelay) apply(ctx actor.Context) {
	hold := r.userPaused || r.inflight >= r.window
	if hold == r.socketPaused || r.closed {
		return
	}
	r.socketPaused = hold
	if hold {
		ctx.Send(r.socket, &messages.Pause{})
	} else {
		ctx.Send(r.socket, &messages.Resume{})
	}
}

// serverRelay owns a server on its node for an owner's proxy on another node. Each accepted
// socket gets a socketRelay on its loop, its owner, and is held until its proxy exists: the
// server relay sends the ConnectionEvent with the relay's PID, and the relay starts the
// socket at its proxy's Register. When the server relay stops, the server stops and its
// sockets with it, and their relays after their CloseEvent.
type serverRelay struct {
	tree     *supervisor.Tree
	owner    *actor.PID
	opts     *wire.SpawnServer
	server   *actor.PID
	relays   map[string]*actor.PID // accepted socket's id -> its relay
	next     []*actor.PID          // relays prepared for the next ConnectionEvents
	inspects []uint64
	logger   *slog.Logger
	stop     actor.SupervisorStrategy // for the accepted sockets' relays, spawned at the root
	linkAddr string                   // where this node takes links, for Attached
	profile  Profile                  // the accepted sockets' TLS and framing
}

func (r *serverRelay) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		ctx.Watch(r.owner)
		r.relays = map[string]*actor.PID{}
		root, self, opts := ctx.ActorSystem().Root, ctx.Self(), r.opts.Socket
		pid, err := actors.SpawnServer(r.tree, actors.ServerConfig{Owner: ctx.Self(),
			Socket:       socketConfig(r.opts.Socket, r.profile, nil, nil, nil),
			HoldAccepted: true, MaxConnections: int(r.opts.MaxConnections),
			// Each accepted socket gets a loop and a relay on it, its owner from the start;
			// the relay's PID reaches this server relay just before the ConnectionEvent
			// (both are sent by the server, in this order).
			PrepareSocket: func(cfg actors.SocketConfig) actors.SocketConfig {
				cfg.Loop = actors.NewLoop()
				cfg.Owner = root.Spawn(actor.PropsFromProducer(func() actor.Actor {
					return newSocketRelay(r.tree, nil, opts, true)
				}, actor.WithMailbox(cfg.Loop.Mailbox()), actor.WithGuardian(r.stop)))
				root.Send(self, prepared{relay: cfg.Owner})
				return cfg
			}})
		if err != nil {
			ctx.Send(r.owner, &wire.Attached{Err: encodeErr(fmt.Errorf("%w: %v", ErrSpawnFailed, err))})
			ctx.Stop(ctx.Self())
			return
		}
		r.server = pid
		ctx.Send(r.owner, &wire.Attached{Relay: pidToWire(ctx.Self()), Link: r.linkAddr})
	case *actor.Stopping:
		if r.server != nil {
			ctx.Stop(r.server) // and its accepted sockets, its children, with it
		}
	case *actor.Terminated:
		if m.Who.Equal(r.owner) {
			ctx.Stop(ctx.Self())
			return
		}
		for id, relay := range r.relays { // an accepted socket's relay stopped
			if relay.Equal(m.Who) {
				delete(r.relays, id)
			}
		}
	case prepared:
		r.next = append(r.next, m.relay)
	case *messages.ConnectionEvent:
		if len(r.next) == 0 {
			r.logger.Error("remote: an accepted socket without its relay")
			ctx.Send(m.Socket, &messages.Destroy{})
			return
		}
		relay := r.next[0]
		r.next = r.next[1:]
		ctx.Watch(relay)
		ctx.Send(relay, bind{socket: m.Socket})
		r.relays[m.Socket.Id] = relay
		ctx.Send(r.owner, &wire.ConnectionEvent{Socket: pidToWire(relay),
			Remote: addrToWire(m.Remote), Local: addrToWire(m.Local)})
	case *wire.Inspect:
		r.inspects = append(r.inspects, m.Id)
		ctx.Request(r.server, &messages.Inspect{})
	case *messages.ServerInfo:
		if len(r.inspects) == 0 {
			return
		}
		info := *m
		info.Connections = nil
		for _, c := range m.Connections {
			if relay, ok := r.relays[c.Id]; ok {
				info.Connections = append(info.Connections, relay)
			}
		}
		w, _ := encodeEvent(&info)
		w.(*wire.ServerInfo).Id = r.inspects[0]
		r.inspects = r.inspects[1:]
		ctx.Send(r.owner, w)
	case *messages.CloseEvent:
		delete(r.relays, m.Socket.Id) // a held socket that closed before its Register
	case proto.Message:
		if c, ok := decodeCommand(m); ok {
			ctx.Send(r.server, c)
			return
		}
		r.logger.Warn("remote: server relay got a message it does not know", slog.String("type", typeName(m)))
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		if w, ok := encodeEvent(m); ok {
			ctx.Send(r.owner, w)
		}
	}
}

// prepared is what a server's PrepareSocket sends its server relay: the relay of the
// socket whose ConnectionEvent comes next.
type prepared struct{ relay *actor.PID }

// bind gives an accepted socket's relay its socket.
type bind struct{ socket *actor.PID }

func typeName(m any) string { return fmt.Sprintf("%T", m) }
