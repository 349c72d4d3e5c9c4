package messages

import (
	"crypto/x509"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// ConnectEvent is sent by a client socket to its owner once its connection is established.
type ConnectEvent struct {
	Socket        *actor.PID
	Local, Remote Addr
}

// SecureConnectEvent is sent by a TLS socket (actors.SocketConfig.TLS) to its owner once its
// handshake completed, before any DataEvent: Node's 'secureConnect' on a client, and its
// server's 'secureConnection' for an accepted socket. A failed handshake gives an ErrorEvent
// (an *actors.TLSError with Node's code) and the close instead.
type SecureConnectEvent struct {
	Socket *actor.PID
	// Protocol is the TLS version agreed on: "TLSv1.3", "TLSv1.2" (Node's getProtocol()).
	Protocol string
	// ALPNProtocol is the protocol agreed on through ALPN; "" for none.
	ALPNProtocol string
	// Authorized tells that the peer's certificate chain was verified (Node's authorized).
	// When it is false on a client, AuthorizationError says why: the client did not reject
	// the peer (InsecureSkipVerify, Node's rejectUnauthorized: false).
	Authorized         bool
	AuthorizationError error
	// PeerCertificates is the peer's chain as it sent it, leaf first.
	PeerCertificates []*x509.Certificate
}

// ClientUpEvent is sent by a client (actors.SpawnClient) to its owner each time a connection
// is established (after its TLS handshake with TLS); Socket is that connection's socket,
// whose events the client forwards until it is lost.
type ClientUpEvent struct {
	Client *actor.PID
	Socket *actor.PID
}

// ClientDownEvent is sent by a client to its owner when its connection was lost, or an
// attempt failed, with why; RetryIn is the wait before the next attempt, negative when there
// is none (the client gave up: Err wraps actors.ErrClientGaveUp).
type ClientDownEvent struct {
	Client  *actor.PID
	Err     error
	RetryIn time.Duration
}

// ClientCloseEvent is a client's last event: it stopped (End, Destroy, or it gave up).
type ClientCloseEvent struct {
	Client *actor.PID
}

// DataEvent is sent by a socket to its owner for each read. Data is a fresh slice that the
// receiver owns, unless Lease is set (the socket lends its read buffers): then Data is valid
// until the receiver releases the lease or hands it on with a Write (see [Lease]).
type DataEvent struct {
	Socket *actor.PID
	Data   []byte
	Lease  *Lease
}

// FullEvent is sent by a socket to its owner when a Write brought its write queue (what the
// kernel has not taken yet) to the high-water mark: stop writing, or pause the source of the
// data, until the DrainEvent that follows once the queue is empty (Netty's writability,
// Node's write() returning false). Nobody has to count bytes.
type FullEvent struct {
	Socket *actor.PID
}

// DrainEvent is sent by a socket to its owner when its write queue, having passed the
// high-water mark (see FullEvent), is empty again.
type DrainEvent struct {
	Socket *actor.PID
}

// EndEvent is sent by a socket to its owner when the peer's FIN arrived, after all its data.
// A socket that does not allow half-open connections ends its side once its owner has
// handled the event (protoactor answers it by itself, see GetAutoResponse), so Writes the
// owner sends while handling it go out before the FIN, as in Node.
type EndEvent struct {
	Socket *actor.PID
}

// GetAutoResponse makes protoactor answer an EndEvent sent as a request with the event
// itself, once the owner has handled it: that tells the socket to end its side.
func (e *EndEvent) GetAutoResponse(actor.Context) any { return e }

// FinishEvent is sent by a socket to its owner once End has flushed the queue and the FIN has
// been handed to the kernel (Node's 'finish').
type FinishEvent struct {
	Socket *actor.PID
}

// CloseEvent is sent by a socket to its owner exactly once, as its last event, after its
// descriptor is closed. HadError says whether an [ErrorEvent] came before it.
type CloseEvent struct {
	Socket   *actor.PID
	HadError bool
}

// ErrorEvent is sent by a socket to its owner when an operation failed; a
// CloseEvent{HadError: true} always follows.
type ErrorEvent struct {
	Socket *actor.PID
	Err    error
}

// LookupEvent is sent by a connecting socket to its owner once a host name was resolved (not
// for IP literals). Family is "IPv4" or "IPv6"; on failure Err is set and an [ErrorEvent]
// follows.
type LookupEvent struct {
	Socket  *actor.PID
	Err     error
	Address string
	Family  string
	Host    string
}

// TimeoutEvent is sent by a socket to its owner when it has been idle for the duration set by
// [SetTimeout]. The socket stays open.
type TimeoutEvent struct {
	Socket *actor.PID
}

// WrittenEvent is sent by a socket to its owner for a [Write] that carried a Token, once its
// bytes reached the kernel (Err nil) or failed.
type WrittenEvent struct {
	Socket *actor.PID
	Token  any
	Err    error
}

// ListeningEvent is sent by a server to its owner once it is bound; Addr is the real address.
type ListeningEvent struct {
	Server *actor.PID
	Addr   Addr
}

// ConnectionEvent is sent by a server to its owner for each accepted connection; Socket is the
// new socket actor, whose events go to the same owner until a [Register].
type ConnectionEvent struct {
	Server        *actor.PID
	Socket        *actor.PID
	Remote, Local Addr
}

// ServerErrorEvent is sent by a server to its owner when Listen, Close or accepting failed.
// The server is not closed by it. Token is the failed Close's Token.
type ServerErrorEvent struct {
	Server *actor.PID
	Err    error
	Token  any
}

// ServerCloseEvent is sent by a server to its owner once it has stopped listening and its last
// accepted socket has closed, and at once for a [Close] on a server that is not listening (as
// Node emits 'close' again). Tokens are those of the Close messages received since the last
// ServerCloseEvent: the calls it answers (those that found the server not running got their
// ServerErrorEvent first).
type ServerCloseEvent struct {
	Server *actor.PID
	Tokens []any
}
