package netapi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/supervisor"
)

func TestHalfOpen(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprintf("allowHalfOpen=%v", allow), func(t *testing.T) {
			rt := newRuntime(t)
			ln, port := rawListener(t)
			l := newLog()
			c := rt.Connect(netapi.ConnectOptions{Port: port, Host: "127.0.0.1", AllowHalfOpen: allow}, nil)
			c.OnData(func(b []byte) { l.Add("data " + string(b)) })
			c.OnEnd(func() {
				l.Add("end")
				c.WriteString("reply in end", nil) // goes out before our FIN either way
				if allow {
					c.End([]byte("!"), nil)
				}
			})
			c.OnFinish(func() { l.Add("finish") })
			c.OnClose(func(h bool) { l.Add(fmt.Sprintf("close %v", h)) })
			peer := acceptRaw(t, ln)
			_, _ = peer.Write([]byte("hi"))
			require.NoError(t, peer.CloseWrite())
			got, err := io.ReadAll(peer)
			require.NoError(t, err)
			want := "reply in end"
			if allow {
				want += "!"
			}
			assert.Equal(t, want, string(got))
			assert.Equal(t, []string{"data hi", "end", "finish", "close false"}, l.WaitFor(t, "close false"))
		})
	}
}

func TestWriteReturnsFalseThenDrain(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	l := newLog()
	c := rt.NewSocket(netapi.SocketOptions{})
	c.OnDrain(func() { l.Add("drain") })
	// Written before connecting, so that nothing is flushed between the writes.
	assert.True(t, c.Write(make([]byte, 16383), nil), "below the 16 KiB mark")
	assert.False(t, c.Write(make([]byte, 1), nil), "at the mark: full")
	assert.False(t, c.Write(make([]byte, 4<<20), nil))
	assert.Equal(t, int64(16384+4<<20), c.BytesWritten())
	c.ConnectPort(port, "127.0.0.1", nil)
	peer := acceptRaw(t, ln)
	go io.Copy(io.Discard, peer)
	l.WaitFor(t, "drain")
	assert.Equal(t, int64(0), c.BufferSize())
	assert.True(t, c.Write([]byte("x"), nil))
}

func TestWriteCallbackOrderAndEnd(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	l := newLog()
	c := rt.NewSocket(netapi.SocketOptions{})
	c.OnFinish(func() { l.Add("finish listener") })
	c.ConnectPort(port, "127.0.0.1", func() { l.Add("connect") })
	c.WriteString("one", func(err error) { l.Add(fmt.Sprintf("write one %v", err)) })
	c.End([]byte("two"), func(err error) { l.Add(fmt.Sprintf("end cb %v", err)) })
	peer := acceptRaw(t, ln)
	got, _ := io.ReadAll(peer)
	assert.Equal(t, "onetwo", string(got))
	// As in Node: End's callback runs before the 'finish' listeners.
	assert.Equal(t, []string{"connect", "write one <nil>", "end cb <nil>", "finish listener"}, l.WaitFor(t, "finish listener"))
}

func TestWriteAfterEnd(t *testing.T) {
	rt := newRuntime(t)
	_, port := rawListener(t)
	l := newLog()
	c := rt.ConnectPort(port, "127.0.0.1", nil)
	c.OnError(func(err error) { l.Add("error " + netapi.Code(err)) })
	c.OnClose(func(h bool) { l.Add(fmt.Sprintf("close %v", h)) })
	c.End(nil, nil)
	assert.False(t, c.WriteString("late", func(err error) {
		assert.ErrorIs(t, err, netapi.ErrWriteAfterEnd)
		l.Add("cb " + netapi.Code(err))
	}))
	assert.Equal(t, []string{"cb ERR_STREAM_WRITE_AFTER_END", "error ERR_STREAM_WRITE_AFTER_END", "close true"},
		l.WaitFor(t, "close true"))
}

// An error nobody listens for is never silent: it goes to the runtime's logger, with Node's
// code; a listener added after the close does not get it (it would come after 'close').
func TestUnheardErrorIsLogged(t *testing.T) {
	var logged bytes.Buffer
	var mu sync.Mutex
	rt := newRuntime(t, netapi.WithLogger(slog.New(slog.NewTextHandler(&lockedWriter{&logged, &mu}, nil))))
	ln, port := rawListener(t)
	ln.Close()
	closed := make(chan bool, 1)
	c := rt.ConnectPort(port, "127.0.0.1", func() { t.Error("connected to a closed port") })
	c.OnClose(func(h bool) { closed <- h })
	assert.True(t, recv(t, closed))
	mu.Lock()
	out := logged.String()
	mu.Unlock()
	assert.Contains(t, out, "level=ERROR")
	assert.Contains(t, out, "code=ECONNREFUSED")
	c.OnError(func(err error) { t.Errorf("an error after close: %v", err) })
}

func TestInvalidPorts(t *testing.T) {
	rt := newRuntime(t)
	for _, port := range []int{-1, 65536, 1 << 31} {
		l := newLog()
		c := rt.NewSocket(netapi.SocketOptions{}) // listeners first: the error comes at once
		c.OnError(func(err error) {
			assert.ErrorIs(t, err, netapi.ErrInvalidPort)
			l.Add("error " + netapi.Code(err))
		})
		c.OnClose(func(h bool) { l.Add(fmt.Sprintf("close %v", h)) })
		c.ConnectPort(port, "127.0.0.1", nil)
		assert.Equal(t, []string{"error ERR_SOCKET_BAD_PORT", "close true"}, l.WaitFor(t, "close true"), "port %d", port)

		srvErr := make(chan error, 1)
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		srv.OnError(func(err error) { srvErr <- err })
		srv.ListenPort(port, "127.0.0.1", 0, func() { t.Error("listening on a bad port") })
		assert.Equal(t, "ERR_SOCKET_BAD_PORT", netapi.Code(recv(t, srvErr)))
	}
}

func TestAddressInUse(t *testing.T) {
	rt := newRuntime(t)
	first := rt.CreateServer(netapi.ServerOptions{}, nil)
	port := listen(t, first)
	second := rt.CreateServer(netapi.ServerOptions{}, nil)
	errs := make(chan error, 1)
	second.OnError(func(err error) { errs <- err })
	second.ListenPort(port, "127.0.0.1", 0, nil) // a callback here would run at the next listen, as in Node
	err := recv(t, errs)
	assert.ErrorIs(t, err, syscall.EADDRINUSE)
	assert.Equal(t, "EADDRINUSE", netapi.Code(err))
	assert.False(t, second.Listening())
	// Free to listen again.
	assert.NotEqual(t, port, listen(t, second))
}

func TestPauseResume(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	data := make(chan string, 10)
	c := rt.ConnectPort(port, "127.0.0.1", nil)
	c.OnData(func(b []byte) { data <- string(b) })
	peer := acceptRaw(t, ln)
	_, _ = peer.Write([]byte("1"))
	assert.Equal(t, "1", recv(t, data))
	c.Pause()
	_, _ = peer.Write([]byte("2"))
	select {
	case d := <-data:
		t.Fatalf("data %q while paused", d)
	case <-time.After(100 * time.Millisecond):
	}
	c.Resume()
	assert.Equal(t, "2", recv(t, data))
}

func TestDataWaitsForAListener(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		t.Run(fmt.Sprintf("ReuseReadBuffer=%v", reuse), func(t *testing.T) {
			rt := newRuntime(t)
			l := newLog()
			accepted := make(chan *netapi.Socket, 1)
			srv := rt.CreateServer(netapi.ServerOptions{ReuseReadBuffer: reuse}, func(s *netapi.Socket) { accepted <- s })
			port := listen(t, srv)
			peer := dialRaw(t, port)
			_, _ = peer.Write([]byte("early"))
			_ = peer.CloseWrite()
			s := recv(t, accepted)
			// The data has reached the socket, and waits: nobody listens yet.
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			require.Eventually(t, func() bool {
				snap, err := rt.Tree().Snapshot(ctx)
				return err == nil && len(snap.Servers) == 1 && len(snap.Servers[0].Sockets) == 1 &&
					snap.Servers[0].Sockets[0].BytesRead == 5
			}, wait, time.Millisecond)
			// Listeners added late, from another goroutine, get the data and then the end.
			s.OnEnd(func() { l.Add("end") })
			s.OnData(func(b []byte) { l.Add("data " + string(b)) })
			assert.Equal(t, []string{"data early", "end"}, l.WaitFor(t, "end"))
		})
	}
}

func TestEndWithoutDataListener(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	l := newLog()
	c := rt.ConnectPort(port, "127.0.0.1", nil)
	c.OnEnd(func() { l.Add("end") })
	c.OnClose(func(bool) { l.Add("close") })
	_ = acceptRaw(t, ln).Close()
	assert.Equal(t, []string{"end", "close"}, l.WaitFor(t, "close"))
}

func TestSetTimeout(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	l := newLog()
	c := rt.ConnectPort(port, "127.0.0.1", nil)
	c.OnData(func([]byte) { l.Add("data") })
	peer := acceptRaw(t, ln)
	var n atomic.Int32
	c.OnTimeout(func() { l.Add(fmt.Sprintf("timeout %d", n.Add(1))) })
	c.SetTimeout(80*time.Millisecond, func() { l.Add("once") })
	l.WaitFor(t, "timeout 1")
	_, _ = peer.Write([]byte("x")) // activity re-arms it
	assert.Equal(t, []string{"timeout 1", "once", "data", "timeout 2"}, l.WaitFor(t, "timeout 2"))
	c.SetTimeout(0, nil)
	_, _ = peer.Write([]byte("y"))
	l.WaitFor(t, "data")
	time.Sleep(200 * time.Millisecond) // time is the subject: nothing may fire in 2.5 periods
	assert.NotContains(t, l.All(), "timeout 3")
}

func TestLookupLocalhost(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	l := newLog()
	c := rt.NewSocket(netapi.SocketOptions{})
	c.OnLookup(func(err error, address, family string) { l.Add(fmt.Sprintf("lookup %v %s %s", err, address, family)) })
	c.Connect(netapi.ConnectOptions{Port: port}, func() { l.Add("connect") })
	acceptRaw(t, ln)
	assert.Equal(t, []string{"lookup <nil> 127.0.0.1 IPv4", "connect"}, l.WaitFor(t, "connect"))
}

func TestSeveralListenersRunInOrder(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	l := newLog()
	c := rt.NewSocket(netapi.SocketOptions{})
	for i := range 3 {
		c.OnConnect(func() { l.Add(fmt.Sprint("listener ", i)) })
	}
	c.OnConnect(nil) // allowed, ignored
	// The connect callback is a once listener added by Connect, after the three (as in Node).
	c.ConnectPort(port, "127.0.0.1", func() { l.Add("cb") })
	acceptRaw(t, ln)
	assert.Equal(t, []string{"listener 0", "listener 1", "listener 2", "cb"}, l.WaitFor(t, "cb"))
}

func TestDestroyWithPendingWrites(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	l := newLog()
	c := rt.NewSocket(netapi.SocketOptions{})
	c.OnClose(func(h bool) { l.Add(fmt.Sprintf("close %v", h)) })
	c.OnError(func(err error) { l.Add("error") })
	c.ConnectPort(port, "127.0.0.1", func() { l.Add("connect") })
	acceptRaw(t, ln)
	l.WaitFor(t, "connect") // connected: the destroy below is not one before connection
	c.Write(make([]byte, 32<<20), func(err error) { l.Add("cb " + netapi.Code(err)) })
	c.Destroy()
	c.Destroy()
	assert.Equal(t, []string{"connect", "cb ERR_STREAM_DESTROYED", "close false"}, l.WaitFor(t, "close false"))
	// After close, calls are harmless.
	c.Write([]byte("x"), func(err error) { l.Add("late " + netapi.Code(err)) })
	c.End(nil, nil)
	c.Pause().Resume().SetTimeout(time.Millisecond, nil).SetKeepAlive(true, 0).SetNoDelay(true)
	c.Destroy()
	l.WaitFor(t, "late ERR_STREAM_DESTROYED")
}

func TestPanicInCallbackIsContained(t *testing.T) {
	for _, loop := range []bool{false, true} {
		t.Run(fmt.Sprintf("eventLoop=%v", loop), func(t *testing.T) {
			var opts []netapi.Option
			if loop {
				opts = append(opts, netapi.WithEventLoop())
			}
			rt := newRuntime(t, opts...)
			l := newLog()
			srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
				s.OnError(func(err error) {
					var pe *supervisor.PanicError
					if errors.As(err, &pe) {
						l.Add("panic error " + fmt.Sprint(pe.Value))
					}
				})
				s.OnData(func(b []byte) {
					if string(b) == "boom" {
						panic("callback exploded")
					}
					s.Write(b, nil)
				})
			})
			port := listen(t, srv)
			bad, good := dialRaw(t, port), dialRaw(t, port)
			_, _ = bad.Write([]byte("boom"))
			rest, err := io.ReadAll(bad)
			require.NoError(t, err)
			assert.Empty(t, rest)
			l.WaitFor(t, "panic error callback exploded")
			_, _ = good.Write([]byte("fine"))
			buf := make([]byte, 4)
			_, err = io.ReadFull(good, buf)
			require.NoError(t, err)
			assert.Equal(t, "fine", string(buf))
		})
	}
}

func TestPanicInConnectionListener(t *testing.T) {
	rt := newRuntime(t)
	first := true
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		if first {
			first = false
			panic("in onConnection")
		}
		s.OnData(func(b []byte) { s.Write(b, nil) })
	})
	port := listen(t, srv)
	bad := dialRaw(t, port)
	_, err := io.ReadAll(bad)
	require.NoError(t, err, "the socket whose listener panicked is closed")
	good := dialRaw(t, port)
	_, _ = good.Write([]byte("ok"))
	buf := make([]byte, 2)
	_, err = io.ReadFull(good, buf)
	require.NoError(t, err)
}

func TestEventLoopRunsOneCallbackAtATime(t *testing.T) {
	rt := newRuntime(t, netapi.WithEventLoop())
	var inside, overlaps atomic.Int32
	enter := func() {
		if inside.Add(1) > 1 {
			overlaps.Add(1)
		}
		time.Sleep(100 * time.Microsecond) // widen the window for an overlap to show
		inside.Add(-1)
	}
	count := 0 // shared by callbacks, no lock: that is the point of the loop
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		enter()
		s.OnData(func(b []byte) { enter(); count += len(b); s.Write(b, nil) })
	})
	port := listen(t, srv)
	const clients = 20
	done := make(chan struct{}, clients)
	for range clients {
		c := rt.ConnectPort(port, "127.0.0.1", nil)
		got := 0
		c.OnData(func(b []byte) {
			enter()
			got += len(b)
			if got == 100 {
				c.Destroy()
				done <- struct{}{}
			}
		})
		for range 10 {
			c.WriteString(strings.Repeat("x", 10), nil)
		}
	}
	for range clients {
		recv(t, done)
	}
	assert.Zero(t, overlaps.Load(), "callbacks overlapped on the event loop")
}

func TestWaitAndShutdown(t *testing.T) {
	rt := netapi.New()
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.OnData(func([]byte) {}) })
	port := listen(t, srv)
	c := rt.ConnectPort(port, "127.0.0.1", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, rt.Wait(ctx), context.DeadlineExceeded, "a listening server keeps Wait blocked")

	closed := make(chan bool, 1)
	c.OnClose(func(h bool) { closed <- h })
	sctx, scancel := context.WithTimeout(context.Background(), wait)
	defer scancel()
	require.NoError(t, rt.Shutdown(sctx))
	assert.False(t, recv(t, closed))
	assert.NoError(t, rt.Wait(sctx))
	assert.NoError(t, rt.Shutdown(sctx), "idempotent")
	// Harmless after shutdown.
	s := rt.CreateServer(netapi.ServerOptions{}, nil)
	errs := make(chan error, 1)
	s.Close(func(err error) { errs <- err })
	assert.ErrorIs(t, recv(t, errs), netapi.ErrServerNotRunning)
}

func TestKeepAliveOnTheDescriptor(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	c := rt.NewSocket(netapi.SocketOptions{}).SetKeepAlive(true, 5*time.Second)
	connected := make(chan struct{})
	c.ConnectPort(port, "127.0.0.1", func() { close(connected) })
	acceptRaw(t, ln)
	recv(t, connected)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	snap, err := rt.Tree().Snapshot(ctx)
	require.NoError(t, err)
	require.Len(t, snap.Clients, 1)
	assert.True(t, snap.Clients[0].KeepAlive)
	assert.Equal(t, 5*time.Second, snap.Clients[0].KeepAliveIdle)
}

// Data that nobody consumes yet holds the socket to one read buffer: the rest waits in the
// kernel and holds the peer back. (A callback stuck on the socket's loop holds it the same
// way: the reader reads its next chunk only once the actor has handled the last one.)
func TestUnconsumedDataHoldsOneReadBuffer(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	c := rt.ConnectPort(port, "127.0.0.1", nil)
	peer := acceptRaw(t, ln)
	blocked := make(chan int64, 1)
	go func() {
		var n int64
		buf := make([]byte, 1<<20)
		for n < 50<<20 {
			_ = peer.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
			k, err := peer.Write(buf)
			n += int64(k)
			if err != nil {
				break
			}
		}
		blocked <- n
	}()
	sent := recv(t, blocked)
	require.Less(t, sent, int64(50<<20), "the peer was never held back")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	snap, err := rt.Tree().Snapshot(ctx)
	require.NoError(t, err)
	require.Len(t, snap.Clients, 1)
	assert.LessOrEqual(t, snap.Clients[0].BytesRead, int64(actorsReadBuffer),
		"the socket read %d bytes that nobody consumed", snap.Clients[0].BytesRead)
	c.Destroy()
}

// actorsReadBuffer is actors.DefaultReadBufferSize: one read takes at most that much.
const actorsReadBuffer = 64 << 10
