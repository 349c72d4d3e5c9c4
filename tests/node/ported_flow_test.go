package node

// Ports of Node's test-net-*.js tests about the flow of data: ping-pong, pause and resume,
// backpressure, slow readers.

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// TestNodeNetPingpong checks 1000 lock-step PING/PONG round trips on 127.0.0.1, localhost and
// ::1 at once, with a half-open server that ends after the client's last PING.
// Ported from nodejs/node test/parallel/test-net-pingpong.js (the pipe variant is left out).
func TestNodeNetPingpong(t *testing.T) {
	const n = 1000
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		type run struct {
			host                  string
			count, sentPongs      atomic.Int64
			sentFinalPing         atomic.Bool
			closes                atomic.Int64
			badBufferSize, badMsg atomic.Int64
			atClose               *record[string]
		}
		var runs []*run
		for _, host := range []string{"127.0.0.1", "localhost", "::1"} {
			r := &run{host: host, atClose: &record[string]{}}
			runs = append(runs, r)
			var server *netapi.Server
			server = rt.CreateServer(netapi.ServerOptions{AllowHalfOpen: true}, func(s *netapi.Socket) {
				s.SetNoDelay(true)
				s.SetTimeout(0, nil)
				s.OnData(func(d []byte) {
					// Never queued (each PONG waits for a PING): at most one message.
					if b := s.BufferSize(); b < 0 || b > 4 {
						r.badBufferSize.Add(1)
					}
					if string(d) != "PING" || r.count.Load() > n {
						r.badMsg.Add(1)
					}
					s.WriteString("PONG", func(error) { r.sentPongs.Add(1) })
				})
				s.OnEnd(func() { s.End(nil, nil) })
				s.OnClose(func(bool) { server.Close(nil) })
			})
			port := listenOn(t, server, host)
			client := rt.NewSocket(netapi.SocketOptions{})
			client.OnConnect(func() { client.WriteString("PING", nil) })
			client.OnData(func(d []byte) {
				if string(d) != "PONG" {
					r.badMsg.Add(1)
				}
				count := r.count.Add(1)
				if r.sentFinalPing.Load() {
					return
				}
				if count < n {
					client.WriteString("PING", nil)
				} else {
					r.sentFinalPing.Store(true)
					client.WriteString("PING", nil)
					client.End(nil, nil)
				}
			})
			client.OnClose(func(bool) {
				r.closes.Add(1)
				r.atClose.add(js(r.count.Load()) + " " + js(r.sentPongs.Load()) + " " + js(r.sentFinalPing.Load()))
			})
			client.ConnectPort(port, host, nil)
		}
		waitDone(t, rt)
		for _, r := range runs {
			assert.Equal(t, int64(1), r.closes.Load(), "%s: client close events", r.host)
			assert.Equal(t, []string{js(n+1) + " " + js(n+1) + " true"}, r.atClose.all(),
				"%s: PONGs received, PONGs sent, final PING sent, at the client's close", r.host)
			assert.Equal(t, int64(0), r.badBufferSize.Load(), "%s: server bufferSize out of 0..4", r.host)
			assert.Equal(t, int64(0), r.badMsg.Load(), "%s: messages other than PING/PONG", r.host)
		}
	})
}

// TestNodeNetStream checks that a server writing 20 MB to a client that pauses and destroys
// itself gets its socket closed and then closes.
// Ported from nodejs/node test/parallel/test-net-stream.js (the part on a real connection).
func TestNodeNetStream(t *testing.T) {
	const size, n = 2000000, 10
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var serverSocketCloses, serverCloses, clientCloses counter
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.SetNoDelay(true)
			s.OnError(func(error) { s.Destroy() })
			s.OnClose(func(bool) { serverSocketCloses.inc(); server.Close(nil) })
			for range n {
				s.Write(make([]byte, size), func(error) {})
			}
			s.End(nil, nil)
		})
		server.OnClose(serverCloses.inc)
		port := listenOn(t, server, "")
		conn := rt.NewSocket(netapi.SocketOptions{})
		conn.OnData(func([]byte) {
			conn.Pause()
			rt.AfterFunc(20*time.Millisecond, conn.Destroy)
		})
		conn.OnClose(func(bool) { clientCloses.inc() })
		conn.ConnectPort(port, "", nil)
		waitDone(t, rt)
		assert.Equal(t, int64(1), serverSocketCloses.get(), "server socket close events")
		assert.Equal(t, int64(1), serverCloses.get(), "server close events")
		assert.Equal(t, int64(1), clientCloses.get(), "client close events")
	})
}

// TestNodeNetWriteSlow checks that 2 MB written to a reader that pauses 20 ms after each chunk
// all arrives, every write callback runs, and the writer never times out meanwhile.
// Ported from nodejs/node test/parallel/test-net-write-slow.js.
func TestNodeNetWriteSlow(t *testing.T) {
	const size, n = 200000, 10
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var flushed, timeouts atomic.Int64
		server := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.SetNoDelay(true)
			s.SetTimeout(time.Second, nil)
			s.OnTimeout(func() { timeouts.Add(1) })
			for range n {
				s.Write(make([]byte, size), func(error) {
					if flushed.Add(1) == n {
						s.SetTimeout(0, nil)
					}
				})
			}
			s.End(nil, nil)
		})
		port := listenOn(t, server, "")
		var received atomic.Int64
		conn := rt.NewSocket(netapi.SocketOptions{})
		conn.OnData(func(d []byte) {
			received.Add(int64(len(d)))
			conn.Pause()
			rt.AfterFunc(20*time.Millisecond, func() { conn.Resume() })
		})
		conn.OnEnd(func() { server.Close(nil) })
		conn.ConnectPort(port, "", nil)
		waitDone(t, rt)
		assert.Equal(t, int64(size*n), received.Load(), "bytes received")
		assert.Equal(t, int64(n), flushed.Load(), "write callbacks")
		assert.Equal(t, int64(0), timeouts.Load(), "server timeouts")
	})
}

// TestNodeNetThrottle checks that a server writing until write() returns false (and twice
// more) loses nothing to a client that pauses 100 ms at each chunk, nothing arriving while
// paused, with more than one pause.
// Ported from nodejs/node test/parallel/test-net-throttle.js.
func TestNodeNetThrottle(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var totalLength atomic.Int64
		var connections counter
		badBufferSize := &record[int64]{}
		server := rt.CreateServer(netapi.ServerOptions{}, func(c *netapi.Socket) {
			connections.inc()
			body := make([]byte, 1024)
			for i := range body {
				body[i] = 'C'
			}
			n := 1
			for i := 0; i < 1<<20 && c.Write(body, nil); i++ { // while (connection.write(body))
				n++
			}
			// Throttled now: more writes must not lose data.
			c.Write(body, nil)
			c.Write(body, nil)
			n += 2
			totalLength.Store(int64(n * len(body)))
			if b := c.BufferSize(); b < 0 {
				badBufferSize.add(b)
			}
			c.End(nil, nil)
		})
		port := listenOn(t, server, "")
		var charsRecved, npauses int64 // the client's callbacks never overlap
		var mu sync.Mutex
		whilePaused := &record[string]{}
		paused := false
		client := rt.NewSocket(netapi.SocketOptions{})
		client.OnData(func(d []byte) {
			mu.Lock()
			defer mu.Unlock()
			charsRecved += int64(len(d))
			if !paused {
				client.Pause()
				npauses++
				paused = true
				x := charsRecved
				rt.AfterFunc(100*time.Millisecond, func() {
					mu.Lock()
					if charsRecved != x {
						whilePaused.add(js(charsRecved-x) + " bytes")
					}
					paused = false
					mu.Unlock()
					client.Resume()
				})
			}
		})
		client.OnEnd(func() { server.Close(nil); client.End(nil, nil) })
		client.ConnectPort(port, "", nil)
		waitDone(t, rt)
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, int64(1), connections.get(), "connection events")
		assert.Equal(t, totalLength.Load(), charsRecved, "bytes received")
		assert.Greater(t, npauses, int64(1), "pauses (total %d bytes)", totalLength.Load())
		assert.Empty(t, whilePaused.all(), "data received while paused")
		assert.Empty(t, badBufferSize.all(), "negative bufferSize")
	})
}

// TestNodeNetPauseResumeConnecting checks pause() and resume() called while connecting: a
// socket left paused gets no data, the others get it.
// Ported from nodejs/node test/parallel/test-net-pause-resume-connecting.js (netapi cannot
// remove a listener: the teardown marks the failing listeners as retired before resuming).
func TestNodeNetPauseResumeConnecting(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var connections atomic.Int64
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(c *netapi.Socket) {
			c.End([]byte("This was the year he fell to pieces."), nil)
			if connections.Add(1) == 5 {
				server.Close(nil)
			}
		})
		port := listenOn(t, server, "")
		var dataEvents, failures counter
		onDataOk := func([]byte) { dataEvents.inc() }
		mustNotCall := func(retired *atomic.Bool) func([]byte) {
			return func([]byte) {
				if !retired.Load() {
					failures.inc()
				}
			}
		}
		scheduleTearDown := func(c *netapi.Socket, retired *atomic.Bool) {
			rt.AfterFunc(100*time.Millisecond, func() {
				retired.Store(true) // conn.removeAllListeners('data')
				c.Resume()
			})
		}
		connect := func() *netapi.Socket { return rt.ConnectPort(port, "localhost", nil) }

		var retired3, retired5 atomic.Bool
		// Node's script runs on its loop: no data comes between one call and the next.
		rt.AfterFunc(0, func() {
			// Client 1
			c1 := connect()
			c1.Resume()
			c1.OnData(onDataOk)
			// Client 2
			c2 := connect()
			c2.Pause()
			c2.Resume()
			c2.OnData(onDataOk)
			// Client 3
			c3 := connect()
			c3.Pause()
			c3.OnData(mustNotCall(&retired3))
			scheduleTearDown(c3, &retired3)
			// Client 4
			c4 := connect()
			c4.Resume()
			c4.Pause()
			c4.Resume()
			c4.OnData(onDataOk)
			// Client 5
			c5 := connect()
			c5.Resume()
			c5.Resume()
			c5.Pause()
			c5.OnData(mustNotCall(&retired5))
			scheduleTearDown(c5, &retired5)
		})

		waitDone(t, rt)
		assert.Equal(t, int64(5), connections.Load(), "connections")
		assert.Equal(t, int64(3), dataEvents.get(), "data events of the flowing clients")
		assert.Equal(t, int64(0), failures.get(), "data events of the paused clients before teardown")
	})
}

// TestNodeNetConnectPausedConnection checks that a paused, idle client does not keep the
// process alive once the server and its connection are unref'd.
// Ported from nodejs/node test/parallel/test-net-connect-paused-connection.js.
func TestNodeNetConnectPausedConnection(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		server := rt.CreateServer(netapi.ServerOptions{}, func(conn *netapi.Socket) { conn.Unref() })
		connected := newSignal()
		server.OnConnection(func(*netapi.Socket) { connected.fire() })
		port := listenOn(t, server, "")
		server.Unref()
		rt.ConnectPort(port, "localhost", nil).Pause()
		testkit.Recv(t, connected.ch)
		waitDone(t, rt)
	})
}
