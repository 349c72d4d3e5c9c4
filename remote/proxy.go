package remote

import (
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/remote/wire"
)

// Client reaches the socket service of one node. It spawns local proxies: actors that stand
// for a socket or a server on that node, so that an owner written for package actors drives
// them unchanged: it sends the proxy the same commands and gets the same events, with the
// proxy's PID as their Socket or Server. A Client is safe for concurrent use.
type Client struct {
	sys     *actor.ActorSystem
	service *actor.PID
	logger  *slog.Logger
	stop    actor.SupervisorStrategy // the node's, for the proxies
	links   *links                   // the node's
}

// SocketOptions is the spawn options of a remote socket. The zero value works.
type SocketOptions struct {
	// Owner receives the socket's events and is watched: when it stops, the socket is
	// destroyed (on its node too).
	Owner *actor.PID
	// AllowHalfOpen, Paused and AwaitConsumer are those of actors.SocketConfig.
	AllowHalfOpen, Paused, AwaitConsumer bool
	// HighWaterMark is the bytes in flight (written by the owner, not yet handed to the
	// kernel on the socket's node) past which the proxy says FullEvent; DrainEvent follows
	// once none are. 0 means DefaultHighWaterMark.
	HighWaterMark int
	// ReadBufferSize bounds one read on the socket's node; 0 or more than MaxChunk means
	// MaxChunk.
	ReadBufferSize int
	// Window is how many DataEvents may be on their way to the owner, not yet consumed,
	// before the socket stops reading; 0 means DefaultWindow.
	Window int
	// Profile names settings the socket's node keeps for it (see [Profile]: TLS, framing);
	// "" is none. A name that node does not have fails the socket with ErrUnknownProfile.
	Profile string
	// LendReads gives each DataEvent a Lease, as actors.SocketConfig.LendReads does: a read
	// counts as consumed once its lease is released (or the Write it was handed on with was
	// settled), so an owner that is slow to consume holds the TCP peer back. When false, a
	// read counts as consumed once it is in the owner's mailbox: the owner must Pause to
	// hold the peer back.
	LendReads bool
}

// ServerOptions is the spawn options of a remote server. The zero value works.
type ServerOptions struct {
	// Owner receives the server's events and, until a Register, those of its sockets.
	Owner *actor.PID
	// Socket is the options of each accepted socket; its Owner is ignored.
	Socket SocketOptions
	// HoldAccepted and MaxConnections are those of actors.ServerConfig.
	HoldAccepted   bool
	MaxConnections int
}

func (o SocketOptions) wire() *wire.SocketOptions {
	return &wire.SocketOptions{AllowHalfOpen: o.AllowHalfOpen, HighWaterMark: int32(o.HighWaterMark),
		ReadBufferSize: int32(o.ReadBufferSize), Paused: o.Paused, AwaitConsumer: o.AwaitConsumer,
		Window: uint32(o.Window), Profile: o.Profile}
}

// SpawnSocket spawns a proxy for a new client socket on the client's node. It returns at
// once: the socket is asked for in the background, and commands sent to the proxy
// meanwhile wait for it. Send it a messages.Connect. If the node cannot be reached or is
// lost, the owner gets an ErrorEvent with ErrNodeLost and a CloseEvent.
func (c *Client) SpawnSocket(opts SocketOptions) *actor.PID {
	return c.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return newSocketProxy(opts, opts.Owner, c.service, nil, false, c.logger, c.links, "")
	}, actor.WithGuardian(c.stop)))
}

// SpawnServer spawns a proxy for a new server on the client's node, as SpawnSocket does.
// Send it a messages.Listen. If the node cannot be reached or is lost, the owner gets a
// ServerErrorEvent with ErrNodeLost and a ServerCloseEvent.
func (c *Client) SpawnServer(opts ServerOptions) *actor.PID {
	return c.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &serverProxy{opts: opts, owner: opts.Owner, service: c.service, logger: c.logger, stop: c.stop,
			links: c.links}
	}, actor.WithGuardian(c.stop)))
}

// envelope is a command that waits for the relay, with its sender (an Inspect's).
type envelope struct {
	msg    any
	sender *actor.PID
}

// settling is a Write in flight: its size, and what its settlement gives back.
type settling struct {
	n        int
	token    any
	hasToken bool
	lease    *messages.Lease
}

// attach is what a server proxy sends an accepted socket's proxy once its owner has the
// ConnectionEvent: from then on it may deliver events.
type attach struct{}

// credited is what a DataEvent's lease sends its proxy when released.
type credited struct{}

// socketProxy stands for a socket on another node (see Client). It converts its owner's
// commands to the wire and its relay's events back, keeps the tokens that cannot cross,
// cuts writes to MaxChunk, says FullEvent and DrainEvent from the bytes in flight, credits
// consumed reads back to the relay, and turns the loss of the relay's node into an
// ErrorEvent with ErrNodeLost and a CloseEvent. It talks to its relay over a link (see
// link.go): it asks its node for the link to the relay's node once it knows where that is,
// and its first frame on it binds the relay.
type socketProxy struct {
	opts     SocketOptions
	owner    *actor.PID
	service  *actor.PID // watched until the relay is known
	relay    *actor.PID
	held     bool       // an accepted socket waiting for Register or Start (HoldAccepted)
	ready    bool       // may register with its relay (an accepted socket's ConnectionEvent is out)
	pending  []envelope // commands sent before the link to the relay was bound
	logger   *slog.Logger
	links    *links
	linkAddr string // where the relay's node takes links
	link     *link  // to the relay, once dialed and bound

	replaying   bool // pending commands are being sent
	hwm, window int
	nextID      uint64
	writes      map[uint64]settling
	inFlight    int
	full        bool
	credits     int
	inspects    map[uint64]*actor.PID
	closed      bool
}

func newSocketProxy(opts SocketOptions, owner, service, relay *actor.PID, held bool, logger *slog.Logger,
	links *links, linkAddr string) *socketProxy {
	p := &socketProxy{opts: opts, owner: owner, service: service, relay: relay, held: held,
		logger: logger, links: links, linkAddr: linkAddr, hwm: opts.HighWaterMark, window: opts.Window,
		writes: map[uint64]settling{}, inspects: map[uint64]*actor.PID{}}
	if p.hwm <= 0 {
		p.hwm = DefaultHighWaterMark
	}
	if p.window <= 0 {
		p.window = DefaultWindow
	}
	return p
}

func (p *socketProxy) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		if p.owner != nil {
			ctx.Watch(p.owner)
		}
		if p.relay != nil { // accepted: the relay exists, registering waits for attach
			ctx.Watch(p.relay)
			p.links.dial(p.linkAddr, ctx.Self())
			return
		}
		ctx.Watch(p.service)
		ctx.Send(p.service, &wire.SpawnSocket{Owner: pidToWire(ctx.Self()), Options: p.opts.wire()})
	case attach:
		p.ready = true
		p.register(ctx)
	case *actor.Terminated:
		switch {
		case p.owner != nil && m.Who.Equal(p.owner):
			ctx.Stop(ctx.Self()) // the relay sees it, and the socket is destroyed
		case p.link != nil && m.Who.Equal(p.relay) && m.Why != actor.TerminatedReason_AddressTerminated:
			// The relay stopped on a node that is still there: its last words (the socket's
			// CloseEvent, or what its Stopped says) come over the link, which the watch's
			// Terminated may overtake. A barrier's answer comes behind them: if the proxy
			// has not closed by then, the relay stopped without a word (barrierAck).
			if err := p.link.barrier(ctx.Self().Id); err != nil {
				p.lost(ctx)
			}
		case !p.closed:
			p.lost(ctx)
		}
	case *wire.Attached:
		if m.Err != nil {
			p.fail(ctx, decodeErr(m.Err))
			return
		}
		p.relay = pidFromWire(m.Relay)
		ctx.Watch(p.relay)
		ctx.Unwatch(p.service)
		p.links.dial(m.Link, ctx.Self())
	case linked:
		if p.closed {
			return
		}
		if m.err == nil && !m.l.use(ctx.Self()) {
			m.err = errLinkClosed
		}
		if m.err == nil {
			m.err = m.l.bind(p.relay.Id, ctx.Self().Id)
		}
		if m.err != nil {
			p.fail(ctx, fmt.Errorf("%w: %v", ErrNodeLost, m.err))
			return
		}
		p.link = m.l
		p.replaying = true
		for _, e := range p.pending {
			p.command(ctx, e.msg, e.sender)
		}
		p.replaying = false
		p.pending = nil
		p.register(ctx)
	case linkLost:
		if m.l == p.link && !p.closed {
			p.lost(ctx)
		}
	case barrierAck:
		if m.l == p.link && !p.closed {
			p.lost(ctx) // its relay stopped and said nothing more
		}
	case *actor.Stopped:
		if p.link != nil {
			p.link.done(ctx.Self())
		}
	case linkData:
		ev := &messages.DataEvent{Socket: ctx.Self(), Data: m.data}
		if p.opts.LendReads { // the buffer goes back to the link's pool, and the read is credited
			self, root, buf := ctx.Self(), ctx.ActorSystem().Root, m.buf
			ev.Lease = messages.NewLease(func() {
				putFrameBuffer(buf)
				root.Send(self, credited{})
			}).Lend()
		} else { // the owner keeps the data: its own slice, unless it fills most of the buffer
			if len(m.data) < cap(*m.buf)*3/4 {
				ev.Data = append([]byte(nil), m.data...)
				putFrameBuffer(m.buf)
			}
			p.credit(ctx)
		}
		p.deliver(ctx, ev)
	case credited:
		p.credit(ctx)
	case *wire.WrittenEvent:
		p.settle(ctx, m.Token, decodeErr(m.Err))
	case *wire.EndEvent:
		ev := &messages.EndEvent{Socket: ctx.Self()}
		switch {
		case p.opts.AllowHalfOpen:
			p.deliver(ctx, ev)
			return
		case p.owner == nil: // nobody to answer: end our side now, as a local socket does
			p.send(ctx, &wire.End{})
			return
		}
		// The owner answers by itself once it handled the event (EndEvent's auto response),
		// after the Writes it sent meanwhile: then the socket ends its side, as in Node.
		ctx.Request(p.owner, ev)
	case *messages.EndEvent: // the owner's auto response
		p.send(ctx, &wire.End{})
	case *wire.CloseEvent:
		p.drop(ctx, ErrNodeLost) // writes still in flight had their WrittenEvent already
		p.deliver(ctx, &messages.CloseEvent{Socket: ctx.Self(), HadError: m.HadError})
		p.closed = true
		ctx.Stop(ctx.Self())
	case *wire.SocketInfo:
		if to, ok := p.inspects[m.Id]; ok {
			delete(p.inspects, m.Id)
			info, _ := decodeEvent(m, ctx.Self())
			ctx.Send(to, info)
		}
	case *wire.FullEvent, *wire.DrainEvent:
		// Said from the bytes in flight instead (see settle).
	case proto.Message:
		if ev, ok := decodeEvent(m, ctx.Self()); ok {
			p.deliver(ctx, ev)
			return
		}
		p.logger.Warn("remote: socket proxy got a message it does not know", slog.String("type", typeName(m)))
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		p.command(ctx, m, ctx.Sender())
	}
}

func (p *socketProxy) deliver(ctx actor.Context, ev any) {
	if p.owner != nil {
		ctx.Send(p.owner, ev)
	}
}

// send sends a wire command to the relay, over the link.
func (p *socketProxy) send(_ actor.Context, m proto.Message) {
	if p.link == nil || p.closed {
		return
	}
	sendFailed(p.logger, "proxy", p.link.send(p.relay.Id, m))
}

// register asks the relay of an accepted socket to start delivering, once the owner has its
// ConnectionEvent and, with HoldAccepted, a Register or Start came.
func (p *socketProxy) register(ctx actor.Context) {
	if p.ready && !p.held && p.service == nil && p.link != nil {
		p.ready = false
		p.send(ctx, &wire.Register{Owner: pidToWire(ctx.Self())})
	}
}

// command handles a command of the owner (or anyone holding the proxy's PID).
func (p *socketProxy) command(ctx actor.Context, m any, sender *actor.PID) {
	switch m := m.(type) {
	case *messages.Register: // moves the events here, on this node
		if p.owner != nil {
			ctx.Unwatch(p.owner)
		}
		p.owner = m.Owner
		if p.owner != nil {
			ctx.Watch(p.owner)
		}
		p.held = false
		p.register(ctx)
		return
	case *messages.Start:
		p.held = false
		p.register(ctx)
		return
	}
	if p.link == nil {
		if !p.closed {
			p.pending = append(p.pending, envelope{m, sender})
			if w, ok := m.(*messages.Write); ok { // it counts as in flight from now on
				p.inFlight += len(w.Data)
				p.checkFull(ctx)
			}
		}
		return
	}
	switch m := m.(type) {
	case *messages.Write:
		if p.replaying {
			p.inFlight -= len(m.Data) // counted when it was held
		}
		p.write(ctx, m.Data, m.Token, m.Token != nil, m.Lease)
	case *messages.End:
		if len(m.Data) > 0 {
			p.write(ctx, m.Data, nil, false, nil)
		}
		p.send(ctx, &wire.End{})
	case *messages.Inspect:
		p.nextID++
		p.inspects[p.nextID] = sender
		p.send(ctx, &wire.Inspect{Id: p.nextID})
	default:
		if w, ok := encodeCommand(m); ok {
			p.send(ctx, w)
			return
		}
		p.logger.Warn("remote: socket proxy got a message it does not know", slog.String("type", typeName(m)))
	}
}

// write sends data in chunks of at most MaxChunk; the last carries the token and the lease.
func (p *socketProxy) write(ctx actor.Context, data []byte, token any, hasToken bool, lease *messages.Lease) {
	if p.closed {
		lease.Release()
		return
	}
	for {
		n := min(len(data), MaxChunk)
		p.nextID++
		s := settling{n: n}
		if n == len(data) {
			s.token, s.hasToken, s.lease = token, hasToken, lease
		}
		p.writes[p.nextID] = s
		p.inFlight += n
		sendFailed(p.logger, "proxy", p.link.sendWrite(p.relay.Id, p.nextID, data[:n]))
		data = data[n:]
		if len(data) == 0 {
			break
		}
	}
	p.checkFull(ctx)
}

// checkFull says FullEvent when the bytes in flight reached the high-water mark.
func (p *socketProxy) checkFull(ctx actor.Context) {
	if p.inFlight >= p.hwm && !p.full {
		p.full = true
		p.deliver(ctx, &messages.FullEvent{Socket: ctx.Self()})
	}
}

// settle ends a Write in flight: its lease is released, its token answered, and the owner
// told DrainEvent when nothing is in flight any more after a FullEvent.
func (p *socketProxy) settle(ctx actor.Context, id uint64, err error) {
	s, ok := p.writes[id]
	if !ok {
		return
	}
	delete(p.writes, id)
	p.inFlight -= s.n
	s.lease.Release()
	if s.hasToken {
		p.deliver(ctx, &messages.WrittenEvent{Socket: ctx.Self(), Token: s.token, Err: err})
	}
	if p.full && p.inFlight == 0 {
		p.full = false
		p.deliver(ctx, &messages.DrainEvent{Socket: ctx.Self()})
	}
}

// credit counts a consumed read; credits go back in batches of half the window, so a stream
// costs one Credit per few reads and the relay never waits for one it could have had.
func (p *socketProxy) credit(ctx actor.Context) {
	if p.closed {
		return
	}
	p.credits++
	if p.credits >= max(1, p.window/2) {
		p.send(ctx, &wire.Credit{N: uint32(p.credits)})
		p.credits = 0
	}
}

// drop settles every Write still in flight with err.
func (p *socketProxy) drop(ctx actor.Context, err error) {
	for id := uint64(1); id <= p.nextID && len(p.writes) > 0; id++ {
		if _, ok := p.writes[id]; ok {
			p.settle(ctx, id, err)
		}
	}
}

// lost reports the loss of the socket's node: ErrorEvent, then CloseEvent, as a local socket
// reports a failure.
func (p *socketProxy) lost(ctx actor.Context) { p.fail(ctx, ErrNodeLost) }

func (p *socketProxy) fail(ctx actor.Context, err error) {
	p.drop(ctx, err)
	for _, e := range p.pending { // Writes that never reached a relay fail as dropped ones do
		if w, ok := e.msg.(*messages.Write); ok {
			w.Lease.Release()
			if w.Token != nil {
				p.deliver(ctx, &messages.WrittenEvent{Socket: ctx.Self(), Token: w.Token, Err: err})
			}
		}
	}
	p.pending = nil
	p.deliver(ctx, &messages.ErrorEvent{Socket: ctx.Self(), Err: err})
	p.deliver(ctx, &messages.CloseEvent{Socket: ctx.Self(), HadError: true})
	p.closed = true
	ctx.Stop(ctx.Self())
}

// serverProxy stands for a server on another node, as socketProxy does for a socket. Each
// accepted socket gets a socketProxy of its own (not a child: it outlives the server's
// proxy, as an accepted socket outlives its server's close).
type serverProxy struct {
	opts     ServerOptions
	owner    *actor.PID
	service  *actor.PID
	relay    *actor.PID
	pending  []envelope
	nextID   uint64
	tokens   map[uint64]any
	inspects map[uint64]*actor.PID
	sockets  map[string]*actor.PID // relay id -> proxy, for ServerInfo
	closed   bool
	logger   *slog.Logger
	stop     actor.SupervisorStrategy
	links    *links
	linkAddr string // where the server's node takes links, for its sockets' proxies
}

func (p *serverProxy) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		p.tokens, p.inspects, p.sockets = map[uint64]any{}, map[uint64]*actor.PID{}, map[string]*actor.PID{}
		if p.owner != nil {
			ctx.Watch(p.owner)
		}
		ctx.Watch(p.service)
		ctx.Send(p.service, &wire.SpawnServer{Owner: pidToWire(ctx.Self()), Socket: p.opts.Socket.wire(),
			MaxConnections: int32(p.opts.MaxConnections)})
	case *actor.Terminated:
		switch {
		case p.owner != nil && m.Who.Equal(p.owner):
			ctx.Stop(ctx.Self())
		case !p.closed && (m.Who.Equal(p.service) || m.Who.Equal(p.relay)):
			p.fail(ctx, ErrNodeLost)
		default:
			for id, s := range p.sockets {
				if s.Equal(m.Who) {
					delete(p.sockets, id)
				}
			}
		}
	case *wire.Attached:
		if m.Err != nil {
			p.fail(ctx, decodeErr(m.Err))
			return
		}
		p.relay = pidFromWire(m.Relay)
		p.linkAddr = m.Link
		ctx.Watch(p.relay)
		ctx.Unwatch(p.service)
		for _, e := range p.pending {
			p.command(ctx, e.msg, e.sender)
		}
		p.pending = nil
	case *wire.ConnectionEvent:
		relay := pidFromWire(m.Socket)
		opts, owner, held := p.opts.Socket, p.owner, p.opts.HoldAccepted
		s := ctx.ActorSystem().Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
			return newSocketProxy(opts, owner, nil, relay, held, p.logger, p.links, p.linkAddr)
		}, actor.WithGuardian(p.stop)))
		ctx.Watch(s)
		p.sockets[relay.Id] = s
		if p.owner != nil {
			ctx.Send(p.owner, &messages.ConnectionEvent{Server: ctx.Self(), Socket: s,
				Remote: addrFromWire(m.Remote), Local: addrFromWire(m.Local)})
		}
		ctx.Send(s, attach{})
	case *wire.ServerErrorEvent:
		p.deliver(ctx, &messages.ServerErrorEvent{Server: ctx.Self(), Err: decodeErr(m.Err), Token: p.token(m.Token)})
	case *wire.ServerCloseEvent:
		ev := &messages.ServerCloseEvent{Server: ctx.Self()}
		for _, t := range m.Tokens {
			ev.Tokens = append(ev.Tokens, p.token(t))
		}
		p.deliver(ctx, ev)
	case *wire.ServerInfo:
		to, ok := p.inspects[m.Id]
		if !ok {
			return
		}
		delete(p.inspects, m.Id)
		info := &messages.ServerInfo{PID: ctx.Self(), State: m.State, Addr: addrFromWire(m.Addr)}
		for _, c := range m.Connections {
			if s, ok := p.sockets[c.Id]; ok {
				info.Connections = append(info.Connections, s)
			}
		}
		ctx.Send(to, info)
	case proto.Message:
		if ev, ok := decodeEvent(m, ctx.Self()); ok {
			p.deliver(ctx, ev)
			return
		}
		p.logger.Warn("remote: server proxy got a message it does not know", slog.String("type", typeName(m)))
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		p.command(ctx, m, ctx.Sender())
	}
}

func (p *serverProxy) deliver(ctx actor.Context, ev any) {
	if p.owner != nil {
		ctx.Send(p.owner, ev)
	}
}

// token gives back the Close token an id stood for.
func (p *serverProxy) token(id uint64) any {
	if id == 0 {
		return nil
	}
	t := p.tokens[id]
	delete(p.tokens, id)
	return t
}

func (p *serverProxy) command(ctx actor.Context, m any, sender *actor.PID) {
	if p.relay == nil {
		if !p.closed {
			p.pending = append(p.pending, envelope{m, sender})
		}
		return
	}
	switch m := m.(type) {
	case *messages.Close:
		var id uint64
		if m.Token != nil {
			p.nextID++
			id = p.nextID
			p.tokens[id] = m.Token
		}
		ctx.Send(p.relay, &wire.Close{Token: id})
	case *messages.Inspect:
		p.nextID++
		p.inspects[p.nextID] = sender
		ctx.Send(p.relay, &wire.Inspect{Id: p.nextID})
	case *messages.Register:
		if p.owner != nil {
			ctx.Unwatch(p.owner)
		}
		p.owner = m.Owner
		if p.owner != nil {
			ctx.Watch(p.owner)
		}
	default:
		if w, ok := encodeCommand(m); ok {
			ctx.Send(p.relay, w)
			return
		}
		p.logger.Warn("remote: server proxy got a message it does not know", slog.String("type", typeName(m)))
	}
}

// fail reports the loss of the server's node (or a failed spawn): ServerErrorEvent with the
// tokens of the Closes that never got an answer, then ServerCloseEvent.
func (p *serverProxy) fail(ctx actor.Context, err error) {
	p.closed = true
	p.deliver(ctx, &messages.ServerErrorEvent{Server: ctx.Self(), Err: err})
	ev := &messages.ServerCloseEvent{Server: ctx.Self()}
	for _, t := range p.tokens {
		ev.Tokens = append(ev.Tokens, t)
	}
	p.deliver(ctx, ev)
	ctx.Stop(ctx.Self())
}
