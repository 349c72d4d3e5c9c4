package remote_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/remote"
	"github.com/actornet/actornet/remote/wire"
	"github.com/actornet/actornet/supervisor"
)

// cross marshals m and unmarshals it into a fresh message of its type, as the wire does.
func cross(t *testing.T, m proto.Message) proto.Message {
	t.Helper()
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	out := m.ProtoReflect().New().Interface()
	require.NoError(t, proto.Unmarshal(b, out))
	return out
}

func TestCommandsCrossTheWire(t *testing.T) {
	owner := actor.NewPID("10.0.0.2:8090", "owner$1")
	for _, cmd := range []any{
		&messages.Connect{Port: 7001, Host: "example.com"},
		&messages.End{Data: []byte("bye")},
		&messages.Destroy{},
		&messages.Pause{}, &messages.Resume{}, &messages.Cork{}, &messages.Uncork{},
		&messages.Flow{}, &messages.Start{},
		&messages.SetTimeout{Timeout: 3 * time.Second},
		&messages.SetKeepAlive{Enable: true, InitialDelay: 5 * time.Second},
		&messages.SetNoDelay{NoDelay: true},
		&messages.Register{Owner: owner},
		&messages.Listen{Port: 0, Host: "::", Backlog: 16},
		&messages.Close{Token: uint64(3)},
		&messages.Inspect{},
	} {
		t.Run(fmt.Sprintf("%T", cmd), func(t *testing.T) {
			w, ok := remote.EncodeCommand(cmd)
			require.True(t, ok)
			got, ok := remote.DecodeCommand(cross(t, w))
			require.True(t, ok)
			require.Equal(t, cmd, got)
		})
	}
}

func TestEventsCrossTheWire(t *testing.T) {
	leaf, err := x509.ParseCertificate(testkit.NewPKI(t).Leaf(t, testkit.CertOptions{Names: []string{"localhost"}}).TLS.Certificate[0])
	require.NoError(t, err)
	self := actor.NewPID("10.0.0.2:8090", "proxy$1")
	a := messages.Addr{Address: "127.0.0.1", Family: "IPv4", Port: 7001}
	b := messages.Addr{Address: "::1", Family: "IPv6", Port: 50000}
	for _, ev := range []any{
		&messages.ConnectEvent{Socket: self, Local: a, Remote: b},
		&messages.SecureConnectEvent{Socket: self, Protocol: "TLSv1.3", ALPNProtocol: "h2", Authorized: true,
			PeerCertificates: []*x509.Certificate{leaf}},
		&messages.DrainEvent{Socket: self},
		&messages.FullEvent{Socket: self},
		&messages.EndEvent{Socket: self},
		&messages.FinishEvent{Socket: self},
		&messages.CloseEvent{Socket: self, HadError: true},
		&messages.TimeoutEvent{Socket: self},
		&messages.LookupEvent{Socket: self, Address: "93.184.216.34", Family: "IPv4", Host: "example.com"},
		&messages.WrittenEvent{Socket: self, Token: uint64(9)},
		&messages.ListeningEvent{Server: self, Addr: a},
		&messages.ConnectionEvent{Server: self, Socket: actor.NewPID("10.0.0.1:8090", "relay$2"), Remote: b, Local: a},
		&messages.ServerErrorEvent{Server: self, Token: uint64(4)},
		&messages.ServerCloseEvent{Server: self, Tokens: []any{uint64(1), nil}},
		&messages.SocketInfo{PID: self, State: "open", Local: a, Remote: b, BytesRead: 10,
			BytesWritten: 20, KeepAlive: true, KeepAliveIdle: time.Minute, NoDelay: true},
		&messages.ServerInfo{PID: self, State: "listening", Addr: a,
			Connections: []*actor.PID{actor.NewPID("10.0.0.1:8090", "relay$3")}},
	} {
		t.Run(fmt.Sprintf("%T", ev), func(t *testing.T) {
			w, ok := remote.EncodeEvent(ev)
			require.True(t, ok)
			got, ok := remote.DecodeEvent(cross(t, w), self)
			require.True(t, ok)
			require.Equal(t, ev, got)
		})
	}
}

// TestErrorsCrossTheWire: an error that crossed has the same Node code, matches the same
// sentinels and the same errno, and keeps its message.
func TestErrorsCrossTheWire(t *testing.T) {
	refused := &net.OpError{Op: "connect", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	sentinels := []error{netapi.ErrInvalidPort, netapi.ErrWriteAfterEnd, netapi.ErrServerNotRunning,
		netapi.ErrServerAlreadyListening, netapi.ErrSocketClosed, netapi.ErrClosedBeforeConnection,
		netapi.ErrListenerFailed, actors.ErrOwnerStopped, remote.ErrNodeLost, remote.ErrSpawnFailed,
		remote.ErrUnknownProfile, actors.ErrHandshakeTimeout, netapi.ErrFrameTooLarge, netapi.ErrBadFrame}
	for _, tc := range []struct {
		err   error
		code  string
		errno syscall.Errno
	}{
		{refused, "ECONNREFUSED", syscall.ECONNREFUSED},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, "ECONNRESET", syscall.ECONNRESET},
		{fmt.Errorf("write: %w", netapi.ErrWriteAfterEnd), "ERR_STREAM_WRITE_AFTER_END", 0},
		{netapi.ErrClosedBeforeConnection, "ERR_SOCKET_CLOSED_BEFORE_CONNECTION", 0},
		{netapi.ErrSocketClosed, "ERR_STREAM_DESTROYED", 0},
		{netapi.ErrInvalidPort, "ERR_SOCKET_BAD_PORT", 0},
		{actors.ErrOwnerStopped, "ERR_ACTORNET_OWNER_STOPPED", 0},
		{&net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}, "ENOTFOUND", 0},
		{supervisor.NewPanicError("boom"), "ERR_ACTORNET_PANIC", 0},
		{remote.ErrNodeLost, "ERR_NODE_LOST", 0},
		{fmt.Errorf("%w: %q", remote.ErrUnknownProfile, "nope"), "ERR_ACTORNET_UNKNOWN_PROFILE", 0},
		{&actors.TLSError{Code: "ERR_TLS_HANDSHAKE_TIMEOUT", Err: actors.ErrHandshakeTimeout}, "ERR_TLS_HANDSHAKE_TIMEOUT", 0},
		{fmt.Errorf("read: %w", netapi.ErrFrameTooLarge), "ERR_ACTORNET_FRAME_TOO_LARGE", 0},
		{fmt.Errorf("%w: split", netapi.ErrBadFrame), "ERR_ACTORNET_BAD_FRAME", 0},
		{errors.New("something else"), "", 0},
	} {
		t.Run(tc.code, func(t *testing.T) {
			require.Equal(t, tc.code, netapi.Code(tc.err), "code here")
			got := remote.DecodeErr(cross(t, remote.EncodeErr(tc.err)).(*wire.Error))
			require.Equal(t, tc.err.Error(), got.Error())
			require.Equal(t, tc.code, netapi.Code(got), "code there")
			for _, s := range sentinels {
				require.Equal(t, errors.Is(tc.err, s), errors.Is(got, s), "errors.Is(err, %v)", s)
			}
			var errno syscall.Errno
			if tc.errno != 0 {
				require.True(t, errors.As(got, &errno))
				require.Equal(t, tc.errno, errno)
				require.ErrorIs(t, got, tc.errno)
			} else {
				require.False(t, errors.As(got, &errno))
			}
		})
	}
	require.Nil(t, remote.DecodeErr(remote.EncodeErr(nil)))
}
