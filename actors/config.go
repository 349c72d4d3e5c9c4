package actors

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/supervisor"
)

// Handler receives an actor's events inside that actor, one at a time and in order, instead of
// as messages to an owner. It must not block for long: the socket handles nothing else
// meanwhile. A panic in it closes the socket with a *supervisor.PanicError. A *DataEvent it
// is given is the socket's, reused for the next read: keep its Data if need be (with a
// Lease, under its rules), not the event itself.
type Handler func(event any)

// Defaults of [SocketConfig] and [ServerConfig].
const (
	DefaultHighWaterMark  = 16 * 1024 // bytes queued before DrainEvent is owed (Node 20's)
	DefaultReadBufferSize = 64 * 1024 // bytes taken by one read, at most
	// NullModeHighWaterMark is what a socket awaiting a consumer reads and holds before it
	// stops reading (Node's readableHighWaterMark): enough to see the peer's end after a
	// short message nobody reads, which Node's process exit depends on.
	NullModeHighWaterMark = 16 * 1024
)

// SocketConfig is the spawn options of a socket actor. The zero value works: events are
// dropped until a Register gives the socket an owner.
type SocketConfig struct {
	// Owner receives the socket's events as messages and is watched: when it stops, the
	// socket is destroyed.
	Owner *actor.PID
	// Handler, when set, receives the events instead of Owner, called inside the socket actor.
	Handler Handler
	// AllowHalfOpen keeps the socket writable after the peer's FIN until End; when false (the
	// default, as in Node) the socket ends its side by itself after EndEvent.
	AllowHalfOpen bool
	// HighWaterMark is the queued byte count past which a DrainEvent is owed once the queue
	// empties. 0 means DefaultHighWaterMark.
	HighWaterMark int
	// ReadBufferSize bounds one read. 0 means DefaultReadBufferSize.
	ReadBufferSize int
	// Paused starts the socket without reading, as if Pause had been sent.
	Paused bool
	// AwaitConsumer starts the socket in Node's readableFlowing null: it reads on until it
	// holds NullModeHighWaterMark bytes (one buffer with LendReads) and holds them, and the
	// peer's end, until a messages.Flow (a consumer came) or a Resume. When false, data flows
	// to the owner from the start.
	AwaitConsumer bool
	// LendReads makes each DataEvent's Data a loan of the socket's read buffer: it stays
	// valid until the owner (or Handler) sends messages.ReturnBuffer, and the socket reads
	// nothing more until then. A read then allocates nothing, which is what makes an echo or
	// a proxy as cheap as a plain Go loop. When false (the default, as in Node), each Data is
	// the owner's to keep.
	LendReads bool
	// Outbox, when set, is the socket's write queue, shared with in-process code that writes
	// to it directly (see [Outbox]); HighWaterMark is then the outbox's. When nil the socket
	// makes its own.
	Outbox *Outbox
	// Loop is where the socket's actor runs (see [Loop]); nil gives it a loop of its own.
	// Sockets whose callbacks interact (a proxy's two sides) belong on one loop.
	Loop *Loop
	// Logger receives the socket's diagnostics; nil prints nothing.
	Logger *slog.Logger
	// Resolver looks up the host names Connect is given; nil means net.DefaultResolver (as
	// with net.Dialer). A Connect's Timeout and CancelConnect cover the lookup.
	Resolver *net.Resolver
	// Framing, when set, makes the socket deliver frames instead of reads (see [Framing]).
	Framing *Framing
	// TLS, when set, makes the socket speak TLS (see tls.go): a client after Connect, a
	// server for a server's accepted sockets (ServerConfig.Socket.TLS, with Certificates or
	// GetCertificate). The owner hears messages.SecureConnectEvent once the handshake
	// completed, and data flows only after it. A client checks the server's chain against
	// RootCAs (the system's roots when nil) and its name against ServerName, or the Connect
	// host, or "localhost", as Node does; SNI is sent only when ServerName is set. A failed
	// check fails the socket with a *TLSError carrying Node's code, unless
	// InsecureSkipVerify is set (Node's rejectUnauthorized: false): SecureConnectEvent then
	// says why the peer is not authorized. The config is not modified.
	TLS *tls.Config
	// HandshakeTimeout bounds a TLS socket's handshake, from the connection up (Node's
	// handshakeTimeout): past it the socket fails with a *TLSError coded
	// ERR_TLS_HANDSHAKE_TIMEOUT, wrapping ErrHandshakeTimeout. 0 means no bound.
	HandshakeTimeout time.Duration
	// Activity, when set, is told each time the socket becomes active or idle in the sense
	// of Node's active handle, which is what keeps Node's process alive: it is active while
	// connecting, while it reads (data flows, or it awaits a consumer with less than
	// NullModeHighWaterMark held and the peer has not ended), while it has writes queued or
	// its FIN to send, and while closing. A paused socket with nothing to write, or one
	// whose peer ended and whose own side finished, is idle. Calls are serialized; they come
	// from inside the actor, or from a writer's goroutine (going active, when an in-process
	// Outbox.Write queued data), never with a lock of the caller's held.
	Activity func(active bool)
}

func (c SocketConfig) withDefaults() (SocketConfig, error) {
	if c.HighWaterMark < 0 || c.ReadBufferSize < 0 {
		return c, fmt.Errorf("actornet: negative HighWaterMark or ReadBufferSize in SocketConfig")
	}
	if f := c.Framing; f != nil {
		if f.Split == nil || f.MaxFrame < 0 {
			return c, fmt.Errorf("actornet: Framing needs a Split function and a MaxFrame >= 0")
		}
		if f.MaxFrame == 0 {
			c.Framing = &Framing{Split: f.Split, MaxFrame: DefaultMaxFrame}
		}
	}
	if c.HighWaterMark == 0 {
		c.HighWaterMark = DefaultHighWaterMark
	}
	if c.ReadBufferSize == 0 {
		c.ReadBufferSize = DefaultReadBufferSize
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// ServerConfig is the spawn options of a server actor. The zero value works.
type ServerConfig struct {
	// Owner receives the server's events and, until a Register, those of its sockets.
	Owner *actor.PID
	// Handler, when set, receives the server's events instead of Owner, inside the server.
	Handler Handler
	// Socket is the configuration of each accepted socket; its Owner defaults to the server's.
	Socket SocketConfig
	// HoldAccepted keeps each accepted socket silent and not reading (a TLS socket not
	// shaking hands) until it gets a Register or a Start; the server's owner then decides where its events go before any
	// of them is sent. When false the socket starts right after its ConnectionEvent was
	// handled.
	HoldAccepted bool
	// MaxConnections closes connections accepted beyond this many open ones at once
	// (Node's maxConnections). 0 means no limit.
	MaxConnections int
	// Loop is where the server's actor runs; nil gives it a loop of its own.
	Loop *Loop
	// PrepareSocket, when set, is called inside the server actor for each accepted
	// connection, with Socket (its Owner defaulted), and returns the configuration the
	// socket is spawned with: in-process code places it on a loop (a LoopGroup's Next
	// spreads them), gives it a Handler or an Outbox. The socket's ConnectionEvent follows
	// at once, in the same turn of the server.
	PrepareSocket func(SocketConfig) SocketConfig
	// Restart is the listener's restart budget.
	Restart supervisor.Budget
	// Logger receives the server's diagnostics; nil prints nothing.
	Logger *slog.Logger
	// Resolver looks up the host names Listen is given; nil means net.DefaultResolver.
	Resolver *net.Resolver
}
