package netapi_test

import (
	"net"
	"strconv"
	"testing"

	"go.uber.org/goleak"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// The shared helpers, under the short names these tests use.
const wait = testkit.Wait

var (
	newLog      = testkit.NewLog
	rawListener = func(t *testing.T) (net.Listener, int) { return testkit.Listener(t) }
	acceptRaw   = func(t *testing.T, ln net.Listener) *net.TCPConn { return testkit.Accept(t, ln) }
	dialRaw     = func(t *testing.T, port int) *net.TCPConn { return testkit.Dial(t, port) }
	listen      = func(t *testing.T, srv *netapi.Server) int { return testkit.Listen(t, srv) }
)

func newRuntime(t *testing.T, opts ...netapi.Option) *netapi.Runtime {
	return testkit.Runtime(t, opts...)
}

func recv[T any](t *testing.T, ch <-chan T) T { t.Helper(); return testkit.Recv(t, ch) }

func rawListenerB(b *testing.B) (net.Listener, int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	return ln, ln.Addr().(*net.TCPAddr).Port
}

func dialRawB(b *testing.B, port int) net.Conn {
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		b.Fatal(err)
	}
	return c
}
