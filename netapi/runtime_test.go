package netapi_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/supervisor"
)

// Every way of making a connection, the package-level ones (on Default) included.
func TestConnectionForms(t *testing.T) {
	rt := newRuntime(t)
	var mu sync.Mutex
	got := map[string]string{}
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		var b []byte
		s.OnData(func(d []byte) { b = append(b, d...) })
		s.OnEnd(func() { mu.Lock(); got[string(b)] = "ok"; mu.Unlock() })
	})
	port := listen(t, srv)
	opts := netapi.ConnectOptions{Port: port, Host: "127.0.0.1"}
	forms := map[string]func(cb func()) *netapi.Socket{
		"rt.Connect":                  func(cb func()) *netapi.Socket { return rt.Connect(opts, cb) },
		"rt.ConnectPort":              func(cb func()) *netapi.Socket { return rt.ConnectPort(port, "127.0.0.1", cb) },
		"rt.CreateConnection":         func(cb func()) *netapi.Socket { return rt.CreateConnection(opts, cb) },
		"rt.CreateConnectionPort":     func(cb func()) *netapi.Socket { return rt.CreateConnectionPort(port, "", cb) },
		"Socket.Connect":              func(cb func()) *netapi.Socket { return rt.NewSocket(netapi.SocketOptions{}).Connect(opts, cb) },
		"netapi.Connect":              func(cb func()) *netapi.Socket { return netapi.Connect(opts, cb) },
		"netapi.ConnectPort":          func(cb func()) *netapi.Socket { return netapi.ConnectPort(port, "127.0.0.1", cb) },
		"netapi.CreateConnection":     func(cb func()) *netapi.Socket { return netapi.CreateConnection(opts, cb) },
		"netapi.CreateConnectionPort": func(cb func()) *netapi.Socket { return netapi.CreateConnectionPort(port, "localhost", cb) },
		"netapi.NewSocket": func(cb func()) *netapi.Socket {
			return netapi.NewSocket(netapi.SocketOptions{}).ConnectPort(port, "", cb)
		},
	}
	closed := make(chan string, len(forms))
	pending := map[string]bool{}
	for name := range forms {
		pending[name] = true
	}
	for name, form := range forms {
		var s *netapi.Socket
		assigned := make(chan struct{})
		s = form(func() { <-assigned; s.End([]byte(name), nil) })
		close(assigned)
		s.OnClose(func(bool) { closed <- name })
	}
	for range forms {
		select {
		case name := <-closed:
			delete(pending, name)
		case <-time.After(wait):
			t.Fatalf("never closed: %v", pending)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, netapi.Wait(ctx))
	require.NoError(t, netapi.Shutdown(ctx))
	mu.Lock()
	defer mu.Unlock()
	for name := range forms {
		assert.Equal(t, "ok", got[name], name)
	}
}

func TestReconnectSameSocket(t *testing.T) {
	rt := newRuntime(t)
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.End([]byte("hello"), nil) })
	port := listen(t, srv)
	c := rt.NewSocket(netapi.SocketOptions{})
	l := newLog()
	var data []byte
	c.OnData(func(b []byte) { data = append(data, b...) })
	round := 0
	c.OnClose(func(hadError bool) {
		round++
		l.Add(fmt.Sprintf("close %d %v %s read=%d", round, hadError, data, c.BytesRead()))
		data = nil
		if round < 3 {
			c.ConnectPort(port, "127.0.0.1", nil)
		}
	})
	c.ConnectPort(port, "127.0.0.1", nil)
	assert.Equal(t, []string{"close 1 false hello read=5", "close 2 false hello read=5", "close 3 false hello read=5"},
		l.WaitFor(t, "close 3 false hello read=5"))
}

func TestSharedActorSystemAndLogger(t *testing.T) {
	sys := supervisor.NewSystem(nil)
	defer sys.Shutdown()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
	rt := netapi.New(netapi.WithActorSystem(sys), netapi.WithLogger(logger))
	assert.Same(t, sys, rt.System())
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.OnData(func([]byte) { panic("logged") })
	})
	port := listen(t, srv)
	closed := make(chan bool, 1)
	c := rt.ConnectPort(port, "127.0.0.1", func() {})
	c.OnClose(func(h bool) { closed <- h })
	c.WriteString("x", nil)
	recv(t, closed)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rt.Shutdown(ctx))
	assert.False(t, sys.IsStopped(), "a shared system outlives the runtime")
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, buf.String(), "panic", "the given logger hears of the panic")
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestServerListenAgainAfterClose(t *testing.T) {
	rt := newRuntime(t)
	srv := rt.CreateServer(netapi.ServerOptions{}, nil)
	listen(t, srv)
	assert.True(t, srv.Listening())
	closed := make(chan error, 1)
	srv.Close(func(err error) { closed <- err })
	assert.NoError(t, recv(t, closed))
	assert.False(t, srv.Listening())
	srv.Close(func(err error) { closed <- err })
	assert.ErrorIs(t, recv(t, closed), netapi.ErrServerNotRunning)
	assert.NotZero(t, listen(t, srv))
	srv.Close(nil)
}

func TestUnrefLetsWaitReturn(t *testing.T) {
	rt := newRuntime(t)
	srv := rt.CreateServer(netapi.ServerOptions{}, nil)
	listen(t, srv)
	srv.Unref()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	assert.NoError(t, rt.Wait(ctx))
	srv.Ref()
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	assert.ErrorIs(t, rt.Wait(short), context.DeadlineExceeded)
}

func TestMaxConnections(t *testing.T) {
	rt := newRuntime(t)
	conns := make(chan *netapi.Socket, 2)
	srv := rt.CreateServer(netapi.ServerOptions{MaxConnections: 1}, func(s *netapi.Socket) { conns <- s })
	port := listen(t, srv)
	dialRaw(t, port)
	recv(t, conns)
	extra := dialRaw(t, port)
	_ = extra.SetReadDeadline(time.Now().Add(wait))
	_, err := extra.Read(make([]byte, 1))
	assert.Error(t, err, "dropped at once")
	assert.Empty(t, conns)
}

func TestGetConnections(t *testing.T) {
	rt := newRuntime(t)
	conns := make(chan *netapi.Socket, 3)
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { conns <- s })
	port := listen(t, srv)
	counts := make(chan int, 1)
	count := func() int {
		srv.GetConnections(func(err error, n int) {
			assert.NoError(t, err)
			counts <- n
		})
		return recv(t, counts)
	}
	assert.Equal(t, 0, count())
	dialRaw(t, port)
	dialRaw(t, port)
	first := recv(t, conns)
	recv(t, conns)
	assert.Equal(t, 2, count())
	closed := make(chan bool, 1)
	first.OnClose(func(h bool) { closed <- h })
	first.Destroy()
	recv(t, closed)
	require.Eventually(t, func() bool { return count() == 1 }, wait, time.Millisecond)
}
