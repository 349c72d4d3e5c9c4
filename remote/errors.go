package remote

import (
	"net"
	"syscall"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/remote/wire"
	"github.com/actornet/actornet/supervisor"
)

// The errors of package remote, each an *Error with a code of its own, which netapi.Code
// names. Errors of the far node come as *Error too, with the far side's code and message,
// matching the same sentinels with errors.Is.
var (
	// ErrNodeLost: the node at the other end of a remote socket or server is gone (it died,
	// froze past the keepalive bound, or shut down) before the socket closed
	// (code ERR_NODE_LOST).
	ErrNodeLost error = &Error{code: "ERR_NODE_LOST", msg: "remote: node lost"}
	// ErrSpawnFailed: the socket service could not spawn the socket or server asked for
	// (code ERR_ACTORNET_SPAWN_FAILED).
	ErrSpawnFailed error = &Error{code: "ERR_ACTORNET_SPAWN_FAILED", msg: "remote: socket service could not spawn"}
)

// sentinels are the errors a code names on the far side, so errors.Is works there.
var sentinels = map[string][]error{
	"ERR_SOCKET_BAD_PORT":                 {netapi.ErrInvalidPort},
	"ERR_STREAM_WRITE_AFTER_END":          {netapi.ErrWriteAfterEnd},
	"ERR_SERVER_NOT_RUNNING":              {netapi.ErrServerNotRunning},
	"ERR_SERVER_ALREADY_LISTEN":           {netapi.ErrServerAlreadyListening},
	"ERR_SOCKET_CLOSED_BEFORE_CONNECTION": {netapi.ErrClosedBeforeConnection, netapi.ErrSocketClosed},
	"ERR_STREAM_DESTROYED":                {netapi.ErrSocketClosed},
	"ERR_ACTORNET_LISTENER_FAILED":        {netapi.ErrListenerFailed},
	"ERR_ACTORNET_OWNER_STOPPED":          {actors.ErrOwnerStopped},
	"ERR_NODE_LOST":                       {ErrNodeLost},
	"ERR_ACTORNET_SPAWN_FAILED":           {ErrSpawnFailed},
	"ERR_ACTORNET_UNKNOWN_PROFILE":        {ErrUnknownProfile},
	"ERR_TLS_HANDSHAKE_TIMEOUT":           {actors.ErrHandshakeTimeout},
	"ERR_ACTORNET_FRAME_TOO_LARGE":        {netapi.ErrFrameTooLarge},
	"ERR_ACTORNET_BAD_FRAME":              {netapi.ErrBadFrame},
}

// errnos are the system errors netapi.Code names, by that name.
var errnos = map[string]syscall.Errno{}

func init() {
	for _, e := range []syscall.Errno{syscall.ECONNREFUSED, syscall.EADDRINUSE,
		syscall.EADDRNOTAVAIL, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
		syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.EACCES,
		syscall.EPERM, syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.EINVAL,
		syscall.ENOTCONN} {
		errnos[netapi.Code(e)] = e
	}
}

// Error is an error that came from another node: its Node code and its message. It matches
// the sentinel its code names with errors.Is, and unwraps to the syscall.Errno, *net.DNSError
// or *supervisor.PanicError the code stands for, so netapi.Code gives the code back.
type Error struct {
	code, msg string
	cause     error // what the code stands for locally, if anything
}

// Error returns the far side's message.
func (e *Error) Error() string { return e.msg }

// Code returns the far side's code, "" when it had none.
func (e *Error) Code() string { return e.code }

// Is reports whether target is the sentinel e's code names.
func (e *Error) Is(target error) bool {
	for _, s := range sentinels[e.code] {
		if target == s {
			return true
		}
	}
	return false
}

// Unwrap returns the local form of the code: a syscall.Errno, a *net.DNSError, a
// *supervisor.PanicError, or nil.
func (e *Error) Unwrap() error { return e.cause }

// encodeErr is err's wire form; nil for nil.
func encodeErr(err error) *wire.Error {
	if err == nil {
		return nil
	}
	return &wire.Error{Code: netapi.Code(err), Message: err.Error()}
}

// decodeErr is the far side's error; nil for nil.
func decodeErr(w *wire.Error) error {
	if w == nil {
		return nil
	}
	e := &Error{code: w.Code, msg: w.Message}
	switch w.Code {
	case "ENOTFOUND":
		e.cause = &net.DNSError{Err: w.Message, IsNotFound: true}
	case "EAI_AGAIN":
		e.cause = &net.DNSError{Err: w.Message, IsTemporary: true}
	case "ERR_ACTORNET_PANIC":
		e.cause = &supervisor.PanicError{Value: w.Message}
	default:
		if errno, ok := errnos[w.Code]; ok {
			e.cause = errno
		}
	}
	return e
}
