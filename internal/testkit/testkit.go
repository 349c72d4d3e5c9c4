// Package testkit holds the helpers actornet's tests share: a runtime shut down with the test,
// an event log to wait on, receiving with a bound, and plain Go loopback peers. Every wait is
// bounded by [Wait], far above what any step needs, so that only a hang fails a test on a slow
// machine.
package testkit

import (
	"context"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
)

// Wait bounds every wait on an event.
const Wait = 20 * time.Second

// Runtime makes a netapi runtime that is shut down, and must shut down cleanly, when the test
// ends. What it logs (errors nobody listened for) goes to the test's log.
func Runtime(t testing.TB, opts ...netapi.Option) *netapi.Runtime {
	t.Helper()
	rt := netapi.New(append([]netapi.Option{netapi.WithLogger(Logger(t))}, opts...)...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Wait)
		defer cancel()
		require.NoError(t, rt.Shutdown(ctx))
	})
	return rt
}

// Logger is a logger that writes to t's log until the test ends.
func Logger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() { // registered first, so it runs after the cleanups registered later
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, nil))
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// Log records events from callbacks in order and lets the test wait for one. It is safe for
// concurrent use.
type Log struct {
	mu      sync.Mutex
	entries []string
	changed chan struct{}
}

// NewLog makes an empty log.
func NewLog() *Log { return &Log{changed: make(chan struct{}, 1)} }

// Add records e.
func (l *Log) Add(e string) {
	l.mu.Lock()
	l.entries = append(l.entries, e)
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// All returns what was recorded so far.
func (l *Log) All() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.entries...)
}

// WaitFor blocks until e was recorded, and returns the whole log.
func (l *Log) WaitFor(t testing.TB, e string) []string {
	t.Helper()
	deadline := time.After(Wait)
	for {
		all := l.All()
		for _, x := range all {
			if x == e {
				return all
			}
		}
		select {
		case <-l.changed:
		case <-deadline:
			t.Fatalf("no %q within %v; log: %q", e, Wait, all)
		}
	}
}

// Recv receives from ch, failing the test after Wait.
func Recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(Wait):
		t.Fatalf("nothing received within %v", Wait)
		var zero T
		return zero
	}
}

// Listener is a plain Go loopback listener, closed with the test; it returns its port.
func Listener(t testing.TB) (*net.TCPListener, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	return ln.(*net.TCPListener), ln.Addr().(*net.TCPAddr).Port
}

// Accept accepts one connection on ln, closed with the test.
func Accept(t testing.TB, ln net.Listener) *net.TCPConn {
	t.Helper()
	c, err := ln.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// Dial connects a plain Go client to port on 127.0.0.1, closed with the test.
func Dial(t testing.TB, port int) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// Listen starts srv on 127.0.0.1 and returns its port once it listens.
func Listen(t testing.TB, srv *netapi.Server) int {
	t.Helper()
	ready := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(ready) })
	Recv(t, ready)
	return srv.Address().Port
}

// ClosedPort returns a port of 127.0.0.1 that nothing listens on (one that was just free).
func ClosedPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}
