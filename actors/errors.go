package actors

import (
	"errors"
	"fmt"
	"os"
)

// The errors a socket or server reports, wrapped in a *net.OpError naming the operation and
// the address where there is one. Match them with errors.Is. Failures of the system itself
// (ECONNREFUSED, EADDRINUSE, ECONNRESET, ...) come as the syscall.Errno inside the OpError.
var (
	// ErrInvalidPort: a port outside 0..65535 (Node's ERR_SOCKET_BAD_PORT).
	ErrInvalidPort = errors.New("actornet: port should be >= 0 and < 65536")
	// ErrWriteAfterEnd: a Write after End (Node's ERR_STREAM_WRITE_AFTER_END).
	ErrWriteAfterEnd = errors.New("actornet: write after end")
	// ErrServerNotRunning: Close on a server that is not listening (ERR_SERVER_NOT_RUNNING).
	ErrServerNotRunning = errors.New("actornet: server is not running")
	// ErrServerAlreadyListening: Listen on a server that listens (ERR_SERVER_ALREADY_LISTEN).
	ErrServerAlreadyListening = errors.New("actornet: server is already listening")
	// ErrSocketClosed: a write dropped because the socket was destroyed or closed first
	// (Node's ERR_STREAM_DESTROYED).
	ErrSocketClosed = errors.New("actornet: socket is closed")
	// ErrClosedBeforeConnection: a write dropped because the socket closed while it was
	// connecting (Node's ERR_SOCKET_CLOSED_BEFORE_CONNECTION). It wraps ErrSocketClosed.
	ErrClosedBeforeConnection = fmt.Errorf("%w before it connected", ErrSocketClosed)
	// ErrListenerFailed: a server's listener failed more often than its restart budget allows.
	ErrListenerFailed = errors.New("actornet: listener failed, restart budget spent")
	// ErrOwnerStopped: the socket's owner actor stopped, so the socket was destroyed.
	ErrOwnerStopped = errors.New("actornet: owner stopped")
	// ErrConnectTimeout: a connect did not complete within messages.Connect's Timeout
	// (Node's ETIMEDOUT). It also matches os.ErrDeadlineExceeded, as the timeouts of package
	// net do, and is a net.Error whose Timeout() is true.
	ErrConnectTimeout error = connectTimeout{}
	// ErrInvalidTimeout: a negative timeout (Node's ERR_OUT_OF_RANGE).
	ErrInvalidTimeout = errors.New("actornet: timeout must not be negative")
)

// connectTimeout is ErrConnectTimeout's type: a sentinel of ours, so that errors.Is tells it
// from a deadline of the caller's (context.DeadlineExceeded) and from the kernel's own
// ETIMEDOUT, that also says what kind of error it is to code written for package net.
type connectTimeout struct{}

func (connectTimeout) Error() string   { return "actornet: connect timed out" }
func (connectTimeout) Timeout() bool   { return true }
func (connectTimeout) Temporary() bool { return true }

// Is makes errors.Is(err, os.ErrDeadlineExceeded) hold, as for net's own timeouts.
func (connectTimeout) Is(target error) bool { return target == os.ErrDeadlineExceeded }
