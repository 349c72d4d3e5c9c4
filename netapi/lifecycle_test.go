package netapi_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// A socket that connects again from its own 'close' listener stays counted: Wait returns only
// after its last connection closed.
func TestReconnectFromCloseKeepsWaitWaiting(t *testing.T) {
	rt := newRuntime(t)
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.End(nil, nil) })
	port := listen(t, srv)
	srv.Unref() // only the client keeps Wait waiting
	const rounds = 5
	l := newLog()
	c := rt.NewSocket(netapi.SocketOptions{})
	closes := 0
	c.OnData(func([]byte) {})
	c.OnClose(func(bool) {
		closes++
		l.Add(fmt.Sprintf("close %d", closes))
		if closes < rounds {
			c.ConnectPort(port, "127.0.0.1", nil)
		}
	})
	c.ConnectPort(port, "127.0.0.1", nil)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rt.Wait(ctx))
	assert.Len(t, l.All(), rounds, "Wait returned before the last connection closed")
}

// Listen then Shutdown at once: Shutdown waits for the Listen in flight to end, and Wait does
// not hang afterwards; Listen and Close after Shutdown answer at once.
func TestListenThenShutdown(t *testing.T) {
	for range 20 {
		rt := netapi.New(netapi.WithLogger(testkit.Logger(t)))
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, nil)
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		require.NoError(t, rt.Shutdown(ctx))
		require.NoError(t, rt.Wait(ctx), "Wait after Shutdown")
		closed := make(chan error, 1)
		srv.Close(func(err error) { closed <- err })
		assert.ErrorIs(t, recv(t, closed), netapi.ErrServerNotRunning)
		failed := make(chan error, 1)
		srv.OnError(func(err error) { failed <- err })
		srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, nil)
		assert.ErrorIs(t, recv(t, failed), netapi.ErrRuntimeClosed)
		cancel()
	}
}

// Shutdown called from several goroutines at once: every call returns only once the
// shutdown is done (every close listener ran), and none panics.
func TestConcurrentShutdown(t *testing.T) {
	rt := netapi.New(netapi.WithLogger(testkit.Logger(t)))
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.OnData(func([]byte) {}) })
	port := listen(t, srv)
	var closed sync.WaitGroup
	var mu sync.Mutex
	closedCount := 0
	const n = 20
	for range n {
		closed.Add(1)
		c := rt.ConnectPort(port, "127.0.0.1", nil)
		c.OnClose(func(bool) {
			mu.Lock()
			closedCount++
			mu.Unlock()
			closed.Done()
		})
		c.Write(make([]byte, 64<<10), nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var calls sync.WaitGroup
	for range 4 {
		calls.Add(1)
		go func() {
			defer calls.Done()
			assert.NoError(t, rt.Shutdown(ctx))
			mu.Lock()
			assert.Equal(t, n, closedCount, "a Shutdown returned before every socket closed")
			mu.Unlock()
		}()
	}
	calls.Wait()
}

// End's callback runs exactly once: with nil at 'finish', or with an error when the socket
// closes first, and never at a later connection's finish.
func TestEndCallbackRunsOnce(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	l := newLog()
	c := rt.NewSocket(netapi.SocketOptions{AllowHalfOpen: true})
	c.ConnectPort(port, "127.0.0.1", nil)
	peer := acceptRaw(t, ln)
	c.Write(make([]byte, 32<<20), nil) // the peer reads nothing: the End cannot finish
	c.End(nil, func(err error) { l.Add("first " + netapi.Code(err)) })
	c.Destroy()
	l.WaitFor(t, "first ERR_STREAM_DESTROYED")
	peer.Close()
	closed := make(chan bool, 1)
	c.OnClose(func(bool) { closed <- true })
	<-closed
	c.ConnectPort(port, "127.0.0.1", nil)
	peer = acceptRaw(t, ln)
	defer peer.Close()
	c.End(nil, func(err error) { l.Add(fmt.Sprintf("second %v", err)) })
	assert.Equal(t, []string{"first ERR_STREAM_DESTROYED", "second <nil>"}, l.WaitFor(t, "second <nil>"))
}

// A closing server whose accepted connections are all paused (idle, as Node's handles go)
// lets Wait return, as Node's process exits without the server's 'close'. Many accepts on
// several loops: an accepted socket's actor may report itself active before the server's
// handler has seen its connection, which once counted it twice and kept Wait waiting.
func TestClosingServerWithIdleConnectionsLetsWaitReturn(t *testing.T) {
	rt := newRuntime(t, netapi.WithEventLoops(4))
	const n = 200
	got := make(chan struct{}, n)
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.Pause(); got <- struct{}{} })
	port := listen(t, srv)
	for range n {
		dialRaw(t, port) // open until the test ends
	}
	for range n {
		recv(t, got)
	}
	srv.Close(nil)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rt.Wait(ctx), "Wait with a closing server whose connections are all idle")
}

// Close, then a Listen that fails (EADDRINUSE) while a connection is still open: 'close' and
// Close's callback come once that connection ends (Node's order), and Wait returns.
func TestFailedListenWhileClosingStillCloses(t *testing.T) {
	rt := newRuntime(t)
	_, busy := rawListener(t)
	ev := newLog()
	srv := rt.CreateServer(netapi.ServerOptions{}, nil)
	srv.OnConnection(func(*netapi.Socket) {
		srv.Close(func(err error) { ev.Add(fmt.Sprint("close callback ", err)) })
		srv.Listen(netapi.ListenOptions{Port: busy, Host: "127.0.0.1"}, nil)
	})
	srv.OnError(func(err error) { ev.Add("error " + netapi.Code(err)) })
	srv.OnClose(func() { ev.Add("close") })
	client := dialRaw(t, listen(t, srv))
	ev.WaitFor(t, "error EADDRINUSE")
	client.Close() // the last connection ends
	assert.Equal(t, []string{"error EADDRINUSE", "close", "close callback <nil>"},
		ev.WaitFor(t, "close callback <nil>"))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rt.Wait(ctx))
}

// A socket that lends its read buffers and has no data listener holds what it read, and can
// read no more: it is idle, so a closing server with it lets Wait return (Node's process
// exits; its socket would have read the peer's end and gone idle too).
func TestUnconsumedLentReadIsIdle(t *testing.T) {
	rt := newRuntime(t)
	accepted := make(chan struct{})
	var srv *netapi.Server
	srv = rt.CreateServer(netapi.ServerOptions{ReuseReadBuffer: true}, func(*netapi.Socket) {
		srv.Close(nil)
		close(accepted)
	})
	c := dialRaw(t, listen(t, srv))
	_, err := c.Write([]byte("nobody reads this"))
	require.NoError(t, err)
	require.NoError(t, c.CloseWrite())
	recv(t, accepted)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rt.Wait(ctx))
}
