package actors

import (
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// ClientConfig is the spawn options of a client actor ([SpawnClient]): a connection that
// comes back. The client owns one socket at a time, its child, connected with Connect and
// Socket (whose Owner and Handler it replaces), and makes a new one whenever the connection
// is lost, after a backoff within Retry.
type ClientConfig struct {
	// Owner hears messages.ClientUpEvent, messages.ClientDownEvent and, last,
	// messages.ClientCloseEvent, and, between them, the events of the socket that is up
	// (DataEvent, DrainEvent, FullEvent, WrittenEvent, EndEvent ...; not its ErrorEvent and
	// CloseEvent, which are the down event). FullEvent, DrainEvent and EndEvent name the
	// client: its writability, and its end, outlive one connection. A Write with a Token gets
	// exactly one WrittenEvent: the socket's, or, when the connection was lost before the
	// socket took it, the client's with the reason.
	Owner   *actor.PID
	Connect messages.Connect
	Socket  SocketConfig
	// Retry bounds the attempts (supervisor.Budget): past it the client gives up with
	// ErrClientGaveUp. The backoff starts over once a connection was up.
	Retry supervisor.Budget
	// Jitter spreads each backoff by up to this fraction either way. 0 means 0.2; negative,
	// none.
	Jitter float64
	// FailWhileDown makes a Write while down fail at once (its WrittenEvent carries
	// ErrNotConnected). By default Writes wait, in order, for the next connection: FullEvent
	// once HighWaterMark bytes wait, DrainEvent once they were handed over.
	FailWhileDown bool
}

var (
	// ErrNotConnected: a client's Write while its connection is down, with FailWhileDown.
	ErrNotConnected = errors.New("actornet: not connected")
	// ErrClientGaveUp: a client spent its retry budget.
	ErrClientGaveUp = errors.New("actornet: client gave up reconnecting")
)

// SpawnClient spawns a client actor under the tree's clients group and starts connecting.
// Send it Write, End (which ends the connection that is up and stops the client) and
// Destroy as to a socket.
func SpawnClient(tree *supervisor.Tree, cfg ClientConfig) (*actor.PID, error) {
	sc, err := cfg.Socket.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := cfg.Retry.Validate(); err != nil {
		return nil, err
	}
	cfg.Socket = sc
	if cfg.Jitter == 0 {
		cfg.Jitter = 0.2
	}
	return tree.SpawnClient(actor.PropsFromProducer(func() actor.Actor {
		return &client{cfg: cfg, retries: supervisor.Retries{Budget: cfg.Retry, Jitter: cfg.Jitter}}
	},
		actor.WithSupervisor(supervisor.StopStrategy(sc.Logger)),
		actor.WithMailbox(func() actor.Mailbox { return newMailbox(nil) })))
}

// client is the actor of SpawnClient.
type client struct {
	cfg      ClientConfig
	self     *actor.PID
	sock     *actor.PID // the connection being made or up
	up       bool
	stopping bool // End or Destroy came: no more attempts
	lastErr  error
	queue    []*messages.Write // while down
	queued   int
	full     bool // FullEvent was sent: DrainEvent is owed (after a reconnect, too)
	retries  supervisor.Retries
	// sent are the owner's tokens of the Writes handed to the socket that is up, by the
	// client's own token: those the socket has not settled at its CloseEvent never will be,
	// and the client settles them (a Write can reach the socket after it closed).
	sent   map[uint64]any
	nextID uint64
	endOf  *actor.PID // the socket whose EndEvent the owner was asked to answer
	mb     *mailbox   // its mailbox: what waits there as it stops is settled (see closed)
}

// releaseWrite gives back the lease of a Write that came after the client stopped.
func releaseWrite(msg any) {
	if w, ok := actor.UnwrapEnvelopeMessage(msg).(*messages.Write); ok {
		w.Lease.Release()
	}
}

// sentToken is the token of a Write the client hands to its socket: the owner's is in sent.
type sentToken uint64

// drained is the token of the client's own empty Write after what waited while down: its
// WrittenEvent says all of it was handed over.
type drained struct{}

// retryNow is the client's message to itself when a backoff ran out.
type retryNow struct{}

func (c *client) Receive(ctx actor.Context) {
	switch m := byPointer(ctx.Message()).(type) {
	case *actor.Started:
		c.self = ctx.Self()
		c.connect(ctx)
	case *retryNow:
		if !c.stopping {
			c.connect(ctx)
		}
	case *messages.Write:
		c.write(ctx, m)
	case *messages.End, *messages.Destroy:
		c.stopping = true
		c.dropQueue(ctx, ErrSocketClosed)
		if c.sock != nil {
			ctx.Send(c.sock, m)
		} else {
			c.closed(ctx)
		}
	case *messages.ConnectEvent:
		if c.cfg.Socket.TLS == nil {
			c.connected(ctx, m)
		} else {
			c.forward(ctx, m)
		}
	case *messages.SecureConnectEvent:
		c.forward(ctx, m)
		c.connected(ctx, m)
	case *messages.ErrorEvent:
		c.lastErr = m.Err
	case *messages.CloseEvent:
		if m.Socket.Equal(c.sock) {
			c.lost(ctx)
		}
	case *messages.WrittenEvent:
		switch tok := m.Token.(type) {
		case drained:
			c.drain(ctx)
		case sentToken:
			if owners, ok := c.sent[uint64(tok)]; ok {
				delete(c.sent, uint64(tok))
				c.settle(ctx, owners, m.Err)
			}
		default:
			c.forward(ctx, m)
		}
	case *messages.FullEvent:
		if m.Socket.Equal(c.sock) && !c.full {
			c.full = true
			c.forward(ctx, &messages.FullEvent{Socket: c.self})
		}
	case *messages.DrainEvent:
		if m.Socket.Equal(c.sock) {
			c.drain(ctx)
		}
	case *messages.EndEvent:
		c.ended(ctx, m)
	case *actor.DeadLetterResponse: // the owner is gone: nobody answers the EndEvent
		if c.endOf != nil && c.endOf.Equal(c.sock) {
			ctx.Send(c.sock, &messages.End{})
		}
		c.endOf = nil
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		c.forward(ctx, m) // the socket's other events
	}
}

// drain says DrainEvent when one is owed.
func (c *client) drain(ctx actor.Context) {
	if c.full {
		c.full = false
		c.forward(ctx, &messages.DrainEvent{Socket: c.self})
	}
}

// ended handles the socket's EndEvent, and the owner's answer to it. The client's socket
// allows half-open connections: when the client's config does not, the client ends the
// socket's side itself once its owner handled the event (protoactor's automatic answer, see
// messages.EndEvent), so that the Writes the owner sent meanwhile, which pass through the
// client too, go out before the FIN, as in Node.
func (c *client) ended(ctx actor.Context, m *messages.EndEvent) {
	switch {
	case m.Socket.Equal(c.self): // the owner's answer
		if c.endOf != nil && c.endOf.Equal(c.sock) {
			ctx.Send(c.sock, &messages.End{})
		}
		c.endOf = nil
	case !m.Socket.Equal(c.sock):
	case c.cfg.Socket.AllowHalfOpen:
		c.forward(ctx, &messages.EndEvent{Socket: c.self})
	case c.cfg.Owner == nil:
		ctx.Send(c.sock, &messages.End{})
	default:
		c.endOf = c.sock
		ctx.Request(c.cfg.Owner, &messages.EndEvent{Socket: c.self})
	}
}

func (c *client) forward(ctx actor.Context, ev any) {
	if c.cfg.Owner != nil {
		ctx.Send(c.cfg.Owner, ev)
	}
}

func (c *client) connect(ctx actor.Context) {
	cfg := c.cfg.Socket
	cfg.Owner, cfg.Handler = c.self, nil
	cfg.AllowHalfOpen = true // the client ends it itself, after its owner (see ended)
	props, err := SocketProps(cfg)
	if err != nil { // validated at spawn: cannot happen
		c.cfg.Socket.Logger.Error("actornet: client", "err", err)
		return
	}
	c.sock, c.lastErr = ctx.Spawn(props), nil
	connect := c.cfg.Connect
	ctx.Send(c.sock, &connect)
}

// connected: the socket is up (TLS: its handshake done); what waited goes out first.
func (c *client) connected(ctx actor.Context, ev any) {
	c.up = true
	c.retries.Succeeded()
	for _, w := range c.queue {
		c.hand(ctx, w)
	}
	c.queue, c.queued = nil, 0
	c.forward(ctx, &messages.ClientUpEvent{Client: c.self, Socket: c.sock})
	if c.full { // DrainEvent once what waited was handed over
		ctx.Send(c.sock, &messages.Write{Token: drained{}})
	}
}

func (c *client) write(ctx actor.Context, m *messages.Write) {
	switch {
	case c.stopping:
		m.Lease.Release()
		c.settle(ctx, m.Token, ErrSocketClosed)
	case c.up:
		c.hand(ctx, m)
	case c.cfg.FailWhileDown:
		m.Lease.Release()
		c.settle(ctx, m.Token, ErrNotConnected)
	default:
		c.queue = append(c.queue, m)
		c.queued += len(m.Data)
		if c.queued >= c.cfg.Socket.HighWaterMark && !c.full {
			c.full = true
			c.forward(ctx, &messages.FullEvent{Socket: c.self})
		}
	}
}

// hand sends a Write to the socket that is up; one with a token goes with a token of the
// client's, so that the client can settle it if the socket never does.
func (c *client) hand(ctx actor.Context, w *messages.Write) {
	if w.Token != nil {
		if c.sent == nil {
			c.sent = map[uint64]any{}
		}
		c.nextID++
		c.sent[c.nextID] = w.Token
		w = &messages.Write{Data: w.Data, Token: sentToken(c.nextID), Lease: w.Lease}
	}
	ctx.Send(c.sock, w)
}

func (c *client) settle(ctx actor.Context, token any, err error) {
	if token != nil {
		c.forward(ctx, &messages.WrittenEvent{Socket: c.self, Token: token, Err: err})
	}
}

func (c *client) dropQueue(ctx actor.Context, err error) {
	for _, w := range c.queue {
		w.Lease.Release()
		c.settle(ctx, w.Token, err)
	}
	c.queue, c.queued = nil, 0
}

// lost: the socket closed; retry after a backoff, or give up, or stop.
func (c *client) lost(ctx actor.Context) {
	c.sock, c.up, c.endOf = nil, false, nil
	err := c.lastErr
	if err == nil {
		err = ErrNotConnected // the server ended the connection
	}
	// The Writes the socket did not settle before its CloseEvent reached it too late: they
	// were not written (their leases went back with them).
	for _, id := range slices.Sorted(maps.Keys(c.sent)) {
		c.settle(ctx, c.sent[id], err)
	}
	clear(c.sent)
	if c.stopping {
		c.closed(ctx)
		return
	}
	wait := c.retries.Next()
	if wait < 0 {
		err = errors.Join(ErrClientGaveUp, err)
		c.dropQueue(ctx, err)
	}
	c.forward(ctx, &messages.ClientDownEvent{Client: c.self, Err: err, RetryIn: wait})
	if wait < 0 {
		c.closed(ctx)
		return
	}
	sys, self := ctx.ActorSystem(), c.self
	time.AfterFunc(wait, func() { sys.Root.Send(self, &retryNow{}) })
}

func (c *client) closed(ctx actor.Context) {
	// The Writes waiting in the mailbox fail before ClientCloseEvent; later ones reach no one,
	// and give their leases back.
	if c.mb != nil {
		for _, msg := range c.mb.closeUser(releaseWrite) {
			if w, ok := actor.UnwrapEnvelopeMessage(msg).(*messages.Write); ok {
				w.Lease.Release()
				c.settle(ctx, w.Token, ErrSocketClosed)
			}
		}
	}
	c.forward(ctx, &messages.ClientCloseEvent{Client: c.self})
	ctx.Stop(c.self)
}
