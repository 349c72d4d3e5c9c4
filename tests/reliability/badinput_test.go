package reliability

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
)

// Bad arguments give an error that errors.Is an exported sentinel (or a syscall.Errno /
// *net.DNSError) and that Code names, then close; never a panic or a hang.
func TestBadConnectArguments(t *testing.T) {
	for _, tc := range []struct {
		name   string
		port   int
		host   string
		code   string
		target error
	}{
		{"port -1", -1, "127.0.0.1", "ERR_SOCKET_BAD_PORT", netapi.ErrInvalidPort},
		{"port 65536", 65536, "127.0.0.1", "ERR_SOCKET_BAD_PORT", netapi.ErrInvalidPort},
		{"huge port", 1 << 40, "127.0.0.1", "ERR_SOCKET_BAD_PORT", netapi.ErrInvalidPort},
		{"unresolvable host", 80, "no-such-host.invalid", "ENOTFOUND", nil},
		{"port 0", 0, "127.0.0.1", "ECONNREFUSED", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t)
			ev := newEvents()
			c := rt.NewSocket(netapi.SocketOptions{})
			c.OnError(func(err error) {
				if tc.target != nil && !errors.Is(err, tc.target) {
					ev.Add("wrong error " + err.Error())
				}
				ev.Add("error " + netapi.Code(err))
			})
			c.OnClose(func(h bool) { ev.Add(fmt.Sprint("close ", h)) })
			c.OnConnect(func() { ev.Add("connect") })
			assert.NotPanics(t, func() { c.ConnectPort(tc.port, tc.host, nil) })
			assert.Equal(t, []string{"error " + tc.code, "close true"}, ev.WaitFor(t, "close true"))
		})
	}
}

func TestBadListenArguments(t *testing.T) {
	for _, tc := range []struct {
		name string
		port int
		host string
		code string
	}{
		{"port -1", -1, "127.0.0.1", "ERR_SOCKET_BAD_PORT"},
		{"port 65536", 65536, "127.0.0.1", "ERR_SOCKET_BAD_PORT"},
		{"unresolvable host", 0, "no-such-host.invalid", "ENOTFOUND"},
		{"not a local address", 0, "192.0.2.1", "EADDRNOTAVAIL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t)
			errs := make(chan error, 1)
			srv := rt.CreateServer(netapi.ServerOptions{}, nil)
			srv.OnError(func(err error) { errs <- err })
			srv.ListenPort(tc.port, tc.host, 0, nil)
			select {
			case err := <-errs:
				assert.Equal(t, tc.code, netapi.Code(err), "%v", err)
			case <-time.After(wait):
				t.Fatal("no error")
			}
			assert.False(t, srv.Listening())
		})
	}
}

// Nil callbacks are allowed everywhere; nil and empty data are empty writes.
func TestNilCallbacksAndEmptyData(t *testing.T) {
	rt := newRuntime(t)
	srv := rt.CreateServer(netapi.ServerOptions{}, nil)
	srv.OnConnection(nil)
	srv.OnListening(nil)
	srv.OnError(nil)
	srv.OnClose(nil)
	ready := make(chan struct{})
	srv.OnListening(func() { close(ready) })
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, nil)
	recv(t, ready)
	c := rt.ConnectPort(srv.Address().Port, "127.0.0.1", nil)
	for _, add := range []func(){
		func() { c.OnConnect(nil) }, func() { c.OnData(nil) }, func() { c.OnDrain(nil) },
		func() { c.OnEnd(nil) }, func() { c.OnFinish(nil) }, func() { c.OnClose(nil) },
		func() { c.OnError(nil) }, func() { c.OnTimeout(nil) }, func() { c.OnLookup(nil) },
	} {
		assert.NotPanics(t, add)
	}
	flushed := make(chan error, 2)
	assert.True(t, c.Write(nil, func(err error) { flushed <- err }))
	assert.True(t, c.Write([]byte{}, func(err error) { flushed <- err }))
	assert.NoError(t, recv(t, flushed))
	assert.NoError(t, recv(t, flushed))
	assert.NotPanics(t, func() {
		c.Write([]byte("x"), nil)
		c.SetTimeout(time.Second, nil)
		c.End(nil, nil)
	})
	// The server has no connection listener: its socket never consumes the data, so, as in
	// Node, it never sees the end either; the client is destroyed instead.
	closed := make(chan bool, 1)
	c.OnClose(func(h bool) { closed <- h })
	c.Destroy()
	assert.False(t, recv(t, closed))
	assert.Equal(t, int64(1), c.BytesWritten())
}

// A negative timeout is taken as 0: the timer is off and its callback is not added.
func TestNegativeTimeout(t *testing.T) {
	rt := newRuntime(t)
	_, port := echoServer(t, rt, netapi.ServerOptions{})
	c := rt.ConnectPort(port, "127.0.0.1", nil)
	fired := make(chan struct{}, 1)
	c.OnTimeout(func() { fired <- struct{}{} })
	c.SetTimeout(20*time.Millisecond, nil)
	recv(t, fired) // armed, it fires
	c.SetTimeout(-time.Second, func() { t.Error("the callback of a negative timeout ran") })
	c.WriteString("activity", nil)
	select {
	case <-fired:
		t.Fatal("a negative timeout did not turn the timer off")
	case <-time.After(100 * time.Millisecond): // time is the subject: five periods of 20 ms
	}
	c.Destroy()
}

// 100 MiB in one Write arrives whole and in order.
func TestHugeWrite(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	data := make([]byte, 100<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	c := rt.ConnectPort(port, "127.0.0.1", nil)
	assert.False(t, c.Write(data, nil), "100 MiB is over the high-water mark")
	c.End(nil, nil)
	peer, err := ln.Accept()
	require.NoError(t, err)
	defer peer.Close()
	got, err := io.ReadAll(peer)
	require.NoError(t, err)
	require.Equal(t, len(data), len(got))
	for i := range got {
		if got[i] != data[i] {
			t.Fatalf("byte %d differs", i)
		}
	}
}

// Calls in the wrong state: each has its documented result.
func TestWrongStateCalls(t *testing.T) {
	t.Run("before connect: write, end, pause, resume and setTimeout are kept for the connection", func(t *testing.T) {
		rt := newRuntime(t)
		ln, port := rawListener(t)
		c := rt.NewSocket(netapi.SocketOptions{})
		timeout := make(chan struct{}, 1)
		c.SetTimeout(time.Hour, nil).Pause().Resume()
		c.OnTimeout(func() { timeout <- struct{}{} })
		c.WriteString("queued", nil)
		c.End([]byte(" then end"), nil)
		c.ConnectPort(port, "127.0.0.1", nil)
		peer, err := ln.Accept()
		require.NoError(t, err)
		defer peer.Close()
		got, _ := io.ReadAll(peer)
		assert.Equal(t, "queued then end", string(got))
	})
	t.Run("connect while connecting or connected is a no-op", func(t *testing.T) {
		rt := newRuntime(t)
		_, port := echoServer(t, rt, netapi.ServerOptions{})
		ev := newEvents()
		c := rt.NewSocket(netapi.SocketOptions{})
		c.OnConnect(func() { ev.Add("connect") })
		c.ConnectPort(port, "127.0.0.1", nil)
		c.ConnectPort(port, "127.0.0.1", func() { ev.Add("second callback") })
		ev.WaitFor(t, "connect")
		c.ConnectPort(port, "127.0.0.1", nil)
		c.WriteString("x", nil)
		c.OnData(func([]byte) { c.Destroy() })
		c.OnClose(func(bool) { ev.Add("close") })
		assert.Equal(t, []string{"connect", "close"}, ev.WaitFor(t, "close"))
	})
	t.Run("after close: write fails with ErrSocketClosed, the rest does nothing", func(t *testing.T) {
		rt := newRuntime(t)
		c := rt.NewSocket(netapi.SocketOptions{})
		closed := make(chan bool, 1)
		c.OnClose(func(h bool) { closed <- h })
		c.Destroy()
		assert.False(t, recv(t, closed))
		errs := make(chan error, 1)
		assert.False(t, c.WriteString("late", func(err error) { errs <- err }))
		assert.ErrorIs(t, recv(t, errs), netapi.ErrSocketClosed)
		fired := make(chan struct{}, 1)
		assert.NotPanics(t, func() {
			c.End([]byte("late"), nil).Pause().Resume().SetKeepAlive(true, 0).SetNoDelay(false)
			c.SetTimeout(time.Millisecond, func() { fired <- struct{}{} })
			c.Destroy()
			c.End(nil, nil)
		})
		select {
		case <-fired:
			t.Fatal("a timeout fired on a closed socket")
		case <-time.After(50 * time.Millisecond):
		}
	})
	t.Run("double end, double destroy", func(t *testing.T) {
		rt := newRuntime(t)
		_, port := echoServer(t, rt, netapi.ServerOptions{})
		ev := newEvents()
		c := rt.ConnectPort(port, "127.0.0.1", nil)
		c.OnError(func(err error) { ev.Add("error " + netapi.Code(err)) })
		c.OnFinish(func() { ev.Add("finish") })
		c.OnClose(func(h bool) { ev.Add(fmt.Sprint("close ", h)) })
		c.End(nil, nil)
		c.End(nil, nil)
		ev.WaitFor(t, "finish")
		c.Destroy()
		c.Destroy()
		assert.Equal(t, []string{"finish", "close false"}, ev.WaitFor(t, "close false"))
	})
	t.Run("double listen, double close", func(t *testing.T) {
		rt := newRuntime(t)
		srv, _ := echoServer(t, rt, netapi.ServerOptions{})
		errs := make(chan error, 3)
		srv.OnError(func(err error) { errs <- err })
		srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, nil)
		assert.ErrorIs(t, recv(t, errs), netapi.ErrServerAlreadyListening)
		srv.Close(func(err error) { errs <- err })
		srv.Close(func(err error) { errs <- err })
		first, second := recv(t, errs), recv(t, errs)
		assert.NoError(t, first)
		assert.ErrorIs(t, second, netapi.ErrServerNotRunning)
		assert.Equal(t, "ERR_SERVER_NOT_RUNNING", netapi.Code(second))
	})
	t.Run("close a server that never listened", func(t *testing.T) {
		rt := newRuntime(t)
		errs := make(chan error, 1)
		rt.CreateServer(netapi.ServerOptions{}, nil).Close(func(err error) { errs <- err })
		assert.ErrorIs(t, recv(t, errs), netapi.ErrServerNotRunning)
	})
}

// A negative connect Timeout is bad input too: ERR_OUT_OF_RANGE, then close; a nil context
// is no bound at all.
func TestBadConnectTimeout(t *testing.T) {
	rt := newRuntime(t)
	ev := newEvents()
	c := rt.NewSocket(netapi.SocketOptions{})
	c.OnError(func(err error) {
		if !errors.Is(err, netapi.ErrInvalidTimeout) {
			ev.Add("wrong error " + err.Error())
		}
		ev.Add("error " + netapi.Code(err))
	})
	c.OnClose(func(h bool) { ev.Add(fmt.Sprint("close ", h)) })
	assert.NotPanics(t, func() { c.Connect(netapi.ConnectOptions{Port: 1, Host: "127.0.0.1", Timeout: -time.Second}, nil) })
	assert.Equal(t, []string{"error ERR_OUT_OF_RANGE", "close true"}, ev.WaitFor(t, "close true"))

	var nilCtx context.Context
	d := rt.NewSocket(netapi.SocketOptions{})
	closed := make(chan bool, 1)
	d.OnClose(func(h bool) { closed <- h })
	d.OnError(func(error) {})
	assert.NotPanics(t, func() { d.ConnectContext(nilCtx, netapi.ConnectOptions{Port: 0, Host: "127.0.0.1"}, nil) })
	select {
	case h := <-closed:
		assert.True(t, h, "port 0 is refused: close(true)")
	case <-time.After(wait):
		t.Fatal("no close")
	}
}
