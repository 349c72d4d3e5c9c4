package reliability

import (
	"context"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actornet/actornet/netapi"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(soakClientEnv); addr != "" {
		os.Exit(runSoakClient(addr))
	}
	goleak.VerifyTestMain(m)
}

// wait bounds every wait on an event: far above what any step needs, so only a hang fails.
const wait = 20 * time.Second

func newRuntime(t testing.TB, opts ...netapi.Option) *netapi.Runtime {
	t.Helper()
	rt := netapi.New(opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		require.NoError(t, rt.Shutdown(ctx))
	})
	return rt
}

// events records a socket's or server's events in order, safe for concurrent use.
type events struct {
	mu      sync.Mutex
	list    []string
	changed chan struct{}
}

func newEvents() *events { return &events{changed: make(chan struct{}, 1)} }

func (e *events) add(s string) {
	e.mu.Lock()
	e.list = append(e.list, s)
	e.mu.Unlock()
	select {
	case e.changed <- struct{}{}:
	default:
	}
}

func (e *events) all() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.list...)
}

// waitFor blocks until an event equal to s was recorded, and returns them all.
func (e *events) waitFor(t testing.TB, s string) []string {
	t.Helper()
	deadline := time.After(wait)
	for {
		all := e.all()
		for _, x := range all {
			if x == s {
				return all
			}
		}
		select {
		case <-e.changed:
		case <-deadline:
			t.Fatalf("no %q within %v; events: %q", s, wait, all)
		}
	}
}

// echoServer listens on loopback and echoes; it returns the server and its port.
func echoServer(t testing.TB, rt *netapi.Runtime, opts netapi.ServerOptions) (*netapi.Server, int) {
	t.Helper()
	srv := rt.CreateServer(opts, func(s *netapi.Socket) {
		s.OnData(func(b []byte) { s.Write(b, nil) })
		s.OnError(func(error) {})
	})
	ready := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(ready) })
	select {
	case <-ready:
	case <-time.After(wait):
		t.Fatal("server did not listen")
	}
	return srv, srv.Address().Port
}

func rawListener(t testing.TB) (*net.TCPListener, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	return ln.(*net.TCPListener), ln.Addr().(*net.TCPAddr).Port
}

func dial(t testing.TB, port int) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// openFDs counts this process's open descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(entries)
}

func recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("nothing received within %v", wait)
		var zero T
		return zero
	}
}
