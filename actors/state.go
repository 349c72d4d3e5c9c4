package actors

import "fmt"

// State is where a socket is in its life. The legal transitions are
//
//	New -> Connecting -> Open -> Closing -> Closed
//	New -> Closing (Destroy or a bad Connect before any connection)
//	Connecting -> Closing (failure or Destroy)
//
// Accepted sockets start Open. Within Open, the socket may be paused and either direction
// may have ended; [SocketInfo] reports those as "paused", "read-ended" and "half-closed".
type State int

const (
	StateNew        State = iota // spawned, not connected
	StateConnecting              // resolving or dialling
	StateOpen                    // connected
	StateClosing                 // descriptor closed, waiting for its goroutines to exit
	StateClosed                  // CloseEvent sent; the actor stops
)

func (s State) String() string {
	switch s {
	case StateNew:
		return "new"
	case StateConnecting:
		return "connecting"
	case StateOpen:
		return "open"
	case StateClosing:
		return "closing"
	case StateClosed:
		return "closed"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// to moves a socket's state along a legal transition and panics on an impossible one: that
// would be a bug in this package, and the panic reaches the supervision strategy.
func (s *State) to(next State) {
	ok := false
	switch *s {
	case StateNew:
		ok = next == StateConnecting || next == StateOpen || next == StateClosing
	case StateConnecting:
		ok = next == StateOpen || next == StateClosing
	case StateOpen:
		ok = next == StateClosing
	case StateClosing:
		ok = next == StateClosed
	}
	if !ok {
		panic(fmt.Sprintf("actornet: impossible socket transition %v -> %v", *s, next))
	}
	*s = next
}
