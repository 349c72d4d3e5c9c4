package netapi_test

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actornet/actornet/netapi"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// wait bounds every wait on an event: far above what any step needs, so that only a hang
// fails a test on a slow machine.
const wait = 10 * time.Second

func newRuntime(t *testing.T, opts ...netapi.Option) *netapi.Runtime {
	t.Helper()
	rt := netapi.New(opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		require.NoError(t, rt.Shutdown(ctx))
	})
	return rt
}

// log records events from callbacks, in order, and lets the test wait for them.
type log struct {
	mu      sync.Mutex
	entries []string
	changed chan struct{}
}

func newLog() *log { return &log{changed: make(chan struct{}, 1)} }

func (l *log) add(e string) {
	l.mu.Lock()
	l.entries = append(l.entries, e)
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

func (l *log) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.entries...)
}

// waitFor blocks until the log holds e, and returns the log.
func (l *log) waitFor(t *testing.T, e string) []string {
	t.Helper()
	deadline := time.After(wait)
	for {
		s := l.snapshot()
		for _, x := range s {
			if x == e {
				return s
			}
		}
		select {
		case <-l.changed:
		case <-deadline:
			t.Fatalf("no %q within %v; log: %q", e, wait, s)
		}
	}
}

// listen starts a server on 127.0.0.1 and returns its port once it listens.
func listen(t *testing.T, srv *netapi.Server) int {
	t.Helper()
	ready := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(ready) })
	select {
	case <-ready:
	case <-time.After(wait):
		t.Fatal("server did not listen")
	}
	return srv.Address().Port
}

func rawListener(t *testing.T) (net.Listener, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	return ln, ln.Addr().(*net.TCPAddr).Port
}

func dialRaw(t *testing.T, port int) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

func recv[T any](t *testing.T, ch <-chan T) T {
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

func acceptRaw(t *testing.T, ln net.Listener) *net.TCPConn {
	t.Helper()
	c, err := ln.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

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
