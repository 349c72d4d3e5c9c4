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
}

// ServerInfo answers [Inspect] on a server: its state, address and its accepted sockets.
type ServerInfo struct {
	PID         *actor.PID
	State       string // "idle", "listening", "closing", "closed"
	Addr        Addr
	Connections []*actor.PID
}
