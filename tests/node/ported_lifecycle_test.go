package node

// Ports of Node's test-net-*.js tests about a socket's life: connect, end, destroy, close,
// reconnect and half-open.

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// TestNodeNetAfterClose checks that a socket's methods and accessors are harmless after 'close'.
// Ported from nodejs/node test/parallel/test-net-after-close.js.
func TestNodeNetAfterClose(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.End(nil, nil) })
		port := listenOn(t, srv, "127.0.0.1")
		var closes counter
		var panicked atomic.Value
		c := rt.NewSocket(netapi.SocketOptions{})
		c.OnClose(func(bool) {
			closes.inc()
			func() {
				defer func() {
					if r := recover(); r != nil {
						panicked.Store(r)
					}
				}()
				c.SetNoDelay(true)
				c.SetKeepAlive(true, 0)
				_ = c.BufferSize()
				c.Pause()
				c.Resume()
				_ = c.LocalAddress()
				_ = c.RemoteAddress()
			}()
			srv.Close(nil)
		})
		c.ConnectPort(port, "127.0.0.1", nil)
		waitDone(t, rt)
		assert.Equal(t, int64(1), closes.get(), "close events")
		assert.Nil(t, panicked.Load(), "a method panicked after close")
	})
}

// TestNodeNetConnectDestroy checks that destroying a socket that never connected emits 'close'.
// Ported from nodejs/node test/parallel/test-net-connect-destroy.js.
func TestNodeNetConnectDestroy(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var closes counter
		closed := newSignal()
		s := rt.NewSocket(netapi.SocketOptions{})
		s.OnClose(func(bool) { closes.inc(); closed.fire() })
		s.Destroy()
		testkit.Recv(t, closed.ch)
		waitDone(t, rt)
		settle(t, rt)
		assert.Equal(t, int64(1), closes.get(), "close events")
	})
}

// TestNodeNetConnectImmediateDestroy checks that a socket destroyed right after connect emits
// neither 'connect' nor 'error'.
// Ported from nodejs/node test/parallel/test-net-connect-immediate-destroy.js.
func TestNodeNetConnectImmediateDestroy(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		port := listenOn(t, srv, "")
		var connects, errs counter
		closed := newSignal()
		rt.AfterFunc(0, func() { // Node's script runs on its loop: no 'connect' before destroy()
			s := rt.NewSocket(netapi.SocketOptions{})
			s.OnError(func(error) { errs.inc() })
			s.OnClose(func(bool) { closed.fire() })
			s.ConnectPort(port, "127.0.0.1", connects.inc)
			srv.Close(nil)
			s.Destroy()
		})
		testkit.Recv(t, closed.ch)
		waitDone(t, rt)
		settle(t, rt)
		assert.Equal(t, int64(0), connects.get(), "connect events")
		assert.Equal(t, int64(0), errs.get(), "error events")
	})
}

// TestNodeNetConnectAfterDestroy checks that destroying a socket while its host name is being
// looked up is clean: no 'connect', no 'error', one 'close'. (Node's test resolves google.com;
// the port resolves localhost, which needs no network.)
// Ported from nodejs/node test/parallel/test-net-connect-after-destroy.js.
func TestNodeNetConnectAfterDestroy(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		port := listenOn(t, srv, "127.0.0.1")
		var connects, errs counter
		hadErrors := &record[bool]{}
		closed := newSignal()
		// Node's script runs on its loop: no event can come between connect() and destroy().
		rt.AfterFunc(0, func() {
			c := rt.NewSocket(netapi.SocketOptions{})
			c.OnError(func(error) { errs.inc() })
			c.OnClose(func(h bool) { hadErrors.add(h); closed.fire() })
			c.ConnectPort(port, "localhost", connects.inc)
			c.Destroy()
		})
		testkit.Recv(t, closed.ch)
		srv.Close(nil)
		waitDone(t, rt)
		settle(t, rt)
		assert.Equal(t, int64(0), connects.get(), "connect events")
		assert.Equal(t, int64(0), errs.get(), "error events")
		assert.Equal(t, []bool{false}, hadErrors.all(), "close events (hadError)")
	})
}

// TestNodeNetEndWithoutConnect checks that end() on a socket that never connected is harmless:
// no event at all, and nothing keeps the process alive.
// Ported from nodejs/node test/parallel/test-net-end-without-connect.js.
func TestNodeNetEndWithoutConnect(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		events := &record[string]{}
		s := rt.NewSocket(netapi.SocketOptions{})
		s.OnFinish(func() { events.add("finish") })
		s.OnEnd(func() { events.add("end") })
		s.OnError(func(err error) { events.add("error " + code(err)) })
		s.OnClose(func(bool) { events.add("close") })
		s.End(nil, nil)
		waitDone(t, rt)
		settle(t, rt)
		assert.Empty(t, events.all(), "events (Node emits none)")
	})
}

// TestNodeNetSocketEndBeforeConnect checks that end() called while connecting still leads to
// 'close'.
// Ported from nodejs/node test/parallel/test-net-socket-end-before-connect.js.
func TestNodeNetSocketEndBeforeConnect(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		port := listenOn(t, srv, "")
		var closes counter
		s := rt.NewSocket(netapi.SocketOptions{})
		s.OnClose(func(bool) { closes.inc(); srv.Close(nil) })
		s.ConnectPort(port, "127.0.0.1", nil)
		s.End(nil, nil)
		waitDone(t, rt)
		assert.Equal(t, int64(1), closes.get(), "close events")
	})
}

// TestNodeNetSocketDestroyTwice checks that destroy() from the 'error' listener of a refused
// connection gives no second 'error' and a single 'close'.
// Ported from nodejs/node test/parallel/test-net-socket-destroy-twice.js.
func TestNodeNetSocketDestroyTwice(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		port := freePort(t)
		var errs, closes counter
		conn := rt.NewSocket(netapi.SocketOptions{})
		conn.OnError(func(error) { errs.inc(); conn.Destroy() })
		conn.OnClose(func(bool) { closes.inc() })
		conn.ConnectPort(port, "127.0.0.1", nil)
		waitDone(t, rt)
		settle(t, rt)
		assert.Equal(t, int64(1), errs.get(), "error events")
		assert.Equal(t, int64(1), closes.get(), "close events")
	})
}

// TestNodeNetEndDestroyed checks that a socket is not destroyed yet when its 'end' is emitted.
// Ported from nodejs/node test/parallel/test-net-end-destroyed.js.
func TestNodeNetEndDestroyed(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var connections, ends counter
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		srv.OnConnection(func(*netapi.Socket) { connections.inc() })
		port := listenOn(t, srv, "")
		destroyedAtEnd := &record[bool]{}
		s := rt.NewSocket(netapi.SocketOptions{})
		s.Connect(netapi.ConnectOptions{Port: port}, func() {
			s.OnEnd(func() {
				ends.inc()
				destroyedAtEnd.add(s.Destroyed())
				srv.Close(nil)
			})
			s.End(nil, nil)
		})
		waitDone(t, rt)
		assert.Equal(t, int64(1), connections.get(), "connection events")
		assert.Equal(t, int64(1), ends.get(), "end events")
		assert.Equal(t, []bool{false}, destroyedAtEnd.all(), "destroyed at 'end'")
	})
}

// TestNodeNetAllowHalfOpen checks that without allowHalfOpen a socket whose peer ended is not
// destroyed at once: it ends its side properly ('finish' while not destroyed), then closes.
// Ported from nodejs/node test/parallel/test-net-allow-half-open.js.
func TestNodeNetAllowHalfOpen(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var connections, ends, finishes, closes counter
		srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			connections.inc()
			s.End(make([]byte, 1024), nil)
		})
		port := listenOn(t, srv, "")
		destroyed := &record[string]{}
		s := rt.NewSocket(netapi.SocketOptions{})
		s.Resume()
		s.OnEnd(func() {
			ends.inc()
			destroyed.add("end " + js(s.Destroyed()))
			srv.Close(nil)
		})
		s.OnFinish(func() { finishes.inc(); destroyed.add("finish " + js(s.Destroyed())) })
		s.OnClose(func(bool) { closes.inc() })
		s.Connect(netapi.ConnectOptions{Port: port}, nil)
		waitDone(t, rt)
		assert.Equal(t, int64(1), connections.get(), "connection events")
		assert.Equal(t, int64(1), ends.get(), "end events")
		assert.Equal(t, int64(1), finishes.get(), "finish events")
		assert.Equal(t, int64(1), closes.get(), "close events")
		assert.Equal(t, []string{"end false", "finish false"}, destroyed.all(), "destroyed at each event")
	})
}

// TestNodeNetDuringClose checks that a client's addresses can be read while it connects to a
// server that is closing.
// Ported from nodejs/node test/parallel/test-net-during-close.js.
func TestNodeNetDuringClose(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.End(nil, nil) })
		port := listenOn(t, srv, "")
		c := rt.NewSocket(netapi.SocketOptions{})
		c.ConnectPort(port, "127.0.0.1", nil)
		srv.Close(nil)
		assert.NotPanics(t, func() {
			_ = c.RemoteAddress()
			_ = c.LocalAddress()
		})
		// Node exits here with process.exit(0); the port destroys the client instead.
		c.Destroy()
		waitDone(t, rt)
	})
}

// TestNodeNetConnectCallSocketConnect checks that connect({port}) with a callback connects to
// localhost and that the peer's end reaches the client.
// Ported from nodejs/node test/parallel/test-net-connect-call-socket-connect.js.
func TestNodeNetConnectCallSocketConnect(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		port := listenOn(t, srv, "")
		var connects, ends counter
		client := rt.NewSocket(netapi.SocketOptions{})
		client.OnEnd(func() { ends.inc(); srv.Close(nil) })
		client.Connect(netapi.ConnectOptions{Port: port}, func() { connects.inc(); client.End(nil, nil) })
		waitDone(t, rt)
		assert.Equal(t, int64(1), connects.get(), "connect callbacks")
		assert.Equal(t, int64(1), ends.get(), "end events")
	})
}

// TestNodeNetReconnect checks that a socket connects again from its 'close' listener, 50 times,
// each connection getting its data, its 'end' and a clean 'close'.
// Ported from nodejs/node test/parallel/test-net-reconnect.js.
func TestNodeNetReconnect(t *testing.T) {
	const n = 50
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		serverHadErrors := &record[bool]{}
		srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.Resume()
			s.WriteString("hello\r\n", nil)
			s.OnEnd(func() { s.End(nil, nil) })
			s.OnClose(func(h bool) { serverHadErrors.add(h) })
		})
		port := listenOn(t, srv, "")
		var recvs, ends, disconnects counter
		chunks := &record[string]{}
		clientHadErrors := &record[bool]{}
		client := rt.NewSocket(netapi.SocketOptions{})
		client.OnData(func(d []byte) {
			recvs.inc()
			chunks.add(string(d))
			client.End(nil, nil)
		})
		client.OnEnd(ends.inc)
		client.OnClose(func(h bool) {
			clientHadErrors.add(h)
			if disconnects.n.Add(1)-1 < n {
				client.ConnectPort(port, "", nil)
			} else {
				srv.Close(nil)
			}
		})
		client.ConnectPort(port, "", nil)
		waitDone(t, rt)
		assert.Equal(t, int64(n+1), disconnects.get(), "close events")
		assert.Equal(t, int64(n+1), recvs.get(), "data events")
		assert.Equal(t, int64(n+1), ends.get(), "end events")
		for i, c := range chunks.all() {
			assert.Equal(t, "hello\r\n", c, "chunk %d", i)
		}
		assert.NotContains(t, clientHadErrors.all(), true, "client close with hadError")
		assert.NotContains(t, serverHadErrors.all(), true, "server socket close with hadError")
	})
}

// TestNodeNetConnectOptionsAllowHalfOpen checks that a client made with allowHalfOpen, through
// each way of connecting, stays writable after the server's FIN until it ends itself.
// Ported from nodejs/node test/parallel/test-net-connect-options-allowhalfopen.js.
func TestNodeNetConnectOptionsAllowHalfOpen(t *testing.T) {
	const variants = 6
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var connections, serverEnds, serverData, serverCloses counter
		var clientConnects, clientEnds, clientCloses counter
		writeResults := &record[bool]{}
		got := &record[string]{}
		var srv *netapi.Server
		srv = rt.CreateServer(netapi.ServerOptions{AllowHalfOpen: true}, func(s *netapi.Socket) {
			connections.inc()
			s.Resume()
			s.OnData(func(d []byte) { serverData.inc(); got.add(string(d)) })
			s.OnEnd(func() {
				if serverEnds.n.Add(1) == variants {
					rt.AfterFunc(50*time.Millisecond, func() { srv.Close(nil) })
				}
			})
			s.End(nil, nil)
		})
		srv.OnClose(serverCloses.inc)
		const host = "127.0.0.1"
		port := listenOn(t, srv, host)
		opts := netapi.ConnectOptions{AllowHalfOpen: true, Host: host, Port: port}

		onConnect := func(index int, client func() *netapi.Socket) func() {
			return func() {
				clientConnects.inc()
				c := client()
				if c == nil {
					return
				}
				c.Resume()
				c.OnEnd(func() {
					clientEnds.inc()
					rt.AfterFunc(50*time.Millisecond, func() {
						writeResults.add(c.WriteString(js(index), nil))
						c.End(nil, nil)
					})
				})
				c.OnClose(func(bool) { clientCloses.inc() })
			}
		}
		// 1, 2: Node's net.connect and net.createConnection with a callback. Go has no
		// `this`: the callback gets the returned socket through a later.
		for i, connect := range []func(netapi.ConnectOptions, func()) *netapi.Socket{rt.Connect, rt.CreateConnection} {
			ref := newLater[*netapi.Socket]()
			ref.set(connect(opts, onConnect(i+1, ref.get)))
		}
		// 3: new net.Socket(opts).connect(opts, cb).
		s3 := rt.NewSocket(netapi.SocketOptions{AllowHalfOpen: true})
		s3.Connect(opts, onConnect(3, func() *netapi.Socket { return s3 }))
		// 4: new net.Socket(opts).connect(opts).on('connect', cb); in Go the connect listener
		// is added before Connect (the README's rule).
		s4 := rt.NewSocket(netapi.SocketOptions{AllowHalfOpen: true})
		s4.OnConnect(onConnect(4, func() *netapi.Socket { return s4 }))
		s4.Connect(opts, nil)
		// 5, 6: the same with the (port, host) form.
		s5 := rt.NewSocket(netapi.SocketOptions{AllowHalfOpen: true})
		s5.ConnectPort(port, host, onConnect(5, func() *netapi.Socket { return s5 }))
		s6 := rt.NewSocket(netapi.SocketOptions{AllowHalfOpen: true})
		s6.OnConnect(onConnect(6, func() *netapi.Socket { return s6 }))
		s6.ConnectPort(port, host, nil)

		waitDone(t, rt)
		assert.Equal(t, int64(variants), connections.get(), "connection events")
		assert.Equal(t, int64(variants), serverEnds.get(), "server 'end' events")
		assert.Equal(t, int64(variants), serverData.get(), "server 'data' events")
		assert.ElementsMatch(t, []string{"1", "2", "3", "4", "5", "6"}, got.all(), "what the clients wrote after the server's FIN")
		assert.Equal(t, int64(1), serverCloses.get(), "server close events")
		assert.Equal(t, int64(variants), clientConnects.get(), "client connect events")
		assert.Equal(t, int64(variants), clientEnds.get(), "client end events")
		assert.Equal(t, int64(variants), clientCloses.get(), "client close events")
		assert.Equal(t, []bool{true, true, true, true, true, true}, writeResults.all(), "write() after the server's FIN")
	})
}

// TestNodeNetSocketEndCallback checks that end()'s callback runs, with and without data.
// Ported from nodejs/node test/parallel/test-net-socket-end-callback.js.
func TestNodeNetSocketEndCallback(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.Resume() })
		srv.Unref()
		port := listenOn(t, srv, "")
		var cbs counter
		// end(cb), end('foo', cb), end('foo', 'utf8', cb): Go's End has no encoding.
		for _, data := range [][]byte{nil, []byte("foo"), []byte("foo")} {
			s := rt.NewSocket(netapi.SocketOptions{})
			s.ConnectPort(port, "", func() { s.End(data, func(error) { cbs.inc() }) })
		}
		waitDone(t, rt)
		assert.Equal(t, int64(3), cbs.get(), "end callbacks")
	})
}

// TestNodeNetSocketCloseAfterEnd checks that a socket whose data is consumed late still emits
// 'end' before 'close', and that a client which never reads what it got does not keep the
// process alive.
// Ported from nodejs/node test/parallel/test-net-socket-close-after-end.js.
func TestNodeNetSocketCloseAfterEnd(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var connections counter
		events := &record[string]{}
		serverClosed := newSignal()
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		srv.OnConnection(func(s *netapi.Socket) {
			connections.inc()
			// Node reads the socket 100 ms after it became readable; nobody consumes its
			// data until then.
			rt.AfterFunc(100*time.Millisecond, func() {
				s.OnData(func(d []byte) { events.add("data " + string(d)) })
			})
			s.OnEnd(func() { events.add("end") })
			s.OnClose(func(bool) {
				events.add("close")
				srv.Close(nil)
				serverClosed.fire()
			})
			s.End([]byte("foo"), nil)
		})
		port := listenOn(t, srv, "")
		c := rt.NewSocket(netapi.SocketOptions{})
		c.Connect(netapi.ConnectOptions{Port: port}, func() { c.End([]byte("foo"), nil) })
		testkit.Recv(t, serverClosed.ch)
		assert.Equal(t, []string{"data foo", "end", "close"}, events.all(), "the server socket's events")
		waitDone(t, rt)
		assert.Equal(t, int64(1), connections.get(), "connection events")
	})
}

// TestNodeNetWritable checks that, without allowHalfOpen, a socket is still writable from its
// 'end' listener: the write goes out without an error.
// Ported from nodejs/node test/parallel/test-net-writable.js.
func TestNodeNetWritable(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var connections, ends counter
		var srv *netapi.Server
		srv = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			connections.inc()
			srv.Close(nil)
			s.End(nil, nil)
		})
		port := listenOn(t, srv, "127.0.0.1")
		writeErrs := &record[error]{}
		errs := &record[error]{}
		hadErrors := &record[bool]{}
		c := rt.NewSocket(netapi.SocketOptions{})
		c.OnEnd(func() {
			ends.inc()
			c.WriteString("hello world", func(err error) { writeErrs.add(err) })
		})
		c.OnError(func(err error) { errs.add(err) })
		clientClosed := newSignal()
		c.OnClose(func(h bool) { hadErrors.add(h); clientClosed.fire() })
		c.ConnectPort(port, "localhost", nil)
		testkit.Recv(t, clientClosed.ch)
		settle(t, rt)
		assert.Equal(t, int64(1), connections.get(), "connection events")
		assert.Equal(t, int64(1), ends.get(), "end events")
		assert.Equal(t, []string{"none"}, codes(writeErrs.all()), "the write's callback")
		assert.Empty(t, codes(errs.all()), "error events")
		assert.Equal(t, []bool{false}, hadErrors.all(), "close events (hadError)")
		// The server's socket never reads what the client wrote, so it never closes (nor
		// does the server); Node exits all the same, as an unread socket keeps no loop alive.
		waitDone(t, rt)
	})
}
