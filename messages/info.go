package messages

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// SocketInfo answers [Inspect] on a socket: its state and counters at that moment.
type SocketInfo struct {
	PID           *actor.PID
	State         string // "connecting", "open", "paused", "half-closed", "closing" ...
	Local, Remote Addr
	BytesRead     int64
	BytesWritten  int64
	// Read from the descriptor itself (getsockopt) while it is open.
	KeepAlive     bool
	KeepAliveIdle time.Duration
	NoDelay       bool

	// The states State names one of, each on its own (all false before the connection).
	Paused           bool // Pause: nothing is read until Resume
	AwaitingConsumer bool // spawned awaiting a consumer, and no Flow or Resume came yet
	BufferLent       bool // a lent read buffer is not back yet: nothing is read until it is
	Held             int  // bytes read and not delivered yet (paused, or awaiting a consumer)
	ReadEnded        bool // the peer's FIN was read: the read half is closed
	WriteEnded       bool // End (or the automatic end) came: the write half is closing or closed
	Draining         bool // a Write found the queue at the high-water mark: DrainEvent is owed
	Queued           int  // bytes queued and not yet handed to the kernel
}

// ServerInfo answers [Inspect] on a server: its state, address and its accepted sockets.
type ServerInfo struct {
	PID         *actor.PID
	State       string // "idle", "listening", "closing", "closed"
	Addr        Addr
	Connections []*actor.PID
	// Accepted counts connections accepted, Refused those closed at once (beyond
	// MaxConnections, or while closing), Restarts the listener's rebinds after a failure.
	Accepted, Refused, Restarts int64
}
