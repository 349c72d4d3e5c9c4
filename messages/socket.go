package messages

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Connect is sent to a fresh socket actor by its owner to open a connection. Host "" means
// "localhost"; a name is resolved first and reported with a [LookupEvent].
//
// Timeout, when positive, bounds the whole connect, lookup included, counted from the moment
// the socket handles Connect: past it the connect fails with an [ErrorEvent] whose Err
// matches actors.ErrConnectTimeout (Node's ETIMEDOUT), then CloseEvent{HadError: true}. It
// is a duration, not a deadline or a context, because neither crosses a mailbox or the
// wire; to stop a connect from outside, send [CancelConnect]. 0 means no limit but the
// system's; a negative Timeout fails the connect (actors.ErrInvalidTimeout).
type Connect struct {
	Port    int
	Host    string
	Timeout time.Duration
}

// CancelConnect is sent to a socket to abandon a connect that has not completed (a caller's
// context ended, say): the socket reports Err in an [ErrorEvent] and closes with HadError.
// Once the socket is connected, or closed, it does nothing: unlike [Destroy], it cannot cut a
// connection that completed while it was on its way. Err nil means actors.ErrSocketClosed.
type CancelConnect struct {
	Err error
}

// Write is sent to a socket by anyone holding its PID to queue Data for sending, in order.
// The socket owns Data from then on: the sender must not modify it. A non-nil Token asks for a
// [WrittenEvent] once Data has reached the kernel or failed. When Data lies in a lent read
// buffer, Lease is that DataEvent's lease: the Write takes over the sender's reference and
// releases it once Data is written or dropped (see [Lease]).
type Write struct {
	Data  []byte
	Token any
	Lease *Lease
}

// End is sent to a socket to write Data (which may be nil), flush the queue and then shut down
// the sending side (half-close); reading goes on. [FinishEvent] follows once the FIN is sent.
type End struct {
	Data []byte
}

// Destroy is sent to a socket to close it at once: queued writes are dropped and the
// descriptor is closed. With Err set, an [ErrorEvent] carrying it comes first and the close
// has HadError (Node's destroy(err)). It is idempotent.
type Destroy struct {
	Err error
}

// Pause is sent to a socket to stop reading from the kernel; at most one read buffer that was
// already in flight is kept and delivered on [Resume].
type Pause struct{}

// Resume is sent to a paused socket (or one that awaits a consumer) to deliver what it holds
// and read again.
type Resume struct{}

// Cork is sent to a socket to hold the writes that follow in its queue until as many
// [Uncork]s, or an End, so that they go out with one system call (Node's cork()). A socket
// gathers the Writes of one turn by itself: Cork is for writes spread over several.
type Cork struct{}

// Uncork undoes one [Cork]; the last hands everything held to the kernel at once.
type Uncork struct{}

// Flow is sent to a socket when a consumer of its data is ready (Node's on('data')): data
// starts to flow unless the socket was paused. It matters for a socket spawned awaiting a
// consumer (actors.SocketConfig.AwaitConsumer); otherwise data flows already.
type Flow struct{}

// SetTimeout is sent to a socket to arm its idle timer; 0 turns it off. See [TimeoutEvent].
type SetTimeout struct {
	Timeout time.Duration
}

// SetKeepAlive is sent to a socket to switch TCP keepalive on or off. InitialDelay is the idle
// time before the first probe, in whole seconds (0 keeps the system default). Sent before the
// connection is up, it is applied once it is.
type SetKeepAlive struct {
	Enable       bool
	InitialDelay time.Duration
}

// SetNoDelay is sent to a socket to switch Nagle's algorithm off (NoDelay true, Go's default)
// or on. Sent before the connection is up, it is applied once it is.
type SetNoDelay struct {
	NoDelay bool
}

// Start is sent to an accepted socket that its server holds (actors.ServerConfig.HoldAccepted)
// to let it read and deliver its events where they go now; [Register] does the same while
// moving them to another owner.
type Start struct{}

// Register is sent to a socket to move its events to Owner. The socket watches its owner and
// destroys itself when the owner stops.
type Register struct {
	Owner *actor.PID
}

// Inspect is sent with a request to a socket or server actor; it answers with a *[SocketInfo]
// or a *[ServerInfo].
type Inspect struct{}
