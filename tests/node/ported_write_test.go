package node

// Ports of Node's test-net-*.js tests about writing: write callbacks and errors, byte counts,
// writes before connect and after end, destroy or close.

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// TestNodeNetWriteAfterClose checks that a write to a socket that has closed gets an error in
// its callback and emits no 'error'.
// Ported from nodejs/node test/parallel/test-net-write-after-close.js (the current version:
// the server writes once the client saw the server's end; Node 20 gives EPIPE to the callback).
func TestNodeNetWriteAfterClose(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		serverSocket := newLater[*netapi.Socket]()
		serverErrs := &record[error]{}
		srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.Resume()
			s.OnError(func(err error) { serverErrs.add(err) })
			serverSocket.set(s)
		})
		port := listenOn(t, srv, "")
		writeErrs := &record[error]{}
		var ends counter
		client := rt.NewSocket(netapi.SocketOptions{})
		client.Connect(netapi.ConnectOptions{Port: port}, func() {
			client.OnEnd(func() {
				ends.inc()
				serverSocket.get().WriteString("test", func(err error) {
					writeErrs.add(err)
					srv.Close(nil)
				})
			})
			client.End(nil, nil)
		})
		waitDone(t, rt)
		assert.Equal(t, int64(1), ends.get(), "client end events")
		if errs := writeErrs.all(); assert.Len(t, errs, 1, "write callbacks") {
			assert.Error(t, errs[0], "the write callback's error")
		}
		assert.Empty(t, codes(serverErrs.all()), "server socket error events")
	})
}

// TestNodeNetSocketDestroySend checks that a write right after destroy() returns false and
// fails in its callback, without an 'error' event.
// Ported from nodejs/node test/parallel/test-net-socket-destroy-send.js (Node 20's behaviour:
// the callback gets ERR_STREAM_DESTROYED and no 'error' is emitted; later Node versions give
// ERR_SOCKET_CLOSED to both).
func TestNodeNetSocketDestroySend(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		port := listenOn(t, srv, "")
		var connects counter
		writeErrs := &record[error]{}
		errs := &record[error]{}
		hadErrors := &record[bool]{}
		var ret atomic.Value
		conn := rt.NewSocket(netapi.SocketOptions{})
		conn.OnConnect(func() {
			connects.inc()
			conn.Destroy()
			conn.Destroy()
			conn.OnError(func(err error) { errs.add(err) })
			conn.OnClose(func(h bool) { hadErrors.add(h) })
			ret.Store(conn.Write([]byte("kaboom"), func(err error) { writeErrs.add(err) }))
			srv.Close(nil)
		})
		conn.ConnectPort(port, "", nil)
		waitDone(t, rt)
		settle(t, rt)
		assert.Equal(t, int64(1), connects.get(), "connect events")
		assert.Equal(t, false, ret.Load(), "write() after destroy()")
		assert.Equal(t, []string{"ERR_STREAM_DESTROYED"}, codes(writeErrs.all()), "the write callback's error")
		assert.Empty(t, codes(errs.all()), "error events")
		assert.Equal(t, []bool{false}, hadErrors.all(), "close events (hadError)")
	})
}

// TestNodeNetErrorTwice checks that a socket whose peer went away while it writes 10 MiB emits
// 'error' exactly once.
// Ported from nodejs/node test/parallel/test-net-error-twice.js.
func TestNodeNetErrorTwice(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		buf := bytes.Repeat([]byte{0x62}, 10<<20)
		var mu sync.Mutex
		var clientSocket, serverSocket *netapi.Socket
		ready := func() {
			mu.Lock()
			c, s := clientSocket, serverSocket
			mu.Unlock()
			if c != nil && s != nil {
				c.Destroy()
				s.Write(buf, nil)
			}
		}
		errs := &record[error]{}
		var srv *netapi.Server
		srv = rt.CreateServer(netapi.ServerOptions{}, func(conn *netapi.Socket) {
			conn.OnError(func(err error) { errs.add(err) })
			conn.OnClose(func(bool) { srv.Unref() })
			mu.Lock()
			serverSocket = conn
			mu.Unlock()
			ready()
		})
		port := listenOn(t, srv, "")
		client := rt.NewSocket(netapi.SocketOptions{})
		client.Connect(netapi.ConnectOptions{Port: port}, func() {
			mu.Lock()
			clientSocket = client
			mu.Unlock()
			ready()
		})
		waitDone(t, rt)
		settle(t, rt)
		assert.Len(t, codes(errs.all()), 1, "error events: %v", codes(errs.all()))
	})
}

// TestNodeNetBytesRead checks that bytesRead grows with each 'data' and equals what the peer
// sent at 'end' and at 'close'.
// Ported from nodejs/node test/parallel/test-net-bytes-read.js.
func TestNodeNetBytesRead(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		const big = 1 << 20
		var srv *netapi.Server
		srv = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.End(make([]byte, big), nil)
			srv.Close(nil)
		})
		port := listenOn(t, srv, "")
		var prev int64 // touched by the client's callbacks only, which never overlap
		var notRaising []int64
		atEnd, atClose := &record[int64]{}, &record[int64]{}
		var ends, closes counter
		socket := rt.NewSocket(netapi.SocketOptions{})
		socket.ConnectPort(port, "", func() {
			socket.OnData(func([]byte) {
				if v := socket.BytesRead(); v > prev {
					prev = v
				} else {
					notRaising = append(notRaising, v)
				}
			})
			socket.OnEnd(func() { ends.inc(); atEnd.add(socket.BytesRead()); atEnd.add(prev) })
			socket.OnClose(func(bool) { closes.inc(); atClose.add(socket.BytesRead()); atClose.add(prev) })
		})
		socket.End(nil, nil)
		waitDone(t, rt)
		assert.Equal(t, int64(1), ends.get(), "end events")
		assert.Equal(t, int64(1), closes.get(), "close events")
		assert.Empty(t, notRaising, "bytesRead values that did not grow at a 'data'")
		assert.Equal(t, []int64{big, big}, atEnd.all(), "bytesRead and the last value seen at 'data', at 'end'")
		assert.Equal(t, []int64{big, big}, atClose.all(), "bytesRead and the last value seen at 'data', at 'close'")
	})
}

// TestNodeNetBytesWrittenLarge checks that bytesWritten counts a large write at once, whether
// the kernel took it or it is queued, and again in end()'s callback.
// Ported from nodejs/node test/parallel/test-net-bytes-written-large.js.
func TestNodeNetBytesWrittenLarge(t *testing.T) {
	const n = 10000000
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		variants := []struct {
			name  string
			write func(s *netapi.Socket, onFinish func())
			total int64
		}{
			{"buffer", func(s *netapi.Socket, f func()) { s.End(make([]byte, n), func(error) { f() }) }, n},
			{"string", func(s *netapi.Socket, f func()) { s.End([]byte(strings.Repeat("a", n)), func(error) { f() }) }, n},
			// Node corks the socket around these writes so they go out as one writev; netapi
			// has no cork.
			{"writev", func(s *netapi.Socket, f func()) {
				s.WriteString(strings.Repeat("a", n), nil)
				s.Write(make([]byte, n), nil)
				s.End(nil, func(error) { f() })
			}, 2 * n},
		}
		type result struct {
			mu                     sync.Mutex
			name                   string
			atWrite, atCallback    int64
			clientRead, callbacks  int64
			connections, clientEnd int64
		}
		results := make([]*result, len(variants))
		for i, v := range variants {
			r := &result{name: v.name, atWrite: -1, atCallback: -1, clientRead: -1}
			results[i] = r
			mu := &r.mu
			var srv *netapi.Server
			srv = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
				mu.Lock()
				r.connections++
				mu.Unlock()
				v.write(s, func() {
					mu.Lock()
					r.callbacks++
					r.atCallback = s.BytesWritten()
					mu.Unlock()
				})
				w := s.BytesWritten()
				mu.Lock()
				r.atWrite = w
				mu.Unlock()
			})
			port := listenOn(t, srv, "")
			client := rt.NewSocket(netapi.SocketOptions{})
			client.Resume()
			client.OnClose(func(bool) {
				mu.Lock()
				r.clientEnd++
				r.clientRead = client.BytesRead()
				mu.Unlock()
				srv.Close(nil)
			})
			client.ConnectPort(port, "", nil)
		}
		waitDone(t, rt)
		for i, r := range results {
			want := variants[i].total
			r.mu.Lock()
			defer r.mu.Unlock()
			assert.Equal(t, int64(1), r.connections, "%s: connection events", r.name)
			assert.Equal(t, want, r.atWrite, "%s: bytesWritten right after the writes", r.name)
			assert.Equal(t, int64(1), r.callbacks, "%s: end callbacks", r.name)
			assert.Equal(t, want, r.atCallback, "%s: bytesWritten in end's callback", r.name)
			assert.Equal(t, int64(1), r.clientEnd, "%s: client close events", r.name)
			assert.Equal(t, want, r.clientRead, "%s: the client's bytesRead at close", r.name)
		}
	})
}

// TestNodeNetBytesStats checks bytesRead and bytesWritten per connection of a socket that
// connects twice (the counts start afresh on each connection).
// Ported from nodejs/node test/parallel/test-net-bytes-stats.js.
func TestNodeNetBytesStats(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var bytesRead, bytesWritten, count atomic.Int64
		tcp := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.Resume()
			s.OnEnd(func() { bytesRead.Add(s.BytesRead()) })
		})
		port := listenOn(t, tcp, "")
		socket := rt.NewSocket(netapi.SocketOptions{})
		socket.OnConnect(func() {
			count.Add(1)
			socket.WriteString("foo", func(error) { socket.End([]byte("bar"), nil) })
		})
		socket.OnFinish(func() { bytesWritten.Add(socket.BytesWritten()) })
		socket.OnClose(func(bool) {
			if count.Load() < 2 {
				socket.ConnectPort(port, "", nil)
			} else {
				tcp.Close(nil)
			}
		})
		socket.ConnectPort(port, "", nil)
		waitDone(t, rt)
		assert.Equal(t, int64(2), count.Load(), "connections")
		assert.Equal(t, int64(12), bytesRead.Load(), "bytes the server read, summed")
		assert.Equal(t, int64(12), bytesWritten.Load(), "bytes the client wrote, summed")
	})
}

// TestNodeNetConnectBuffer checks writes made while connecting: write() reports the high-water
// mark, bytesWritten counts bytes at once, the callback runs after 'connect', and everything
// arrives.
// Ported from nodejs/node test/parallel/test-net-connect-buffer.js (Node's highWaterMark 0 is
// 1 here: netapi's 0 means the default).
func TestNodeNetConnectBuffer(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		got := &record[string]{}
		var tcp *netapi.Server
		tcp = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			tcp.Close(nil)
			var buf []byte // this socket's callbacks never overlap
			s.OnData(func(d []byte) { buf = append(buf, d...) })
			s.OnEnd(func() { got.add(string(buf)); s.End(nil, nil) })
		})
		port := listenOn(t, tcp, "")
		var connected atomic.Bool
		var connects counter
		writeCb := &record[string]{}
		a, b := "L'État, c'est ", "moi"
		type result struct {
			written int64
			ok      bool
		}
		wrote := make(chan result, 1)
		rt.AfterFunc(0, func() { // Node's script runs on its loop: still connecting at the write
			socket := rt.NewSocket(netapi.SocketOptions{HighWaterMark: 1})
			socket.ConnectPort(port, "", func() { connected.Store(true); connects.inc() })
			r := socket.WriteString(a, func(err error) {
				writeCb.add("connected " + js(connected.Load()) + " err " + code(err))
			})
			wrote <- result{socket.BytesWritten(), r}
			socket.End([]byte(b), nil)
		})
		res := testkit.Recv(t, wrote)
		assert.Equal(t, int64(len(a)), res.written, "bytesWritten right after the write")
		assert.False(t, res.ok, "write() of %d bytes with a high-water mark of 1", len(a))
		waitDone(t, rt)
		assert.Equal(t, int64(1), connects.get(), "connect events")
		assert.Equal(t, []string{"connected true err none"}, writeCb.all(), "the write's callback")
		assert.Equal(t, []string{a + b}, got.all(), "what the server got")
	})
}

// TestNodeNetBufferSize checks that bufferSize counts the bytes written while connecting, and
// is 0 at 'finish'.
// Ported from nodejs/node test/parallel/test-net-buffersize.js.
func TestNodeNetBufferSize(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var srv *netapi.Server
		srv = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.Resume()
			s.OnEnd(func() { srv.Close(nil) })
		})
		port := listenOn(t, srv, "")
		atFinish := &record[int64]{}
		var sizes, want []int64
		rt.AfterFunc(0, func() { // Node's script runs on its loop: still connecting at the writes
			client := rt.NewSocket(netapi.SocketOptions{})
			client.OnFinish(func() { atFinish.add(client.BufferSize()) })
			client.ConnectPort(port, "", nil)
			for i := 1; i < 10; i++ {
				client.WriteString("a", nil)
				sizes = append(sizes, client.BufferSize())
				want = append(want, int64(i))
			}
			client.End(nil, nil)
		})
		waitDone(t, rt)
		assert.Equal(t, want, sizes, "bufferSize after each write while connecting")
		assert.Equal(t, []int64{0}, atFinish.all(), "bufferSize at 'finish'")
	})
}

// TestNodeNetWriteConnectWrite checks that a write made before the connection and one made at
// 'connect' both reach an echo server, in order.
// Ported from nodejs/node test/parallel/test-net-write-connect-write.js (the first write is
// made just before Connect rather than just after: in Go the connection may complete before
// the next statement).
func TestNodeNetWriteConnectWrite(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var srv *netapi.Server
		srv = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.OnData(func(d []byte) { s.Write(d, nil) })
			s.OnEnd(func() { s.End(nil, nil) })
		})
		port := listenOn(t, srv, "")
		var received string // the client's callbacks never overlap
		atEnd := &record[string]{}
		conn := rt.NewSocket(netapi.SocketOptions{})
		conn.OnConnect(func() { conn.WriteString("after", nil) })
		conn.OnData(func(d []byte) { received += string(d); conn.End(nil, nil) })
		conn.OnEnd(func() { srv.Close(nil); atEnd.add(received) })
		conn.WriteString("before", nil)
		conn.ConnectPort(port, "", nil)
		waitDone(t, rt)
		assert.Equal(t, []string{"beforeafter"}, atEnd.all(), "what the client got back, at 'end'")
	})
}

// TestNodeNetLargeString checks that a 120 KiB UTF-8 string written at once arrives whole.
// Ported from nodejs/node test/parallel/test-net-large-string.js.
func TestNodeNetLargeString(t *testing.T) {
	const kPoolSize = 40 * 1024
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		data := strings.Repeat("あ", kPoolSize) // 3 bytes each
		got := &record[string]{}
		srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			var buf []byte
			s.OnData(func(d []byte) { buf = append(buf, d...) })
			s.OnEnd(func() { got.add(string(buf)); s.End(nil, nil) })
		})
		port := listenOn(t, srv, "")
		client := rt.NewSocket(netapi.SocketOptions{})
		client.OnEnd(func() { srv.Close(nil) })
		client.ConnectPort(port, "", nil)
		client.WriteString(data, nil)
		client.End(nil, nil)
		waitDone(t, rt)
		all := got.all()
		if assert.Len(t, all, 1, "server end events") {
			assert.Equal(t, kPoolSize, utf8.RuneCountInString(all[0]), "characters received")
			assert.True(t, all[0] == data, "the string arrived changed")
		}
	})
}

// TestNodeNetBinary checks that all 256 byte values go through an echo server unchanged, in
// one write and one by one.
// Ported from nodejs/node test/parallel/test-net-binary.js.
func TestNodeNetBinary(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		binary := make([]byte, 0, 256)
		for i := 255; i >= 0; i-- {
			binary = append(binary, byte(i))
		}
		var echo *netapi.Server
		echo = rt.CreateServer(netapi.ServerOptions{}, func(conn *netapi.Socket) {
			conn.OnData(func(d []byte) { conn.Write(d, nil) })
			conn.OnEnd(func() { conn.End(nil, nil) })
		})
		port := listenOn(t, echo, "")
		var recv []byte // the client's callbacks never overlap; read after waitDone
		j := 0
		c := rt.NewSocket(netapi.SocketOptions{})
		c.OnData(func(chunk []byte) {
			n := j + len(chunk)
			for j < n && j < 256 {
				c.Write([]byte{byte(j)}, nil)
				j++
			}
			if j == 256 {
				c.End(nil, nil)
				j++ // end once
			}
			recv = append(recv, chunk...)
		})
		c.OnClose(func(bool) { echo.Close(nil) })
		c.Connect(netapi.ConnectOptions{Port: port}, func() { c.Write(binary, nil) })
		waitDone(t, rt)
		if assert.Len(t, recv, 2*256, "bytes received") {
			assert.Equal(t, binary, recv[:256], "the first 256 bytes")
			want := make([]byte, 256)
			for i := range want {
				want[i] = byte(i)
			}
			assert.Equal(t, want, recv[256:], "the second 256 bytes")
		}
	})
}

// TestNodeNetSyncCork checks that 200 small writes in a row stay under the high-water mark:
// each returns true.
// Ported from nodejs/node test/parallel/test-net-sync-cork.js (netapi has no cork: the writes
// are made without it).
func TestNodeNetSyncCork(t *testing.T) {
	const n = 100
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		errs := &record[error]{}
		var closes counter
		var srv *netapi.Server
		srv = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.Resume()
			s.OnError(func(err error) { errs.add(err) })
			s.OnClose(func(bool) { closes.inc(); srv.Close(nil) })
		})
		port := listenOn(t, srv, "")
		var connects counter
		iterations := &record[int]{}
		conn := rt.NewSocket(netapi.SocketOptions{})
		conn.OnConnect(func() {
			connects.inc()
			buf := []byte("aa")
			res, i := true, 0
			for ; i < n && res; i++ {
				conn.Write(buf, nil)
				res = conn.Write(buf, nil)
			}
			iterations.add(i)
			conn.End(nil, nil)
		})
		conn.ConnectPort(port, "", nil)
		waitDone(t, rt)
		assert.Equal(t, int64(1), connects.get(), "connect events")
		assert.Equal(t, []int{n}, iterations.all(), "iterations before write() returned false")
		assert.Empty(t, codes(errs.all()), "server socket error events")
		assert.Equal(t, int64(1), closes.get(), "server socket close events")
	})
}

// TestNodeNetWriteCbOnDestroyBeforeConnect checks that a write queued while connecting gets
// ERR_SOCKET_CLOSED_BEFORE_CONNECTION when the socket is destroyed before it connected.
// Ported from nodejs/node test/parallel/test-net-write-cb-on-destroy-before-connect.js.
func TestNodeNetWriteCbOnDestroyBeforeConnect(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		port := listenOn(t, srv, "")
		var connects counter
		events := &record[string]{}
		rt.AfterFunc(0, func() { // Node's script runs on its loop: still connecting at destroy()
			s := rt.NewSocket(netapi.SocketOptions{})
			s.OnConnect(connects.inc)
			s.OnError(func(err error) { events.add("error " + code(err)) })
			s.OnClose(func(h bool) { events.add("close " + js(h)) })
			s.Connect(netapi.ConnectOptions{Port: port}, nil)
			s.WriteString("foo", func(err error) { events.add("write callback " + code(err)) })
			s.Destroy()
			srv.Close(nil)
		})
		waitDone(t, rt)
		settle(t, rt)
		assert.Equal(t, int64(0), connects.get(), "connect events")
		// Node 20: 'close' first, then the write's callback.
		assert.Equal(t, []string{"close false", "write callback ERR_SOCKET_CLOSED_BEFORE_CONNECTION"},
			events.all(), "events")
	})
}

// TestNodeNetWriteAfterEndNt checks that a write after both ends were closed returns false and
// fails with EPIPE in its callback and then in 'error', both after write() returned.
// Ported from nodejs/node test/parallel/test-net-write-after-end-nt.js.
func TestNodeNetWriteAfterEndNt(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var connections counter
		srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { connections.inc(); s.End(nil, nil) })
		port := listenOn(t, srv, "")
		var ends counter
		events := &record[string]{}
		clientClosed := newSignal()
		client := rt.NewSocket(netapi.SocketOptions{})
		client.Connect(netapi.ConnectOptions{Port: port}, func() {
			client.OnError(func(err error) {
				events.add("error " + code(err))
				srv.Close(nil)
			})
			client.OnEnd(func() {
				ends.inc()
				ret := client.WriteString("hello", func(err error) { events.add("write callback " + code(err)) })
				events.add("write returned " + js(ret))
			})
			client.OnClose(func(h bool) { events.add("close " + js(h)); clientClosed.fire() })
			client.End(nil, nil)
		})
		testkit.Recv(t, clientClosed.ch)
		settle(t, rt)
		assert.Equal(t, int64(1), connections.get(), "connection events")
		assert.Equal(t, int64(1), ends.get(), "end events")
		assert.Equal(t, []string{"write returned false", "write callback EPIPE", "error EPIPE", "close true"},
			events.all(), "the client's events")
		waitDone(t, rt)
	})
}

// TestNodeNetSocketBytesWritten checks that bytesWritten counts bytes (not characters) written
// before the socket connected, and still does once connected and at 'end'.
// Ported from nodejs/node test/parallel/test-net-socket-byteswritten.js.
func TestNodeNetSocketBytesWritten(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.End(nil, nil) })
		port := listenOn(t, srv, "")
		seen := &record[string]{}
		clientClosed := newSignal()
		rt.AfterFunc(0, func() { // Node's script runs on its loop: the writes come before 'connect'
			socket := rt.NewSocket(netapi.SocketOptions{})
			socket.OnConnect(func() { seen.add("connect " + js(socket.BytesWritten())) })
			socket.OnEnd(func() {
				seen.add("end " + js(socket.BytesWritten()))
				srv.Close(nil)
			})
			socket.OnClose(func(bool) { clientClosed.fire() })
			socket.ConnectPort(port, "", nil)
			// Node corks around these two writes; netapi has no cork.
			socket.WriteString("one", nil)
			socket.WriteString("twø", nil) // 3 + 4 bytes
			seen.add("after writes " + js(socket.BytesWritten()))
		})
		testkit.Recv(t, clientClosed.ch)
		assert.Equal(t, []string{"after writes 7", "connect 7", "end 7"}, seen.all(), "bytesWritten")
		// The server's socket never reads what the client wrote, so it never sees the
		// client's FIN and never closes; Node exits all the same.
		waitDone(t, rt)
	})
}

// TestNodeNetWriteFullyAsyncBuffer checks 200 rounds of writing 1 MB buffers until write()
// returns false, each round started by 'drain'; the connection ends cleanly.
// Ported from nodejs/node test/parallel/test-net-write-fully-async-buffer.js. Node, on one
// thread, writes one or two buffers a round; with the reader on another core (the default
// runtime) the kernel can keep taking, so a round stops after two writes that returned
// true, and the next one starts from a timer instead of a 'drain'.
func TestNodeNetWriteFullyAsyncBuffer(t *testing.T) {
	const rounds, perRound = 200, 2
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		data := make([]byte, 1000000)
		var srvRead atomic.Int64
		var connections counter
		srvClosed := newSignal()
		srv := rt.CreateServer(netapi.ServerOptions{}, func(conn *netapi.Socket) {
			connections.inc()
			conn.OnData(func(d []byte) { srvRead.Add(int64(len(d))) })
			conn.OnClose(func(bool) { srvClosed.fire() })
		})
		port := listenOn(t, srv, "")
		var connects, drains, timed counter
		var written int64 // the client's callbacks never overlap
		count := 0
		conn := rt.NewSocket(netapi.SocketOptions{})
		var writeLoop func()
		writeLoop = func() {
			if count == rounds {
				count++
				conn.End(nil, nil)
				srv.Close(nil)
				return
			}
			if count > rounds {
				return
			}
			count++
			for i := 0; ; i++ { // while (conn.write(Buffer.from(data)));
				written += int64(len(data))
				if !conn.Write(bytes.Clone(data), nil) {
					return // 'drain' starts the next round
				}
				if i == perRound-1 {
					rt.AfterFunc(0, func() { timed.inc(); writeLoop() })
					return
				}
			}
		}
		conn.OnDrain(func() { drains.inc(); writeLoop() })
		conn.ConnectPort(port, "", func() { connects.inc(); writeLoop() })
		waitDone(t, rt)
		testkit.Recv(t, srvClosed.ch)
		assert.Equal(t, int64(1), connections.get(), "connection events")
		assert.Equal(t, int64(1), connects.get(), "connect events")
		assert.Equal(t, int64(rounds), drains.get()+timed.get(), "rounds started by 'drain' or a timer")
		assert.Equal(t, written, srvRead.Load(), "bytes the server read")
	})
}
