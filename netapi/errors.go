package netapi

import (
	"context"
	"errors"
	"net"
	"syscall"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/supervisor"
)

// The errors netapi reports, the same values as package actors' so errors.Is works across
// both faces. Failures of the system (ECONNREFUSED, EADDRINUSE ...) come as *net.OpError
// wrapping the syscall.Errno; [Code] names any of them as Node does.
var (
	ErrInvalidPort            = actors.ErrInvalidPort            // ERR_SOCKET_BAD_PORT
	ErrWriteAfterEnd          = actors.ErrWriteAfterEnd          // ERR_STREAM_WRITE_AFTER_END
	ErrServerNotRunning       = actors.ErrServerNotRunning       // ERR_SERVER_NOT_RUNNING
	ErrServerAlreadyListening = actors.ErrServerAlreadyListening // ERR_SERVER_ALREADY_LISTEN
	ErrSocketClosed           = actors.ErrSocketClosed           // ERR_STREAM_DESTROYED
	ErrClosedBeforeConnection = actors.ErrClosedBeforeConnection // ERR_SOCKET_CLOSED_BEFORE_CONNECTION
	ErrListenerFailed         = actors.ErrListenerFailed         // ERR_ACTORNET_LISTENER_FAILED
	ErrFrameTooLarge          = actors.ErrFrameTooLarge          // ERR_ACTORNET_FRAME_TOO_LARGE
	ErrBadFrame               = actors.ErrBadFrame               // ERR_ACTORNET_BAD_FRAME
	// ErrConnectTimeout: ConnectOptions.Timeout passed before the connection was up
	// (ETIMEDOUT). errors.Is(err, os.ErrDeadlineExceeded) holds too.
	ErrConnectTimeout = actors.ErrConnectTimeout
	ErrInvalidTimeout = actors.ErrInvalidTimeout // ERR_OUT_OF_RANGE
	// ErrRuntimeClosed: the Runtime was shut down, so nothing new can be made with it.
	ErrRuntimeClosed = errors.New("netapi: runtime is shut down")
	// ErrInCallback: Wait or Shutdown was called from a callback of the runtime, where it
	// would wait for itself.
	ErrInCallback = errors.New("netapi: Wait or Shutdown called from a callback")
)

var sentinelCodes = []struct {
	err  error
	code string
}{
	{ErrInvalidPort, "ERR_SOCKET_BAD_PORT"},
	{ErrWriteAfterEnd, "ERR_STREAM_WRITE_AFTER_END"},
	{ErrServerNotRunning, "ERR_SERVER_NOT_RUNNING"},
	{ErrServerAlreadyListening, "ERR_SERVER_ALREADY_LISTEN"},
	{ErrClosedBeforeConnection, "ERR_SOCKET_CLOSED_BEFORE_CONNECTION"}, // before ErrSocketClosed, which it wraps
	{ErrSocketClosed, "ERR_STREAM_DESTROYED"},
	{ErrListenerFailed, "ERR_ACTORNET_LISTENER_FAILED"},
	{ErrConnectTimeout, "ETIMEDOUT"},
	{ErrInvalidTimeout, "ERR_OUT_OF_RANGE"},
	{context.DeadlineExceeded, "ETIMEDOUT"},
	{context.Canceled, "ABORT_ERR"}, // Node's code for a connect its AbortSignal ended
	{ErrRuntimeClosed, "ERR_ACTORNET_RUNTIME_CLOSED"},
	{ErrInCallback, "ERR_ACTORNET_IN_CALLBACK"},
	{ErrBadTLSOptions, "ERR_ACTORNET_BAD_TLS_OPTIONS"},
	{ErrFrameTooLarge, "ERR_ACTORNET_FRAME_TOO_LARGE"},
	{ErrBadFrame, "ERR_ACTORNET_BAD_FRAME"},
	{actors.ErrOwnerStopped, "ERR_ACTORNET_OWNER_STOPPED"},
}

var errnoCodes = map[syscall.Errno]string{
	syscall.ECONNREFUSED:  "ECONNREFUSED",
	syscall.EADDRINUSE:    "EADDRINUSE",
	syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL",
	syscall.ECONNRESET:    "ECONNRESET",
	syscall.ECONNABORTED:  "ECONNABORTED",
	syscall.EPIPE:         "EPIPE",
	syscall.ETIMEDOUT:     "ETIMEDOUT",
	syscall.EHOSTUNREACH:  "EHOSTUNREACH",
	syscall.ENETUNREACH:   "ENETUNREACH",
	syscall.EACCES:        "EACCES",
	syscall.EPERM:         "EPERM",
	syscall.EMFILE:        "EMFILE",
	syscall.ENFILE:        "ENFILE",
	syscall.ENOBUFS:       "ENOBUFS",
	syscall.EINVAL:        "EINVAL",
	syscall.ENOTCONN:      "ENOTCONN",
}

// Code names err as Node's err.code would: "ECONNREFUSED", "EADDRINUSE", "ENOTFOUND",
// "ERR_SOCKET_BAD_PORT", "ERR_STREAM_WRITE_AFTER_END" ... It returns "" for nil and for an
// error it cannot name, "ERR_ACTORNET_PANIC" for a *supervisor.PanicError, and an error's own
// Code() when it has one (an error from another node, package remote). A connect that ran
// out of time is "ETIMEDOUT" ([ErrConnectTimeout] or context.DeadlineExceeded), one whose
// context was cancelled "ABORT_ERR".
func Code(err error) string {
	if err == nil {
		return ""
	}
	// An error that names its code itself (remote.Error, from another node) is named so.
	var coded interface{ Code() string }
	if errors.As(err, &coded) && coded.Code() != "" {
		return coded.Code()
	}
	var pe *supervisor.PanicError
	if errors.As(err, &pe) {
		return "ERR_ACTORNET_PANIC"
	}
	var te *TLSError
	if errors.As(err, &te) {
		return te.Code
	}
	for _, sc := range sentinelCodes {
		if errors.Is(err, sc.err) {
			return sc.code
		}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return "ENOTFOUND"
		}
		return "EAI_AGAIN"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errnoCodes[errno]
	}
	return ""
}
