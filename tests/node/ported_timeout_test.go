package node

// Ports of Node's test-net-*.js tests about timeouts and socket options: setTimeout,
// setKeepAlive, setNoDelay.

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// TestNodeNetSettimeout checks that setTimeout(0) right after setTimeout(T, cb) cancels it: no
// 'timeout' within 2T.
// Ported from nodejs/node test/parallel/test-net-settimeout.js.
func TestNodeNetSettimeout(t *testing.T) {
	const T = 100 * time.Millisecond
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		server := rt.CreateServer(netapi.ServerOptions{}, func(c *netapi.Socket) { c.WriteString("hello", nil) })
		port := listenOn(t, server, "")
		var timeouts counter
		socket := rt.ConnectPort(port, "localhost", nil)
		s := socket.SetTimeout(T, timeouts.inc)
		assert.Same(t, socket, s, "setTimeout returns the socket")
		socket.SetTimeout(0, nil)
		rt.AfterFunc(2*T, func() {
			socket.Destroy()
			server.Close(nil)
		})
		waitDone(t, rt)
		assert.Equal(t, int64(0), timeouts.get(), "timeout callbacks")
	})
}

// TestNodeNetSocketTimeout checks that a 1 ms timeout set while connecting fires once, and that
// one set again after destroy() never fires.
// Ported from nodejs/node test/parallel/test-net-socket-timeout.js (Node throws for bad delays;
// netapi takes any duration, so that part is left out).
func TestNodeNetSocketTimeout(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		server := rt.CreateServer(netapi.ServerOptions{}, nil)
		port := listenOn(t, server, "")
		var first, second counter
		var sameAfterDestroy atomic.Bool
		socket := rt.NewSocket(netapi.SocketOptions{})
		socket.ConnectPort(port, "", nil)
		s := socket.SetTimeout(time.Millisecond, func() {
			first.inc()
			socket.Destroy()
			sameAfterDestroy.Store(socket.SetTimeout(time.Millisecond, second.inc) == socket)
			server.Close(nil)
		})
		assert.Same(t, socket, s, "setTimeout returns the socket")
		waitDone(t, rt)
		settle(t, rt)
		assert.Equal(t, int64(1), first.get(), "callbacks of the first timeout")
		assert.Equal(t, int64(0), second.get(), "callbacks of the timeout set after destroy()")
		assert.True(t, sameAfterDestroy.Load(), "setTimeout after destroy() returns the socket")
	})
}

// TestNodeNetTimeoutNoHandle checks that a socket that never connected still times out, and
// emits no 'connect'.
// Ported from nodejs/node test/parallel/test-net-timeout-no-handle.js.
func TestNodeNetTimeoutNoHandle(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var timeouts, connects counter
		socket := rt.NewSocket(netapi.SocketOptions{})
		socket.SetTimeout(50*time.Millisecond, nil)
		socket.OnTimeout(timeouts.inc)
		socket.OnConnect(connects.inc)
		// Node's timeout is unref'd: a 200 ms timer keeps the process alive for it.
		rt.AfterFunc(200*time.Millisecond, func() {})
		waitDone(t, rt)
		assert.Equal(t, int64(1), timeouts.get(), "timeout events")
		assert.Equal(t, int64(0), connects.get(), "connect events")
	})
}

// TestNodeNetCanResetTimeout checks that a write from the 'timeout' listener re-arms the idle
// timer: the timeout fires once, and the connection ends normally.
// Ported from nodejs/node test/parallel/test-net-can-reset-timeout.js.
func TestNodeNetCanResetTimeout(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var connections, timeouts counter
		server := rt.CreateServer(netapi.ServerOptions{}, func(stream *netapi.Socket) {
			connections.inc()
			stream.SetTimeout(100*time.Millisecond, nil)
			stream.Resume()
			stream.OnTimeout(func() {
				timeouts.inc()
				stream.WriteString("WHAT.", nil) // try to reset the timeout
			})
			stream.OnEnd(func() { stream.End(nil, nil) })
		})
		port := listenOn(t, server, "")
		c := rt.NewSocket(netapi.SocketOptions{})
		c.OnData(func([]byte) { c.End(nil, nil) })
		c.OnEnd(func() { server.Close(nil) })
		c.ConnectPort(port, "", nil)
		waitDone(t, rt)
		assert.Equal(t, int64(1), connections.get(), "connection events")
		assert.Equal(t, int64(1), timeouts.get(), "timeout events")
	})
}

// TestNodeNetSocketTimeoutUnref checks that the idle timers of unref'd sockets do not keep the
// process alive: it exits before any of them fires.
// Ported from nodejs/node test/parallel/test-net-socket-timeout-unref.js.
func TestNodeNetSocketTimeoutUnref(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		server := rt.CreateServer(netapi.ServerOptions{}, func(c *netapi.Socket) {
			c.WriteString("hello", nil)
			c.Unref()
		})
		port := listenOn(t, server, "")
		server.Unref()
		var timedout atomic.Bool
		for _, T := range []time.Duration{8, 5, 3, 6, 2, 4} {
			socket := rt.NewSocket(netapi.SocketOptions{})
			socket.ConnectPort(port, "localhost", nil)
			socket.SetTimeout(T*time.Second, func() {
				timedout.Store(true)
				socket.Destroy()
			})
			socket.Unref()
		}
		waitDone(t, rt)
		assert.False(t, timedout.Load(), "a socket timed out: its timeout held the process open")
	})
}

// TestNodeNetKeepalive checks that keepalive set on an accepted socket (with timeouts off)
// leaves both ends of the connection open.
// Ported from nodejs/node test/parallel/test-net-keepalive.js.
func TestNodeNetKeepalive(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		client := newLater[*netapi.Socket]()
		var checks counter
		destroyed := &record[bool]{}
		var echoServer *netapi.Server
		echoServer = rt.CreateServer(netapi.ServerOptions{}, func(conn *netapi.Socket) {
			rt.AfterFunc(100*time.Millisecond, func() {
				checks.inc()
				c := client.get()
				destroyed.add(conn.Destroyed())
				destroyed.add(c.Destroyed())
				conn.End(nil, nil)
				c.End(nil, nil)
				echoServer.Close(nil)
			})
			conn.SetTimeout(0, nil)
			conn.SetKeepAlive(true, 50*time.Millisecond)
			conn.OnEnd(func() { conn.End(nil, nil) })
		})
		port := listenOn(t, echoServer, "")
		c := rt.ConnectPort(port, "", nil)
		client.set(c)
		c.SetTimeout(0, nil)
		waitDone(t, rt)
		assert.Equal(t, int64(1), checks.get(), "checks")
		assert.Equal(t, []bool{false, false}, destroyed.all(), "destroyed (server side, client side) after 100 ms")
	})
}

// TestNodeNetPersistentKeepalive checks that setKeepAlive called before connect is applied to
// the connection, which stays open.
// Ported from nodejs/node test/parallel/test-net-persistent-keepalive.js (the port also reads
// the option back from the descriptor).
func TestNodeNetPersistentKeepalive(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		client := rt.NewSocket(netapi.SocketOptions{})
		destroyed := &record[bool]{}
		var echoServer *netapi.Server
		echoServer = rt.CreateServer(netapi.ServerOptions{}, func(conn *netapi.Socket) {
			rt.AfterFunc(600*time.Millisecond, func() {
				destroyed.add(conn.Destroyed())
				destroyed.add(client.Destroyed())
				conn.End(nil, nil)
				client.End(nil, nil)
				echoServer.Close(nil)
			})
			conn.SetTimeout(0, nil)
			conn.OnEnd(func() { conn.End(nil, nil) })
		})
		port := listenOn(t, echoServer, "")
		s := client.SetKeepAlive(true, 400*time.Millisecond)
		assert.Same(t, client, s, "setKeepAlive returns the socket")
		connected := newSignal()
		client.ConnectPort(port, "", connected.fire)
		client.SetTimeout(0, nil)
		testkit.Recv(t, connected.ch)
		ctx, cancel := context.WithTimeout(context.Background(), portedWait)
		defer cancel()
		snap, err := rt.Tree().Snapshot(ctx)
		require.NoError(t, err)
		if assert.Len(t, snap.Clients, 1, "client sockets") {
			assert.True(t, snap.Clients[0].KeepAlive, "SO_KEEPALIVE on the client's descriptor")
		}
		waitDone(t, rt)
		assert.Equal(t, []bool{false, false}, destroyed.all(), "destroyed (server side, client side) after 600 ms")
	})
}

// TestNodeNetPersistentNodelay checks that setNoDelay called before connect is applied to the
// connection once it exists.
// Ported from nodejs/node test/parallel/test-net-persistent-nodelay.js (Node spies on the
// handle's setNoDelay; the port sets Nagle back on, which Go and Node leave off by default,
// and reads TCP_NODELAY back from the descriptor).
func TestNodeNetPersistentNodelay(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		echoServer := rt.CreateServer(netapi.ServerOptions{}, func(conn *netapi.Socket) {
			conn.OnEnd(func() { conn.End(nil, nil) })
		})
		port := listenOn(t, echoServer, "")
		sock1 := rt.NewSocket(netapi.SocketOptions{})
		sock1.SetNoDelay(false)
		connected := newSignal()
		sock1.ConnectPort(port, "", connected.fire)
		sock1.OnEnd(func() { echoServer.Close(nil) })
		testkit.Recv(t, connected.ch)
		ctx, cancel := context.WithTimeout(context.Background(), portedWait)
		defer cancel()
		snap, err := rt.Tree().Snapshot(ctx)
		require.NoError(t, err)
		if assert.Len(t, snap.Clients, 1, "client sockets") {
			assert.False(t, snap.Clients[0].NoDelay, "TCP_NODELAY on the descriptor after setNoDelay(false) before connect")
		}
		sock1.End(nil, nil)
		waitDone(t, rt)
	})
}
